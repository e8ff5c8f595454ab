"""Writes: loading a Dataset into the database and running evaluations. Each is one transaction.

Views and commands call these functions; they hold the rules (locking, history, snapshots) so no
page or command re-implements them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone

from junheng.core.dataset import Dataset
from junheng.core.evaluate import evaluate
from junheng.core.output import evaluation_to_dict
from junheng.core.schema import (
    COUNTY_FACTS,
    LEVEL_ZH,
    PLAN_TABLES,
    SCHOOL_FACT_DEFS,
    SURVEY_ANSWER_COLUMNS,
    Fact,
)
from junheng.core.subset import restrict, select_schools
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    STORED_TABLES,
    BirthCount,
    ChangeLog,
    CountyFactsVersion,
    CountyFactValue,
    GradeCount,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    Status,
    StoredTable,
    SurveyCount,
)
from junheng.web.evaluation.models import DataScope, Snapshot
from junheng.web.facts import fact_to_text
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from junheng.web.registry.revisions import (
    bump_data_revision,
    bumped_by_caller,
    data_revision,
    remember_fingerprint,
)
from junheng.web.selectors import dataset_for, fingerprint, stored_rows, table_token


class DataLockedError(Exception):
    """Raised when a load would change school data that has been approved (locked)."""


@dataclass(frozen=True)
class LoadCounts:
    """What a load created or changed, for the message shown after an import."""

    counties: int
    schools: int
    schools_created: int
    segments: int
    facts: int
    survey_groups: int
    changes: int
    grades: int = 0
    """Rows of grade enrolment loaded (the optional grades table)."""
    plans: int = 0
    """Rows of the optional plan tables loaded (classes, finance, projects, staffing, class-size
    targets)."""


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass
class History:
    """Collects ChangeLog rows and whose data changed during one write (a load or a form).

    Every write path records through one History and ends with `commit_history`, so the
    history, the version counters of open forms and anything else tied to "data changed" move
    together in the write's transaction.
    """

    user: AbstractBaseUser | None
    year: SchoolYear
    rows: list[ChangeLog] = field(default_factory=list)
    changed_schools: set[int] = field(default_factory=set)
    changed_counties: set[int] = field(default_factory=set)
    """Counties whose facts were created, changed or removed."""
    data_counties: set[int] = field(default_factory=set)
    """Counties whose Dataset of `year` changed (a row created, changed or removed)."""
    registry_counties: set[int] = field(default_factory=set)
    """Counties whose schools' registry entries changed, which every year's Dataset shows."""

    def record(
        self,
        model: str,
        object_id: str,
        field_name: str,
        old: object,
        new: object,
        *,
        school: School | None = None,
        county: County | None = None,
    ) -> None:
        self.rows.append(
            ChangeLog(
                user=self.user,
                model=model,
                object_id=object_id,
                field=field_name,
                old_value=_text(old),
                new_value=_text(new),
                school=school,
                # The id, not `school.county`: that would be one query per school changed.
                county_id=county.pk
                if county is not None
                else (school.county_id if school else None),
                year=self.year,
            )
        )
        if school is not None:
            self.changed_schools.add(school.pk)


@dataclass(frozen=True)
class _Where:
    object_id: str
    school: School | None = None
    county: County | None = None


K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=models.Model)


def _filled(value: object) -> bool:
    return value is not None and value != ""


def _sync(
    model: type[M],
    existing: Mapping[K, M],
    wanted: Mapping[K, Mapping[str, Any]],
    new: Callable[[K], M],
    fields: Sequence[str],
    where: Callable[[K], _Where],
    history: History,
    *,
    log_created: bool = False,
) -> set[K]:
    """Make the rows of `model` in scope equal `wanted`: create, update (logging each changed
    field old → new) and delete (logging the values removed). Returns the keys of the rows
    created, changed or removed.

    New rows are logged only with `log_created`: a first import creates whole counties and its
    history would be every value, while a value entered on a form for a row that did not exist
    yet (a segment or fact reported for the first time) is a change like any other.
    """
    to_create: list[M] = []
    to_update: list[M] = []
    touched: set[K] = set()

    def log(key: K, name: str, old: object, value: object) -> None:
        place = where(key)
        history.record(
            model.__name__,
            place.object_id,
            name,
            old,
            value,
            school=place.school,
            county=place.county,
        )

    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            row = new(key)
            for name in fields:
                setattr(row, name, values.get(name))
                if log_created and _filled(values.get(name)):
                    log(key, name, None, values.get(name))
            to_create.append(row)
            touched.add(key)
            continue
        changed = False
        for name in fields:
            old, value = getattr(row, name), values.get(name)
            if old != value:
                log(key, name, old, value)
                setattr(row, name, value)
                changed = True
        if changed:
            to_update.append(row)
            touched.add(key)
    gone = [key for key in existing if key not in wanted]
    for key in gone:
        touched.add(key)
        for name in fields:
            old = getattr(existing[key], name)
            if _filled(old):
                log(key, name, old, None)
    for key in touched:
        place = where(key)
        history.data_counties.add(
            place.county.pk if place.county is not None else place.school.county_id  # type: ignore[union-attr]
        )
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    _update_rows(model, to_update, fields)
    if gone:
        # The revisions of these counties are bumped once by commit_history, not per row.
        with bumped_by_caller():
            model._default_manager.filter(pk__in=[existing[k].pk for k in gone]).delete()
    return touched


BATCH_SIZE = 2000
"""Rows per INSERT: keeps each statement's size bounded on provinces of 20,000 schools."""


