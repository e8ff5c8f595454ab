"""Data revisions: a counter per county and school year that moves whenever the data changes.

`selectors.data_changed_since` must answer on every view of a county overview or school page.
Rebuilding and hashing the county's Dataset each time costs more than the rest of the page, so
the answer is kept as two numbers on `CountyYear`: the data revision, bumped in the transaction
of every write, and the revision at which the stored fingerprint was computed. While the two are
equal, the stored fingerprint is the current data's and nothing else is read.

The protocol that keeps the stored fingerprint honest under concurrent writes:

- a writer bumps every (county, year) it changed, creating missing rows first, in its own
  transaction, so the data and the revision become visible together;
- a reader makes sure the row exists, reads the revision, then reads the data, and stores the
  fingerprint only if the revision is still the one it read (a write in between moved it).

Bulk write paths (`load_dataset`, the data-entry form) call `bump_data_revision` once for all
they wrote. Saves and deletes of single rows of the data models (the admin site, corrections in
a shell) bump through signals, so they cannot be forgotten. Bulk ORM calls (`bulk_create`,
`bulk_update`, `QuerySet.update`) send no signals: code that uses them must call
`bump_data_revision` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, models, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save

from junheng.web.registry.models import County, CountyYear, School, SchoolYear

_bulk_write: ContextVar[bool] = ContextVar("junheng_bulk_write", default=False)


@contextmanager
def bumped_by_caller() -> Iterator[None]:
    """Within the block, row signals do not bump: the caller bumps once for all it writes.

    A load that deletes thousands of rows would otherwise bump (and look up a county) per row.
    """
    token = _bulk_write.set(True)
    try:
        yield
    finally:
        _bulk_write.reset(token)


def _pk(value: models.Model | int) -> int:
    return value if isinstance(value, int) else value.pk


def bump_data_revision(
    counties: Iterable[County | int], year: SchoolYear | int | None = None
) -> None:
    """Record that the data of `counties` changed in `year` (in every school year when None,
    e.g. a school's name, which every year's Dataset shows). Call it inside the write's
    transaction."""
    county_ids = sorted({_pk(c) for c in counties})
    if not county_ids:
        return
    if year is None:
        year_ids = list(SchoolYear.objects.order_by("pk").values_list("pk", flat=True))
    else:
        year_ids = [_pk(year)]
    # Missing rows are created too: a reader may be creating the same row right now, and a bump
    # that only updated existing rows could miss it and leave a stale fingerprint behind.
    CountyYear.objects.bulk_create(
        [CountyYear(county_id=c, year_id=y) for c in county_ids for y in year_ids],
        ignore_conflicts=True,
    )
    CountyYear.objects.filter(county_id__in=county_ids, year_id__in=year_ids).update(
        data_revision=F("data_revision") + 1
    )


def data_revision(county: County | int, year: SchoolYear | int) -> dict[str, Any] | None:
    """The revision state of a county and year: `data_revision`, `fingerprint` and
    `fingerprint_revision`. The row is created when missing; None only if it cannot be written
    now (the database is busy with a long write), in which case nothing may be cached."""
    keys = {"county_id": _pk(county), "year_id": _pk(year)}
    fields = ("data_revision", "fingerprint", "fingerprint_revision")
    state = CountyYear.objects.filter(**keys).values(*fields).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            CountyYear.objects.bulk_create([CountyYear(**keys)], ignore_conflicts=True)
    except DatabaseError:
        return None
    return CountyYear.objects.filter(**keys).values(*fields).first()


def fresh_fingerprint(state: dict[str, Any] | None) -> str | None:
    """The stored fingerprint when it belongs to the current revision, else None."""
    if state is None or not state["fingerprint"]:
        return None
    if state["fingerprint_revision"] != state["data_revision"]:
        return None
    return state["fingerprint"]


def remember_fingerprint(
    county: County | int, year: SchoolYear | int, revision: int, fingerprint: str
) -> bool:
    """Store the fingerprint of the data read at `revision`, unless a write has moved the
    revision since. Never waits for a writer: a row locked by a running write is skipped (the
    next reader computes again). Returns whether it was stored."""
    keys = {"county_id": _pk(county), "year_id": _pk(year), "data_revision": revision}
    try:
        with transaction.atomic():
            rows = CountyYear.objects.select_for_update(nowait=True).filter(**keys)
            if not rows.values_list("pk", flat=True):
                return False
            rows.update(fingerprint=fingerprint, fingerprint_revision=revision)
    except DatabaseError:
        return False
    return True


# ---- signals: single-row saves and deletes ----------------------------------------------------


def _school_county(instance: models.Model) -> int | None:
    school_id = instance.school_id  # type: ignore[attr-defined]
    cached = instance._state.fields_cache.get("school")
    if cached is not None:
        return cached.county_id
    return School.objects.filter(pk=school_id).values_list("county_id", flat=True).first()


def _data_fields(sender: type[models.Model]) -> frozenset[str]:
    from junheng.web.collection.models import SCHOOL_MEASURES, SchoolYearData

    if sender is SchoolYearData:
        # Status, comments and versions are workflow, not Dataset content.
        return frozenset(SCHOOL_MEASURES)
    return frozenset(f.name for f in sender._meta.concrete_fields)


def _school_row_changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _bulk_write.get():
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not set(update_fields) & _data_fields(sender):
        return
    county_id = _school_county(instance)
    if county_id is not None:
        bump_data_revision([county_id], instance.year_id)  # type: ignore[attr-defined]


def _county_row_changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _bulk_write.get():
        return
    bump_data_revision([instance.county_id], instance.year_id)  # type: ignore[attr-defined]


def _school_before_save(sender: type[School], instance: School, **kwargs: Any) -> None:
    if _bulk_write.get() or instance.pk is None:
        return
    # A school moving to another county leaves its old county's Datasets too.
    instance._revision_old_county = (  # type: ignore[attr-defined]
        School.objects.filter(pk=instance.pk).values_list("county_id", flat=True).first()
    )


def _school_changed(sender: type[School], instance: School, **kwargs: Any) -> None:
    if _bulk_write.get():
        return
    counties = {instance.county_id, getattr(instance, "_revision_old_county", None)}
    # Teaching points in other counties name this school as their central school.
    if instance.pk is not None:
        counties.update(
            School.objects.filter(parent_id=instance.pk).values_list("county_id", flat=True)
        )
    bump_data_revision([c for c in counties if c is not None])


def _county_changed(sender: type[County], instance: County, **kwargs: Any) -> None:
    # The county's name is the Dataset's `county` column.
    if _bulk_write.get() or kwargs.get("created"):
        return
    bump_data_revision([instance.pk])


def connect_signals() -> None:
    """Connect the receivers (from the registry app's `ready`)."""
    from junheng.web.collection.models import (
        CountyFactValue,
        SchoolFactValue,
        SchoolYearData,
        SegmentData,
        SurveyCount,
    )

    for model in (SchoolYearData, SegmentData, SchoolFactValue):
        post_save.connect(_school_row_changed, sender=model, dispatch_uid=f"rev-{model.__name__}")
        post_delete.connect(
            _school_row_changed, sender=model, dispatch_uid=f"rev-del-{model.__name__}"
        )
    for model in (CountyFactValue, SurveyCount):
        post_save.connect(_county_row_changed, sender=model, dispatch_uid=f"rev-{model.__name__}")
        post_delete.connect(
            _county_row_changed, sender=model, dispatch_uid=f"rev-del-{model.__name__}"
        )
    pre_save.connect(_school_before_save, sender=School, dispatch_uid="rev-pre-School")
    post_save.connect(_school_changed, sender=School, dispatch_uid="rev-School")
    post_delete.connect(_school_changed, sender=School, dispatch_uid="rev-del-School")
    post_save.connect(_county_changed, sender=County, dispatch_uid="rev-County")
