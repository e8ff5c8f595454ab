"""Importing workbooks in the browser: uploads, the same validation as `junheng import`, the
problem report, loading into the database, and the history of imports (`ImportRun`)."""