def _update_rows(
    model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]
) -> None:
    """Write `fields` of existing `rows` back: one prepared UPDATE executed for every row.

    Django's `bulk_update` builds a CASE expression per field and row, which made reloading a
    province's data take hours; `executemany` sends one statement with each row's values (a
    pipeline on PostgreSQL). No signals are sent, as with `bulk_update`.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # type: ignore[union-attr]
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in targets] + [row.pk]  # type: ignore[union-attr]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _county_names(dataset: Dataset) -> list[str]:
    names: list[str] = []
    frames = (
        dataset.schools,
        dataset.county_facts,
        dataset.survey,
        dataset.births,
        dataset.finance,
        dataset.projects,
        dataset.class_targets,
    )
    for frame in frames:
        for name in frame.get_column("county").to_list():
            if name is not None and name not in names:
                names.append(name)
    return names


def _refuse_locked(school_ids: Iterable[str], year: SchoolYear) -> None:
    locked = list(
        SchoolYearData.objects.filter(
            school__school_id__in=list(school_ids), year=year, status=Status.APPROVED
        ).values_list("school__name", flat=True)
    )
    if locked:
        names = "、".join(sorted(locked))
        raise DataLockedError(
            f"以下学校 {year.label} 年的数据已审核锁定，不能导入覆盖：{names}。"
            "如需修改，请县级管理员先解除锁定。"
        )


def _sync_schools(
    rows: list[dict[str, Any]], counties: Mapping[str, County], history: History
) -> tuple[dict[str, School], int]:
    """Create or update registry entries; a changed name, kind, county or central school is
    logged. A fixed number of queries however many schools the load has."""
    ids = [row["school_id"] for row in rows]
    existing = {
        s.school_id: s for s in School.objects.filter(school_id__in=ids).select_related("county")
    }
    registry_fields = ("name", "kind", "area_type", "ownership", "township")
    created: list[School] = []
    changed: dict[str, School] = {}
    changed_fields: set[str] = set()
    for row in rows:
        values = {name: row[name] or "" for name in registry_fields}
        county = counties[row["county"]]
        school = existing.get(row["school_id"])
        if school is None:
            school = School(school_id=row["school_id"], county=county, **values)
            created.append(school)
            existing[school.school_id] = school
            continue
        if school.county_id != county.pk:
            history.record(
                "School", school.school_id, "county", school.county.name, county.name, school=school
            )
            history.registry_counties.add(school.county_id)
            school.county = county
            changed[school.school_id] = school
            changed_fields.add("county")
        for name, value in values.items():
            if getattr(school, name) != value:
                history.record(
                    "School", school.school_id, name, getattr(school, name), value, school=school
                )
                setattr(school, name, value)
                changed[school.school_id] = school
                changed_fields.add(name)
    School.objects.bulk_create(created, batch_size=BATCH_SIZE)
    _update_rows(School, list(changed.values()), sorted(changed_fields))
    history.registry_counties.update(s.county_id for s in changed.values())

    # Parents may appear after their teaching points, so they are linked once all exist.
    outside_ids = {
        r["parent_id"] for r in rows if r["parent_id"] and r["parent_id"] not in existing
    }
    outside = {s.school_id: s for s in School.objects.filter(school_id__in=outside_ids)}
    school_ids = {s.pk: s.school_id for s in [*existing.values(), *outside.values()]}
    unknown_parents = {s.parent_id for s in existing.values()} - set(school_ids) - {None}
    school_ids |= dict(School.objects.filter(pk__in=unknown_parents).values_list("pk", "school_id"))
    created_ids = {s.school_id for s in created}
    relinked: list[School] = []
    for row in rows:
        school = existing[row["school_id"]]
        parent_sid = row["parent_id"]
        parent = (existing.get(parent_sid) or outside.get(parent_sid)) if parent_sid else None
        if parent_sid and parent is None:
            raise ValueError(
                f"学校 {school.name}（{school.school_id}）的所属中心校 {parent_sid} 不存在"
            )
        if school.parent_id != (parent.pk if parent else None):
            if school.school_id not in created_ids:
                history.record(
                    "School",
                    school.school_id,
                    "parent_id",
                    school_ids.get(school.parent_id) if school.parent_id else None,
                    parent_sid,
                    school=school,
                )
                history.registry_counties.add(school.county_id)
            school.parent = parent
            relinked.append(school)
    _update_rows(School, relinked, ["parent"])
    return existing, len(created)


def _facts_wanted(
    frame_rows: list[dict[str, Any]],
    key: str,
    facts: Sequence[Fact],
    notes: Mapping[tuple[str, str], str],
) -> dict[tuple[str, str], dict[str, Any]]:
    """Wide fact rows → {(owner, fact): {"value": text, "note": text}}; empty facts are omitted."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for row in frame_rows:
        owner = row[key]
        for fact in facts:
            text = fact_to_text(fact, row.get(fact.name))
            note = notes.get((owner, fact.name), "")
            if text is not None or note:
                wanted[(owner, fact.name)] = {"value": text, "note": note}
    return wanted


