"""The data of each section of the full report, gathered from the store and the audit.

Kept apart from the rendering so that every figure a reader sees comes from one plain
function that a test can call: the template only formats.  Every function copes with an
empty store (and with a store made before a table existed) by returning empty rows, which
the template turns into a "no data" sentence instead of an error.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow.compute as pc

from ..loop.assess import Assessment, assess
from ..loop.profile import DEPARTMENT_NAMES
from ..loop.profiles import read_profiles
from ..loop.reads import department_summary, read_metrics, silo_measure
from ..metrics.audit import AuditResult
from ..metrics.engagement import ALL
from ..privacy import PREFIX, Pseudonymiser
from ..store.normalise import MENTION

EXAMPLES = 10
TEXT_LIMIT = 1000


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def cohort(audit: AuditResult) -> dict:
    """Counts of the audited cohort: companies, industries, channels, inbound and answers."""
    overall = audit.company_rows()
    channels = sorted({r["channel"] for r in audit.companies.to_pylist() if r["channel"] != ALL})
    inbound = sum(r["inbound"] or 0 for r in overall)
    actionable = sum(r["actionable"] or 0 for r in overall)
    answered = sum(r["actionable_responded"] or 0 for r in overall)
    return {"companies": len(overall), "industries": len({r["industry"] for r in overall if r["industry"]}),
            "channels": channels, "inbound": inbound, "actionable": actionable, "actionable_answered": answered,
            "response_rate": answered / actionable if actionable else None,
            "brand_posts": sum(r["brand_posts"] or 0 for r in overall)}


def scorecards(audit: AuditResult) -> list[dict]:
    """One card per company, best engagement score first: its ``all`` row and its channel rows."""
    by_company: dict[str, dict] = {}
    for r in audit.companies.to_pylist():
        card = by_company.setdefault(r["company_id"], {"company_id": r["company_id"], "name": r["name"]
                                                       or r["company_id"], "industry": r["industry"],
                                                       "overall": None, "channels": []})
        if r["channel"] == ALL:
            card["overall"] = r
        else:
            card["channels"].append(r)
    cards = [c for c in by_company.values() if c["overall"] is not None]
    return sorted(cards, key=lambda c: (c["overall"]["engagement_score"] is None,
                                        -(c["overall"]["engagement_score"] or 0), c["name"].lower()))


def response_times(audit: AuditResult) -> dict:
    """Answered inbound posts: wall-clock and business-hours seconds, medians, p90 and SLA buckets.

    The buckets are recomputed over the whole cohort's answered posts with the audit's
    ``sla_hours`` (a bucket includes its upper bound), as the per-company columns are."""
    resp = audit.responses
    wall: list[float] = []
    business: list[float] = []
    if resp.num_rows:
        answered = resp.filter(pc.fill_null(resp.column("responded"), False))
        wall = [s for s in answered.column("response_seconds").to_pylist() if s is not None]
        business = [s for s in answered.column("business_seconds").to_pylist() if s is not None]
    edges = [h * 3600.0 for h in audit.config.sla_hours]
    buckets = []
    for i in range(len(edges) + 1):
        low = 0.0 if i == 0 else edges[i - 1]
        high = edges[i] if i < len(edges) else None
        name = f"{low / 3600:g}–{high / 3600:g} h" if high is not None else f"> {low / 3600:g} h"
        buckets.append({"bucket": name, "wall": _bucket_share(wall, low, high, i == 0),
                        "business": _bucket_share(business, low, high, i == 0)})
    return {"wall": wall, "business": business, "answered": len(wall), "buckets": buckets,
            "median": _quantile(wall, 0.5), "p90": _quantile(wall, 0.9),
            "median_business": _quantile(business, 0.5), "p90_business": _quantile(business, 0.9)}


def _bucket_share(values: Sequence[float], low: float, high: float | None, first: bool) -> float | None:
    if not values:
        return None
    inside = sum(1 for v in values if (v >= low if first else v > low) and (high is None or v <= high))
    return inside / len(values)


def _quantile(values: Sequence[float], q: float) -> float | None:
    return float(np.quantile(values, q)) if values else None


def unanswered_examples(con: duckdb.DuckDBPyConnection, audit: AuditResult, limit: int = EXAMPLES) -> list[dict]:
    """Up to ``limit`` actionable inbound posts nobody answered: questions first, newest first,
    one per company before a second from any company, authors pseudonymised.

    The author is shown as the store's pseudonym (``u_`` + 16 hex digits); in a store built
    with ``--no-pseudonymise`` the id is hashed here with the store's key, so a report never
    names a consumer."""
    resp = audit.responses
    if not resp.num_rows:
        return []
    mask = pc.and_(pc.fill_null(resp.column("actionable"), False),
                   pc.invert(pc.fill_null(resp.column("responded"), False)))
    rows = resp.filter(mask).select(["post_id", "channel", "company", "created_at", "account_id", "question",
                                     "complaint", "product_feedback"]).to_pylist()
    rows.sort(key=lambda r: (not r["question"], -r["created_at"].timestamp(), r["post_id"]))
    picked, seen = [], set()
    for r in rows:  # one per company first ...
        if r["company"] not in seen:
            seen.add(r["company"])
            picked.append(r)
        if len(picked) == limit:
            break
    for r in rows:  # ... then fill up in the same order
        if len(picked) >= limit:
            break
        if r not in picked:
            picked.append(r)
    pseudonym = _pseudonymiser(con)
    names = company_names(con)
    brands = brand_handles(con)
    out = []
    for r in picked:
        found = con.execute("SELECT text FROM posts WHERE channel = ? AND post_id = ?",
                            [r["channel"], r["post_id"]]).fetchone()
        text = mask_mentions((found[0] if found else None) or "", r["channel"], brands, pseudonym)
        kinds = [k.replace("_", " ") for k in ("question", "complaint", "product_feedback") if r[k]]
        out.append({"company": names.get(r["company"], r["company"]), "channel": r["channel"],
                    "created_at": r["created_at"].strftime("%Y-%m-%d %H:%M UTC"), "kinds": ", ".join(kinds),
                    "author": _author(r["account_id"], pseudonym),
                    "text": text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + " …"})
    return out


def _pseudonymiser(con: duckdb.DuckDBPyConnection) -> Pseudonymiser | None:
    if not has_table(con, "meta"):
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_key'").fetchone()
    return Pseudonymiser(row[0]) if row else None


def _author(account_id: str | None, pseudonym: Pseudonymiser | None) -> str:
    if account_id is None:
        return "unknown (withheld by the platform)"
    if account_id.startswith(PREFIX):
        return account_id
    return pseudonym(account_id) if pseudonym else "(not pseudonymised: hidden)"


def brand_handles(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(channel, lower-case handle or id) of every brand account: the @-mentions left readable."""
    rows = con.execute("""
        SELECT channel, lower(account_id) FROM accounts WHERE company_id IS NOT NULL OR role_hint = 'brand'
        UNION SELECT channel, lower(handle) FROM accounts WHERE (company_id IS NOT NULL OR role_hint = 'brand')
                                                           AND handle IS NOT NULL
        UNION SELECT channel, lower(handle) FROM brand_accounts""").fetchall()
    return set(rows)


