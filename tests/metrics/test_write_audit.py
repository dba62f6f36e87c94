"""``write_audit``'s files, and the audit on edge cases (empty cohort, companies without inbound or
without brand posts)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from metrics.cohort import fresh_cohort, rows_by

from socialaudit.metrics.audit import run_audit, write_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.responses import RESPONSE_COLUMNS


def build(c):
    c.company("acme", industry="retail", accounts={"twitter": ["acmecare"], "facebook": ["acmepage"]})
    c.company("globex", industry="telecom")
    c.company("silent", industry="telecom")  # in the registry, no posts: not in the cohort
    c.company("ghost", industry="media_entertainment")  # inbound only, never posts
    c.company("loud", industry="technology")  # posts only, no inbound
    c.post("q1", "ann", "2024-03-04T10:00:00Z", "where is my order?", company="acme")
    c.post("r1", "acmecare", "2024-03-04T10:30:00Z", "on its way", parent_id="q1")
    c.post("q2", "ben", "2024-03-04T10:00:00Z", "is the shop open?", channel="facebook", company="acme")
    c.post("q3", "cid", "2024-03-04T10:00:00Z", "the app is broken", company="globex")
    c.post("r3", "globexcare", "2024-03-05T12:00:00Z", "sorry", parent_id="q3")
    c.post("q4", "dan", "2024-03-04T10:00:00Z", "why is it down?", company="ghost")
    c.post("p1", "loudcare", "2024-03-04T09:00:00Z", "Big news")
    c.post("p2", "loudcare", "2024-03-05T09:00:00Z", "More news")
    return c


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("write")
    with fresh_cohort(folder / "cohort") as c:
        result = build(c).audit()
        paths = write_audit(result, folder / "out" / "audit")  # the folder is created
        yield result, folder / "out" / "audit", paths


def test_files(written):
    _, out, paths = written
    names = ["companies.parquet", "responses.parquet", "findings.csv", "industries.csv", "summary.json"]
    assert [p.name for p in paths] == names
    assert all((out / n).is_file() for n in names)


def test_companies_parquet(written):
    result, out, _ = written
    table = pq.read_table(out / "companies.parquet")
    keys = sorted(zip(table.column("company_id").to_pylist(), table.column("channel").to_pylist()))
    # one row per company x channel it is active on, plus "all"; silent has no posts and is not audited
    assert keys == [("acme", "all"), ("acme", "facebook"), ("acme", "twitter"), ("ghost", "all"),
                    ("ghost", "twitter"), ("globex", "all"), ("globex", "twitter"), ("loud", "all"),
                    ("loud", "twitter")]
    assert table.column_names[:6] == ["company_id", "name", "industry", "country", "channel", "engagement_score"]
    assert table.equals(result.companies)
    rows = rows_by(table, "company_id", "channel")
    # acme: 2 inbound, 1 answered (30 min) -> rate 0.5
    assert (rows[("acme", "all")]["inbound"], rows[("acme", "all")]["responded"]) == (2, 1)
    assert rows[("acme", "all")]["response_rate"] == 0.5
    assert rows[("acme", "twitter")]["median_response_s"] == 1800
    # globex: 10:00 -> 12:00 next day = 26 h = 93,600 s, in the > 24 h bucket
    assert rows[("globex", "all")]["median_response_s"] == 93600 and rows[("globex", "all")]["sla_over_24h"] == 1.0
    # typed columns even where every value is null (no registry country, no lift)
    assert table.schema.field("country").type == pa.string()
    assert table.schema.field("storytelling_lift").type == pa.float64()


def test_company_without_brand_posts(written):
    result, _, _ = written
    g = rows_by(result.companies, "company_id", "channel")[("ghost", "all")]
    # 1 question, never answered, no brand post: no interactions, not broadcast only (it posts nothing)
    assert (g["inbound"], g["actionable"], g["responded"], g["brand_posts"], g["interactions"]) == (1, 1, 0, 0, 0)
    assert g["response_rate"] == 0.0 and g["broadcast_only"] is False and g["broadcast_share"] is None
    assert g["ever_responded"] is False and g["ever_interacted"] is False
    # responsiveness 0, speed 0, interaction 0 (its channel has inbound), consistency 0, stories 0, influencers 0
    assert g["engagement_score"] == 0.0


def test_company_without_inbound(written):
    result, _, _ = written
    r = rows_by(result.companies, "company_id", "channel")[("loud", "all")]
    assert (r["inbound"], r["actionable"], r["responded"], r["brand_posts"], r["own_posts"]) == (0, 0, 0, 2, 2)
    assert r["response_rate"] is None and r["median_response_s"] is None and r["sla_0_1h"] is None
    assert r["broadcast_only"] is True and r["regular"] is False
    # only interaction (0), storytelling (0), influencers (0) apply
    assert r["score_responsiveness"] is None and r["engagement_score"] == 0.0


def test_responses_parquet(written):
    result, out, _ = written
    table = pq.read_table(out / "responses.parquet")
    assert table.column_names[:7] == ["post_id", "company", "channel", "responded", "first_response_id",
                                      "response_seconds", "business_seconds"]
    assert tuple(table.column_names[:7]) == RESPONSE_COLUMNS
    assert set(table.column_names) == set(result.responses.column_names)
    rows = rows_by(table, "channel", "post_id")
    assert sorted(rows) == [("facebook", "q2"), ("twitter", "q1"), ("twitter", "q3"), ("twitter", "q4")]
    assert (rows[("twitter", "q1")]["first_response_id"], rows[("twitter", "q1")]["response_seconds"]) == ("r1", 1800)
    # the companies are 24/7 UTC: business time = wall clock
    assert rows[("twitter", "q3")]["business_seconds"] == 93600


def test_findings_csv(written):
    result, out, _ = written
    with open(out / "findings.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["key"] for r in rows] == ["broadcast_only", "no_cross_channel_influencers", "effective_storytelling",
                                        "regular_across_channels", "ever_responded"]
    by_key = {r["key"]: r for r in rows}
    # 4 companies; loud is broadcast only (2 own posts); acme and globex answered a question
    assert (by_key["broadcast_only"]["n"], by_key["broadcast_only"]["count"]) == ("4", "1")
    assert float(by_key["broadcast_only"]["share"]) == 0.25
    assert (by_key["ever_responded"]["count"], float(by_key["ever_responded"]["share"])) == ("2", 0.5)
    assert len(rows) == len(result.findings)


def test_industries_csv(written):
    _, out, _ = written
    with open(out / "industries.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # one company per Study A industry: all listed, none ranked (fewer than 3 companies)
    assert sorted(r["industry"] for r in rows) == ["media", "retail", "technology", "telecom"]
    assert all(r["rank"] == "" for r in rows)


def test_summary_json(written):
    _result, out, _ = written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["companies"] == 4
    assert summary["inbound_posts"] == 4 and summary["responded"] == 2
    assert summary["actionable_rule"] == "cues-en-de-v1" and summary["industry_level"] == "study-a"
    assert summary["config"]["response_window_days"] == 7.0
    assert summary["config"]["bootstrap_samples"] == 200
    assert summary["rank_correlation_with_study_a"]["spearman"] is None


def test_empty_cohort(store, tmp_path):
    result = run_audit(store.con, AuditConfig(bootstrap_samples=100))
    assert result.companies.num_rows == 0 and result.responses.num_rows == 0
    # the empty tables keep their columns
    assert result.companies.column_names[:6] == ["company_id", "name", "industry", "country", "channel",
                                                 "engagement_score"]
    assert "response_rate" in result.companies.column_names
    assert all(f.n == 0 and f.share is None for f in result.findings)
    assert result.ranking.industries == []
    write_audit(result, tmp_path / "out")
    assert pq.read_table(tmp_path / "out" / "companies.parquet").schema.equals(result.companies.schema)
    assert tuple(pq.read_table(tmp_path / "out" / "responses.parquet").column_names[:7]) == RESPONSE_COLUMNS
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["companies"], summary["inbound_posts"], summary["responded"]) == (0, 0, 0)


def test_registry_without_posts(cohort, tmp_path):
    cohort.company("acme")
    result = cohort.audit()
    assert result.companies.num_rows == 0 and result.company_rows() == []


def test_period_without_posts(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        result = build(c).audit(since=dt.datetime(2030, 1, 1))
    assert result.companies.num_rows == 0 and result.responses.num_rows == 0