@transaction.atomic
def load_dataset(
    dataset: Dataset,
    year_label: str,
    *,
    province: str,
    city: str,
    user: AbstractBaseUser | None = None,
) -> LoadCounts:
    """Store a canonical Dataset as the data of its counties for one school year.

    Regions and schools are created as needed. Loading a school and year again replaces its
    values; every changed field is written to the ChangeLog (who, when, old → new). County
    facts, survey counts and school facts are replaced only for the counties and schools present
    in those tables. All or nothing: approved (locked) school data or an unknown school refuses
    the whole load.
    """
    year, _ = SchoolYear.objects.get_or_create(label=year_label)
    province_row, _ = Province.objects.get_or_create(name=province)
    city_row, _ = City.objects.get_or_create(province=province_row, name=city)
    counties = {
        name: County.objects.get_or_create(city=city_row, name=name)[0]
        for name in _county_names(dataset)
    }
    history = History(user=user, year=year)

    school_rows = dataset.schools.to_dicts()
    _refuse_locked((row["school_id"] for row in school_rows), year)
    schools, schools_created = _sync_schools(school_rows, counties, history)

    def school_of(sid: str) -> School:
        try:
            return schools[sid]
        except KeyError:
            raise ValueError(f"学校标识码 {sid} 不在学校表中") from None

    notes = dataset.notes.to_dicts()
    school_fact_rows = dataset.school_facts.to_dicts()
    segment_rows = dataset.segments.to_dicts()
    for row in segment_rows:
        school_of(row["school_id"])
    # Only owners present in a fact or survey table are replaced: a load of schools' data alone
    # (a per-school workbook) must not erase county facts or other schools' facts.
    school_facts = sync_school_data(
        schools,
        school_rows,
        segment_rows,
        school_fact_rows,
        {(n["school_id"], n["fact"]): n["note"] for n in notes if n["school_id"]},
        history,
        fact_owners=[school_of(row["school_id"]).school_id for row in school_fact_rows],
    )
    county_fact_rows = dataset.county_facts.to_dicts()
    county_facts = sync_county_facts(
        counties,
        county_fact_rows,
        {(n["county"], n["fact"]): n["note"] for n in notes if not n["school_id"]},
        history,
        owners=[row["county"] for row in county_fact_rows],
    )

    county_by_pk = {c.pk: c for c in counties.values()}
    survey_rows = dataset.survey.to_dicts()
    with_survey = {counties[row["county"]].pk for row in survey_rows}
    _sync(
        SurveyCount,
        {
            (county_by_pk[c.county_id].name, c.group): c
            for c in SurveyCount.objects.filter(county__in=with_survey, year=year)
        },
        {(row["county"], row["group"]): row for row in survey_rows},
        lambda key: SurveyCount(county=counties[key[0]], year=year, group=key[1]),
        SURVEY_ANSWER_COLUMNS,
        lambda key: _Where(f"{key[0]}/{key[1]}", county=counties[key[0]]),
        history,
    )

    grade_rows = sync_grades(schools, dataset.grades.to_dicts(), history)
    birth_rows = dataset.births.to_dicts()
    with_births = {row["county"] for row in birth_rows}
    _sync(
        BirthCount,
        {
            (county_by_pk[b.county_id].name, b.birth_year): b
            for b in BirthCount.objects.filter(
                county__in=[counties[name].pk for name in with_births], year=year
            )
        },
        {(row["county"], row["year"]): row for row in birth_rows},
        lambda key: BirthCount(county=counties[key[0]], year=year, birth_year=key[1]),
        ("births",),
        lambda key: _Where(f"{key[0]}/{key[1]}年", county=counties[key[0]]),
        history,
    )

    plan_rows = sync_plan_tables(dataset, counties, schools, history)

    commit_history(history)
    return LoadCounts(
        counties=len(counties),
        schools=len(schools),
        schools_created=schools_created,
        segments=len(segment_rows),
        facts=school_facts + county_facts,
        survey_groups=len(survey_rows),
        changes=len(history.rows),
        grades=grade_rows,
        plans=plan_rows,
    )


