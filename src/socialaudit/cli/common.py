"""What every command shares: consoles, error handling, progress bars, common options.

Written once so that each command module stays a thin layer over the library, and every
command fails the same way: one line on stderr naming the file and the problem, exit 2,
no traceback for problems with the user's input.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from ..errors import SocialAuditError
from ..store.connection import DEFAULT_DB

#: Off a terminal (pipes, logs, CI) Rich would assume 80 columns and cut names short.
_PIPE_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
console = Console(highlight=False, soft_wrap=True, width=_PIPE_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[Path, typer.Option("--db", help="The store: a DuckDB file (created if missing).",
                                        envvar="SOCIALAUDIT_DB")]
DEFAULT_DB_PATH = Path(DEFAULT_DB)


def handle_errors(fn: F) -> F:
    """Turn :class:`SocialAuditError` into a one-line message and its exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SocialAuditError as exc:
            message, code = f"[bold red]error:[/] {escape(exc)}", exc.exit_code
        except KeyboardInterrupt:
            message, code = "[yellow]interrupted[/]", 130
        # Raised outside the except block: the failed call's frames (and the store they hold
        # open) are released now, not kept alive as the exit's context.
        err_console.print(message, markup=True, highlight=False)
        raise typer.Exit(code)

    return wrapper  # type: ignore[return-value]


def show_progress() -> bool:
    """Progress bars only on a terminal (never in logs, pipes or tests)."""
    return err_console.is_terminal and not os.environ.get("SOCIALAUDIT_NO_PROGRESS")


@contextmanager
def file_progress(path: Path, label: str) -> Iterator[Callable[[int], None] | None]:
    """A byte-progress callback for reading ``path``, or ``None`` when not on a terminal."""
    if not show_progress():
        yield None
        return
    total = path.stat().st_size if path.exists() else None
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


def escape(text: object) -> str:
    """Escape Rich markup in user data (handles, post text, file names)."""
    from rich.markup import escape as rich_escape

    return rich_escape(str(text))


def exit_code_for(strict: bool, quarantined: int) -> int:
    return 1 if strict and quarantined else 0


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


class Output(str, Enum):
    """How list commands print: a Rich table for people, CSV or JSON for scripts."""

    table = "table"
    csv = "csv"
    json = "json"


OutputOption = Annotated[Output, typer.Option("--output", "-o", help="table, csv or json.")]


def emit(columns: list[str], rows: list[tuple], output: Output, title: str = "") -> None:
    if output is Output.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    if output is Output.json:
        json.dump([dict(zip(columns, r)) for r in rows], sys.stdout, default=str, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    table = Table(title=title or None, title_justify="left")
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*(escape("" if v is None else v) for v in r))
    console.print(table)
