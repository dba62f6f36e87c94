"""Read tracking: does each department actually read the feedback routed to it?

Per company and department: items routed, the share opened and acknowledged, the time from
routing to the first open, and whether the department **reads regularly** (DESIGN.md: at
least one open in every week since its first item, by default, and at least half of its
items opened; both thresholds are parameters).  Per company, the **silo measure**: how many
departments take part (opened at least one item), and whether only the classic owners of
social media (marketing, service, sales) do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from ..model import UTC
from .profile import DEPARTMENTS

SILO_OWNERS = ("marketing", "service", "sales")


@dataclass(frozen=True)
class ReadPolicy:
    """What "reads regularly" means: ``week_share`` of the weeks from the department's first
    routed item to ``as_of`` have at least one open, and ``opened_share`` of items are opened."""

    week_share: float = 1.0
    opened_share: float = 0.5


def read_metrics(con: duckdb.DuckDBPyConnection, policy: ReadPolicy | None = None,
                 as_of: dt.datetime | None = None) -> list[dict]:
    """One row per company and department with routed items."""
    policy = policy or ReadPolicy()
    as_of = as_of or dt.datetime.now(UTC)
    cur = con.execute("""
        WITH firsts AS (
            SELECT item_id, min(read_at) FILTER (WHERE action = 'opened') AS opened_at,
                   min(read_at) FILTER (WHERE action = 'acknowledged') AS acknowledged_at
            FROM item_reads GROUP BY item_id),
        items AS (
            SELECT i.company_id, i.department, i.item_id, i.routed_at, f.opened_at, f.acknowledged_at
            FROM routed_items i LEFT JOIN firsts f USING (item_id)),
        open_weeks AS (
            SELECT i.company_id, i.department, count(DISTINCT date_trunc('week', r.read_at)) AS weeks_with_open
            FROM routed_items i JOIN item_reads r USING (item_id)
            WHERE r.action = 'opened' AND r.read_at <= $as_of
            GROUP BY ALL)
        SELECT company_id, department, count(*) AS routed,
               count(opened_at) FILTER (WHERE opened_at <= $as_of) AS opened,
               count(acknowledged_at) FILTER (WHERE acknowledged_at <= $as_of) AS acknowledged,
               median(epoch(opened_at) - epoch(routed_at)) FILTER (WHERE opened_at <= $as_of) / 3600.0
                   AS median_hours_to_open,
               min(routed_at) AS first_routed,
               greatest(1, (date_diff('day', date_trunc('week', min(routed_at)), date_trunc('week', $as_of::TIMESTAMPTZ))
                            // 7) + 1) AS weeks,
               coalesce(any_value(w.weeks_with_open), 0) AS weeks_with_open
        FROM items LEFT JOIN open_weeks w USING (company_id, department)
        GROUP BY company_id, department
        ORDER BY company_id, department""", {"as_of": as_of})
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["opened_share"] = r["opened"] / r["routed"]
        r["acknowledged_share"] = r["acknowledged"] / r["routed"]
        r["weeks_with_open_share"] = min(1.0, r["weeks_with_open"] / r["weeks"])
        r["reads_regularly"] = (r["weeks_with_open_share"] >= policy.week_share
                                and r["opened_share"] >= policy.opened_share)
    return rows


def silo_measure(rows: list[dict]) -> list[dict]:
    """Per company: departments routed to, departments taking part (>= 1 open), and whether
    the company is a silo (nobody outside marketing, service and sales reads)."""
    by_company: dict[str, dict] = {}
    for r in rows:
        c = by_company.setdefault(r["company_id"], {"company_id": r["company_id"], "routed_departments": [],
                                                     "reading_departments": [], "regular_departments": []})
        c["routed_departments"].append(r["department"])
        if r["opened"]:
            c["reading_departments"].append(r["department"])
        if r["reads_regularly"]:
            c["regular_departments"].append(r["department"])
    out = []
    for c in by_company.values():
        for key in ("routed_departments", "reading_departments", "regular_departments"):
            c[key] = [d for d in DEPARTMENTS if d in c[key]]
        c["departments_taking_part"] = len(c["reading_departments"])
        c["silo"] = all(d in SILO_OWNERS for d in c["reading_departments"])
        out.append(c)
    return out


def department_summary(rows: list[dict]) -> list[dict]:
    """Across the cohort, per department: items, share read, companies reading regularly."""
    out = []
    for d in DEPARTMENTS:
        mine = [r for r in rows if r["department"] == d]
        routed = sum(r["routed"] for r in mine)
        opened = sum(r["opened"] for r in mine)
        hours = sorted(r["median_hours_to_open"] for r in mine if r["median_hours_to_open"] is not None)
        out.append({"department": d, "companies": len(mine), "routed": routed, "opened": opened,
                    "opened_share": opened / routed if routed else None,
                    "acknowledged": sum(r["acknowledged"] for r in mine),
                    "median_hours_to_open": hours[len(hours) // 2] if hours else None,
                    "companies_reading_regularly": sum(r["reads_regularly"] for r in mine)})
    return out
