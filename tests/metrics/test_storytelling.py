"""Storytelling posts and whether storytelling is effective, on hand-made cohorts.

A storytelling post is an own top-level brand post that carries a series tag (a hashtag on >= 3
of the company's posts), is a video, is long-form (>= 500 characters) or has narrative cues.
Effective = the bootstrap CI of (mean engagement of story posts / mean of the other posts) is
above 1 AND the series spans >= 2 weeks.
"""

from __future__ import annotations

import numpy as np
import pytest
from metrics.cohort import fresh_cohort, rows_by

from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.storytelling import (
    own_posts,
    ratio_ci,
    storytelling_metrics,
    storytelling_posts,
)

PLAIN = ["New arrivals in store today", "Opening hours change on Monday", "Free delivery this weekend"]


def build(c):
    for cid in ("teller", "scatter", "nocount", "forms"):
        c.company(cid)
    # teller: #fridaystory on 3 posts in 3 different weeks (Fri 1, 8, 15 March 2024), 100/110/120 likes;
    # 3 plain posts with 10/12/11 likes.  Lift = mean(100, 110, 120) / mean(10, 12, 11) = 110 / 11 = 10;
    # every bootstrap resample is >= 100 / 12 = 8.3 > 1.
    for i, (day, likes) in enumerate((("01", 100), ("08", 110), ("15", 120))):
        c.post(f"t{i}", "tellercare", f"2024-03-{day}T10:00:00Z", f"Another week, another #FridayStory {i}",
               likes=likes)
    for i, likes in enumerate((10, 12, 11)):
        c.post(f"tp{i}", "tellercare", f"2024-03-0{4 + i}T10:00:00Z", PLAIN[i], likes=likes)
    # scatter: the same engagement, but the 3 series posts fall in one week (Mon 4 - Wed 6 March)
    for i, (day, likes) in enumerate((("04", 100), ("05", 110), ("06", 120))):
        c.post(f"s{i}", "scattercare", f"2024-03-{day}T10:00:00Z", f"Another day, another #FridayStory {i}",
               likes=likes)
    for i, likes in enumerate((10, 12, 11)):
        c.post(f"sp{i}", "scattercare", f"2024-03-1{1 + i}T10:00:00Z", PLAIN[i], likes=likes)
    # nocount: teller's posts without any engagement counts
    for i, day in enumerate(("01", "08", "15")):
        c.post(f"n{i}", "nocountcare", f"2024-03-{day}T10:00:00Z", f"Another week, another #FridayStory {i}")
    for i in range(3):
        c.post(f"np{i}", "nocountcare", f"2024-03-0{4 + i}T10:00:00Z", PLAIN[i])
    # forms: one post of each form, and the near misses
    c.post("f_video", "formscare", "2024-03-04T10:00:00Z", "Watch this", media_type="video")
    c.post("f_photo", "formscare", "2024-03-04T11:00:00Z", "Look at this", media_type="photo")
    c.post("f_long", "formscare", "2024-03-04T12:00:00Z", "x" * 500)
    c.post("f_short", "formscare", "2024-03-04T13:00:00Z", "x" * 499)
    c.post("f_cue1", "formscare", "2024-03-04T14:00:00Z", "Behind the scenes at our bakery")
    c.post("f_cue2", "formscare", "2024-03-04T15:00:00Z", "Meet our new head chef")
    c.post("f_cue3", "formscare", "2024-03-04T16:00:00Z", "Hinter den Kulissen unserer Backstube")
    c.post("f_tag1", "formscare", "2024-03-05T10:00:00Z", "Tuesday #deal")
    c.post("f_tag2", "formscare", "2024-03-12T10:00:00Z", "Tuesday #deal again")  # 2 posts: no series
    c.post("f_plain", "formscare", "2024-03-05T11:00:00Z", PLAIN[0])
    # a long reply is not an own top-level post
    c.post("q1", "quinn", "2024-03-05T12:00:00Z", "@formscare hello?")
    c.post("f_reply", "formscare", "2024-03-05T13:00:00Z", "y" * 600, parent_id="q1")
    return c


@pytest.fixture(scope="module")
def cohort_mod(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("story")) as c:
        yield build(c)


@pytest.fixture(scope="module")
def rows(cohort_mod):
    return rows_by(cohort_mod.audit().companies, "company_id", "channel")


def test_story_forms(cohort_mod):
    config = AuditConfig()
    flagged = rows_by(storytelling_posts(own_posts(cohort_mod.posts(), config), config).to_pyarrow(), "post_id")
    story = {pid for pid, r in flagged.items() if pid.startswith("f_") and r["story"]}
    # video, >= 500 chars, EN and DE narrative cues; not a photo, 499 chars, a tag on only 2 posts, plain text
    assert story == {"f_video", "f_long", "f_cue1", "f_cue2", "f_cue3"}
    assert "f_reply" not in flagged  # replies are not own top-level content
    # the series: hashtags are matched case-insensitively ("#FridayStory" -> "fridaystory")
    assert all(flagged[f"t{i}"]["in_series"] and flagged[f"t{i}"]["story"] for i in range(3))
    assert flagged["t0"]["series_weeks"] == 3 and flagged["s0"]["series_weeks"] == 1
    assert not flagged["f_tag1"]["in_series"]


