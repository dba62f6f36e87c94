"""Docs stay in step with the code: every command in the README, every column in docs/store.md."""

from __future__ import annotations

from helpers import REPO

from socialaudit.cli import app
from socialaudit.ingest import FORMATS
from socialaudit.store.schema import TABLES


def command_names():
    return [c.name or c.callback.__name__ for c in app.registered_commands]


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    missing = [name for name in command_names() if f"socialaudit {name}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_format_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    assert not [name for name in FORMATS if f"`{name}`" not in readme]


def test_every_store_column_is_documented():
    doc = (REPO / "docs" / "store.md").read_text()
    missing = [f"{table}.{field.name}" for table, (schema, _) in TABLES.items() for field in schema
               if f"`{field.name}`" not in doc]
    assert not missing, f"columns missing from docs/store.md: {missing}"
    assert all(f"## `{table}`" in doc or f"`{table}`" in doc for table in TABLES)
