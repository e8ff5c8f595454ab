"""Reads: the canonical Dataset of a county and year from the database, fingerprints, snapshots.

Every page and report that needs numbers builds the Dataset here and hands it to `junheng.core`,
so the web shows exactly what the CLI and the reports compute.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
from django.contrib.auth import get_user_model
from django.db import connection

from junheng.core.dataset import NOTES_SCHEMA, Dataset, facts_schema, table_schema
from junheng.core.schema import (
    BIRTHS,
    COUNTY_FACTS,
    COUNTY_FACTS_BY_NAME,
    GRADES,
    PLAN_TABLES,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS_BY_NAME,
    SCHOOLS,
    SEGMENTS,
    SURVEY,
    SURVEY_ANSWER_COLUMNS,
)
from junheng.web import sqlrows
from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    STORED_TABLES,
    BirthCount,
    CountyFactValue,
    GradeCount,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    SurveyCount,
)
from junheng.web.evaluation.models import Snapshot
from junheng.web.facts import fact_from_text
from junheng.web.registry import revisions
from junheng.web.registry.models import County, School, SchoolYear


def _frame(rows: list[dict[str, Any]], schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame({name: [row.get(name) for row in rows] for name in schema}, schema=schema)


def stored_rows(
    county: County,
    year: SchoolYear,
    table: str,
    *,
    school: School | None = None,
    table_year: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of one optional table (`STORED_TABLES`) kept for the county and school year, as
    Dataset rows (column → value) in the order they were first stored; with `school`, only
    that school's rows of a table kept per school, with `table_year` only the rows whose own
    `year` column says so."""
    spec = STORED_TABLES[table]
    rows = spec.model._default_manager.filter(year=year)
    if table_year is not None:
        rows = rows.filter(**{spec.fields["year"]: table_year})
    if spec.by_school:
        rows = rows.filter(school__county=county)
        if school is not None:
            rows = rows.filter(school=school)
        owner = "school__school_id"
    else:
        rows = rows.filter(county=county)
        owner = ""
    # A project's school is optional: its id or None, read through the same join.
    fields = {c: f"{f}__school_id" if f == "school" else f for c, f in spec.fields.items()}
    out: list[dict[str, Any]] = []
    for values in rows.order_by("id").values_list(*([owner] if owner else []), *fields.values()):
        row: dict[str, Any] = {spec.owner: values[0] if owner else county.name}
        row |= dict(zip(fields, values[1:] if owner else values, strict=True))
        out.append(row)
    return out


