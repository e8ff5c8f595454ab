"""Dates as people write them in plan tables (计划竣工 2025年8月, 2025/8/31, 2025-08).

The intake stores every accepted spelling as ISO text (YYYY-MM-DD), so the core reads one
form; a date given to the month only is the month's last day, because a project "finished in
August" counts as finished by the end of August, not on its first day. Pure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_EXCEL_MIDNIGHT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?\s*$")


def parse_plan_date(text: str | None) -> dt.date | None:
    """The date a cell means, or None when it is blank.

    Raises ValueError for text that is not a date in one of the accepted forms.
    """
    if text is None or not text.strip():
        return None
    midnight = _EXCEL_MIDNIGHT.match(text)
    if midnight:
        text = midnight.group(1)
    day = _DAY.match(text)
    if day:
        year, month, date = (int(g) for g in day.groups())
        return dt.date(year, month, date)
    month_only = _MONTH.match(text)
    if month_only:
        year, month = (int(g) for g in month_only.groups())
        if not 1 <= month <= 12:
            raise ValueError(text)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    raise ValueError(text)


def school_year_of(date: dt.date, cutoff: tuple[int, int] = (8, 31)) -> int:
    """The first school year (autumn term) in which something finished on `date` is in use:
    by the cut-off (31 August) it serves that year's autumn term, after it the next year's."""
    return date.year if (date.month, date.day) <= cutoff else date.year + 1
