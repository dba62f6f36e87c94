"""The audit: every metric for every company and channel, the findings and the ranking.

:func:`run_audit` reads the store through Ibis and returns an :class:`AuditResult`;
:func:`write_audit` writes it as ``companies.parquet``, ``responses.parquet``,
``findings.csv``, ``industries.csv`` and ``summary.json``.  The cohort is every company
with at least one post (its own or a consumer's to it) in the audited period.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import __version__
from .actionable import ActionableRule, default_rule
from .config import DEFAULT_WEIGHTS, AuditConfig
from .engagement import ALL, brand_activity, response_metrics, sla_columns
from .findings import Finding, cohort_findings
from .influencers import influencer_accounts, influencer_engagement
from .ranking import LEVELS, Ranking, industry_key, rank_industries
from .responses import (
    RESPONSE_COLUMNS,
    add_business_seconds,
    calendars_for,
    inbound_posts,
    responses,
)
from .score import components, score
from .storytelling import storytelling_metrics

KEYS = ["company_id", "channel"]


@dataclass
class AuditResult:
    config: AuditConfig
    rule: str
    level: str
    companies: pa.Table
    responses: pa.Table
    findings: list[Finding]
    ranking: Ranking
    seconds: dict[str, float] = field(default_factory=dict)

    def company_rows(self) -> list[dict]:
        return [r for r in self.companies.to_pylist() if r["channel"] == ALL]


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 3)
        self._last = now


def run_audit(con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None,
              rule: ActionableRule | None = None, level: str = "study-a") -> AuditResult:
    """Compute the audit of the store behind ``con`` (read-only use)."""
    rule = rule or default_rule(con)
    return run_audit_on(ibis.duckdb.from_connection(con), config, rule, level)


def run_audit_on(backend, config: AuditConfig | None = None, rule: ActionableRule | None = None,
                 level: str = "study-a") -> AuditResult:
    """The audit on any Ibis backend holding the tables ``posts``, ``accounts`` and ``companies``
    (the store's DuckDB, or Spark reading an export: ``socialaudit.metrics.spark``)."""
    config = config or AuditConfig()
    if level not in LEVELS:
        raise ValueError(f"unknown industry level {level!r} (one of {', '.join(LEVELS)})")
    rule = rule or default_rule()
    timer = _Timer()
    posts = backend.table("posts")
    accounts = backend.table("accounts")
    companies = backend.table("companies").to_pyarrow()

    inbound = inbound_posts(posts, rule, config)
    resp = _utc(responses(posts, inbound, config).to_pyarrow(), ("created_at", "first_response_at"))
    resp = add_business_seconds(resp, calendars_for(companies))
    timer.lap("responses")

    # Registered in the audit's own backend (not an Ibis memtable, which runs on a separate
    # in-memory backend and copies the rows there).
    resp_table = _register(backend, "audit_responses", resp)
    parts = [
        response_metrics(resp_table, config).to_pyarrow(),
        brand_activity(posts, config).to_pyarrow(),
        influencer_engagement(posts, _register(backend, "audit_influencers",
                                               influencer_accounts(posts, accounts, config).to_pyarrow()),
                              config).to_pyarrow(),
        storytelling_metrics(posts, config),
    ]
    for name in ("audit_responses", "audit_influencers"):
        _unregister(backend, name)
    timer.lap("metrics")

    table = _merge(parts, companies)
    rows = _score(table.to_pylist(), config)
    # With the schema of the merged table: inferred from the rows, an empty cohort gave a table
    # without any column, and a column that is null on every row (no company with a country,
    # no lift anywhere) was written with Arrow's null type instead of its own.
    company_table = pa.Table.from_pylist(rows, schema=_company_schema(table))
    timer.lap("score")

    overall = [r for r in rows if r["channel"] == ALL]
    findings = cohort_findings(_flags(overall, rows, config), config.bootstrap_samples, config.confidence,
                               config.seed)
    by_industry: dict[str, list[float]] = {}
    for r in overall:
        key = industry_key(r["industry"], level)
        if key is not None and r["engagement_score"] is not None:
            by_industry.setdefault(key, []).append(r["engagement_score"])
    ranking = rank_industries(by_industry, config.bootstrap_samples, config.confidence, config.seed, level,
                              config.ranking_min_companies)
    timer.lap("findings")
    return AuditResult(config, rule.name, level, company_table, resp, findings, ranking, timer.seconds)


#: Counts and flags that are 0 / false, not unknown, where a company has no rows of a kind
#: (no brand posts on a channel: no interactions; no consumer posts: no inbound).
_ZERO_WHEN_ABSENT = ("inbound", "actionable", "questions", "complaints", "responded", "actionable_responded",
                     "questions_answered", "weeks_actionable", "weeks_answered", "brand_posts", "interactions",
                     "shares_of_consumers", "own_posts", "influencers_engaged", "cross_channel_influencers",
                     "top_level_posts", "storytelling_posts", "series_posts", "series_weeks")
_FALSE_WHEN_ABSENT = ("ever_responded", "regular", "broadcast_only", "ever_interacted", "storytelling_effective")


def _utc(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """Spark returns its (UTC) timestamps without a zone; the store's are ``TIMESTAMPTZ``."""
    for name in columns:
        i = table.schema.get_field_index(name)
        if i >= 0 and pa.types.is_timestamp(table.schema.field(i).type) and table.schema.field(i).type.tz is None:
            table = table.set_column(i, name, table.column(i).cast(pa.timestamp("us", tz="UTC")))
    return table


def _register(backend, name: str, table: pa.Table) -> ibis.Table:
    """Make ``table`` a table of ``backend``: the responses are computed partly outside the
    engine (business seconds), and an expression used several times in a query (influencers
    are matched by replies, shares and mentions) is otherwise recomputed at each use."""
    con = getattr(backend, "con", None)
    if isinstance(con, duckdb.DuckDBPyConnection):
        con.register(name, table)  # zero-copy view of the Arrow table
        return backend.table(name)
    session = getattr(backend, "_session", None)
    if session is not None:  # Spark: a temporary view of the rows
        session.createDataFrame(table).createOrReplaceTempView(name)
        return backend.table(name)
    return backend.create_table(name, table, overwrite=True)


def _unregister(backend, name: str) -> None:
    con = getattr(backend, "con", None)
    if isinstance(con, duckdb.DuckDBPyConnection):
        con.unregister(name)
    elif getattr(backend, "_session", None) is not None:
        backend._session.catalog.dropTempView(name)
    else:
        backend.drop_table(name, force=True)


def _merge(parts: list[pa.Table], companies: pa.Table) -> pa.Table:
    """Outer-join the metric tables on (company, channel); add the company's name and industry."""
    keys = pa.concat_tables([p.select(KEYS).cast(pa.schema([("company_id", pa.string()), ("channel", pa.string())]))
                             for p in parts]).group_by(KEYS).aggregate([])
    merged = keys
    for part in parts:
        merged = merged.join(part, keys=KEYS, join_type="left outer")
    for name in _ZERO_WHEN_ABSENT:
        i = merged.schema.get_field_index(name)
        merged = merged.set_column(i, name, pc.fill_null(merged.column(name).cast(pa.int64()), 0))
    for name in _FALSE_WHEN_ABSENT:
        i = merged.schema.get_field_index(name)
        merged = merged.set_column(i, name, pc.fill_null(merged.column(name), False))
    info = companies.select(["company_id", "name", "industry", "country"])
    merged = merged.join(info, keys="company_id", join_type="left outer")
    return merged.sort_by([("company_id", "ascending"), ("channel", "ascending")])


def _score(rows: list[dict], config: AuditConfig) -> list[dict]:
    sla = sla_columns(config)
    by_company: dict[str, list[dict]] = {}
    for r in rows:
        by_company.setdefault(r["company_id"], []).append(r)
    out = []
    for group in by_company.values():
        channels = [r for r in group if r["channel"] != ALL]
        overall = next((r for r in group if r["channel"] == ALL), None)
        if overall is None:
            continue
        overall["regular_across_channels"] = _regular_across(channels, config)
        for r in channels:
            r["regular_across_channels"] = None
        for r in group:
            parts = components(r, sla, channels if r["channel"] == ALL else None)
            for name, value in parts.items():
                r[f"score_{name}"] = value
            r["engagement_score"] = score(parts, config.score_weights)
            out.append(_ordered(r, sla))
    return out


def _company_schema(merged: pa.Table) -> pa.Schema:
    """The columns of ``companies`` in the order :func:`_ordered` gives them."""
    added = [pa.field("regular_across_channels", pa.bool_())] + [
        pa.field(f"score_{name}", pa.float64()) for name in DEFAULT_WEIGHTS] + [
        pa.field("engagement_score", pa.float64())]
    fields = {f.name: f for f in merged.schema}
    fields.update({f.name: f for f in added})
    names = _FIRST + [n for n in fields if n not in _FIRST]
    return pa.schema([fields[n] for n in names])


def _regular_across(channels: list[dict], config: AuditConfig) -> bool:
    """Regular on every channel with actionable inbound, and on enough channels."""
    with_inbound = [r for r in channels if (r.get("actionable") or 0) > 0]
    return (len(with_inbound) >= config.regular_min_channels
            and all(r.get("regular") for r in with_inbound))


def _flags(overall: list[dict], rows: list[dict], config: AuditConfig) -> dict[str, np.ndarray]:
    return {
        "broadcast_only": np.array([bool(r.get("broadcast_only")) for r in overall]),
        "no_cross_channel_influencers": np.array([not (r.get("cross_channel_influencers") or 0) for r in overall]),
        "effective_storytelling": np.array([bool(r.get("storytelling_effective")) for r in overall]),
        "regular_across_channels": np.array([bool(r.get("regular_across_channels")) for r in overall]),
        "ever_responded": np.array([bool(r.get("ever_responded")) or bool(r.get("ever_interacted"))
                                    for r in overall]),
    }


_FIRST = ["company_id", "name", "industry", "country", "channel", "engagement_score"]


def _ordered(row: dict, sla: list[str]) -> dict:
    out = {k: row.get(k) for k in _FIRST}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


def write_audit(result: AuditResult, out: Path) -> list[Path]:
    """Write the audit's files into ``out`` (created if missing); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "companies.parquet"
    pq.write_table(result.companies, path)
    written.append(path)
    resp = result.responses
    ordered = list(RESPONSE_COLUMNS) + [c for c in resp.column_names if c not in RESPONSE_COLUMNS]
    path = out / "responses.parquet"
    pq.write_table(resp.select(ordered), path)
    written.append(path)
    path = out / "findings.csv"
    _write_csv(path, [f.as_row() for f in result.findings])
    written.append(path)
    path = out / "industries.csv"
    ranked = sum(1 for r in result.ranking.industries if r.rank is not None)
    _write_csv(path, [r.as_row(ranked) for r in result.ranking.industries])
    written.append(path)
    path = out / "summary.json"
    path.write_text(json.dumps(summary(result), indent=2, default=str) + "\n", encoding="utf-8")
    written.append(path)
    return written


def summary(result: AuditResult) -> dict:
    resp = result.responses
    overall = result.company_rows()
    r = result.ranking
    return {
        "socialaudit": __version__,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "actionable_rule": result.rule,
        "industry_level": result.level,
        "companies": len(overall),
        "inbound_posts": resp.num_rows,
        "responded": int(np.sum(resp.column("responded").to_numpy(zero_copy_only=False))) if resp.num_rows else 0,
        "rank_correlation_with_study_a": {
            "industries_compared": r.compared, "spearman": r.spearman, "spearman_p": r.spearman_p,
            "spearman_ci": r.spearman_ci, "kendall": r.kendall, "kendall_p": r.kendall_p,
        },
        "seconds": result.seconds,
        "config": json.loads(result.config.model_dump_json()),
    }


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        if not rows:
            fh.write("")
            return
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
