"""The survey benchmark runs end to end at a tiny size on PostgreSQL, kill and restart included.

Only correctness is asserted (every response stored exactly once, no error answers): timings
depend on the machine and its load, never on the code alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


def test_survey_benchmark_stores_every_response_exactly_once():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from survey import DEFAULT_DATABASE, postgres_reachable
    finally:
        sys.path.pop(0)
    if not postgres_reachable(DEFAULT_DATABASE):
        pytest.skip("PostgreSQL is not reachable; the survey benchmark runs on it")
    # A database of this run's own, so two test runs on one server do not drop each other's.
    url = DEFAULT_DATABASE.rsplit("/", 1)[0] + f"/junheng_survey_smoke_{os.getpid()}"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "survey.py"),
            "--responses",
            "60",
            "--concurrency",
            "10",
            "--workers",
            "2",
            "--database-url",
            url,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    check = result["check"]
    assert check["ok"] is True
    assert check["stored"] == check["accepted"] == check["used_flags"] == 60
    assert check["duplicates"] == check["missing"] == check["different_content"] == 0
    assert result["errors"] == 0
    assert result["kill"]["after_accepted"] == 30 and result["kill"]["downtime_seconds"] > 0
    assert result["baseline"]["requests"] == 60 and result["baseline"]["errors"] == 0
