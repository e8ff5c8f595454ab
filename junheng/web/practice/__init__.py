"""主要做法与成效: the sections of the self-evaluation report a county writes in the web."""