def mask_mentions(text: str, channel: str, brands: set[tuple[str, str]], pseudonym: Pseudonymiser | None) -> str:
    """The text with every consumer's @handle replaced by its pseudonym, as the store's
    ``mentions`` column has it (the text itself is stored verbatim); brands stay readable."""

    def replace(match) -> str:
        handle = match.group(1)
        if (channel, handle.lower()) in brands or handle.startswith(PREFIX):
            return match.group(0)
        return "@" + (pseudonym(handle) if pseudonym else "[consumer]")

    return MENTION.sub(replace, text)


def company_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {cid: name or cid for cid, name in con.execute("SELECT company_id, name FROM companies").fetchall()}


def storytelling(audit: AuditResult) -> dict:
    """Who tells stories, whether it works (lift with its interval), and whether lift is measurable."""
    overall = audit.company_rows()
    tellers = sorted((r for r in overall if (r["storytelling_posts"] or 0) > 0),
                     key=lambda r: (-(r["storytelling_posts"] or 0), (r["name"] or r["company_id"]).lower()))
    return {"with_own_posts": sum(1 for r in overall if (r["top_level_posts"] or 0) > 0),
            "tellers": tellers, "effective": sum(1 for r in overall if r["storytelling_effective"]),
            "lift_measured": sum(1 for r in tellers if r["storytelling_lift"] is not None)}


