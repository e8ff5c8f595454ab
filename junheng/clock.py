"""The local day and time of the county, for the code that runs without Django (the CLI and the
reports it writes).

Servers keep their clock in UTC, while a county reads and files everything by Beijing time: a
销号 at 07:30 on a Monday morning belongs to that Monday's week, not to the Sunday the UTC date
names. So no date a user sees or that decides a period comes from `date.today()` or from an
aware datetime's `.date()`; it comes from here, in the zone `JUNHENG_TIME_ZONE` names
(Asia/Shanghai when unset). The web's `settings.TIME_ZONE` reads its default from
`time_zone_name()` and `junheng.web.clock` answers the same questions through Django, so the
CLI and the web agree on what "today" is.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_ZONE_VARIABLE = "JUNHENG_TIME_ZONE"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


class TimeZoneError(ValueError):
    """The configured time zone is not one the zone database knows (message in Chinese)."""


def time_zone_name() -> str:
    """The configured zone's name: `JUNHENG_TIME_ZONE`, or Asia/Shanghai when unset or blank."""
    return os.environ.get(TIME_ZONE_VARIABLE, "").strip() or DEFAULT_TIME_ZONE


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeZoneError(
            f"环境变量 {TIME_ZONE_VARIABLE} 的值“{name}”不是有效的时区，应如 {DEFAULT_TIME_ZONE}"
        ) from exc


def time_zone() -> ZoneInfo:
    """The configured zone (read on every call, so a changed environment takes effect)."""
    return _zone(time_zone_name())


def utc_now() -> dt.datetime:
    """The current instant, aware, in UTC: the single place the CLI reads the machine clock."""
    return dt.datetime.now(dt.UTC)


def local(at: dt.datetime) -> dt.datetime:
    """An aware instant as the wall-clock time of the configured zone.

    A naive datetime has no instant to convert (it would silently be taken as the machine's
    local time), so it is refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("local() needs an aware datetime")
    return at.astimezone(time_zone())


def local_date(at: dt.datetime) -> dt.date:
    """The calendar day of the configured zone on which the instant `at` falls."""
    return local(at).date()


def now() -> dt.datetime:
    """The current wall-clock time of the configured zone, aware."""
    return local(utc_now())


def today() -> dt.date:
    """Today in the configured zone."""
    return now().date()