def test_series_over_weeks_with_lift_is_effective(rows):
    t = rows[("teller", "all")]
    assert (t["top_level_posts"], t["storytelling_posts"], t["series_posts"], t["series_weeks"]) == (6, 3, 3, 3)
    assert t["storytelling_lift"] == pytest.approx(10.0)  # 110 / 11
    assert t["lift_ci_low"] >= 100 / 12 - 1e-9 and t["lift_ci_high"] <= 120 / 10 + 1e-9
    assert t["storytelling_effective"] is True
    assert rows[("teller", "twitter")]["storytelling_effective"] is True
    assert t["score_storytelling"] == 1.0


def test_the_same_lift_in_one_week_is_scattered_not_effective(rows):
    s = rows[("scatter", "all")]
    assert s["storytelling_lift"] == pytest.approx(10.0)
    assert s["lift_ci_low"] > 1
    assert s["series_weeks"] == 1
    assert s["storytelling_effective"] is False
    assert s["score_storytelling"] == 0.5  # tells stories, not shown to work


def test_no_engagement_counts_gives_no_lift(rows):
    n = rows[("nocount", "all")]
    assert n["storytelling_posts"] == 3 and n["series_weeks"] == 3
    assert n["storytelling_lift"] is None and n["lift_ci_low"] is None and n["lift_ci_high"] is None
    assert n["storytelling_effective"] is False


def test_forms_company_counts(rows):
    f = rows[("forms", "all")]
    # 10 own top-level posts (the reply is not), 5 of them stories, no series, no counts
    assert (f["top_level_posts"], f["storytelling_posts"], f["series_posts"], f["series_weeks"]) == (10, 5, 0, 0)
    assert f["storytelling_effective"] is False


def test_effective_storytelling_finding(cohort_mod):
    finding = next(f for f in cohort_mod.audit().findings if f.key == "effective_storytelling")
    # 1 (teller) of 4 companies
    assert (finding.n, finding.count, finding.share) == (4, 1, 0.25)


def test_series_weeks_threshold_is_configurable(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        build(c)
        rows = rows_by(storytelling_metrics(c.posts(), AuditConfig(storytelling_series_weeks=1,
                                                                   bootstrap_samples=200)), "company_id", "channel")
    assert rows[("scatter", "all")]["storytelling_effective"] is True


def test_series_posts_threshold_is_configurable(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        build(c)
        config = AuditConfig(storytelling_series_posts=2)
        flagged = rows_by(storytelling_posts(own_posts(c.posts(), config), config).to_pyarrow(), "post_id")
    assert flagged["f_tag1"]["in_series"] and flagged["f_tag1"]["series_weeks"] == 2


def test_ratio_ci_by_hand():
    rng = np.random.default_rng(1)
    # every value equal within each group: the ratio and both bounds are 30 / 10 = 3
    assert ratio_ci(np.array([30.0, 30.0]), np.array([10.0, 10.0]), 200, 0.95, rng) == pytest.approx((3, 3, 3))
    # other posts without engagement: every resample of them is 0, the ratio and both bounds are infinite
    assert ratio_ci(np.array([5.0, 6.0]), np.array([0.0, 0.0]), 200, 0.95, rng) == (np.inf, np.inf, np.inf)
    # no engagement anywhere: nothing to compare
    assert all(np.isnan(x) for x in ratio_ci(np.array([0.0, 0.0]), np.array([0.0, 0.0]), 200, 0.95, rng))


def test_stories_with_engagement_against_posts_without_any(cohort):
    # series #tale over 2 weeks with 5 likes each; 3 plain posts with 0 likes: lift 5 / 0, beyond measure;
    # the bound is infinite (> 1), written as null
    cohort.company("acme")
    for i, day in enumerate(("04", "11", "12")):
        cohort.post(f"s{i}", "acmecare", f"2024-03-{day}T10:00:00Z", f"#tale {i}", likes=5)
        cohort.post(f"p{i}", "acmecare", f"2024-03-{day}T11:00:00Z", "plain", likes=0)
    row = rows_by(cohort.audit().companies, "company_id", "channel")[("acme", "all")]
    assert (row["storytelling_posts"], row["series_weeks"]) == (3, 2)
    assert row["storytelling_lift"] is None and row["lift_ci_low"] is None
    assert row["storytelling_effective"] is True


def test_ratio_ci_delta_method_for_large_groups():
    rng = np.random.default_rng(2)
    story = rng.poisson(20, 15_000).astype(float)
    other = rng.poisson(10, 15_000).astype(float)
    ratio, low, high = ratio_ci(story, other, 200, 0.95, rng)
    assert ratio == pytest.approx(story.mean() / other.mean())
    assert low < ratio < high and high - low < 0.1


def test_lift_intervals_do_not_depend_on_the_order_rows_come_in(cohort_mod):
    """Engines return rows in their own order (DuckDB and Spark differ on large stores); the
    bootstrap must draw the same resamples either way."""
    posts = cohort_mod.posts()
    config = AuditConfig(bootstrap_samples=300)
    forward = storytelling_metrics(posts.order_by("post_id"), config)
    backward = storytelling_metrics(posts.order_by(posts.post_id.desc()), config)
    assert forward.to_pylist() == backward.to_pylist()
    assert any(r["lift_ci_low"] is not None for r in forward.to_pylist())
