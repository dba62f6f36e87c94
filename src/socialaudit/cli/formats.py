"""``socialaudit formats`` and ``socialaudit industries``: what socialaudit knows."""

from __future__ import annotations

from rich.table import Table

from ..industries import INDUSTRIES
from ..ingest import FORMATS
from .common import console, escape, handle_errors


@handle_errors
def formats() -> None:
    """List the source formats socialaudit can read."""
    table = Table(title="Source formats (use with --format; 'auto' detects)", title_justify="left")
    table.add_column("format")
    table.add_column("what it reads", overflow="fold")
    for fmt in FORMATS.values():
        table.add_row(fmt.name, f"[bold]{escape(fmt.title)}[/]\n{escape(fmt.description)}")
    console.print(table)


@handle_errors
def industries() -> None:
    """List the industry taxonomy and its Study A / Study B groups."""
    table = Table(title="Industries (registry 'industry' values)", title_justify="left")
    for c in ("industry", "label", "Study A group", "Study B group"):
        table.add_column(c)
    for i in INDUSTRIES.values():
        table.add_row(i.id, i.label, i.study_a or "-", i.study_b or "-")
    console.print(table)
