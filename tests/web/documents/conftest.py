"""The rectification fixtures (a county with a snapshot, a ledger and one user per role), and a
private documents folder per test."""

from __future__ import annotations

import pytest

from tests.web.rectification.conftest import evidence_dir, ledger  # noqa: F401


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    settings.JUNHENG_DOCUMENTS_DIR = str(tmp_path / "documents")
    return tmp_path / "documents"
