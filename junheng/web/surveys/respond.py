"""The public form's path through the database: what it must do and nothing more.

A parents' meeting sends hundreds of phones within a minute, so each form and each submission
is kept to the work it cannot avoid:

- one query finds the code with its batch, survey, county and the versions of the survey's
  questionnaires (`find`);
- a questionnaire is parsed once per process and version (`questionnaire_for`): a county that
  edits its copy makes a new version, which the next query names, so no worker serves old text;
- a submission is validated before any lock is taken, and stored in one short transaction:
  an UPDATE that marks the code used only if it is not (the row lock of that statement is what
  makes two racing submissions one), then the INSERT of the response; the quality flags are
  judged on the way in so results never read every response.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery

from junheng.survey.distribution import read_answers
from junheng.survey.loader import DEFAULT_RULES, load_rules
from junheng.survey.questionnaire import Questionnaire
from junheng.survey.rules import SurveyRules
from junheng.survey.scoring import Response as CoreResponse
from junheng.survey.scoring import SurveyResponseError, quality_flags
from junheng.web import clock
from junheng.web.surveys.models import (
    AccessCode,
    RateCount,
    Response,
    Survey,
    SurveyQuestionnaire,
    SurveyStatus,
)


def rules(rules_id: str = DEFAULT_RULES) -> SurveyRules:
    """Survey rules by id, kept per process when bundled (the loader keeps them too, yet looks
    for the file on each call); a rules file named by its path is read afresh, as the loader
    does."""
    if rules_id.endswith((".yaml", ".yml")):
        return load_rules(rules_id)
    return _bundled_rules(rules_id)


@lru_cache(maxsize=8)
def _bundled_rules(rules_id: str) -> SurveyRules:
    return load_rules(rules_id)


@dataclass(frozen=True)
class SurveyHead:
    """What the public form needs of a survey."""

    pk: int
    title: str
    county: str
    status: str
    opens_at: datetime
    closes_at: datetime
    rules_id: str
    versions: tuple[str, ...]
    """The versions of the survey's questionnaires now, in the order of their keys."""


@dataclass(frozen=True)
class FoundCode:
    pk: int
    code: str
    used: bool
    group: str
    school_pk: int | None
    area_type: str
    survey: SurveyHead
    rate_count: int | None = None
    """The misses counted against the asking address in this window (see `ratelimit`)."""


_CODE = "\x00code"
_WINDOW = -7_000_000_001
_KEY = "\x00key"


@lru_cache(maxsize=4)
def _find_sql(vendor: str) -> tuple[str, tuple[object, ...]]:
    """The lookup's SQL, written by the ORM once per process (writing it costs more than
    running it) with markers where each request's values go."""
    counted = RateCount.objects.filter(window=_WINDOW, key=_KEY).values("count")[:1]
    query = (
        AccessCode.objects.filter(code=_CODE)
        .annotate(rate_count=Subquery(counted))
        .order_by("survey__questionnaires__key")
        .values_list(
            "pk",
            "used",
            "batch__group",
            "batch__school_id",
            "batch__area_type",
            "survey_id",
            "survey__title",
            "survey__county__name",
            "survey__status",
            "survey__opens_at",
            "survey__closes_at",
            "survey__rules_id",
            "rate_count",
            "survey__questionnaires__version",
        )
    )
    sql, params = query.query.sql_with_params()
    return sql, tuple(params)


def _instant(value: datetime | str) -> datetime:
    # PostgreSQL gives aware datetimes; SQLite the text Django stored (UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def find(code: str, rate: tuple[int, str] = (0, "")) -> FoundCode | None:
    """The code with what the form needs, in one query (a row per questionnaire of its
    survey); with `rate` (window, key of `ratelimit`) also the address's count of misses."""
    sql, markers = _find_sql(connection.vendor)
    values = {_CODE: code, _WINDOW: rate[0], _KEY: rate[1]}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[m] for m in markers])  # type: ignore[index]
        rows = cursor.fetchall()
    if not rows:
        return None
    pk, used, group, school, area, survey, title, county, status, opens, closes, rules, count, _ = (
        rows[0]
    )
    head = SurveyHead(
        survey,
        title,
        county,
        status,
        _instant(opens),
        _instant(closes),
        rules,
        tuple(r[-1] for r in rows if r[-1] is not None),
    )
    return FoundCode(pk, code, bool(used), group, school, area, head, count)


def is_open(survey: SurveyHead, now: datetime) -> str | None:
    """None while the survey takes answers, else "closed" or "not_open" (as `Outcome` values)."""
    if survey.status == SurveyStatus.CLOSED or now >= survey.closes_at:
        return "closed"
    if survey.status != SurveyStatus.OPEN or now < survey.opens_at:
        return "not_open"
    return None


_lock = threading.Lock()
_questionnaires: dict[tuple[int, tuple[str, ...]], dict[str, tuple[str, Questionnaire]]] = {}
CACHED_SURVEYS = 64
"""Surveys whose questionnaires a process keeps parsed (a county runs one or two at a time)."""


