"""Small hand-made cohorts for the audit tests: a registry and a generic CSV, imported unpseudonymised.

A test describes companies and posts in a few lines, imports them into the ``store`` fixture
(no pseudonymisation, so account ids stay readable) and runs the audit or a single metric.
Times are given as ISO strings ("2024-03-04T10:00:00Z") or local wall times with an offset.
Companies are open 24/7 in UTC unless told otherwise (business time = wall clock), and their
twitter account is ``<id>care``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import yaml

from socialaudit.metrics.audit import AuditResult, run_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.registry import load_registry
from socialaudit.store import Store, import_file, save_registry

COLUMNS = ("id", "channel", "author", "created_at", "text", "parent_id", "company", "author_role", "kind",
           "likes", "shares", "comments", "followers", "media_type", "conversation_id", "ref_id")

H = 3600.0


class Cohort:
    """Builder: ``company(...)``, ``person(...)``, ``post(...)``, then ``load()`` / ``audit()``."""

    def __init__(self, store: Any, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.companies: list[dict] = []
        self.people: list[dict] = []
        self.rows: list[dict] = []
        self.loaded = False

    def company(self, id: str, *, industry: str = "retail", timezone: str = "UTC",
                business_hours: Any = "24/7", holidays: str | None = None,
                accounts: dict[str, Any] | None = None) -> Cohort:
        entry = {"id": id, "name": id.title(), "industry": industry, "timezone": timezone,
                 "business_hours": business_hours, "accounts": accounts or {"twitter": [f"{id}care"]}}
        if holidays:
            entry["holidays"] = holidays
        self.companies.append(entry)
        return self

    def person(self, id: str, accounts: dict[str, str]) -> Cohort:
        self.people.append({"id": id, "accounts": accounts})
        return self

    def post(self, id: str, author: str, created_at: str, text: str = "", *, channel: str = "twitter",
             parent_id: str | None = None, **fields: Any) -> Cohort:
        unknown = set(fields) - set(COLUMNS)
        assert not unknown, unknown
        self.rows.append({"id": id, "channel": channel, "author": author, "created_at": created_at, "text": text,
                          "parent_id": parent_id, **fields})
        return self

    def load(self) -> Any:
        """Write registry + CSV, import them; returns the DuckDB connection."""
        assert not self.loaded
        self.loaded = True
        reg = self.folder / "registry.yaml"
        reg.write_text(yaml.safe_dump({"version": 1, "companies": self.companies,
                                       **({"people": self.people} if self.people else {})}), encoding="utf-8")
        save_registry(self.store.con, load_registry(reg), None)
        if self.rows:
            path = self.folder / "posts.csv"
            with open(path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=COLUMNS)
                writer.writeheader()
                for row in self.rows:
                    writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            report = import_file(self.store, path, "csv", pseudonymise=False)
            assert report.quarantined == 0, report.examples
        return self.store.con

    def audit(self, **config: Any) -> AuditResult:
        if not self.loaded:
            self.load()
        config.setdefault("bootstrap_samples", 200)
        return run_audit(self.store.con, AuditConfig(**config))

    def posts(self) -> Any:
        """The store's ``posts`` as an Ibis table (for the lower-level metric functions)."""
        if not self.loaded:
            self.load()
        return ibis.duckdb.from_connection(self.store.con).table("posts")

    def accounts(self) -> Any:
        if not self.loaded:
            self.load()
        return ibis.duckdb.from_connection(self.store.con).table("accounts")


@contextmanager
def fresh_cohort(folder: Path) -> Iterator[Cohort]:
    """A cohort in its own store (for module-scoped fixtures, where ``store`` is not available)."""
    folder.mkdir(parents=True, exist_ok=True)
    with Store(folder / "cohort.duckdb") as store:
        yield Cohort(store, folder)


def rows_by(table: Any, *keys: str) -> dict:
    """A pyarrow table as {key tuple (or single key): row dict}."""
    out = {}
    for row in table.to_pylist():
        key = tuple(row[k] for k in keys)
        out[key[0] if len(key) == 1 else key] = row
    return out
