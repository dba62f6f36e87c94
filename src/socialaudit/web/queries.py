"""What the pages and the JSON API show, computed once here so both always agree.

Every function returns plain, JSON-safe values (NaN and infinities become None: JSON has
no NaN, and a metric that cannot be computed is unknown, not a number).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import duckdb

from ..loop.inbox import inbox_items
from ..loop.reads import department_summary, read_metrics
from ..metrics.audit import AuditResult
from ..metrics.engagement import ALL
from ..store.overview import company_inventory, store_overview

SUMMARY_FIELDS = ("company_id", "name", "industry", "country", "engagement_score", "inbound", "actionable",
                  "responded", "response_rate", "median_response_s", "median_business_s", "ever_responded",
                  "broadcast_only", "regular_across_channels")


def clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def inventory(con: duckdb.DuckDBPyConnection) -> dict:
    """What the store holds and who reads what: queries over every post and read, computed once
    per store version (see ``create_app``) and shared by the overview, company and inbox pages."""
    reads = clean(read_metrics(con, as_of=dt.datetime.now(dt.UTC)))
    return {"store": clean(dataclasses.asdict(store_overview(con))), "reads": clean(department_summary(reads)),
            "company_reads": reads, "companies": {r["company_id"]: clean(r) for r in company_inventory(con)}}


def findings(audit: AuditResult) -> list[dict]:
    return [clean(f.as_row()) for f in audit.findings]


def _summary(row: dict) -> dict:
    return clean({k: row.get(k) for k in SUMMARY_FIELDS})


def companies(audit: AuditResult, industry: str | None = None) -> list[dict]:
    """Companies of the audited cohort, best engagement score first."""
    rows = [_summary(r) for r in audit.company_rows() if industry is None or r["industry"] == industry]
    return sorted(rows, key=lambda r: (r["engagement_score"] is None, -(r["engagement_score"] or 0), r["company_id"]))


def company(audit: AuditResult, inventory: dict, company_id: str) -> dict | None:
    """One company: its summary, every metric per channel, its inventory and who reads its feedback."""
    rows = [clean(r) for r in audit.companies.to_pylist() if r["company_id"] == company_id]
    overall = next((r for r in rows if r["channel"] == ALL), None)
    if overall is None:
        return None
    return {"company": _summary(overall), "channels": [r for r in rows if r["channel"] != ALL] + [overall],
            "inventory": inventory["companies"].get(company_id),
            "reads": [r for r in inventory["company_reads"] if r["company_id"] == company_id]}


def industries(audit: AuditResult) -> dict:
    r = audit.ranking
    ranked = sum(1 for i in r.industries if i.rank is not None)
    return clean({"level": r.level, "spearman": r.spearman, "spearman_p": r.spearman_p, "kendall": r.kendall,
                  "kendall_p": r.kendall_p, "spearman_ci": list(r.spearman_ci) if r.spearman_ci else None,
                  "compared": r.compared,
                  "industries": [dict(dataclasses.asdict(i), ranked=ranked) for i in r.industries]})


def inbox(con: duckdb.DuckDBPyConnection, department: str, *, status: str, company: str | None, limit: int,
          offset: int) -> tuple[list[dict], bool]:
    """A page of the inbox, and whether there is a next page."""
    items = inbox_items(con, department, company=company or None, status=status, limit=limit + 1, offset=offset)
    return items[:limit], len(items) > limit


def imports(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cur = con.execute("""
        SELECT import_id, source, format, status, started_at, finished_at, rows_read, imported, updated, skipped,
               quarantined, message
        FROM imports ORDER BY import_id DESC""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def quarantine(con: duckdb.DuckDBPyConnection, *, limit: int, offset: int) -> tuple[list[dict], int]:
    total = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    cur = con.execute("SELECT source, line, item, reason, format, raw FROM quarantine "
                      "ORDER BY source, line, item LIMIT ? OFFSET ?", [limit, offset])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()], total