def sync_grades(
    schools: Mapping[str, School], grade_rows: Sequence[Mapping[str, Any]], history: History
) -> int:
    """Make the grade enrolment of the schools named in `grade_rows` equal those rows.

    Only schools present in the rows are replaced: a load without the table (or a school's own
    workbook) keeps the grade history already stored. Returns the number of rows wanted."""
    if not grade_rows:
        return 0
    year = history.year
    owners = {row["school_id"] for row in grade_rows}
    missing = sorted(owners - set(schools))
    if missing:
        raise ValueError(f"学校标识码 {missing[0]} 不在学校表中")
    by_pk = {schools[sid].pk: sid for sid in owners}
    _sync(
        GradeCount,
        {
            (by_pk[g.school_id], g.grade_year, g.grade): g
            for g in GradeCount.objects.filter(school__in=list(by_pk), year=year)
        },
        {(row["school_id"], row["year"], row["grade"]): row for row in grade_rows},
        lambda key: GradeCount(school=schools[key[0]], year=year, grade_year=key[1], grade=key[2]),
        ("students",),
        lambda key: _Where(f"{key[0]}/{key[1]}年/{key[2]}年级", schools[key[0]]),
        history,
    )
    return len(grade_rows)


class PlanTableConflict(Exception):
    """The table's stored rows changed after the form was opened."""


def _schools_by_id(known: Mapping[str, School], ids: Iterable[str | None]) -> dict[str, School]:
    """The schools named by `ids`: those of the load first, the registry's for the others."""
    wanted = {sid for sid in ids if sid is not None}
    found = {sid: known[sid] for sid in wanted if sid in known}
    missing = wanted - set(found)
    if missing:
        found |= {
            s.school_id: s
            for s in School.objects.filter(school_id__in=sorted(missing)).select_related("county")
        }
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValueError(f"学校标识码 {unknown[0]} 不在学校表中")
    return found


def _plan_object_id(values: Sequence[object]) -> str:
    parts = [str(v) for v in values if v is not None and v != ""]
    return "/".join(parts)[: ChangeLog._meta.get_field("object_id").max_length]  # type: ignore[union-attr]


