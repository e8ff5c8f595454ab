"""Who may see and change the rectification work of a county, built on `accounts.scope`.

- 系统管理员 and the county's 县级管理员: everything — problems, tasks, organisation, plans,
  policy documents — and they approve closure (销号).
- A department user (a `UnitMember`): reads the county's ledger; edits and reports progress on
  the tasks whose lead or responsible unit is its own unit; nothing else.
- 县级领导 and 督导检查人员: read the ledger of the counties they may see; change nothing.
- 学校填报员 (一校一案): read their own school's problems and the tasks of those problems or
  where their school's unit leads or is responsible; report progress and upload evidence on
  the tasks of their school's unit; never the county's lists, organisation or approval.
- 学区（中心校）用户 (一镇一册): read the problems and tasks of their township's schools and the
  tasks of their township's unit; report progress on the latter; never approve.
- 责任督学: read the problems and tasks of the schools assigned to them.
- Users without a role: nothing.

Unknown and forbidden objects answer the same 404 (`NOT_FOUND`), as `pages.lookup` does.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import (
    AnyUser,
    can_review_county,
    can_view_school,
    township_of,
    visible_counties,
)
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.rectification.models import Problem, Task, Unit, UnitKind, UnitMember
from junheng.web.registry.models import County, School


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


def own_school(user: AnyUser) -> School | None:
    """The school of a 学校填报员 (None for every other role)."""
    if not user.is_authenticated or not user.is_active:
        return None
    profile = Profile.objects.filter(user_id=user.pk, role=Role.SCHOOL_USER).first()
    return profile.school if profile is not None and profile.school_id else None


def party_units(user: AnyUser) -> list[Unit]:
    """The ledger units a school or township user works for: the school's unit (kind 学校) or
    the township's units (kind 乡镇, same county and township). Empty for other roles."""
    school = own_school(user)
    if school is not None:
        return list(Unit.objects.filter(school=school))
    town = township_of(user)
    if town is not None:
        county_id, township = town
        return list(Unit.objects.filter(county_id=county_id, kind=UnitKind.TOWN, township=township))
    return []


def _problem_school(problem: Problem) -> School | None:
    if not problem.school_id:
        return None
    return School.objects.filter(school_id=problem.school_id, county_id=problem.county_id).first()


def can_view_problem(user: AnyUser, problem: Problem) -> bool:
    """The county's ledger readers, and whoever may read the problem's school (its own user,
    its township's office, its 责任督学)."""
    if can_view_ledger(user, problem.county):
        return True
    school = _problem_school(problem)
    return school is not None and can_view_school(user, school)


def _task_units(task: Task) -> list[Unit]:
    units = [task.lead_unit, *task.responsible_units.all()]
    return [u for u in units if u is not None]


def _sees_unit(user: AnyUser, unit: Unit) -> bool:
    """A school's unit is seen by whoever may read that school; a township's unit by that
    township's office."""
    if unit.kind == UnitKind.SCHOOL and unit.school_id is not None:
        return can_view_school(user, unit.school)
    if unit.kind == UnitKind.TOWN and unit.township:
        return township_of(user) == (unit.county_id, unit.township)
    return False


def can_view_task(user: AnyUser, task: Task) -> bool:
    """Readers of the task's problem, and readers of a school or township party to the task."""
    if can_view_problem(user, task.problem):
        return True
    return any(_sees_unit(user, unit) for unit in _task_units(task))


def can_report_progress(user: AnyUser, task: Task) -> bool:
    """Whether the user may report progress, upload evidence and take the party's steps
    (开始整改, 提交验收): whoever may edit the task, and the users of a school or township unit
    that leads it or is responsible for it. Approval stays the county's."""
    if can_edit_task(user, task):
        return True
    mine = {u.pk for u in party_units(user)}
    return bool(mine) and any(u.pk in mine for u in _task_units(task))


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
