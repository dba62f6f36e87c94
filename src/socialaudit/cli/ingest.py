"""``socialaudit ingest``: import files into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..ingest import FORMATS
from ..ingest.base import DEFAULT_BATCH_SIZE, IngestOptions
from ..ingest.csvreader import DEFAULT_MAX_FIELD_BYTES
from ..ingest.mapping import ColumnMapping
from ..registry import load_registry
from ..store import ImportReport, Store, import_file, save_registry
from .common import DEFAULT_DB_PATH, DbOption, console, err_console, escape, file_progress, handle_errors

FORMAT_HELP = "Source format: auto (detect), " + ", ".join(FORMATS) + ". See `socialaudit formats`."


@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to import (.gz read transparently).",
                                                show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "auto",
    db: DbOption = DEFAULT_DB_PATH,
    registry: Annotated[Path | None, typer.Option(
        help="Company registry (YAML or CSV) to load first: which accounts are brands.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        help="YAML column mapping for generic csv/jsonl/parquet files.")] = None,
    channel: Annotated[str | None, typer.Option(
        help="Channel for generic files without a channel column (twitter, facebook, ...).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: sniffed).")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default: sniffed).")] = None,
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise/--no-pseudonymise",
        help="Replace consumer handles by keyed-hash pseudonyms (brand handles stay readable).")] = True,
    strict: Annotated[bool, typer.Option(help="Exit with status 1 if any row was quarantined.")] = False,
    batch_size: Annotated[int, typer.Option(help="Rows per batch (memory vs. speed).", min=100)] = DEFAULT_BATCH_SIZE,
    max_field_bytes: Annotated[int, typer.Option(
        help="Largest field accepted; longer ones are quarantined.", min=1024)] = DEFAULT_MAX_FIELD_BYTES,
) -> None:
    """Import posts from files into the store.

    Every good row is stored; every bad row goes to the quarantine with its file, line and
    reason (see `socialaudit quarantine`).  Importing the same file again changes nothing.
    Exit status: 0 when the import completed (even with quarantined rows), 1 with --strict
    if anything was quarantined, 2 if a file is not of the format at all.
    """
    options = IngestOptions(
        batch_size=batch_size, encoding=encoding, delimiter=delimiter, max_field_bytes=max_field_bytes,
        mapping=ColumnMapping.load(mapping) if mapping else None, channel=channel)
    reports: list[ImportReport] = []
    with Store(db) as store:
        if registry is not None:
            load_into(store, registry, pseudonymise)
        for path in paths:
            with file_progress(path, f"importing {path.name}") as progress:
                report = import_file(store, path, fmt, options=options, pseudonymise=pseudonymise,
                                     progress=progress)
            reports.append(report)
    print_reports(reports, db)
    if strict and any(r.quarantined for r in reports):
        raise typer.Exit(1)


def load_into(store: Store, path: Path, pseudonymise: bool) -> None:
    reg = load_registry(path)
    result = save_registry(store.con, reg, store.pseudonymiser() if pseudonymise else None)
    err_console.print(f"registry {escape(path)}: {result.companies} companies, "
                      f"{result.brand_accounts} brand accounts, {result.people} people")
    if result.hidden_brand_accounts:
        err_console.print(f"[yellow]warning:[/] {len(result.hidden_brand_accounts)} registry account(s) were "
                          "imported earlier as consumers and are stored pseudonymised "
                          f"({escape(', '.join(result.hidden_brand_accounts[:5]))}); re-create the store and "
                          "load the registry before importing to keep them readable")


def print_reports(reports: list[ImportReport], db: Path) -> None:
    table = Table(title=f"Imported into {escape(db)}", title_justify="left")
    for name in ("file", "format", "rows read", "imported", "updated", "skipped", "quarantined", "seconds"):
        table.add_column(name, justify="left" if name in ("file", "format") else "right")
    for r in reports:
        table.add_row(escape(Path(r.source).name), r.format, f"{r.rows_read:,}", f"{r.imported:,}",
                      f"{r.updated:,}", f"{r.skipped:,}",
                      f"[red]{r.quarantined:,}[/]" if r.quarantined else "0", f"{r.seconds:.1f}")
    console.print(table)
    for r in reports:
        for q in r.examples[:3]:
            where = f"{escape(Path(q.source).name)}:{q.line}" + (f" {escape(q.item)}" if q.item else "")
            console.print(f"  [red]quarantined[/] {where}: {escape(q.reason)}")
        if r.quarantined:
            console.print(f"  see all with: socialaudit quarantine --db {escape(db)} --source {escape(r.source)}")
