"""``socialaudit imports``: the import log."""

from __future__ import annotations

from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, handle_errors


@handle_errors
def imports(
    db: DbOption = DEFAULT_DB_PATH,
    output: OutputOption = Output.table,
) -> None:
    """Show the import log: every run, with its counts and status (done, failed, interrupted)."""
    with Store(db, read_only=True) as store:
        rows = store.con.execute("""
            SELECT import_id, source, format, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
                   rows_read, imported, updated, skipped, quarantined, message
            FROM imports ORDER BY import_id
        """).fetchall()
    emit(["id", "source", "format", "status", "started (UTC)", "rows read", "imported", "updated", "skipped",
           "quarantined", "message"], rows, output, "Import log")
