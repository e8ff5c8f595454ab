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


@register.simple_tag(takes_context=True)
def school_inspections_link(context: dict[str, Any], school: Any) -> str:
    """The school page's line to its visits, for those who may read them: the page has checked
    that the user may see the school, so the role decides (no query)."""
    user = context.get("user")
    if user is None or not permissions.has_inspection_pages(user):
        return ""
    url = reverse("inspections_school", args=[school.school_id])
    return format_html('<dt>督导检查</dt><dd><a href="{}">督导检查记录</a></dd>', url)


@register.simple_tag(takes_context=True)
def county_inspections_links(context: dict[str, Any], county: Any) -> str:
    """The county page's line to its inspection summary and, for its admins, the assignment."""
    user = context.get("user")
    if user is None or not permissions.has_inspection_pages(user):
        return ""
    links = format_html(
        '<a href="{}">督导检查汇总</a>', reverse("inspections_summary", args=[county.pk])
    )
    if permissions.can_assign(user, county):
        links = format_html(
            '{} · <a href="{}">责任督学分配</a>',
            links,
            reverse("inspections_assign", args=[county.pk]),
        )
    return format_html('<p class="actions">督导检查：{}</p>', links)
