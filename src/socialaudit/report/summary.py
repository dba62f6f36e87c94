"""The store summary: what was imported, from whom, and what was refused.

This is the first page of every report; the audit sections (findings, ranking, routing)
are added by the metrics and feedback-loop stages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from .. import __version__
from ..metrics.audit import AuditResult
from ..store.overview import company_inventory, quarantine_sample, store_overview
from .render import render


def write_summary(con: duckdb.DuckDBPyConnection, out: Path, title: str = "socialaudit: store summary",
                  audit: AuditResult | None = None) -> Path:
    """Render the summary of the store behind ``con`` to ``out`` (an HTML file).

    With an ``audit``, the report adds Study A's findings and the industry ranking.
    """
    html = render(
        "summary.html.j2",
        title=title,
        overview=store_overview(con),
        companies=company_inventory(con),
        quarantine=quarantine_sample(con),
        audit=audit,
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
