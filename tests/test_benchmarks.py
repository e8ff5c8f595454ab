"""The national benchmark script runs end to end on a small dataset and its baseline agrees.

Only correctness is asserted: timings depend on the machine and its load, never on the code alone.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "national.py"


@pytest.fixture(scope="module")
def national() -> ModuleType:
    # The benchmarks folder is not a package; load the script from its path.
    spec = importlib.util.spec_from_file_location("benchmarks_national", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_small_run_exits_zero_and_the_baseline_agrees(national, capsys):
    assert national.main(["--counties", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    check = result["cross_check"]
    assert check["agrees"] is True
    assert check["differences"] == []
    assert check["counties"] == 20
    assert check["segments"] > 0 and check["cvs"] > 0 and check["shortfalls"] > 0
    assert result["segments"] == 20 * 67
    assert result["baseline"]["extrapolated"] is False
    assert len(result["engine"]["runs"]) == 3
    assert result["memory"]["peak_mb"] > 0


def test_table_report_says_the_results_agree(national, capsys):
    assert national.main(["--counties", "20", "--baseline-counties", "5", "--runs", "1"]) == 0
    report = capsys.readouterr().out
    assert "results agree" in report
    assert "EXTRAPOLATED" in report


def test_intake_benchmark_runs_on_small_sizes(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "intake.py"
    spec = importlib.util.spec_from_file_location("bench_intake", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert "per-school workbooks" in output and "ratio" in output


def test_reports_benchmark_runs_on_a_small_county(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "reports.py"
    spec = importlib.util.spec_from_file_location("bench_reports", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick", "--sample", "1"]) == 0
    output = capsys.readouterr().out
    assert "一校一册" in output and "ratio baseline" in output
