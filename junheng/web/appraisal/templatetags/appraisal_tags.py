"""`{% bulletin_ranking county year as ranking %}`: the current quarter's appraisal ranking for
the ledger's bulletin page, computed here so the bulletin's view stays as it is."""

from __future__ import annotations

from typing import Any

from django import template

from junheng.rectification.appraisal import AppraisalError
from junheng.web.appraisal import permissions, services
from junheng.web.registry.models import County, SchoolYear

register = template.Library()


@register.simple_tag(takes_context=True)
def bulletin_ranking(context: Any, county: County, year: SchoolYear) -> dict[str, Any]:
    """The quarter holding today: its label, both rankings and whether the reader may open the
    appraisal page (its link is shown only then)."""
    period = services.default_period("quarter")
    try:
        page = services.appraisal_for(county, year, period)
    except AppraisalError as exc:  # the county's own formula file is not well formed
        return {"error": str(exc), "link": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "appraisal": page.appraisal,
        "link": user is not None and permissions.can_view_appraisal(user, county),
    }


@register.simple_tag(takes_context=True)
def appraisal_links(context: Any, county: County, year: SchoolYear) -> dict[str, bool]:
    """Which of the section's pages the reader of a ledger page may open."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"appraisal": False, "decisions": False, "meetings": False}
    return {
        "appraisal": permissions.can_view_appraisal(user, county),
        "decisions": permissions.can_view_decisions(user, county),
        "meetings": permissions.can_view_meetings(user, county),
    }
