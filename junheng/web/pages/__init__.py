"""Server-rendered pages: home, county list, county overview and school page."""
