"""Fixtures of the audit tests (the cohort builder is in cohort.py)."""

from __future__ import annotations

import pytest
from metrics.cohort import Cohort


@pytest.fixture
def cohort(store, tmp_path) -> Cohort:
    """A hand-made cohort in a fresh store."""
    return Cohort(store, tmp_path)
