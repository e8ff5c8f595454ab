"""Saves and deletions of what the public page shows make the county's cached page stale
(`services.touch`): its settings and bulletins, its plan, phases and milestones, its problems
and its evaluation snapshots. No query for the county's own rows; one for a phase or milestone."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from junheng.web.evaluation.models import Snapshot
from junheng.web.public.models import PublicBulletin, PublicPage
from junheng.web.public.services import touch
from junheng.web.rectification.models import Milestone, Phase, Plan, Problem

COUNTY_ROWS = (PublicPage, PublicBulletin, Plan, Problem, Snapshot)


def _county_row(sender: Any, instance: Any, **kwargs: Any) -> None:
    touch(instance.county_id)


def _phase(sender: Any, instance: Phase, **kwargs: Any) -> None:
    touch(Plan.objects.filter(pk=instance.plan_id).values_list("county_id", flat=True).first())


def _milestone(sender: Any, instance: Milestone, **kwargs: Any) -> None:
    touch(
        Phase.objects.filter(pk=instance.phase_id).values_list("plan__county_id", flat=True).first()
    )


def connect() -> None:
    for model in COUNTY_ROWS:
        for signal in (post_save, post_delete):
            signal.connect(_county_row, sender=model, dispatch_uid=f"public-{model.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(_phase, sender=Phase, dispatch_uid="public-Phase")
        signal.connect(_milestone, sender=Milestone, dispatch_uid="public-Milestone")
