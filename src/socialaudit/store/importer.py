"""Importing a file into the store: parse, stage, merge, refresh, in that order.

Crash safety: parsed rows go to TEMP staging tables (DuckDB spills them to disk beyond its
memory limit); the store itself changes only in one transaction at the end, together with
the import log entry.  A process killed at any point before that commit leaves the data
tables exactly as they were; the log then shows the run as ``interrupted``.  Re-running
the import is the same as running it once, because the merge is an idempotent upsert.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..errors import FormatError, StoreError
from ..ingest import detect_format, get_format
from ..ingest.base import IngestOptions
from ..ingest.files import ProgressCallback, open_source, peek, sniff_encoding, source_name
from ..model import Quarantined, quarantined_to_table
from .connection import Store
from .merge import drop_temp, merge_staging
from .normalise import STAGING_ACCOUNT_SCHEMA, STAGING_POST_SCHEMA, Normaliser
from .resolve import refresh
from .schema import create_table_sql


@dataclass
class ImportReport:
    """What one file's import did; printed by the CLI and stored in ``imports``."""

    source: str
    format: str
    import_id: int
    status: str = "running"
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    quarantined: int = 0
    blank_lines: int = 0
    bytes: int = 0
    seconds: float = 0.0
    examples: list[Quarantined] = field(default_factory=list)


def _create_staging(con) -> None:
    con.execute(create_table_sql("staging_posts", STAGING_POST_SCHEMA, (), temporary=True, if_not_exists=False)
                .replace("CREATE TEMP TABLE", "CREATE OR REPLACE TEMP TABLE"))
    con.execute(create_table_sql("staging_accounts", STAGING_ACCOUNT_SCHEMA, (), temporary=True,
                                 if_not_exists=False).replace("CREATE TEMP TABLE", "CREATE OR REPLACE TEMP TABLE"))
    con.execute("CREATE OR REPLACE TEMP TABLE staging_quarantine (seq BIGINT, source VARCHAR, line BIGINT, "
                "item VARCHAR, reason VARCHAR, raw VARCHAR, format VARCHAR)")


def _drop_staging(con) -> None:
    drop_temp(con, "s_new", "s_vs_store", "s_verdict", "s_merged", "staging_posts", "staging_accounts",
              "staging_quarantine", "s_later")


