"""Results from counts kept in the database, not from reading every response.

`Tally` holds, per group, school, area, questionnaire version, failed quality checks, question
and option, how many responses chose it. Responses arriving on the public form are not touched
there (a submission must stay one short transaction); they are added here whenever the results
or the progress are read, in one statement per call that takes only the responses not yet
tallied. With 20,000 responses the results then read a few thousand counts.

`score` gives what `services.score` gives (the same core computation of rates, so the numbers
are equal), without the list of responses: the page lists flagged ones from its own query.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Sum

from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.survey.scoring import QuestionTally, SurveyResult, score_tallies
from junheng.survey.scoring import Response as CoreResponse
from junheng.survey.scoring import Tally as CoreTally
from junheng.web.registry.models import School
from junheng.web.surveys.models import Response, Survey, Tally


def _sql() -> str:
    q = connection.ops.quote_name
    response, tally = q(Response._meta.db_table), q(Tally._meta.db_table)
    group, count = q("group"), q("count")
    key = f'survey_id, version, {group}, school_pk, area_type, flags, question, "value"'
    upsert = (
        f"ON CONFLICT (survey_id, version, {group}, school_pk, area_type, flags, question, "
        f'"value") DO UPDATE SET {count} = {tally}.{count} + excluded.{count}'
    )
    if connection.vendor == "postgresql":
        # marking and counting in one statement: the rows it marks are the rows it counts,
        # and a second caller waits on their row locks and then finds them marked
        return (
            f"WITH fresh AS (UPDATE {response} SET tallied = true "
            "WHERE survey_id = %s AND NOT tallied "
            f"RETURNING survey_id, version, {group}, COALESCE(school_id, 0) AS school_pk, "
            f"area_type, flags, answers) "
            f"INSERT INTO {tally} ({key}, {count}) "
            f"SELECT f.survey_id, f.version, f.{group}, f.school_pk, f.area_type, f.flags, "
            "a.key, a.value::int, COUNT(*) "
            "FROM fresh f CROSS JOIN LATERAL jsonb_each_text(f.answers) a "
            "WHERE a.value IS NOT NULL "
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 {upsert}"
        )
    # SQLite: one writer at a time, so the count and the marking below see the same rows
    return (
        f"INSERT INTO {tally} ({key}, {count}) "
        f"SELECT r.survey_id, r.version, r.{group}, COALESCE(r.school_id, 0), r.area_type, "
        "r.flags, a.key, a.value, COUNT(*) "
        f"FROM {response} r, json_each(r.answers) a "
        "WHERE r.survey_id = %s AND NOT r.tallied AND a.type = 'integer' "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 {upsert}"
    )


def bring_up_to_date(survey: Survey) -> None:
    """Add the responses not yet counted to the survey's tallies."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_sql(), [survey.pk])
        if connection.vendor != "postgresql":
            Response.objects.filter(survey=survey, tallied=False).update(tallied=True)


def score(survey: Survey, exclude_flags: list[str] | None = None) -> SurveyResult:
    """The survey's rates from its tallies (brought up to date first)."""
    from junheng.web.surveys.services import rules_of

    with transaction.atomic():
        # one reader at a time per survey: the tallies, the counts and the responses left out
        # after review are then read as of the same responses
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        bring_up_to_date(survey)
        schools = dict(School.objects.filter(county=survey.county).values_list("pk", "school_id"))
        mine = Tally.objects.filter(survey=survey).order_by()

        def flags_of(text: str) -> tuple[str, ...]:
            return tuple(f for f in text.split(",") if f)

        # summed in the database over questions (for places) and over places (for questions):
        # a few thousand rows however many responses there are
        tallies = [
            CoreTally(
                group, schools.get(school) if school else None, area or None, flags_of(f), v, n
            )
            for group, school, area, f, v, n in mine.values_list(
                "group", "school_pk", "area_type", "flags", "value"
            ).annotate(n=Sum("count"))
        ]
        question_tallies = [
            QuestionTally(version, question, flags_of(f), v, n)
            for version, question, f, v, n in mine.values_list(
                "version", "question", "flags", "value"
            ).annotate(n=Sum("count"))
        ]
        counts = {
            (flags_of(row["flags"]), row["excluded"]): row["n"]
            for row in Response.objects.filter(survey=survey, tallied=True)
            .values("flags", "excluded")
            .annotate(n=Count("id"))
            .order_by()
        }
        reviewed_out = [
            CoreResponse(
                id=str(r["pk"]),
                group=r["group"],
                answers=r["answers"],
                version=r["version"],
                seconds=r["seconds"],
                school_id=schools.get(r["school"]) if r["school"] else None,
                area_type=r["area_type"] or None,
            )
            for r in Response.objects.filter(survey=survey, excluded=True, tallied=True).values(
                "pk", "group", "answers", "version", "seconds", "school", "area_type"
            )
        ]
    return score_tallies(
        tallies,
        question_tallies,
        counts,
        survey.county.name,
        load_standard(DEFAULT_STANDARD),
        rules_of(survey),
        exclude_flags=survey.exclude_flags if exclude_flags is None else exclude_flags,
        reviewed_out=reviewed_out,
    )
