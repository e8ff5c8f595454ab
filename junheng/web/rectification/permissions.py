"""Who may see and change the rectification work of a county, built on `accounts.scope`.

- 系统管理员 and the county's 县级管理员: everything — problems, tasks, organisation, plans,
  policy documents — and they approve closure (销号).
- A department user (a `UnitMember`): reads the county's ledger; edits and reports progress on
  the tasks whose lead or responsible unit is its own unit; nothing else.
- 县级领导 and 督导检查人员: read the ledger of the counties they may see; change nothing.
- 学校填报员 and users without a role: nothing.

Unknown and forbidden objects answer the same 404 (`NOT_FOUND`), as `pages.lookup` does.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import AnyUser, can_review_county, visible_counties
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.rectification.models import Task, Unit, UnitMember
from junheng.web.registry.models import County


def unit_of(user: AnyUser) -> Unit | None:
    """The unit a department user works for (None for everyone else)."""
    if not user.is_authenticated or not user.is_active:
        return None
    # A school's clerk is never a department user, whatever was recorded.
    if Profile.objects.filter(user_id=user.pk, role=Role.SCHOOL_USER).exists():
        return None
    member = UnitMember.objects.filter(user=user).select_related("unit", "unit__county").first()
    return member.unit if member is not None else None


def can_view_ledger(user: AnyUser, county: County) -> bool:
    """Whether the user may read the county's problems, tasks, organisation and bulletins."""
    if not user.is_authenticated or not user.is_active:
        return False
    if visible_counties(user).filter(pk=county.pk).exists():
        return True
    unit = unit_of(user)
    return unit is not None and unit.county_id == county.pk


def can_manage(user: AnyUser, county: County) -> bool:
    """Whether the user manages the county's rectification and approves closure (销号)."""
    return can_review_county(user, county)


def can_edit_task(user: AnyUser, task: Task) -> bool:
    """Whether the user may edit the task and report its progress."""
    county = task.problem.county
    if can_manage(user, county):
        return True
    unit = unit_of(user)
    if unit is None or unit.county_id != county.pk:
        return False
    return task.lead_unit_id == unit.pk or task.responsible_units.filter(pk=unit.pk).exists()


def ledger_visible_counties(user: AnyUser) -> list[County]:
    """Counties whose ledger the user may open (for the start page of the section)."""
    counties = list(visible_counties(user).order_by("name"))
    unit = unit_of(user)
    if unit is not None and unit.county not in counties:
        counties.append(unit.county)
    return counties


def ledger_county_or_404(request: HttpRequest, county_id: int) -> County:
    county = County.objects.filter(pk=county_id).select_related("city").first()
    if county is None or not can_view_ledger(request.user, county):
        raise Http404(NOT_FOUND)
    return county


def manage_or_404(request: HttpRequest, county: County) -> None:
    """Refuse a change reserved to the county's administrators with the same 404 as an unknown
    page, so a reader cannot tell an approver-only page from a missing one."""
    if not can_manage(request.user, county):
        raise Http404(NOT_FOUND)
