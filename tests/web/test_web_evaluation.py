"""Evaluation snapshots: the stored result is the engine's, with its inputs' fingerprint."""

from __future__ import annotations

import json

import pytest

from junheng.core.evaluate import evaluate
from junheng.core.output import evaluation_to_dict
from junheng.standards import load_standard
from junheng.web.collection.models import SegmentData
from junheng.web.evaluation.models import Snapshot, SnapshotImmutableError
from junheng.web.selectors import data_changed_since, fingerprint, latest_snapshot
from junheng.web.services import run_evaluation

pytestmark = pytest.mark.django_db


def test_snapshot_stores_the_engine_result(loaded, demo, django_user_model):
    county, year = loaded
    user = django_user_model.objects.create_user("evaluator")
    snapshot = run_evaluation(county, year, user)

    standard = load_standard()
    expected = evaluation_to_dict(evaluate(demo, standard))
    stored = Snapshot.objects.get(pk=snapshot.pk)
    # Compared as JSON, the form in which pages and reports read it.
    assert stored.result == json.loads(json.dumps(expected["counties"][0]))
    assert stored.policies == json.loads(json.dumps(expected["policies"]))
    assert stored.standard_id == standard.id
    assert stored.standard_version == standard.version
    assert stored.data_fingerprint == fingerprint(demo)
    assert stored.created_by == user
    assert stored.passes is False
    assert latest_snapshot(county, year) == stored


def test_snapshot_cannot_be_changed(loaded):
    snapshot = run_evaluation(*loaded, None)
    snapshot.standard_version = "edited"
    with pytest.raises(SnapshotImmutableError, match="不可修改"):
        snapshot.save()
    assert Snapshot.objects.get(pk=snapshot.pk).standard_version != "edited"


def test_snapshot_knows_when_data_changed_after_it(loaded):
    county, year = loaded
    snapshot = run_evaluation(county, year, None)
    assert not data_changed_since(snapshot)
    segment = SegmentData.objects.filter(school__county=county).first()
    segment.students += 1
    segment.save()
    assert data_changed_since(snapshot)
    newer = run_evaluation(county, year, None)
    assert newer.data_fingerprint != snapshot.data_fingerprint
    assert latest_snapshot(county, year) == newer
    assert Snapshot.objects.count() == 2
