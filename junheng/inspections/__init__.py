"""督导检查: the on-site checklist drawn from the standard, the visit kinds and results, and the
inspection summaries per period. Pure: no Django, no clock (callers pass dates)."""