def _for_groups(survey: SurveyHead) -> dict[str, tuple[str, Questionnaire]]:
    key = (survey.pk, survey.versions)
    with _lock:
        found = _questionnaires.get(key)
    if found is not None:
        return found
    from junheng.web.surveys.services import questionnaire_of

    groups: dict[str, tuple[str, Questionnaire]] = {}
    for stored in SurveyQuestionnaire.objects.filter(survey_id=survey.pk).order_by("key"):
        questionnaire = questionnaire_of(stored, survey.rules_id)
        _remember_version(survey.pk, stored.version, questionnaire)
        for group in questionnaire.respondents:
            groups.setdefault(group, (stored.version, questionnaire))
    with _lock:
        if len(_questionnaires) >= CACHED_SURVEYS:
            _questionnaires.clear()
        _questionnaires[key] = groups
    return groups


_versions: dict[tuple[int, str], Questionnaire] = {}
"""(survey, version) → its questionnaire: what a form's ticket names (a version is a checksum
of the text, so an entry never goes stale; an edited questionnaire is a new version)."""


def _remember_version(survey_pk: int, version: str, questionnaire: Questionnaire) -> None:
    with _lock:
        if len(_versions) >= CACHED_SURVEYS * 8:
            _versions.clear()
        _versions[(survey_pk, version)] = questionnaire


def questionnaire_version(survey_pk: int, version: str, rules_id: str) -> Questionnaire | None:
    """The questionnaire of that version of the survey, None once the county replaced it."""
    with _lock:
        found = _versions.get((survey_pk, version))
    if found is not None:
        return found
    from junheng.web.surveys.services import questionnaire_of

    stored = SurveyQuestionnaire.objects.filter(survey_id=survey_pk, version=version).first()
    if stored is None:
        return None
    questionnaire = questionnaire_of(stored, rules_id)
    _remember_version(survey_pk, version, questionnaire)
    return questionnaire


def questionnaire_for(found: FoundCode) -> tuple[str, Questionnaire] | None:
    """(version, questionnaire) the code's group answers; None when the survey has none."""
    return _for_groups(found.survey).get(found.group)


@dataclass(frozen=True)
class Stored:
    """What `store` did: "accepted", "repeated", "used", "invalid" (with the message)."""

    outcome: str
    message: str = ""


def store(
    found: FoundCode,
    version: str,
    questionnaire: Questionnaire,
    nonce: str,
    data: Mapping[str, str],
    seconds: int,
    now: datetime,
) -> Stored:
    """Validate the answers and store the response exactly once for the code.

    Of two submissions racing for one code, the second's UPDATE waits for the first's
    transaction and then finds the code used; the one-to-one key of the response refuses a
    second response even where the database cannot lock rows.
    """
    if found.used:
        return used(found.pk, nonce)
    seen = Seen(
        found.pk,
        found.survey.pk,
        version,
        found.group,
        found.school_pk,
        found.area_type,
        found.survey.rules_id,
    )
    try:
        row = _row(seen, questionnaire, nonce, data, seconds, now)
    except SurveyResponseError as exc:
        return Stored("invalid", str(exc))
    if not _take_and_insert(seen, row, None):
        return used(found.pk, nonce)
    return Stored("accepted")


def _take_and_insert(seen: Seen, row: dict[str, object], open_at: datetime | None) -> bool:
    """Mark the code used unless it is and insert the response; with `open_at`, only while
    the survey is open then. True when this call stored it."""
    fields = [Response._meta.get_field(name) for name in row]
    values = [f.get_db_prep_save(v, connection) for f, v in zip(fields, row.values(), strict=True)]
    take, insert = _store_sql(connection.vendor, tuple(row), open_survey=open_at is not None)
    where = [True, seen.code_pk]
    if open_at is not None:
        where += [seen.survey_pk, SurveyStatus.OPEN.value, open_at, open_at]
        where += [seen.survey_pk, seen.version]
    try:
        if not insert:
            # one statement is a transaction of its own: no BEGIN and COMMIT to send (inside a
            # caller's transaction a savepoint keeps a refused insert from spoiling it)
            inner = transaction.atomic() if connection.in_atomic_block else nullcontext()
            with inner, connection.cursor() as cursor:
                cursor.execute(take, [*where, *values])
                return cursor.rowcount == 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(take, where)
            if cursor.rowcount != 1:
                return False
            cursor.execute(insert, values)
            return True
    except IntegrityError:
        return False


