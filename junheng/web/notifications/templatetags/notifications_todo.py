"""`{% todo_panel %}`: the signed-in user's 待办 on their start page (the county overview, the
school page), without the page's view knowing about it."""

from __future__ import annotations

from typing import Any

from django import template

from junheng.web.notifications.badge import has_todo, items_for

register = template.Library()

PANEL_ITEMS = 5
"""Items shown in the panel; the 待办 page lists them all."""


@register.inclusion_tag("notifications/_panel.html", takes_context=True)
def todo_panel(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_todo(user):
        return {"hidden": True}
    items = items_for(user)
    return {
        "items": items,
        "shown": items[:PANEL_ITEMS],
        "more": max(0, len(items) - PANEL_ITEMS),
        "overdue": sum(1 for i in items if i.overdue),
    }