def sync_stored_table(
    spec: StoredTable,
    county: County,
    rows: Sequence[Mapping[str, Any]],
    schools: Mapping[str, School],
    history: History,
    *,
    only: Sequence[School] | None = None,
    table_year: int | None = None,
    log_created: bool = False,
) -> int:
    """Make the county's rows of one optional table (of the schools `only`, and of the table's
    own year `table_year` only, when given) in the history's school year equal `rows` (Dataset
    rows), logging every change.

    Rows have no unique key (two classes of a grade may both be unnamed), so a row is matched
    by the columns that name it to people plus its rank among rows named alike: an edited
    value is logged as a change of that row, not as a row removed and another added.
    `schools` maps every school id the rows name to its School. Returns the rows wanted.
    """
    year = history.year
    stored = spec.model._default_manager.filter(year=year)
    if table_year is not None:
        stored = stored.filter(**{spec.fields["year"]: table_year})
    if spec.by_school:
        stored = stored.filter(school__county=county).select_related("school")
        if only is not None:
            stored = stored.filter(school__in=[s.pk for s in only])
    else:
        stored = stored.filter(county=county)
    if "school" in spec.fields.values():
        stored = stored.select_related("school")

    def value_of(row: models.Model, column: str) -> object:
        name = "school" if column == "school_id" else spec.fields[column]
        value = getattr(row, name)
        return value.school_id if isinstance(value, School) else value

    def keyed(items: Iterable[tuple[tuple[object, ...], M]]) -> dict[tuple[Any, ...], M]:
        seen: dict[tuple[object, ...], int] = {}
        out: dict[tuple[Any, ...], M] = {}
        for names, item in items:
            seen[names] = seen.get(names, -1) + 1
            out[(names, seen[names])] = item
        return out

    existing = keyed(
        (tuple(value_of(row, c) for c in spec.keys), row) for row in stored.order_by("id")
    )
    wanted_rows = []
    for row in rows:
        values: dict[str, Any] = {field: row.get(column) for column, field in spec.fields.items()}
        if "school" in values:
            sid = values["school"]
            values["school"] = schools[sid] if sid is not None else None
        wanted_rows.append((tuple(row.get(c) for c in spec.keys), values))
    wanted = keyed(wanted_rows)

    def new(key: tuple[Any, ...]) -> models.Model:
        if spec.by_school:
            return spec.model(school=schools[key[0][0]], year=year)
        return spec.model(county=county, year=year)

    _sync(
        spec.model,
        existing,
        wanted,
        new,
        list(spec.fields.values()),
        lambda key: _Where(_plan_object_id(key[0]), county=county),
        history,
        log_created=log_created,
    )
    return len(rows)


def sync_plan_tables(
    dataset: Dataset,
    counties: Mapping[str, County],
    schools: Mapping[str, School],
    history: History,
) -> int:
    """Store the dataset's plan tables: a county's rows of a table are replaced when the
    dataset carries rows of that table for the county, and kept when it carries none; a table
    kept per school (classes, staffing) likewise per school, as the import hands them over
    (`intake.importer.imported_part`: the rows of every school it covers, as merged). Returns
    the rows stored."""
    total = 0
    for table in PLAN_TABLES:
        spec = STORED_TABLES[table.name]
        rows = getattr(dataset, table.name).to_dicts()
        if not rows:
            continue
        named = _schools_by_id(schools, (row.get("school_id") for row in rows))
        by_county: dict[int, list[dict[str, Any]]] = {}
        owners: dict[int, County] = {}
        for row in rows:
            owner = named[row["school_id"]].county if spec.by_school else counties[row["county"]]
            owners[owner.pk] = owner
            by_county.setdefault(owner.pk, []).append(row)
        for pk, county_rows in by_county.items():
            only = (
                list({row["school_id"]: named[row["school_id"]] for row in county_rows}.values())
                if spec.by_school
                else None
            )
            total += sync_stored_table(spec, owners[pk], county_rows, named, history, only=only)
    return total


@transaction.atomic
def save_stored_table(
    county: County,
    year: SchoolYear,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    user: AbstractBaseUser | None,
    *,
    school: School | None = None,
    table_year: int | None = None,
    token: str | None = None,
) -> int:
    """Replace the county's rows of one optional table (of `school` only, and of the table's own
    year `table_year` only, when given) with the validated `rows` of a form, logging every
    change. `token` is `table_token` of the rows the
    form was opened with: when the stored rows differ from it now, nothing is written and
    `PlanTableConflict` is raised. Returns the number of values changed."""
    # Taken first, so two saves of the county's tables follow each other (PostgreSQL).
    County.objects.select_for_update().filter(pk=county.pk).first()
    current = stored_rows(county, year, table, school=school, table_year=table_year)
    if token is not None and table_token(current) != token:
        raise PlanTableConflict(table)
    history = History(user=user, year=year)
    spec = STORED_TABLES[table]
    named = _schools_by_id({}, (row.get("school_id") for row in rows))
    sync_stored_table(
        spec,
        county,
        rows,
        named,
        history,
        only=[school] if school is not None else None,
        table_year=table_year,
        log_created=True,
    )
    commit_history(history)
    return len(history.rows)