@lru_cache(maxsize=8)
def _store_sql(vendor: str, names: tuple[str, ...], open_survey: bool = False) -> tuple[str, str]:
    """The statements of a submission as plain SQL (the ORM's machinery would cost more than
    the statements): mark the code used unless it is, and insert the response.

    On PostgreSQL both are one statement, the INSERT reading the UPDATE's row, so the insert
    happens only when this statement took the code (its row lock makes a racing submission
    wait, then find the code used) and a refused insert undoes the taking; the second string
    is then empty. Elsewhere (SQLite cannot update within WITH) the two run in a transaction.
    """
    q = connection.ops.quote_name
    code = AccessCode._meta
    used = q(code.get_field("used").column)
    pk = q(code.pk.column)
    take = f"UPDATE {q(code.db_table)} SET {used} = %s WHERE {pk} = %s AND NOT {used}"
    if open_survey:
        # the survey of the code still open now, as `is_open` decides it
        survey = Survey._meta
        take += (
            f" AND EXISTS (SELECT 1 FROM {q(survey.db_table)} s"
            f" WHERE s.{q(survey.pk.column)} = %s AND s.{q(survey.get_field('status').column)} = %s"
            f" AND s.{q(survey.get_field('opens_at').column)} <= %s"
            f" AND s.{q(survey.get_field('closes_at').column)} > %s)"
        )
        # and the version answered still the survey's: an edit replaces it (the full path
        # then judges the answers against the questionnaire as it is now)
        stored = SurveyQuestionnaire._meta
        take += (
            f" AND EXISTS (SELECT 1 FROM {q(stored.db_table)} v"
            f" WHERE v.{q(stored.get_field('survey').column)} = %s"
            f" AND v.{q(stored.get_field('version').column)} = %s)"
        )
    columns = ", ".join(q(Response._meta.get_field(n).column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    insert = f"INSERT INTO {q(Response._meta.db_table)} ({columns})"
    if vendor == "postgresql":
        return f"WITH taken AS ({take} RETURNING {pk}) {insert} SELECT {marks} FROM taken", ""
    return take, f"{insert} VALUES ({marks})"


@dataclass(frozen=True)
class Seen:
    """What a form showed, as its signed ticket carries it back: the code's row, its survey,
    the questionnaire version answered and where the respondent belongs."""

    code_pk: int
    survey_pk: int
    version: str
    group: str
    school_pk: int | None
    area_type: str
    rules_id: str


def _row(
    seen: Seen,
    questionnaire: Questionnaire,
    nonce: str,
    data: Mapping[str, str],
    seconds: int,
    now: datetime,
) -> dict[str, object]:
    """The response's row, answers validated (SurveyResponseError) and quality judged."""
    answers = read_answers(questionnaire, data)
    seconds = max(0, seconds)
    flags = quality_flags(
        CoreResponse(id="", group=seen.group, answers=answers, seconds=seconds),
        rules(seen.rules_id),
    )
    return {
        "survey": seen.survey_pk,
        "code": seen.code_pk,
        "version": seen.version,
        "group": seen.group,
        "school": seen.school_pk,
        "area_type": seen.area_type,
        "answers": answers,
        "seconds": seconds,
        "submitted_on": clock.local_date(now),
        "nonce": nonce,
        "excluded": False,
        "flags": ",".join(flags),
        "tallied": False,
    }


def store_seen(
    seen: Seen, nonce: str, data: Mapping[str, str], seconds: int, now: datetime
) -> bool:
    """Store the response of a form whose ticket says what it showed, in one statement that
    also checks the code is unused and the survey open now; True when it was stored.

    False asks the caller to take the full path (`submit`), which finds out why — used,
    repeated, closed, answers invalid, the questionnaire replaced — and answers accordingly.
    The lookup of the code is left out because the ticket, signed by the server when it showed
    the form, already says what it would find.
    """
    questionnaire = questionnaire_version(seen.survey_pk, seen.version, seen.rules_id)
    if questionnaire is None or seen.group not in questionnaire.respondents:
        return False
    try:
        row = _row(seen, questionnaire, nonce, data, seconds, now)
    except SurveyResponseError:
        return False
    return _take_and_insert(seen, row, now)


def used(code_pk: int, nonce: str) -> Stored:
    """A used code: "repeated" when the stored response came from this very form (a retry)."""
    stored = Response.objects.filter(code_id=code_pk).values_list("nonce", flat=True).first()
    return Stored("repeated" if stored == nonce else "used")


@dataclass(frozen=True)
class Attempt:
    """A submission's outcome ("accepted", "repeated", "used", "closed", "not_open", "unknown",
    "invalid"), with what the form needs to be shown again."""

    outcome: str
    message: str = ""
    found: FoundCode | None = None
    version: str = ""
    questionnaire: Questionnaire | None = None


def submit(code: str, nonce: str, data: Mapping[str, str], seconds: int, now: datetime) -> Attempt:
    """Store one response: exactly once per code, and a retry of the same form is no error."""
    found = find(code)
    if found is None:
        return Attempt("unknown")
    if found.used:
        return Attempt(used(found.pk, nonce).outcome, found=found)
    state = is_open(found.survey, now)
    if state is not None:
        return Attempt(state, found=found)
    chosen = questionnaire_for(found)
    if chosen is None:
        name = rules(found.survey.rules_id).groups[found.group].name
        raise LookupError(f"调查没有供“{name}”作答的问卷")
    version, questionnaire = chosen
    stored = store(found, version, questionnaire, nonce, data, seconds, now)
    return Attempt(stored.outcome, stored.message, found, version, questionnaire)
