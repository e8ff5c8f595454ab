"""The national benchmark script runs end to end on a small dataset and its baseline agrees.

Only correctness is asserted: timings depend on the machine and its load, never on the code alone.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
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


def _web_benchmark(database_url: str) -> str:
    # A separate process: the benchmark configures Django for its own database, which a process
    # already set up for the test database cannot do.
    script = Path(__file__).parents[1] / "benchmarks" / "web.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check_web_report(report: str) -> None:
    assert "county overview" in report and "indicator R4 primary" in report
    assert "constant ✓" in report and "GROWS" not in report
    assert "< 200 ms" in report and "p95 / floor" in report
    assert "former check (rebuild the Dataset and hash it)" in report
    # No request failed: the errors column of every page reads 0.
    for line in report.splitlines():
        if line.startswith(("login page (floor)", "county overview", "indicator R4 primary")):
            assert line.split()[-2 if "×" in line else -1] == "0", line


def test_web_benchmark_runs_on_postgresql():
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        from web import DEFAULT_DATABASE, postgres_reachable
    finally:
        sys.path.pop(0)
    if not postgres_reachable(DEFAULT_DATABASE):
        pytest.skip("PostgreSQL is not reachable; the web benchmark runs on it")
    # A database of this run's own, so two test runs on one server do not drop each other's.
    url = DEFAULT_DATABASE.rsplit("/", 1)[0] + f"/junheng_bench_smoke_{os.getpid()}"
    _check_web_report(_web_benchmark(url))


def test_web_benchmark_runs_on_sqlite(tmp_path):
    _check_web_report(_web_benchmark(f"sqlite:///{tmp_path / 'bench.sqlite3'}"))


# ---- benchmarks/report_jobs.py: reports through the web's job queue ---------------------------


def test_report_jobs_benchmark_generates_through_the_queue():
    # A separate process, as for the web benchmark: it sets up Django for its own database.
    script = Path(__file__).parents[1] / "benchmarks" / "report_jobs.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["errors"] == 0
    # 40 segments, of which 40 // 20 = 2 belong to combined schools (two segments each): 38.
    assert result["schools"] == 38
    jobs = result["jobs"]
    assert set(jobs) == {"self_evaluation", "school_books"}  # --quick leaves the PDF out
    assert jobs["self_evaluation"]["target_s"] == 15 and jobs["school_books"]["target_s"] == 90
    for job in [*jobs.values(), result["responsiveness"]["job"]]:
        assert job["status"] == "已完成" and job["message"] == ""
        assert job["seconds"] > 0 and job["cli_s" if "cli_s" in job else "alone_s"] > 0
    report = jobs["self_evaluation"]["documents"]
    assert [(d["filename"], d["label"]) for d in report] == [
        ("县00012024学年自评报告.docx", "自评报告（Word）")
    ]
    assert report[0]["size"] > 10_000
    books = jobs["school_books"]["documents"]
    assert [(d["filename"], d["label"]) for d in books] == [
        ("县00012024学年一校一册.zip", "一校一册（每校一份 Word，打包）")
    ]
    # the queue's zip holds one book per in-scope school, as many as the command line wrote
    assert books[0]["files"] == result["books"] > 0
    assert result["responsiveness"]["job"]["documents"][0]["files"] == result["books"]
    responsive = result["responsiveness"]
    assert responsive["idle"]["requests"] == 20 and responsive["idle"]["errors"] == 0
    assert responsive["during_job"]["requests"] > 0 and responsive["during_job"]["errors"] == 0
    assert responsive["p95_ratio"] > 0
    # the archive of the 30 uploaded files (--quick): published once, its name in Chinese
    archived = result["archive"]
    assert archived["status"] == "已完成" and archived["evidence"]["files"] == 30
    assert [d["filename"] for d in archived["documents"]] == ["县00012024学年督导评估档案.zip"]
