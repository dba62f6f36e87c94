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

import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..errors import FormatError
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
    con = store.con
    import_id = con.execute("SELECT nextval('import_ids')").fetchone()[0]
    started = time.perf_counter()
    con.execute("""
        INSERT INTO imports (import_id, source, format, status, started_at, encoding, pseudonymised, version)
        VALUES (?, ?, ?, 'running', now(), ?, ?, ?)
    """, [import_id, source, parser.name, encoding, pseudonymise, __version__])
    report = ImportReport(source=source, format=parser.name, import_id=import_id)
    normaliser = Normaliser(known_brands(con), store.pseudonymiser() if pseudonymise else None)
    _create_staging(con)
    try:
        with _gc_paused(), open_source(path, progress) as (stream, info):
            info.encoding = encoding
            last_line = 0
            for batch in parser.parse(stream, info, options):
                report.rows_read += batch.rows_read
                report.blank_lines += batch.blank_lines
                last_line = max(last_line, _last_line(batch))
                if batch.post_count:
                    staged = normaliser.posts(batch.posts)
                    con.register("socialaudit_batch", staged)
                    con.execute("INSERT INTO staging_posts SELECT * FROM socialaudit_batch")
                    con.unregister("socialaudit_batch")
                if batch.accounts:
                    staged = normaliser.accounts(batch.accounts)
                    con.register("socialaudit_batch", staged)
                    con.execute("INSERT INTO staging_accounts SELECT * FROM socialaudit_batch")
                    con.unregister("socialaudit_batch")
                if batch.quarantined:
                    _stage_quarantine(con, batch.quarantined, parser.name, normaliser)
                    report.quarantined += len(batch.quarantined)
                    room = 5 - len(report.examples)
                    if room > 0:
                        report.examples.extend(batch.quarantined[:room])
            if info.damage:
                cut = [Quarantined(source, last_line + 1, f"file truncated: {info.damage}; every row before "
                                   "this line was read", "")]
                _stage_quarantine(con, cut, parser.name, normaliser)
                report.quarantined += 1
                report.examples.extend(cut[: max(0, 5 - len(report.examples))])
            info.finish()
        report.bytes = info.size
        con.execute("BEGIN TRANSACTION")
        try:
            counts = merge_staging(con, source, parser.name)
            refresh(con, new_posts="s_new")
            report.imported, report.updated, report.skipped = counts.imported, counts.updated, counts.skipped
            report.quarantined += counts.conflicts
            if counts.conflicts and len(report.examples) < 5:
                report.examples.extend(_conflict_examples(con, source, 5 - len(report.examples)))
            report.status = "done"
            report.seconds = time.perf_counter() - started
            _finish_log(con, report, info.sha256, None)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except FormatError as exc:
        report.status = "failed"
        _finish_log(con, report, None, str(exc))
        raise
    except KeyboardInterrupt:
        report.status = "interrupted"
        _finish_log(con, report, None, "interrupted by the user; nothing of this run was stored")
        raise
    finally:
        _drop_staging(con)
    return report


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
