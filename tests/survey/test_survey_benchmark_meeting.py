"""The survey benchmark's parents' meeting and results page at a tiny size on PostgreSQL.

Only correctness is asserted (every phone's response stored exactly once, the page answered):
timings depend on the machine and its load, never on the code alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


def test_meeting_phones_and_results_page():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from survey import DEFAULT_DATABASE, postgres_reachable
    finally:
        sys.path.pop(0)
    if not postgres_reachable(DEFAULT_DATABASE):
        pytest.skip("PostgreSQL is not reachable; the survey benchmark runs on it")
    url = DEFAULT_DATABASE.rsplit("/", 1)[0] + f"/junheng_survey_meeting_{os.getpid()}"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "survey.py"),
            *("--responses", "20", "--concurrency", "5", "--workers", "2"),
            *("--meeting", "8", "--meeting-seconds", "1", "--no-kill"),
            *("--database-url", url, "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    # 20 codes of the main run and 8 of the meeting, each stored once with what was sent
    check = result["check"]
    assert check["ok"] is True
    assert check["stored"] == check["accepted"] == check["used_flags"] == 28
    assert result["meeting"]["phones"] == result["meeting"]["accepted"] == 8
    assert result["errors"] == 0
    assert result["results_page"]["responses"] == 28
