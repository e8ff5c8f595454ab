"""benchmarks/plan_checks.py runs end to end on a few counties and its per-county baseline agrees.

Only correctness and the report's lines are asserted: timings depend on the machine and its load.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from junheng.demo import national_dataset

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "plan_checks.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    # The benchmarks folder is not a package; load the script from its path.
    spec = importlib.util.spec_from_file_location("benchmarks_plan_checks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_report_prints_the_ratio_lines(bench, capsys) -> None:
    assert bench.main(["--counties", "4", "--baseline-counties", "2", "--runs", "1"]) == 0
    report = capsys.readouterr().out
    assert "ratio baseline / plan_entries" in report
    assert "ratio plan_entries / evaluate" in report and "target < 10×" in report
    # 2 of 4 counties measured, so the baseline says it is scaled, and by what.
    assert "measured on 2 counties" in report and "scaled ×4/2" in report
    assert "per-county results equal on 2 counties: ok" in report


def test_json_result_agrees_county_by_county(bench, capsys) -> None:
    assert bench.main(["--counties", "3", "--baseline-counties", "5", "--runs", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counties"] == 3 and result["segments"] == 3 * 67
    # More baseline counties than counties: all 3 measured, nothing scaled.
    assert result["baseline"]["counties_measured"] == 3 and result["baseline"]["scaled"] is False
    assert result["cross_check"] == {"counties": 3, "entries": 3, "agrees": True}
    assert result["ratios"]["baseline_over_plan"] > 0


def test_synthetic_classes_are_each_segment_at_its_average(bench) -> None:
    ds = national_dataset(counties=1, segments_per_county=8)
    classes = bench.synthetic_classes(ds)
    seg = ds.segments.filter(pl.col("classes") > 0).row(0, named=True)
    own = classes.filter(pl.col("school_id") == seg["school_id"])
    if seg["level"] == "primary":
        own = own.filter(pl.col("grade") <= 6)
    else:
        own = own.filter(pl.col("grade") >= 7)
    # Its classes hold its students exactly, no two classes more than one child apart.
    assert own.height == seg["classes"]
    assert own["students"].sum() == seg["students"]
    assert own["students"].max() - own["students"].min() <= 1
    assert set(classes["year"].to_list()) == {bench.YEAR}