@contextmanager
def _gc_paused():
    """Parsed rows are millions of small acyclic objects: reference counting frees them, and
    the cyclic collector would only rescan them over and over (a large share of import time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def known_brands(con) -> set[tuple[str, str]]:
    """(channel, lower-case handle or id) of every account known to be a brand."""
    rows = con.execute("""
        SELECT channel, handle FROM brand_accounts
        UNION SELECT channel, lower(handle) FROM accounts WHERE role_hint = 'brand' AND handle IS NOT NULL
        UNION SELECT channel, lower(account_id) FROM accounts WHERE role_hint = 'brand'
    """).fetchall()
    return {(ch, h) for ch, h in rows}


class StagedImport:
    """One import run: batches are staged as they come, the store changes only in :meth:`commit`.

    Used by :func:`import_file` for a file and by ``socialaudit sync`` for pages fetched from
    a platform (``on_commit`` lets the sync store its cursor in the same transaction, so a
    killed sync resumes exactly where its last commit ended).
    """

    def __init__(self, store: Store, source: str, fmt: str, *, encoding: str | None = None,
                 pseudonymise: bool = True) -> None:
        self.store = store
        self.con = con = store.con
        self.format = fmt
        import_id = con.execute("SELECT nextval('import_ids')").fetchone()[0]
        self.started = time.perf_counter()
        con.execute("""
            INSERT INTO imports (import_id, source, format, status, started_at, encoding, pseudonymised, version)
            VALUES (?, ?, ?, 'running', now(), ?, ?, ?)
        """, [import_id, source, fmt, encoding, pseudonymise, __version__])
        self.report = ImportReport(source=source, format=fmt, import_id=import_id)
        self.normaliser = Normaliser(known_brands(con), store.pseudonymiser() if pseudonymise else None)
        self.last_line = 0
        _create_staging(con)

    def add(self, batch) -> None:
        """Stage one parsed batch (posts, accounts, quarantined rows)."""
        report, normaliser = self.report, self.normaliser
        report.rows_read += batch.rows_read
        report.blank_lines += batch.blank_lines
        self.last_line = max(self.last_line, _last_line(batch))
        if batch.post_count:
            self._insert("staging_posts", normaliser.posts(batch.posts))
        if batch.accounts:
            self._insert("staging_accounts", normaliser.accounts(batch.accounts))
        if batch.quarantined:
            self.quarantine(batch.quarantined)

    def quarantine(self, rows: list[Quarantined]) -> None:
        _stage_quarantine(self.con, rows, self.format, self.normaliser)
        self.report.quarantined += len(rows)
        room = 5 - len(self.report.examples)
        if room > 0:
            self.report.examples.extend(rows[:room])

    def _insert(self, table: str, staged: pa.Table) -> None:
        self.con.register("socialaudit_batch", staged)
        self.con.execute(f"INSERT INTO {table} SELECT * FROM socialaudit_batch")
        self.con.unregister("socialaudit_batch")

    def commit(self, sha256: str | None = None, on_commit=None) -> ImportReport:
        """Merge what was staged into the store and log the run, in one transaction;
        ``on_commit(con)`` runs inside that transaction just before it commits."""
        con, report = self.con, self.report
        con.execute("BEGIN TRANSACTION")
        try:
            counts = merge_staging(con, report.source, self.format)
            refresh(con, new_posts="s_new")
            report.imported, report.updated, report.skipped = counts.imported, counts.updated, counts.skipped
            report.quarantined += counts.conflicts
            if counts.conflicts and len(report.examples) < 5:
                report.examples.extend(_conflict_examples(con, report.source, 5 - len(report.examples)))
            report.status = "done"
            report.seconds = time.perf_counter() - self.started
            _finish_log(con, report, sha256, None)
            if on_commit is not None:
                on_commit(con)
            con.execute("COMMIT")
        except duckdb.OutOfMemoryException as exc:
            # The posts' key index must fit in memory while one import's rows are merged.
            con.execute("ROLLBACK")
            limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            raise StoreError(f"{report.source}: merging {report.rows_read:,} rows needs more memory than the "
                             f"store's limit ({limit}); nothing was stored. Raise it (e.g. "
                             "SOCIALAUDIT_MEMORY_LIMIT=4GB) or split the file into smaller imports "
                             f"({exc.__class__.__name__})") from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return report

    def fail(self, status: str, message: str) -> None:
        """Log the run as failed or interrupted (nothing of it was stored)."""
        self.report.status = status
        _finish_log(self.con, self.report, None, message)

    def close(self) -> None:
        _drop_staging(self.con)


def import_file(
    store: Store,
    path: str | Path,
    fmt: str = "auto",
    *,
    options: IngestOptions | None = None,
    pseudonymise: bool = True,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one file; raises :class:`FormatError` if it is not of the format at all."""
    options = options or IngestOptions()
    path = Path(path)
    source = source_name(path)
    parser = detect_format(path) if fmt == "auto" else get_format(fmt)
    encoding = options.encoding or sniff_encoding(peek(path))
    run = StagedImport(store, source, parser.name, encoding=encoding, pseudonymise=pseudonymise)
    try:
        with _gc_paused(), open_source(path, progress) as (stream, info):
            info.encoding = encoding
            for batch in parser.parse(stream, info, options):
                run.add(batch)
            if info.damage:
                run.quarantine([Quarantined(source, run.last_line + 1, f"file truncated: {info.damage}; every row "
                                            "before this line was read", "")])
            info.finish()
        run.report.bytes = info.size
        return run.commit(info.sha256)
    except (FormatError, StoreError) as exc:
        run.fail("failed", str(exc))
        raise
    except KeyboardInterrupt:
        run.fail("interrupted", "interrupted by the user; nothing of this run was stored")
        raise
    finally:
        run.close()


def _last_line(batch) -> int:
    posts = batch.posts
    if isinstance(posts, pa.RecordBatch):
        top = pc.max(posts.column("line")).as_py() if posts.num_rows else 0
    else:
        top = max((p.line for p in posts), default=0)
    return max([top or 0, *(q.line for q in batch.quarantined)])


def _stage_quarantine(con, rows: list[Quarantined], fmt: str, normaliser: Normaliser) -> None:
    table = quarantined_to_table(rows, fmt)
    start = normaliser.seq
    normaliser.seq += len(rows)
    table = table.add_column(0, "seq", pa.array(range(start, start + len(rows)), pa.int64()))
    con.register("socialaudit_batch", table)
    con.execute("INSERT INTO staging_quarantine BY NAME SELECT * FROM socialaudit_batch")
    con.unregister("socialaudit_batch")


def _conflict_examples(con, source: str, limit: int) -> list[Quarantined]:
    rows = con.execute("""
        SELECT source, line, reason, raw, item FROM quarantine
        WHERE source = ? AND reason LIKE 'conflicting duplicate%' ORDER BY line LIMIT ?
    """, [source, limit]).fetchall()
    return [Quarantined(*r) for r in rows]


def _finish_log(con, report: ImportReport, sha256: str | None, message: str | None) -> None:
    con.execute("""
        UPDATE imports SET status = ?, finished_at = now(), rows_read = ?, imported = ?, updated = ?,
               skipped = ?, quarantined = ?, blank_lines = ?, bytes = ?, sha256 = ?, message = ?
        WHERE import_id = ?
    """, [report.status, report.rows_read, report.imported, report.updated, report.skipped,
          report.quarantined, report.blank_lines, report.bytes, sha256, message, report.import_id])