def table_token(rows: Sequence[dict[str, Any]]) -> str:
    """A short digest of stored rows, carried by a form to tell whether they changed since."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


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

    grades = [
        {
            "school_id": school_id,
            "year": grade_year,
            "grade": grade,
            "students": students,
        }
        for school_id, grade_year, grade, students in GradeCount.objects.filter(
            school__county=county, year=year
        )
        .order_by("school_id", "id")
        .values_list("school__school_id", "grade_year", "grade", "students")
    ]

    births = [
        {"county": county.name, "year": birth_year, "births": count}
        for birth_year, count in BirthCount.objects.filter(county=county, year=year)
        .order_by("id")
        .values_list("birth_year", "births")
    ]

    plans = {
        table.name: _frame(rows, table_schema(table))
        for table in PLAN_TABLES
        if (rows := stored_rows(county, year, table.name))
    }

    return Dataset.build(
        _frame(schools, table_schema(SCHOOLS)),
        _frame(segments, table_schema(SEGMENTS)),
        _frame(county_rows, facts_schema("county", COUNTY_FACTS)),
        _frame(list(school_rows.values()), facts_schema("school_id", SCHOOL_FACT_DEFS)),
        _frame(survey, table_schema(SURVEY)),
        _frame(notes, NOTES_SCHEMA),
        source=f"db:{county.name}:{year.label}",
        grades=_frame(grades, table_schema(GRADES)) if grades else None,
        births=_frame(births, table_schema(BIRTHS)) if births else None,
        **plans,
    )


_FINGERPRINT_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("schools", ("school_id",)),
    ("segments", ("school_id", "level")),
    ("county_facts", ("county",)),
    ("school_facts", ("school_id",)),
    ("survey", ("county", "group")),
    ("notes", ("county", "school_id", "fact", "note")),
)


_GRADES_KEY: tuple[tuple[str, tuple[str, ...]], ...] = (("grades", ("school_id", "year", "grade")),)
_BIRTHS_KEY: tuple[tuple[str, tuple[str, ...]], ...] = (("births", ("county", "year")),)
_PLAN_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = tuple((t.name, t.names) for t in PLAN_TABLES)
"""The plan tables sorted by every column: their rows have no unique key (two classes of a
grade may both be unnamed), and the fingerprint must not depend on their order."""


def fingerprint(dataset: Dataset) -> str:
    """SHA-256 of the Dataset's content, independent of row order and of where it came from.

    Equal fingerprints mean an evaluation of either dataset gives the same result, so a page can
    tell whether the data changed after the snapshot it shows.
    """
    digest = hashlib.sha256()
    # Grade enrolment, births and the plan tables count only when given, so a dataset without
    # them keeps the fingerprint its snapshots were stored with.
    keys_of = (
        _FINGERPRINT_KEYS
        + (_GRADES_KEY if dataset.grades.height else ())
        + (_BIRTHS_KEY if dataset.births.height else ())
        + tuple(key for key in _PLAN_KEYS if getattr(dataset, key[0]).height)
    )
    for name, keys in keys_of:
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
    """The most recent evaluation snapshot of a county and year, if any.

    Its `result` is read when first used (one more query): the county pages read only an
    excerpt of it (`result_excerpt`), and a large county's result is half a megabyte of JSON.
    """
    snapshot = (
        Snapshot.objects.filter(county=county, year=year)
        .select_related("created_by")
        .defer("result")
        .order_by("-created_at", "-id")
        .first()
    )
    if snapshot is not None:
        # The page already holds both; reading them again would be two queries per view.
        snapshot.county, snapshot.year = county, year
    return snapshot


EXCERPT_LEFT_OUT: tuple[str, ...] = ("segments", "items", "summary")
"""Entries of a result that `result_excerpt` does not copy whole (segments are cut instead)."""

_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def result_excerpt(
    snapshot: Snapshot,
    fields: Sequence[str],
    *,
    level: str | None = None,
    item: str | None = None,
    items: bool = False,
) -> dict[str, Any]:
    """What a county page reads of a snapshot's result: every entry but the segments, the
    items' records and the summary, and the segments (only those of `level`, if given) with
    only `fields`; the per-indicator maps among the fields (`values`, `met` …) with only `item`,
    if given. `items` adds the G, Q, S and V items' records without their lists of failing
    schools (which the reason sums up, and which grow with the county).

    Every requested field is in every segment, None where the result has none. On PostgreSQL
    the database cuts the excerpt out of the stored JSON, so a page no longer transfers and
    decodes the whole result (most of a county page's time before); elsewhere, or when the
    result is loaded already, it is cut here from the whole result, with the same outcome.
    """
    for name in fields:
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"not a segment field: {name!r}")
    if (
        connection.vendor == "postgresql"
        and snapshot.pk is not None
        and "result" in snapshot.get_deferred_fields()
    ):
        return _excerpt_in_postgresql(snapshot.pk, fields, level, item, items)
    return _excerpt(snapshot.result, fields, level, item, items)


def _narrowed(value: Any, item: str | None) -> Any:
    if item is not None and isinstance(value, dict):
        return {item: value.get(item)}
    return value


def _excerpt(
    result: dict[str, Any],
    fields: Sequence[str],
    level: str | None,
    item: str | None,
    items: bool = False,
) -> dict[str, Any]:
    excerpt = {k: v for k, v in result.items() if k not in EXCERPT_LEFT_OUT}
    excerpt["segments"] = [
        {name: _narrowed(segment.get(name), item) for name in fields}
        for segment in result.get("segments") or []
        if level is None or segment.get("level") == level
    ]
    if items:
        excerpt["items"] = {
            key: {k: v for k, v in record.items() if k != "failing"}
            if isinstance(record, dict)
            else record
            for key, record in (result.get("items") or {}).items()
        }
    return excerpt


def _excerpt_in_postgresql(
    snapshot_id: int,
    fields: Sequence[str],
    level: str | None,
    item: str | None,
    items: bool = False,
) -> dict[str, Any]:
    quote = connection.ops.quote_name
    columns = list(dict.fromkeys([*fields, "level"]))
    definitions = ", ".join(f"{quote(name)} jsonb" for name in columns)
    names = ", ".join(quote(name) for name in columns)
    pairs, params = [], []
    for name in fields:
        column = f"r.{quote(name)}"
        if item is None:
            pairs.append(f"'{name}', {column}")
        else:
            # Objects are narrowed to the one item, anything else kept as it is (as _narrowed).
            pairs.append(
                f"'{name}', CASE WHEN jsonb_typeof({column}) = 'object' "
                f"THEN jsonb_build_object(%s::text, {column} -> %s::text) ELSE {column} END"
            )
            params += [item, item]
    where = ""
    if level is not None:
        where = "WHERE r.level = to_jsonb(%s::text)"
        params.append(level)
    table, result = quote(Snapshot._meta.db_table), quote(Snapshot._meta.get_field("result").column)
    left_out = " ".join(f"- '{key}'" for key in EXCERPT_LEFT_OUT)
    items_sql = "NULL"
    if items:
        # each item's record without its `failing` list, as _excerpt cuts it
        items_sql = f"""(SELECT COALESCE(jsonb_object_agg(i.key, CASE
                WHEN jsonb_typeof(i.value) = 'object' THEN i.value - 'failing' ELSE i.value END),
                '{{}}'::jsonb)::text
            FROM jsonb_each(CASE WHEN jsonb_typeof(s.{result} -> 'items') = 'object'
                            THEN s.{result} -> 'items' ELSE '{{}}'::jsonb END) AS i)"""
    # jsonb_to_recordset reads only the requested keys of each segment; the rows come back as
    # one JSON array in their stored order, decoded by one json.loads.
    sql = f"""
        SELECT (s.{result} {left_out})::text,
            (SELECT COALESCE(jsonb_agg(jsonb_build_object({", ".join(pairs)}) ORDER BY r.ord),
                             '[]'::jsonb)::text
             FROM ROWS FROM (jsonb_to_recordset(
                 CASE WHEN jsonb_typeof(s.{result} -> 'segments') = 'array'
                      THEN s.{result} -> 'segments' ELSE '[]'::jsonb END
             ) AS ({definitions})) WITH ORDINALITY AS r({names}, ord)
             {where}),
            {items_sql}
        FROM {table} s WHERE s.id = %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, snapshot_id])
        row = cursor.fetchone()
    if row is None:
        raise Snapshot.DoesNotExist(f"snapshot {snapshot_id}")
    excerpt = json.loads(row[0]) if row[0] is not None else {}
    excerpt["segments"] = json.loads(row[1])
    if items:
        excerpt["items"] = json.loads(row[2])
    return excerpt


