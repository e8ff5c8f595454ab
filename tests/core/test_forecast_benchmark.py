"""benchmarks/forecast.py runs end to end on small sizes and its pandas baseline agrees.

Only correctness is asserted: timings depend on the machine and its load.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "forecast.py"


def test_small_run_agrees_with_the_pandas_projection(capsys):
    # The benchmarks folder is not a package; load the script from its path.
    spec = importlib.util.spec_from_file_location("benchmarks_forecast", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)

    assert module.main(["--counties", "4", "--schools", "40", "--json"]) == 0
    county, national = json.loads(capsys.readouterr().out)
    assert county["schools"] == 40 and county["counties"] == 1
    assert national["counties"] == 4
    for result in (county, national):
        assert result["cross_check"]["agrees"] is True
        assert result["cross_check"]["largest_difference"] <= 1
        assert result["cross_check"]["rows"] == result["projected_rows"] > 0
        # 2022–2026, every segment with students: 5 years × its level's grades.
        assert result["grade_rows"] > 5 * result["segments"]
        # The plan: a project on every tenth school (rows 0, 10, 20, …), all finishing in the
        # summer of 2027, before the target year; a staffing row on every segment.
        assert result["projects"] == (result["schools"] + 9) // 10
        assert result["projects_counted"] == result["projects"]
        assert result["staffing_rows"] == result["segments"]