def sync_school_data(
    schools: Mapping[str, School],
    school_rows: Sequence[Mapping[str, Any]],
    segment_rows: Sequence[Mapping[str, Any]],
    school_fact_rows: Sequence[Mapping[str, Any]],
    school_notes: Mapping[tuple[str, str], str],
    history: History,
    *,
    fact_owners: Iterable[str],
    log_created: bool = False,
) -> int:
    """Make the year data, segments and facts of `schools` equal the given Dataset rows.

    `schools` maps school id → School for every school whose year data and segments are
    replaced (a segment absent from `segment_rows` is removed); facts are replaced only for
    `fact_owners`. Every change is recorded in `history`. Returns the number of facts wanted.
    Shared by imports and the data-entry form, so both keep one history.
    """
    year, user = history.year, history.user
    by_pk = {s.pk: s for s in schools.values()}
    in_scope = list(by_pk)
    year_data = {
        by_pk[d.school_id].school_id: d
        for d in SchoolYearData.objects.filter(school__in=in_scope, year=year)
    }
    _sync(
        SchoolYearData,
        year_data,
        {row["school_id"]: row for row in school_rows},
        lambda sid: SchoolYearData(school=schools[sid], year=year, updated_by=user),
        SCHOOL_MEASURES,
        lambda sid: _Where(sid, schools[sid]),
        history,
        log_created=log_created,
    )
    segments = _sync(
        SegmentData,
        {
            (by_pk[s.school_id].school_id, s.level): s
            for s in SegmentData.objects.filter(school__in=in_scope, year=year)
        },
        {(row["school_id"], row["level"]): row for row in segment_rows},
        lambda key: SegmentData(school=schools[key[0]], year=year, level=key[1]),
        SEGMENT_MEASURES,
        lambda key: _Where(f"{key[0]}/{LEVEL_ZH.get(key[1], key[1])}", schools[key[0]]),
        history,
        log_created=log_created,
    )
    school_facts = _facts_wanted(school_fact_rows, "school_id", SCHOOL_FACT_DEFS, school_notes)
    with_facts = [schools[sid].pk for sid in fact_owners]
    facts = _sync(
        SchoolFactValue,
        {
            (by_pk[v.school_id].school_id, v.fact): v
            for v in SchoolFactValue.objects.filter(school__in=with_facts, year=year)
        },
        school_facts,
        lambda key: SchoolFactValue(school=schools[key[0]], year=year, fact=key[1]),
        ("value", "note"),
        lambda key: _Where(f"{key[0]}/{key[1]}", schools[key[0]]),
        history,
        log_created=log_created,
    )
    # A segment or fact reported for the first time is not logged by a load, but it changes
    # what an open form shows, so the school's version moves on as for a logged change.
    history.changed_schools.update(
        schools[sid].pk for sid, _ in segments | facts if sid in year_data
    )
    return len(school_facts)


def sync_county_facts(
    counties: Mapping[str, County],
    county_fact_rows: Sequence[Mapping[str, Any]],
    county_notes: Mapping[tuple[str, str], str],
    history: History,
    *,
    owners: Iterable[str],
    log_created: bool = False,
) -> int:
    """Make the facts of the `owners` counties (names) equal the wide fact rows; every change
    is recorded in `history`. Returns the number of facts wanted."""
    year = history.year
    county_by_pk = {c.pk: c for c in counties.values()}
    county_facts = _facts_wanted(county_fact_rows, "county", COUNTY_FACTS, county_notes)
    touched = _sync(
        CountyFactValue,
        {
            (county_by_pk[v.county_id].name, v.fact): v
            for v in CountyFactValue.objects.filter(
                county__in=[counties[name].pk for name in owners], year=year
            )
        },
        county_facts,
        lambda key: CountyFactValue(county=counties[key[0]], year=year, fact=key[1]),
        ("value", "note"),
        lambda key: _Where(f"{key[0]}/{key[1]}", county=counties[key[0]]),
        history,
        log_created=log_created,
    )
    history.changed_counties.update(counties[name].pk for name, _ in touched)
    return len(county_facts)


