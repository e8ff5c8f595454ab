"""compare_entries: what changed between two county entries of the evaluation JSON."""

from __future__ import annotations

from junheng.core.diff import CvChange, SegmentChange, VerdictChange, compare_entries


def entry(**changes):
    base = {
        "verdict": {"passes": False},
        "parts": {"R": False, "G": True, "Q": True, "S": None, "veto": True},
        "segments": [
            {
                "school_id": "A",
                "name": "甲校",
                "level": "primary",
                "in_scope": True,
                "passes": True,
            },
            {
                "school_id": "B",
                "name": "乙校",
                "level": "primary",
                "in_scope": True,
                "passes": False,
            },
            {"school_id": "P", "name": "点", "level": "primary", "in_scope": False, "passes": None},
        ],
        "balance": {
            "primary": {
                "R1": {"cv": 0.30, "limit": 0.5, "passes": True},
                "R2": {"cv": 0.52, "limit": 0.5, "passes": False},
            },
            "junior": {"R1": {"cv": 0.20, "limit": 0.45, "passes": True}},
        },
        "items": {"G3": {"passes": False}, "G10": {"passes": True}, "Q1": {"passes": True}},
    }
    base.update(changes)
    return base


def test_the_same_entry_has_no_changes():
    assert compare_entries(entry(), entry()).empty


def test_every_kind_of_change_is_reported_with_old_and_new():
    new = entry(
        verdict={"passes": True},
        parts={"R": True, "G": True, "Q": True, "S": True, "veto": True},
        segments=[
            {
                "school_id": "B",
                "name": "乙校",
                "level": "primary",
                "in_scope": True,
                "passes": True,
            },
            {"school_id": "C", "name": "丙校", "level": "junior", "in_scope": True, "passes": None},
        ],
        balance={
            "primary": {
                "R1": {"cv": 0.30, "limit": 0.5, "passes": True},  # unchanged: not listed
                "R2": {"cv": 0.48, "limit": 0.5, "passes": True},  # over → under the limit
            },
            "junior": {"R1": {"cv": 0.25, "limit": 0.45, "passes": True}},  # value only
        },
        items={"G3": {"passes": True}, "G10": {"passes": None}, "Q1": {"passes": True}},
    )
    diff = compare_entries(entry(), new)
    assert diff.verdict == VerdictChange("verdict", False, True)
    # None → True is a change too (S could not be decided before)
    assert diff.parts == [VerdictChange("R", False, True), VerdictChange("S", None, True)]
    assert diff.segments == [
        SegmentChange("A", "甲校", "primary", True, None, True, False),  # left out
        SegmentChange("B", "乙校", "primary", False, True, True, True),
        SegmentChange("C", "丙校", "junior", None, None, False, True),  # new, undecided
    ]
    assert diff.cvs == [
        CvChange("primary", "R2", 0.52, 0.48, False, True, 0.5),
        CvChange("junior", "R1", 0.20, 0.25, True, True, 0.45),
    ]
    assert [c.verdict_changed for c in diff.cvs] == [True, False]
    # G3 before G10 (numeric order, not text order)
    assert diff.items == [VerdictChange("G3", False, True), VerdictChange("G10", True, None)]
    assert not diff.empty


def test_out_of_scope_segments_are_not_compared():
    new = entry()
    new["segments"] = [dict(s) for s in new["segments"]]
    new["segments"][2]["passes"] = True
    assert compare_entries(entry(), new).segments == []
