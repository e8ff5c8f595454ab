"""The archive benchmark runs on a small set of files and finds every file once in the zip."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_archive_benchmark_runs_quick(capsys):
    path = Path(__file__).parents[2] / "benchmarks" / "archive.py"
    spec = importlib.util.spec_from_file_location("bench_archive", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert "evidence: 100 files" in output
    assert "ratio archive / baseline" in output
    assert "every file once, index and 目录 added: ok" in output