def current_fingerprint(county: County, year: SchoolYear) -> str:
    """The fingerprint of the county's current data for the year.

    Stored per data revision (see `registry.revisions`): the Dataset is rebuilt and hashed only
    for the first reader after a write, not on every view.
    """
    return _current_fingerprint(county.pk, year.pk, lambda: (county, year))


def _current_fingerprint(
    county_id: int,
    year_id: int,
    objects: Callable[[], tuple[County, SchoolYear]],
    state: dict[str, Any] | None = None,
) -> str:
    if state is None:
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
        snapshot.county_id,
        snapshot.year_id,
        lambda: (snapshot.county, snapshot.year),
        getattr(snapshot, "revision_state", None),
    )
    return current != snapshot.data_fingerprint


@dataclass(frozen=True)
class CountyPage:
    """What a county page of one school year shows, read in one query (`county_page`)."""

    year: SchoolYear
    snapshot: Snapshot | None
    """The latest snapshot of the year, its result deferred, with the data revision state
    read alongside (`revision_state`), so `data_changed_since` needs no query of its own."""
    years: list[dict[str, Any]] | None
    """`yearly_summaries` of the county, when asked for."""


_REVISION_FIELDS = ("data_revision", "fingerprint", "fingerprint_revision")
_CREATOR_FIELDS = ("id", "username", "first_name", "last_name")
_YEAR_FIELDS = ("id", "label")
_SNAPSHOT_FIELDS = tuple(f.name for f in Snapshot._meta.concrete_fields if f.name != "result")


