"""The lock-out page's wording."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def lock_minutes(cool_off: timedelta) -> int:
    """Whole minutes, rounded up: "15 分钟后再试" rather than 900 seconds or 0.25 hours."""
    return math.ceil(cool_off.total_seconds() / 60)
