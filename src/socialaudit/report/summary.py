"""The demo's report entry point, kept for its callers: it now writes the full report.

``write_summary`` was the first, summary-only page (store inventory, Study A's findings,
the ranking, the quarantine).  The full report (:mod:`.full`) has all of that and every
other section, so this delegates to it rather than keep two templates in step.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..metrics.audit import AuditResult
from .full import write_report


def write_summary(con: duckdb.DuckDBPyConnection, out: Path, title: str = "socialaudit: store summary",
                  audit: AuditResult | None = None) -> Path:
    """Render the report of the store behind ``con`` to ``out`` (an HTML file).

    With an ``audit``, its results are used as they are; without one, the audit is run with
    the default parameters."""
    return write_report(con, out, title=title, audit=audit)
