"""Reads: the canonical Dataset of a county and year from the database, fingerprints, snapshots.

Every page and report that needs numbers builds the Dataset here and hands it to `junheng.core`,
so the web shows exactly what the CLI and the reports compute.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import polars as pl

from junheng.core.dataset import NOTES_SCHEMA, Dataset, facts_schema, table_schema
from junheng.core.schema import (
    COUNTY_FACTS,
    COUNTY_FACTS_BY_NAME,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS_BY_NAME,
    SCHOOLS,
    SEGMENTS,
    SURVEY,
    SURVEY_ANSWER_COLUMNS,
)
from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    CountyFactValue,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    SurveyCount,
)
from junheng.web.evaluation.models import Snapshot
from junheng.web.facts import fact_from_text
from junheng.web.registry import revisions
from junheng.web.registry.models import County, SchoolYear


def _frame(rows: list[dict[str, Any]], schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame({name: [row.get(name) for row in rows] for name in schema}, schema=schema)


def dataset_for(county: County, year: SchoolYear) -> Dataset:
    """The canonical Dataset of one county and year, rows in the order they were first loaded."""
    year_data = (
        SchoolYearData.objects.filter(school__county=county, year=year)
        .select_related("school", "school__parent")
        .order_by("school_id")
    )
    schools: list[dict[str, Any]] = []
    for data in year_data:
        school = data.school
        schools.append(
            {
                "school_id": school.school_id,
                "name": school.name,
                "county": county.name,
                "kind": school.kind,
                "parent_id": school.parent.school_id if school.parent else None,
                "area_type": school.area_type or None,
                "ownership": school.ownership or None,
                "township": school.township or None,
                **{name: getattr(data, name) for name in SCHOOL_MEASURES},
            }
        )

    segments = [
        {"school_id": seg.school.school_id, "level": seg.level}
        | {name: getattr(seg, name) for name in SEGMENT_MEASURES}
        for seg in SegmentData.objects.filter(school__county=county, year=year)
        .select_related("school")
        .order_by("school_id", "id")
    ]

    notes: list[dict[str, Any]] = []
    county_row: dict[str, Any] = {}
    for value in CountyFactValue.objects.filter(county=county, year=year).order_by("id"):
        county_row[value.fact] = fact_from_text(COUNTY_FACTS_BY_NAME[value.fact], value.value)
        if value.note:
            notes.append({"county": county.name, "fact": value.fact, "note": value.note})
    county_rows = [{"county": county.name, **county_row}] if county_row else []

    school_rows: dict[str, dict[str, Any]] = {}
    for value in (
        SchoolFactValue.objects.filter(school__county=county, year=year)
        .select_related("school")
        .order_by("school_id", "id")
    ):
        sid = value.school.school_id
        row = school_rows.setdefault(sid, {"school_id": sid})
        row[value.fact] = fact_from_text(SCHOOL_FACTS_BY_NAME[value.fact], value.value)
        if value.note:
            notes.append(
                {"county": county.name, "fact": value.fact, "note": value.note, "school_id": sid}
            )

    survey = [
        {"county": county.name, "group": count.group}
        | {name: getattr(count, name) for name in SURVEY_ANSWER_COLUMNS}
        for count in SurveyCount.objects.filter(county=county, year=year).order_by("id")
    ]

    return Dataset.build(
        _frame(schools, table_schema(SCHOOLS)),
        _frame(segments, table_schema(SEGMENTS)),
        _frame(county_rows, facts_schema("county", COUNTY_FACTS)),
        _frame(list(school_rows.values()), facts_schema("school_id", SCHOOL_FACT_DEFS)),
        _frame(survey, table_schema(SURVEY)),
        _frame(notes, NOTES_SCHEMA),
        source=f"db:{county.name}:{year.label}",
    )


_FINGERPRINT_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("schools", ("school_id",)),
    ("segments", ("school_id", "level")),
    ("county_facts", ("county",)),
    ("school_facts", ("school_id",)),
    ("survey", ("county", "group")),
    ("notes", ("county", "school_id", "fact", "note")),
)


def fingerprint(dataset: Dataset) -> str:
    """SHA-256 of the Dataset's content, independent of row order and of where it came from.

    Equal fingerprints mean an evaluation of either dataset gives the same result, so a page can
    tell whether the data changed after the snapshot it shows.
    """
    digest = hashlib.sha256()
    for name, keys in _FINGERPRINT_KEYS:
        frame: pl.DataFrame = getattr(dataset, name)
        ordered = frame.sort(list(keys), nulls_last=True, maintain_order=True)
        payload = {
            "table": name,
            "columns": [[column, str(dtype)] for column, dtype in frame.schema.items()],
            "rows": ordered.rows(),
        }
        # Floats serialise through repr, the shortest text that reads back to the same value.
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def latest_snapshot(county: County, year: SchoolYear) -> Snapshot | None:
    """The most recent evaluation snapshot of a county and year, if any."""
    snapshot = (
        Snapshot.objects.filter(county=county, year=year)
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if snapshot is not None:
        # The page already holds both; reading them again would be two queries per view.
        snapshot.county, snapshot.year = county, year
    return snapshot


def current_fingerprint(county: County, year: SchoolYear) -> str:
    """The fingerprint of the county's current data for the year.

    Stored per data revision (see `registry.revisions`): the Dataset is rebuilt and hashed only
    for the first reader after a write, not on every view.
    """
    return _current_fingerprint(county.pk, year.pk, lambda: (county, year))


def _current_fingerprint(
    county_id: int, year_id: int, objects: Callable[[], tuple[County, SchoolYear]]
) -> str:
    state = revisions.data_revision(county_id, year_id)
    stored = revisions.fresh_fingerprint(state)
    if stored is not None:
        return stored
    # The revision was read before the data: a write in between makes the store below refuse.
    value = fingerprint(dataset_for(*objects()))
    if state is not None:
        revisions.remember_fingerprint(county_id, year_id, state["data_revision"], value)
    return value


def data_changed_since(snapshot: Snapshot) -> bool:
    """Whether the county's data for the snapshot's year differs from what was evaluated.

    Exact: the fingerprints of the evaluated and the current data are compared, so an edit that
    was reverted counts as unchanged. Cheap: while no write has happened since the current
    fingerprint was stored, this is one small query (no data is read).
    """
    current = _current_fingerprint(
        snapshot.county_id, snapshot.year_id, lambda: (snapshot.county, snapshot.year)
    )
    return current != snapshot.data_fingerprint


def yearly_summaries(county: County) -> list[dict[str, Any]]:
    """The summary of the latest snapshot of each school year of the county, oldest year first.

    One query; the stored summaries are read, not the full results.
    """
    from django.db.models import OuterRef, Subquery

    latest = (
        Snapshot.objects.filter(county=OuterRef("county"), year=OuterRef("year"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    rows = (
        Snapshot.objects.filter(county=county, id=Subquery(latest))
        .order_by("year__label")
        .values("id", "year__label", "created_at", "summary")
    )
    return [
        {
            "id": r["id"],
            "year": r["year__label"],
            "created_at": r["created_at"],
            "summary": r["summary"],
        }
        for r in rows
    ]


def latest_summaries(counties: Any, year: SchoolYear) -> dict[int, dict[str, Any]]:
    """County id → summary of its latest snapshot for the year, for the counties of a queryset.

    One query however many counties: only the stored summaries are read.
    """
    from django.db.models import OuterRef, Subquery

    latest = (
        Snapshot.objects.filter(county=OuterRef("county"), year=year)
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    rows = Snapshot.objects.filter(
        county__in=counties.values("pk"), year=year, id=Subquery(latest)
    ).values("county_id", "created_at", "summary")
    return {r["county_id"]: r for r in rows}


def years_with_snapshots(counties: Any) -> list[str]:
    """Labels of the school years in which any of the counties was evaluated, newest first."""
    return list(
        SchoolYear.objects.filter(snapshot__county__in=counties.values("pk"))
        .distinct()
        .order_by("-label")
        .values_list("label", flat=True)
    )
