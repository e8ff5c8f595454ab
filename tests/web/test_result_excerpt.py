"""County pages read an excerpt of a snapshot's result, never the whole half-megabyte of JSON, and
show exactly what the whole result would have shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import dashboards, presenters
from junheng.web.selectors import latest_snapshot, result_excerpt
from junheng.web.services import run_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(loaded):
    county, year = loaded
    run_evaluation(county, year, None)
    snapshot = latest_snapshot(county, year)
    return county, year, snapshot, Snapshot.objects.get(pk=snapshot.pk).result


def test_the_excerpt_keeps_the_entries_and_cuts_the_segments(evaluated):
    _, _, snapshot, full = evaluated
    excerpt = result_excerpt(
        snapshot, ("school_id", "level", "values", "passes"), level="junior", item="R4"
    )
    assert set(excerpt) == set(full) - {"items", "summary"}
    assert excerpt["balance"] == full["balance"]
    assert excerpt["verdict"] == full["verdict"]
    juniors = [s for s in full["segments"] if s["level"] == "junior"]
    assert 0 < len(juniors) < len(full["segments"])
    assert excerpt["segments"] == [
        {
            "school_id": s["school_id"],
            "level": "junior",
            "values": {"R4": s["values"]["R4"]},
            "passes": s["passes"],
        }
        for s in juniors
    ]
    # Every segment of every level, fields whole, when neither level nor item is given.
    whole = result_excerpt(snapshot, ("school_id", "reasons", "met"))
    assert whole["segments"] == [
        {"school_id": s["school_id"], "reasons": s["reasons"], "met": s["met"]}
        for s in full["segments"]
    ]
    assert result_excerpt(snapshot, ("no_such_field",))["segments"][0] == {"no_such_field": None}
    with pytest.raises(ValueError, match="not a segment field"):
        result_excerpt(snapshot, ("values'); DROP TABLE x; --",))


def test_pages_built_from_the_excerpt_equal_pages_built_from_the_whole_result(evaluated):
    county, year, snapshot, full = evaluated
    whole = Snapshot.objects.get(pk=snapshot.pk)
    standard = presenters.standard_of(snapshot.standard_id)
    assert dashboards.county_dashboard(county, year, snapshot) == dashboards.county_dashboard(
        county, year, whole, whole.result
    )
    assert presenters.county_overview(
        dashboards.overview_result(snapshot), standard
    ) == presenters.county_overview(full, standard)
    for item, level in (("R4", "primary"), ("R1", "junior"), ("R7", "primary")):
        excerpt = result_excerpt(snapshot, dashboards.INDICATOR_FIELDS, level=level, item=item)
        assert presenters.indicator_rows(excerpt, item, level) == presenters.indicator_rows(
            full, item, level
        )
        assert presenters.indicator_summary(
            excerpt, standard, item, level
        ) == presenters.indicator_summary(full, standard, item, level)


def test_county_pages_do_not_read_the_whole_result(client, evaluated, django_user_model):
    county, year, _, _ = evaluated
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    for url in (
        reverse("county", args=[county.pk, year.label]),
        reverse("indicator", args=[county.pk, year.label, "R4", "primary"]),
    ):
        # The first request builds the board (the second one takes it from the cache).
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        reads_result = [q["sql"] for q in captured if '"evaluation_snapshot"."result"' in q["sql"]]
        if connection.vendor == "postgresql":
            assert reads_result == [], url
        else:
            # Elsewhere the excerpt is cut from the whole result, read once.
            assert len(reads_result) == 1, url
