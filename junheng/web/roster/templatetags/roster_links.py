"""`{% school_roster_link school year %}`: the school page's line to the teacher roster, for
those the roster page opens for (a 责任督学 or a township's user sees the school, not the
county's roster, and gets no dead link)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from junheng.web.roster.permissions import roster_view

register = template.Library()


@register.simple_tag(takes_context=True)
def school_roster_link(context: dict[str, Any], school: Any, year: Any) -> str:
    user = context.get("user")
    if user is None or roster_view(user, school.county_id) is None:
        return ""
    url = reverse("roster:page", args=[school.county_id, year.label])
    return format_html('<dt>教师名册</dt><dd><a href="{}">查看教师名册</a></dd>', url)
