"""The Study B assessment of a cohort: observed data from the store + the companies' profiles.

This is where the loop's pieces meet: the audit (engagement score, questions and complaints
answered, consumer interactions), the inboxes (product ideas routed, whether R&D and product
management read regularly), the profiles (money, practices) and, optionally, survey answers.
It returns typed rows; the CLI and the report decide how to show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pyarrow.compute as pc

from ..metrics.audit import AuditResult
from .maturity import Maturity, MaturityWeights, classify_cohort, maturity
from .profile import Profile
from .reads import ReadPolicy, read_metrics, silo_measure
from .roi import Observed, RoiResult, roi
from .studyb import CompanyLoop, StudyBFinding, studyb_findings


@dataclass
class Assessment:
    companies: list[CompanyLoop]
    rois: dict[str, RoiResult]
    maturities: dict[str, Maturity]
    classes: dict[str, str]
    findings: list[StudyBFinding]
    reads: list[dict] = field(default_factory=list)
    silos: list[dict] = field(default_factory=list)
    observed: dict[str, Observed] = field(default_factory=dict)


def observed_counts(con: duckdb.DuckDBPyConnection, audit: AuditResult) -> dict[str, Observed]:
    """Per company: the audited period, questions/complaints answered, product ideas routed."""
    resp = audit.responses
    out: dict[str, Observed] = {}
    if resp.num_rows == 0:
        return out
    times = resp.column("created_at")
    first, last = pc.min(times).as_py(), pc.max(times).as_py()
    period_days = max(1.0, (last - first).total_seconds() / 86400)
    answered: dict[str, int] = {}
    for company, responded, q, c in zip(resp.column("company").to_pylist(), resp.column("responded").to_pylist(),
                                        resp.column("question").to_pylist(), resp.column("complaint").to_pylist(),
                                        strict=True):
        if responded and (q or c):
            answered[company] = answered.get(company, 0) + 1
        else:
            answered.setdefault(company, 0)
    ideas = dict(con.execute("""
        SELECT i.company_id, count(DISTINCT (i.channel, i.post_id))
        FROM routed_items i JOIN enrichments e USING (channel, post_id)
        WHERE i.department IN ('rnd', 'product') AND e.product_feedback AND i.posted_at BETWEEN $a AND $b
        GROUP BY i.company_id""", {"a": first, "b": last}).fetchall())
    for company, n in answered.items():
        out[company] = Observed(company, period_days, n, int(ideas.get(company, 0)))
    return out


def assess(con: duckdb.DuckDBPyConnection, audit: AuditResult, profiles: list[Profile], *,
           weights: MaturityWeights | None = None, quantile: float = 0.25, min_companies: int = 4,
           read_policy: ReadPolicy | None = None, self_reports: dict[str, dict] | None = None,
           samples: int = 2000, seed: int = 0, as_of: dt.datetime | None = None) -> Assessment:
    """ROI, maturity, leader/laggard classes and the Study B findings for the audited cohort
    plus every company with a profile."""
    by_profile = {p.company_id: p for p in profiles}
    company_rows = {r["company_id"]: r for r in audit.company_rows() if r["channel"] == "all"}
    industries = dict(con.execute("SELECT company_id, industry FROM companies").fetchall())
    observed = observed_counts(con, audit)
    reads = read_metrics(con, read_policy, as_of)
    regular = {(r["company_id"], r["department"]): r["reads_regularly"] for r in reads}
    cohort = sorted(set(company_rows) | set(by_profile))

    rois: dict[str, RoiResult] = {}
    maturities: dict[str, Maturity] = {}
    for cid in cohort:
        profile = by_profile.get(cid)
        if profile is not None:
            obs = observed.get(cid)
            rois[cid] = roi(profile, obs, samples=samples, seed=seed)
        engagement = (company_rows.get(cid) or {}).get("engagement_score")
        maturities[cid] = maturity(cid, profile=profile, roi=rois.get(cid), engagement=engagement, weights=weights)
    classes = classify_cohort({c: m.score for c, m in maturities.items()}, quantile, min_companies)

    companies = []
    for cid in cohort:
        row = company_rows.get(cid) or {}
        interactions = None
        if row:
            interactions = int((row.get("inbound") or 0) + (row.get("interactions") or 0))
        companies.append(CompanyLoop(
            company_id=cid, industry=industries.get(cid), profile=by_profile.get(cid), roi=rois.get(cid),
            maturity_class=classes.get(cid), maturity_score=maturities[cid].score,
            rnd_reads_regularly=regular.get((cid, "rnd")), product_reads_regularly=regular.get((cid, "product")),
            consumer_interactions=interactions, self_reports=(self_reports or {}).get(cid, {})))
    return Assessment(companies, rois, maturities, classes, studyb_findings(companies), reads, silo_measure(reads),
                      observed)
