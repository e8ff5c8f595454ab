"""The test folders are not packages, so two test files with the same name in different folders
cannot both be collected in one run (pytest stops with "import file mismatch")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_every_test_file_name_is_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
