"""Saves and deletions of what the public page shows make the county's cached page stale
(`services.touch`): its settings and bulletins, its plan, phases and milestones, its problems
and its evaluation snapshots; and of the names the page must hide (`services.county_secrets`):
its organisation's people, the ledger's tasks, its users' names. No query for the county's own
rows; one for a phase, milestone, person or task; a user's save only when a name may change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from junheng.web.accounts.models import Profile
from junheng.web.evaluation.models import Snapshot
from junheng.web.public.models import PublicBulletin, PublicPage
from junheng.web.public.services import touch
from junheng.web.rectification.models import (
    Milestone,
    Person,
    Phase,
    Plan,
    Problem,
    Task,
    Unit,
    UnitMember,
)

COUNTY_ROWS = (PublicPage, PublicBulletin, Plan, Problem, Snapshot)


def _county_row(sender: Any, instance: Any, **kwargs: Any) -> None:
    touch(instance.county_id)


def _phase(sender: Any, instance: Phase, **kwargs: Any) -> None:
    touch(Plan.objects.filter(pk=instance.plan_id).values_list("county_id", flat=True).first())


def _milestone(sender: Any, instance: Milestone, **kwargs: Any) -> None:
    touch(
        Phase.objects.filter(pk=instance.phase_id).values_list("plan__county_id", flat=True).first()
    )


def _person(sender: Any, instance: Person, **kwargs: Any) -> None:
    touch(Unit.objects.filter(pk=instance.unit_id).values_list("county_id", flat=True).first())


def _task(sender: Any, instance: Task, **kwargs: Any) -> None:
    touch(
        Problem.objects.filter(pk=instance.problem_id).values_list("county_id", flat=True).first()
    )


NAME_FIELDS = {"first_name", "last_name"}


def _user(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A user's name may be on the page's list of names to hide: every county the user works
    for renders anew. A save of other fields only (a login's `last_login`) costs nothing."""
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    profiles = Profile.objects.filter(user_id=instance.pk)
    counties = {
        *profiles.values_list("county_id", flat=True),
        *profiles.values_list("school__county_id", flat=True),
        *UnitMember.objects.filter(user_id=instance.pk).values_list("unit__county_id", flat=True),
    }
    for county_id in counties:
        touch(county_id)


def connect() -> None:
    for model in COUNTY_ROWS:
        for signal in (post_save, post_delete):
            signal.connect(_county_row, sender=model, dispatch_uid=f"public-{model.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(_phase, sender=Phase, dispatch_uid="public-Phase")
        signal.connect(_milestone, sender=Milestone, dispatch_uid="public-Milestone")
        signal.connect(_person, sender=Person, dispatch_uid="public-Person")
        signal.connect(_task, sender=Task, dispatch_uid="public-Task")
    post_save.connect(_user, sender=get_user_model(), dispatch_uid="public-User")
