"""``socialaudit export``: the store's tables as Parquet files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..store import Store
from ..store.export import EXPORTED, export_parquet
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, err_console, escape, handle_errors


@handle_errors
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder for <table>.parquet files.")],
    db: DbOption = DEFAULT_DB_PATH,
    table: Annotated[list[str] | None, typer.Option(help="Only these tables (repeatable): " + ", ".join(EXPORTED))]
    = None,
    output: OutputOption = Output.table,
) -> None:
    """Write the store's tables as Parquet (zstd), one file per table, for Spark, pandas or a
    warehouse.  The store's secrets (meta: pseudonym key, session secret; users) are never
    exported; consumers stay pseudonymised."""
    with Store(db, read_only=True) as store:
        done = export_parquet(store.con, out, tuple(table) if table else EXPORTED)
    emit(["table", "rows", "file"], [(d.table, d.rows, str(d.path)) for d in done], output, title="Exported")
    err_console.print(f"wrote {len(done)} Parquet files to {escape(out)}")
