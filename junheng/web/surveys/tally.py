"""Results from counts kept in the database, not from reading every response.

`Tally` holds three kinds of rows, each what one part of the results counts:

- per place (group, school, area), failed quality checks and option: the answers given
  (`question` and `version` empty) — the rates by group, school, area and the county's;
- per questionnaire version, question, failed quality checks and option: the answers given
  (`group`, school and area empty) — the rates by question;
- per failed quality checks: the responses (option 0, everything else empty) — how many
  responses there are and how many are left out.

Responses arriving on the public form are not touched here (a submission must stay one short
transaction); they are added whenever the results or the progress are read, in one statement
that takes only the responses not yet tallied. With 20,000 responses the results read a few
thousand rows. Responses left out after review stay in the tallies and are taken off when read.

`score` gives what `services.score` gives (the same core computation of rates, so the numbers
are equal), without the list of responses: the page lists flagged ones from its own query.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection, transaction

from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.survey.scoring import QuestionTally, SurveyResult, score_tallies
from junheng.survey.scoring import Response as CoreResponse
from junheng.survey.scoring import Tally as CoreTally
from junheng.web.registry.models import School
from junheng.web.surveys.models import Response, Survey, Tally

KEY = ("survey_id", "version", "group", "school_pk", "area_type", "flags", "question", "value")

RESPONSES = 0
"""The option of the rows that count responses rather than answers."""


def _statements() -> list[str]:
    q = connection.ops.quote_name
    response, tally, count = q(Response._meta.db_table), q(Tally._meta.db_table), q("count")
    key = ", ".join(q(c) for c in KEY)
    group = q("group")
    upsert = f"ON CONFLICT ({key}) DO UPDATE SET {count} = {tally}.{count} + excluded.{count}"

    def insert(select: str) -> str:
        return f"INSERT INTO {tally} ({key}, {count}) {select} {upsert}"

    # the three kinds of rows, from `fresh` (the responses) and `answers` (one row per answer)
    places = insert(
        f"SELECT survey_id, '', {group}, school_pk, area_type, flags, '', value, COUNT(*) "
        "FROM answers GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    questions = insert(
        "SELECT survey_id, version, '', 0, '', flags, question, value, COUNT(*) "
        "FROM answers GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    responses = insert(
        f"SELECT survey_id, '', '', 0, '', flags, '', {RESPONSES}, COUNT(*) "
        "FROM fresh GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    if connection.vendor == "postgresql":
        # marking and counting in one statement: the rows it marks are the rows it counts, and
        # a second caller waits on their row locks and then finds them marked
        fresh = (
            f"fresh AS (UPDATE {response} SET tallied = true "
            "WHERE survey_id = %s AND NOT tallied "
            f"RETURNING survey_id, version, {group}, COALESCE(school_id, 0) AS school_pk, "
            "area_type, flags, answers), "
            f"answers AS (SELECT f.survey_id, f.version, f.{group}, f.school_pk, f.area_type, "
            "f.flags, a.key AS question, a.value::int AS value "
            "FROM fresh f CROSS JOIN LATERAL jsonb_each_text(f.answers) a "
            "WHERE a.value IS NOT NULL)"
        )
        return [
            f"WITH {fresh}, p AS ({places} RETURNING 1), q AS ({questions} RETURNING 1) {responses}"
        ]
    # SQLite runs one writer at a time: the statements of one transaction see the same rows
    fresh = (
        f"fresh AS (SELECT survey_id, version, {group}, COALESCE(school_id, 0) AS school_pk, "
        f"area_type, flags, answers FROM {response} WHERE survey_id = %s AND NOT tallied), "
        f"answers AS (SELECT f.survey_id, f.version, f.{group}, f.school_pk, f.area_type, "
        "f.flags, a.key AS question, a.value AS value FROM fresh f, json_each(f.answers) a "
        "WHERE a.type = 'integer')"
    )
    where = " WHERE true"  # SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT
    return [
        f"WITH {fresh} {s.replace(' GROUP BY', where + ' GROUP BY')}"
        for s in (places, questions, responses)
    ] + [f"UPDATE {response} SET tallied = 1 WHERE survey_id = %s AND NOT tallied"]


def bring_up_to_date(survey: Survey) -> None:
    """Add the responses not yet counted to the survey's tallies."""
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _statements():
            cursor.execute(sql, [survey.pk])


def _flags(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split(",") if f)


def score(survey: Survey, exclude_flags: list[str] | None = None) -> SurveyResult:
    """The survey's rates from its tallies (brought up to date first)."""
    from junheng.web.surveys.services import rules_of

    with transaction.atomic():
        # one reader at a time per survey: the tallies and the responses left out after review
        # are then read as of the same responses
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        bring_up_to_date(survey)
        schools = dict(School.objects.filter(county=survey.county).values_list("pk", "school_id"))
        rows = Tally.objects.filter(survey=survey).values_list(
            "group", "school_pk", "area_type", "version", "question", "flags", "value", "count"
        )
        tallies: list[CoreTally] = []
        question_tallies: list[QuestionTally] = []
        responses: Counter[tuple[tuple[str, ...], bool]] = Counter()
        for group, school, area, version, question, flags, value, n in rows:
            if value == RESPONSES:
                responses[(_flags(flags), False)] += n
            elif question:
                question_tallies.append(QuestionTally(version, question, _flags(flags), value, n))
            else:
                place = schools.get(school) if school else None
                tallies.append(CoreTally(group, place, area or None, _flags(flags), value, n))
        reviewed = Response.objects.filter(survey=survey, excluded=True, tallied=True).values(
            "pk", "group", "answers", "version", "seconds", "school", "area_type", "flags"
        )
        reviewed_out = []
        for r in reviewed:
            # counted among the responses kept; they are left out
            responses[(_flags(r["flags"]), False)] -= 1
            responses[(_flags(r["flags"]), True)] += 1
            reviewed_out.append(core_response(r, schools))
    return score_tallies(
        tallies,
        question_tallies,
        dict(responses),
        survey.county.name,
        load_standard(DEFAULT_STANDARD),
        rules_of(survey),
        exclude_flags=survey.exclude_flags if exclude_flags is None else exclude_flags,
        reviewed_out=reviewed_out,
    )


def core_response(row: dict[str, Any], schools: dict[int, str]) -> CoreResponse:
    """A response row (`values()` of its fields) as the scoring core reads it; `schools` maps
    the school's key to its 学校标识码."""
    return CoreResponse(
        id=str(row["pk"]),
        group=row["group"],
        answers=row["answers"],
        version=row["version"],
        seconds=row["seconds"],
        school_id=schools.get(row["school"]) if row["school"] else None,
        area_type=row["area_type"] or None,
    )
