"""Shared pytest fixtures (helpers live in helpers.py, importable from every test)."""

from __future__ import annotations

import pytest

from socialaudit.store import Store


@pytest.fixture
def store(tmp_path):
    """A fresh store in a temporary folder."""
    with Store(tmp_path / "test.duckdb") as s:
        yield s
