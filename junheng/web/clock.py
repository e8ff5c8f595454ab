"""The web's one clock: the local day and time of `settings.TIME_ZONE` (Asia/Shanghai unless
`JUNHENG_TIME_ZONE` says otherwise, see `junheng.clock`).

Stored instants stay in UTC; every date a user reads or that decides a period (bulletins, 逾期,
deadlines, report dates, export headers, file names, survey days) is taken from here, never from
an aware datetime's `.date()` or `strftime`, which give the UTC day: a 销号 at 07:30 on a Monday
in Beijing is 23:30 on Sunday in UTC. Everything goes through `django.utils.timezone.now`, so a
test that freezes that function freezes every page, stored timestamp and date at once. The pure
core (`junheng.core`, `junheng.rectification`) never reads a clock: it is handed `today()`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current wall-clock time of the site's zone, aware."""
    return timezone.localtime()


def today() -> dt.date:
    """Today in the site's zone."""
    return timezone.localdate()


def local(at: dt.datetime) -> dt.datetime:
    """A stored (aware) instant as the site's wall-clock time."""
    return timezone.localtime(at)


def local_date(at: dt.datetime) -> dt.date:
    """The site's calendar day on which the stored instant `at` falls."""
    return timezone.localdate(at)


def stamp(at: dt.datetime | None = None) -> str:
    """Date and minute as pages and export headers print them: 2026-12-07 07:30 (now if None)."""
    return f"{local(at) if at is not None else now():%Y-%m-%d %H:%M}"