@cache
def _county_page_sql(vendor: str, with_years: bool) -> str:
    """The query of `county_page`, written out: it runs on every view of the two busiest pages,
    and building it through the ORM (four tables, a correlated subquery) cost several times
    what the database takes to answer it. Names come from the models' metadata."""
    from junheng.web.registry.models import CountyYear

    column, table = sqlrows.column, sqlrows.table
    user = get_user_model()
    selected = ", ".join(
        [
            sqlrows.columns(Snapshot, "s", _SNAPSHOT_FIELDS),
            sqlrows.columns(SchoolYear, "y", _YEAR_FIELDS),
            sqlrows.columns(user, "u", _CREATOR_FIELDS),
            *(f"r.{column(CountyYear, name)}" for name in _REVISION_FIELDS),
        ]
    )
    created_at, pk = column(Snapshot, "created_at"), column(Snapshot, "pk")
    county_id, year_id = column(Snapshot, "county"), column(Snapshot, "year")
    label = f"y.{column(SchoolYear, 'label')}"
    sql = (
        f"SELECT {selected} FROM {table(Snapshot)} s"
        f" JOIN {table(SchoolYear)} y ON y.{column(SchoolYear, 'pk')} = s.{year_id}"
        f" LEFT JOIN {table(user)} u"
        f" ON u.{column(user, 'pk')} = s.{column(Snapshot, 'created_by')}"
        f" LEFT JOIN {table(CountyYear)} r"
        f" ON r.{column(CountyYear, 'county')} = s.{county_id}"
        f" AND r.{column(CountyYear, 'year')} = s.{year_id}"
        f" WHERE s.{county_id} = %s"
    )
    if with_years:
        return (
            f"{sql} AND s.{pk} = (SELECT l.{pk} FROM {table(Snapshot)} l"
            f" WHERE l.{county_id} = s.{county_id} AND l.{year_id} = s.{year_id}"
            f" ORDER BY l.{created_at} DESC, l.{pk} DESC LIMIT 1)"
            f" ORDER BY {label}"
        )
    return f"{sql} AND {label} = %s ORDER BY s.{created_at} DESC, s.{pk} DESC LIMIT 1"


def _page_snapshot(county: County, row: Sequence[Any]) -> Snapshot:
    """A snapshot of `county_page`'s query, its year, creator and revision state attached."""
    user_model = get_user_model()
    snapshot_part, year_part, creator_part, revision = sqlrows.split(
        row, len(_SNAPSHOT_FIELDS), len(_YEAR_FIELDS), len(_CREATOR_FIELDS)
    )
    snapshot = sqlrows.instance(Snapshot, snapshot_part, _SNAPSHOT_FIELDS)
    sqlrows.attach(snapshot, Snapshot.county, county)
    sqlrows.attach(snapshot, Snapshot.year, sqlrows.instance(SchoolYear, year_part))
    creator = sqlrows.instance(user_model, creator_part, _CREATOR_FIELDS)
    sqlrows.attach(snapshot, Snapshot.created_by, creator)
    # No revision row yet (never written through the site): data_changed_since creates it.
    if revision[0] is not None:
        snapshot.revision_state = dict(zip(_REVISION_FIELDS, revision, strict=True))
    return snapshot  # type: ignore[return-value]


def county_page(county: County, label: str, *, with_years: bool = False) -> CountyPage | None:
    """The school year named `label`, its latest snapshot of the county and (`with_years`) the
    latest snapshot of every year: one query while the year has a snapshot, two when it has
    none. None when no such school year exists."""
    sql = _county_page_sql(connection.vendor, with_years)
    with connection.cursor() as cursor:
        cursor.execute(sql, [county.pk] if with_years else [county.pk, label])
        snapshots = [_page_snapshot(county, row) for row in cursor.fetchall()]
    current = next((s for s in snapshots if s.year.label == label), None)
    years = [
        {"id": s.pk, "year": s.year.label, "created_at": s.created_at, "summary": s.summary}
        for s in snapshots
    ]
    if current is None:
        year = SchoolYear.objects.filter(label=label).first()
        if year is None:
            return None
        return CountyPage(year, None, years if with_years else None)
    return CountyPage(current.year, current, years if with_years else None)


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


def county_year_labels(county: County) -> list[str]:
    """The school years the county has data or an evaluation of, oldest first; one query."""
    from django.db.models import Exists, OuterRef

    has_data = SchoolYearData.objects.filter(year=OuterRef("pk"), school__county=county)
    evaluated = Snapshot.objects.filter(year=OuterRef("pk"), county=county)
    return list(
        SchoolYear.objects.filter(Exists(has_data) | Exists(evaluated))
        .order_by("label")
        .values_list("label", flat=True)
    )


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
