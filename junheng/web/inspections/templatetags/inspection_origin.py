"""`{% visit_origin problem %}`: on a ledger problem's page, the visit it came from (a finding or
a 回头看 rebound), linked for those who may open the visit."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from junheng.web.inspections import permissions, services
from junheng.web.rectification.models import ProblemSource

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_origin(context: dict[str, Any], problem: Any) -> str:
    if problem.source != ProblemSource.INSPECTION:
        return ""  # no query for the problems of an evaluation
    origin = services.origin_of(problem)
    if origin is None:
        return ""
    user = context.get("user")
    readable = (
        user is not None and permissions.visible_visits(user).filter(pk=origin.visit.pk).exists()
    )
    if readable:
        url = reverse("inspections_visit", args=[origin.visit.pk])
        return format_html('<dt>督导检查</dt><dd><a href="{}">{}</a></dd>', url, origin.text)
    return format_html("<dt>督导检查</dt><dd>{}</dd>", origin.text)