def commit_history(history: History) -> None:
    """End a write: move the versions of what changed on and store the history rows.

    Forms opened before the write now hold an old version and are refused on save.
    """
    now = timezone.now()
    # Pages compare this revision with the one their snapshot was taken at.
    bump_data_revision(history.data_counties - history.registry_counties, history.year)
    bump_data_revision(history.registry_counties)
    if history.changed_schools:
        SchoolYearData.objects.filter(school__in=history.changed_schools, year=history.year).update(
            version=F("version") + 1, updated_by=history.user, updated_at=now
        )
    for county_id in sorted(history.changed_counties):
        CountyFactsVersion.objects.get_or_create(county_id=county_id, year=history.year)
    if history.changed_counties:
        CountyFactsVersion.objects.filter(
            county__in=history.changed_counties, year=history.year
        ).update(version=F("version") + 1, updated_by=history.user, updated_at=now)
    ChangeLog.objects.bulk_create(history.rows)


class NothingApproved(Exception):
    """An evaluation over approved data was asked for, but no school's data can be used."""


@dataclass(frozen=True)
class PendingSchool:
    """A school whose data of the year are not approved (yet), as a snapshot records it."""

    school_id: str
    name: str
    status: str
    held_back_by: str = ""
    """For an approved school left out with its group: the unapproved school of that group."""

    @property
    def status_text(self) -> str:
        return Status(self.status).label

    def record(self) -> dict[str, str]:
        return {
            "school_id": self.school_id,
            "name": self.name,
            "status": self.status,
            "held_back_by": self.held_back_by,
        }


def unapproved_schools(county: County, year: SchoolYear) -> list[PendingSchool]:
    """The county's schools with data of the year that is not approved, in school id order."""
    rows = (
        SchoolYearData.objects.filter(school__county=county, year=year)
        .exclude(status=Status.APPROVED)
        .order_by("school__school_id")
        .values_list("school__school_id", "school__name", "status")
    )
    return [PendingSchool(sid, name, status) for sid, name, status in rows]


@transaction.atomic
def run_evaluation(
    county: County,
    year: SchoolYear,
    user: AbstractBaseUser | None,
    standard_id: str = DEFAULT_STANDARD,
    *,
    approved_only: bool = False,
) -> Snapshot:
    """Evaluate the county's current data and store the result as a new immutable snapshot.

    With `approved_only` the evaluation reads only the schools whose data are approved (a
    central school and its teaching points together, see `junheng.core.subset`); the snapshot
    names the schools left out. Either way it records which schools were not approved.

    The stored fingerprint is that of all the county's data, approved or not, so "changed since
    this snapshot" means what it says for both kinds: an edit after the run, not the schools the
    run chose to leave out.
    """
    # Read before the data, so the fingerprint stored below is refused if a write came between.
    revision = data_revision(county, year)
    dataset = dataset_for(county, year)
    data_fingerprint = fingerprint(dataset)
    pending = unapproved_schools(county, year)
    if approved_only:
        waiting = {p.school_id for p in pending}
        ids = [sid for sid in dataset.schools.get_column("school_id") if sid not in waiting]
        selection = select_schools(dataset.schools, ids)
        if not selection.used:
            raise NothingApproved(
                "本学年没有可以单独评估的已审核学校数据，无法只用已审核的数据评估。"
            )
        names = dict(dataset.schools.select("school_id", "name").iter_rows())
        pending += [
            PendingSchool(sid, names.get(sid, sid), Status.APPROVED, by)
            for sid, by in sorted(selection.held_back.items())
        ]
        dataset = restrict(dataset, selection.used)
    standard = load_standard(standard_id)
    document = evaluation_to_dict(evaluate(dataset, standard))
    entry = next(c for c in document["counties"] if c["county"] == county.name)
    if revision is not None:
        remember_fingerprint(county, year, revision["data_revision"], data_fingerprint)
    return Snapshot.objects.create(
        county=county,
        year=year,
        created_by=user,
        standard_id=standard.id,
        standard_version=standard.version,
        policies=document["policies"],
        data_fingerprint=data_fingerprint,
        result=entry,
        data_scope=DataScope.APPROVED if approved_only else DataScope.ALL,
        unapproved=[p.record() for p in pending],
    )
