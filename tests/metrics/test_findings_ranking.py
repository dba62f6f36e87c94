"""Study A's findings (shares of companies with intervals) and the industry ranking, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from metrics.cohort import fresh_cohort

from socialaudit.industries import STUDY_A_ORDER
from socialaudit.metrics.audit import run_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.findings import (
    STUDY_A_FINDINGS,
    bootstrap_share,
    cohort_findings,
    wilson_interval,
)
from socialaudit.metrics.ranking import rank_industries

Z = 1.959963984540054  # the 97.5 % normal quantile


def flags(**overrides):
    base = {spec.key: np.array([False] * 5) for spec in STUDY_A_FINDINGS}
    base.update({k: np.array(v) for k, v in overrides.items()})
    return base


def test_shares_over_companies():
    out = {f.key: f for f in cohort_findings(flags(broadcast_only=[True, True, False, False, True]), 500, 0.95, 1)}
    f = out["broadcast_only"]
    assert (f.n, f.count, f.share) == (5, 3, 0.6)
    assert f.ci_low <= 0.6 <= f.ci_high
    assert f.study_share == 0.95 and f.relation == "="
    # none flagged: share 0, bootstrap (0, 0)
    e = out["effective_storytelling"]
    assert (e.count, e.share, e.ci_low, e.ci_high) == (0, 0.0, 0.0, 0.0)
    assert out["ever_responded"].relation == "<" and out["ever_responded"].study_share == 0.40


def test_wilson_interval_by_hand():
    # 3 of 5 at 95 %: p = 0.6, z^2 / n = 0.768292
    # centre = (0.6 + z^2 / 10) / 1.768292 = 0.984146 / 1.768292 = 0.556552
    # half = z * sqrt(0.6 * 0.4 / 5 + z^2 / 100) / 1.768292 = 1.959964 * 0.293964 / 1.768292 = 0.325828
    low, high = wilson_interval(3, 5, 0.95)
    assert (low, high) == pytest.approx((0.556552 - 0.325828, 0.556552 + 0.325828), abs=1e-6)
    # formula check against the textbook form
    p, n = 0.6, 5
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert wilson_interval(0, 0, 0.95) == (None, None)


def test_all_companies_flagged():
    out = {f.key: f for f in cohort_findings(flags(broadcast_only=[True] * 5), 500, 0.95, 1)}
    f = out["broadcast_only"]
    assert (f.n, f.count, f.share, f.ci_low, f.ci_high) == (5, 5, 1.0, 1.0, 1.0)
    # Wilson 5 of 5: centre = (1 + z^2 / 10) / (1 + z^2 / 5) = 0.782759, half = (z^2 / 10) / (1 + z^2 / 5) = 0.217241
    assert f.wilson_high == pytest.approx(1.0)
    assert f.wilson_low == pytest.approx(0.782759 - 0.217241, abs=1e-6)


def test_bootstrap_share_is_seeded_and_brackets_the_share():
    values = np.array([True, False, True, False, False, False, True, False])
    a = bootstrap_share(values, 1000, 0.95, np.random.default_rng(7))
    b = bootstrap_share(values, 1000, 0.95, np.random.default_rng(7))
    assert a == b
    share, low, high = a
    assert share == 3 / 8 and low < share < high
    assert bootstrap_share(np.array([], dtype=bool), 100, 0.95, np.random.default_rng(1)) == (None, None, None)


def test_empty_cohort_findings():
    out = cohort_findings({spec.key: np.array([], dtype=bool) for spec in STUDY_A_FINDINGS}, 100, 0.95, 1)
    assert all(f.n == 0 and f.share is None and f.wilson_low is None for f in out)


# -- ranking -------------------------------------------------------------------------------------


def test_industries_ordered_by_mean_score_with_rank_probabilities():
    scores = {"telecom": [80.0, 75.0, 0.0], "retail": [80.0, 80.0, 75.0], "consumer products": [75.0, 0.0, 0.0],
              "pharma": [90.0]}
    ranking = rank_industries(scores, 2000, 0.95, 3, "study-a", min_companies=3)
    ranked = [r for r in ranking.industries if r.rank is not None]
    # means: retail 78.33, telecom 51.67, consumer products 25; pharma has 1 company < 3: listed, unranked, last
    assert [(r.industry, r.rank) for r in ranked] == [("retail", 1), ("telecom", 2), ("consumer products", 3)]
    assert [r.mean_score for r in ranked] == pytest.approx([235 / 3, 155 / 3, 25])
    last = ranking.industries[-1]
    assert (last.industry, last.rank, last.rank_probabilities, last.companies) == ("pharma", None, [], 1)
    assert last.mean_score == 90.0 and "fewer than 3" in last.note
    for r in ranked:
        assert sum(r.rank_probabilities) == pytest.approx(1.0)
        assert len(r.rank_probabilities) == 3
        assert r.ci_low <= r.mean_score <= r.ci_high
        assert r.rank_ci_low <= r.rank <= r.rank_ci_high
    # retail's resampled means are 75..80, consumer products' 0..75: consumer products is never first.
    # Retail is first unless telecom's resample reaches it: over the 27 x 27 equally likely pairs of
    # resamples, retail's mean is 80 / 78.3 / 76.7 / 75 with 8 / 12 / 6 / 1 in 27, telecom's >= 75 only when it
    # draws no 0 (8 in 27): 80 (1), 78.3 (3), 76.7 (3), 75 (1); telecom ties win (listed first), so
    # P(telecom first) = [1*27 + 3*19 + 3*7 + 1*1] / 729 = 106 / 729 = 0.1454, P(retail first) = 0.8546
    assert ranked[2].rank_probabilities[0] == 0.0
    assert ranked[0].rank_probabilities[0] == pytest.approx(623 / 729, abs=0.03)
    assert ranked[1].rank_probabilities[0] == pytest.approx(106 / 729, abs=0.03)
    # each rank is taken by exactly one industry in every resample
    assert np.sum([r.rank_probabilities for r in ranked], axis=0) == pytest.approx([1, 1, 1])
    # the cohort follows Study A's order exactly (retail 1, telecom 2, consumer products 3)
    assert ranking.compared == ["telecom", "retail", "consumer products"]
    assert ranking.spearman == pytest.approx(1.0) and ranking.kendall == pytest.approx(1.0)
    assert ranking.spearman_ci is not None and ranking.spearman_ci[1] == pytest.approx(1.0)


def test_reversed_order_correlates_minus_one():
    names = list(STUDY_A_ORDER)
    scores = {name: [float(i), float(i) + 1, float(i) + 2] for i, name in enumerate(names)}  # pharma best
    ranking = rank_industries(scores, 200, 0.95, 1, "study-a", min_companies=3)
    assert ranking.spearman == pytest.approx(-1.0) and ranking.kendall == pytest.approx(-1.0)
    assert [r.industry for r in ranking.industries] == names[::-1]


def test_fewer_than_three_industries_are_not_correlated():
    ranking = rank_industries({"retail": [1.0, 2.0, 3.0], "telecom": [0.0, 1.0, 2.0]}, 200, 0.95, 1, "study-a", 3)
    assert ranking.spearman is None and ranking.kendall is None


def test_no_ranked_industry():
    ranking = rank_industries({"retail": [50.0], "telecom": [70.0]}, 200, 0.95, 1, "study-a", 3)
    assert [(r.industry, r.rank) for r in ranking.industries] == [("telecom", None), ("retail", None)]
    assert rank_industries({}, 200, 0.95, 1).industries == []


def test_other_levels_have_no_study_rank():
    ranking = rank_industries({"retail": [1.0, 2.0, 3.0], "telecom": [5.0, 6.0, 7.0]}, 200, 0.95, 1, "industry", 3)
    assert [r.industry for r in ranking.industries] == ["telecom", "retail"]
    assert all(r.study_a_rank is None for r in ranking.industries)


# -- through the audit -----------------------------------------------------------------------


def answered(c, cid: str, industry: str, minutes: int | None, brand_posts: bool = True) -> None:
    """A company with one question, answered after ``minutes`` (or never; then no brand post at all)."""
    c.company(cid, industry=industry)
    c.post(f"{cid}-q", f"{cid}-fan", "2024-03-04T10:00:00Z", "where is my order?", company=cid)
    if minutes is not None:
        c.post(f"{cid}-r", f"{cid}care", f"2024-03-04T{10 + minutes // 60:02d}:{minutes % 60:02d}:00Z", "here",
               parent_id=f"{cid}-q")


def build(c):
    # answered in 30 min: rate 1, speed 1, interaction 1, regular 1, no stories, no influencers -> 80
    # answered in 2 h: speed 0.75 -> 100 * (0.3 + 0.15 + 0.15 + 0.15) = 75
    # unanswered, no brand posts: 0 on every component that applies -> 0
    answered(c, "r1", "retail", 30)
    answered(c, "r2", "restaurants", 30)  # Study A groups restaurants under retail
    answered(c, "r3", "retail", 120)
    answered(c, "t1", "telecom", 30)
    answered(c, "t2", "telecom", 120)
    answered(c, "t3", "telecom", None)
    answered(c, "c1", "consumer_products", 120)
    answered(c, "c2", "food_beverage", None)
    answered(c, "c3", "consumer_products", None)
    answered(c, "p1", "pharma_healthcare", 30)
    return c


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("ranking")) as c:
        yield build(c).audit(bootstrap_samples=1000)


def test_audit_scores_by_hand(result):
    scores = {r["company_id"]: r["engagement_score"] for r in result.company_rows()}
    assert scores == pytest.approx({"r1": 80, "r2": 80, "r3": 75, "t1": 80, "t2": 75, "t3": 0, "c1": 75, "c2": 0,
                                    "c3": 0, "p1": 80})


def test_audit_ranking_follows_study_a(result):
    ranking = result.ranking
    assert [(r.industry, r.rank, r.companies) for r in ranking.industries] == [
        ("retail", 1, 3), ("telecom", 2, 3), ("consumer products", 3, 3), ("pharma", None, 1)]
    assert [r.mean_score for r in ranking.industries] == pytest.approx([235 / 3, 155 / 3, 25, 80])
    assert [r.study_a_rank for r in ranking.industries] == [1, 2, 3, 8]
    assert ranking.spearman == pytest.approx(1.0)


def test_audit_findings(result):
    out = {f.key: f for f in result.findings}
    # 10 companies; the 7 that answered (r1 r2 r3 t1 t2 c1 p1) answered a question
    assert (out["ever_responded"].n, out["ever_responded"].count) == (10, 7)
    # broadcast only: the answering companies' only post is an interaction; the others post nothing
    assert out["broadcast_only"].count == 0
    # nobody is regular on 2 channels, follows influencers or tells stories
    assert out["regular_across_channels"].count == 0
    assert (out["no_cross_channel_influencers"].count, out["no_cross_channel_influencers"].share) == (10, 1.0)
    assert out["effective_storytelling"].count == 0
    for f in out.values():
        assert f.ci_low <= f.share <= f.ci_high


def test_audit_findings_all_broadcast_only(cohort):
    for cid in ("a", "b", "c"):
        cohort.company(cid)
        cohort.post(f"{cid}1", f"{cid}care", "2024-03-04T10:00:00Z", "Our spring sale")
    f = next(f for f in cohort.audit().findings if f.key == "broadcast_only")
    assert (f.n, f.count, f.share, f.ci_low, f.ci_high, f.wilson_high) == (3, 3, 1.0, 1.0, 1.0, pytest.approx(1.0))


def test_industry_level(result, tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        build(c).load()
        ranking = run_audit(c.store.con, AuditConfig(bootstrap_samples=200, ranking_min_companies=2),
                            level="industry").ranking
    got = {r.industry: (r.companies, r.rank) for r in ranking.industries}
    # retail 2 companies (r1 80, r3 75 -> 77.5), telecom 3 (51.67), consumer_products 2 (75, 0 -> 37.5);
    # restaurants, food_beverage and pharma_healthcare have 1 company each: unranked
    assert got == {"retail": (2, 1), "telecom": (3, 2), "consumer_products": (2, 3), "restaurants": (1, None),
                   "food_beverage": (1, None), "pharma_healthcare": (1, None)}
    assert ranking.spearman is None  # only Study A's level is compared with Study A