def influencers(audit: AuditResult) -> dict:
    """Companies engaging influencers, and those following the same influencer across channels."""
    overall = audit.company_rows()
    engaging = sorted((r for r in overall if (r["influencers_engaged"] or 0) > 0),
                      key=lambda r: (-(r["influencers_engaged"] or 0), (r["name"] or r["company_id"]).lower()))
    return {"engaging": engaging, "cross_channel": sum(1 for r in overall if (r["cross_channel_influencers"] or 0) > 0),
            "companies": len(overall)}


def feedback(con: duckdb.DuckDBPyConnection) -> dict:
    """Routed feedback per department (read shares, time to open, regular readers) and silos."""
    if not (has_table(con, "routed_items") and has_table(con, "item_reads")):
        return {"routed": 0, "departments": [], "silos": {}}
    rows = read_metrics(con)
    departments = []
    for d in department_summary(rows):
        d["name"] = DEPARTMENT_NAMES[d["department"]]
        d["acknowledged_share"] = d["acknowledged"] / d["routed"] if d["routed"] else None
        d["regular_share"] = d["companies_reading_regularly"] / d["companies"] if d["companies"] else None
        departments.append(d)
    silos = silo_measure(rows)
    reading = [s for s in silos if s["departments_taking_part"]]
    return {"routed": sum(d["routed"] for d in departments), "departments": departments,
            "silos": {"companies": len(silos), "reading": len(reading),
                      "silo": sum(1 for s in reading if s["silo"]),
                      "mean_departments": (sum(s["departments_taking_part"] for s in reading) / len(reading)
                                           if reading else None)}}


def roi_maturity(con: duckdb.DuckDBPyConnection, audit: AuditResult) -> dict:
    """The Study B assessment when the store holds profiles; otherwise why not."""
    if not has_table(con, "profiles"):
        return {"reason": "no profiles in the store"}
    try:
        profiles = read_profiles(con)
    except duckdb.Error:
        return {"reason": "the store's profiles table has an older layout: load the profiles again"}
    if not profiles:
        return {"reason": "no profiles in the store"}
    if not (has_table(con, "routed_items") and has_table(con, "enrichments") and has_table(con, "item_reads")):
        return {"reason": "the store has no inbox tables yet: run `socialaudit enrich` and `socialaudit route`"}
    result: Assessment = assess(con, audit, profiles)
    names = company_names(con)
    companies = []
    for p in profiles:
        r = result.rois.get(p.company_id)
        m = result.maturities.get(p.company_id)
        companies.append({"company_id": p.company_id, "name": names.get(p.company_id, p.company_id),
                          "example": p.example, "currency": p.currency, "roi": r,
                          "maturity": None if m is None else m.score, "class": result.classes.get(p.company_id)})
    classes = result.classes
    return {"reason": None, "companies": companies, "findings": result.findings,
            "examples": sum(1 for p in profiles if p.example),
            "leaders": sorted(names.get(c, c) for c, k in classes.items() if k == "leader"),
            "laggards": sorted(names.get(c, c) for c, k in classes.items() if k == "laggard"),
            "cohort": len(result.companies)}
