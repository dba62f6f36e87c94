"""Helpers shared by tests: paths to real data, table dumps, writing small files."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialaudit.store.schema import DATA_TABLES

REPO = Path(__file__).resolve().parents[1]
BUNDLED_SAMPLE = REPO / "data" / "twcs_sample" / "twcs_head.csv"
REGISTRY = REPO / "data" / "registries" / "customer_care_brands.yaml"
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared(relative: str) -> Path:
    """A file of ../shared/data; skips the test on a clone without it (CI always has it)."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} not available (../shared/data is beside the repository in CI)")
    return path


def dump_tables(con, tables=DATA_TABLES) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted, for comparing two stores."""
    out = {}
    for table in tables:
        out[table] = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    return out


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path
