"""Opening the store: a DuckDB file with socialaudit's tables and settings.

DuckDB lets one process write a file at a time; a second writer gets a clear
:class:`~socialaudit.errors.StoreError` instead of a lock traceback.  Readers (the
dashboard, reports) open the file read-only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ..errors import StoreError
from ..privacy import Pseudonymiser, new_key
from .schema import create_all

DEFAULT_DB = "socialaudit.duckdb"
#: DuckDB spills to disk beyond this; keeps large imports and audits within a laptop's RAM.
DEFAULT_MEMORY_LIMIT = os.environ.get("SOCIALAUDIT_MEMORY_LIMIT", "1GB")


#: How long opening a store waits for another process's lock (the dashboard holds a read-only
#: connection while it serves requests, an import holds the write lock while it runs).
LOCK_WAIT_SECONDS = float(os.environ.get("SOCIALAUDIT_LOCK_WAIT", "10"))


def _connect_waiting(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retried for ``wait`` seconds while another process holds the file's lock."""
    deadline = time.monotonic() + wait
    pause = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


class Store:
    """An open store.  Use as a context manager; ``con`` is the DuckDB connection."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, read_only: bool = False,
                 memory_limit: str = DEFAULT_MEMORY_LIMIT, lock_wait: float | None = None):
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (run `socialaudit ingest` first)")
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a store file")
        try:
            self.con = _connect_waiting(self.path, read_only, LOCK_WAIT_SECONDS if lock_wait is None else lock_wait)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise StoreError(f"{self.path}: the store is in use by another process "
                                 "(DuckDB allows one writer at a time); wait for it to finish") from exc
            raise StoreError(f"{self.path}: cannot open store: {message}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: not a socialaudit store ({exc})") from exc
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")  # our own progress bars, on a terminal only
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        # Row order in a table carries no meaning here (every read orders explicitly), and
        # keeping it makes DuckDB serialise joins into inserts: 3x slower staging.
        self.con.execute("SET preserve_insertion_order = false")
        if not read_only:
            create_all(self.con)
            self.con.execute("INSERT INTO meta VALUES ('pseudonym_key', ?) ON CONFLICT DO NOTHING", [new_key()])
            self._mark_interrupted_imports()
        elif not self._has_table("posts"):
            raise StoreError(f"{self.path}: not a socialaudit store (no posts table)")

    def _has_table(self, name: str) -> bool:
        # fetchall, not fetchone: a result left open makes DuckDB refuse the next con.sql()
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()
        return bool(rows and rows[0][0])

    def _mark_interrupted_imports(self) -> None:
        """Imports still 'running' when the store is opened for writing were killed."""
        self.con.execute("UPDATE imports SET status = 'interrupted', "
                         "message = 'the import process stopped before it finished; nothing of it was stored' "
                         "WHERE status = 'running'")

    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def pseudonymiser(self) -> Pseudonymiser:
        """The store's keyed hash; the key is created with the store and never leaves it."""
        key = self.meta("pseudonym_key")
        if key is None:
            raise StoreError(f"{self.path}: store has no pseudonym key")
        return Pseudonymiser(key)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
