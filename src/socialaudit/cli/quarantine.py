"""``socialaudit quarantine``: the rows an import refused, with file, line and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..ingest.files import source_name
from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, handle_errors


@handle_errors
def quarantine(
    db: DbOption = DEFAULT_DB_PATH,
    source: Annotated[Path | None, typer.Option(help="Only rows from this file.")] = None,
    limit: Annotated[int, typer.Option(help="Most rows to show (0 = all).")] = 50,
    output: OutputOption = Output.table,
    raw_chars: Annotated[int, typer.Option(help="Characters of the raw row shown in the table.")] = 120,
) -> None:
    """List refused rows with their file, line, reason and raw content."""
    with Store(db, read_only=True) as store:
        where, params = "", []
        if source is not None:
            where, params = "WHERE source = ?", [source_name(source)]
        total = store.con.execute(f"SELECT count(*) FROM quarantine {where}", params).fetchone()[0]
        sql = f"SELECT source, line, item, reason, raw FROM quarantine {where} ORDER BY source, line, item"
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = store.con.execute(sql, params).fetchall()
    if output is Output.table:
        rows = [(s, line, item, reason, raw if len(raw) <= raw_chars else raw[:raw_chars] + "…")
                for s, line, item, reason, raw in rows]
        title = f"{total:,} quarantined row(s)" + (f", showing {len(rows)}" if len(rows) < total else "")
    else:
        title = ""
    emit(["source", "line", "item", "reason", "raw"], rows, output, title)
