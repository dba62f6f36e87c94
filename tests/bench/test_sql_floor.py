"""The benchmark's SQL floor computes the audit's tables: equal to the audit, column by column, on
the real TWCS sample (cue rule and classifier reading) and on a small hand-made cohort with
several channels, influencers and storytelling groups large enough for the delta-method interval.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY
from metrics.cohort import fresh_cohort
from typer.testing import CliRunner

from socialaudit.bench.sql_floor import KEYS, sql_floor
from socialaudit.cli import app
from socialaudit.metrics.actionable import CueRule, EnrichedRule, default_rule
from socialaudit.metrics.audit import AuditResult, run_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.store import Store

#: Each part of the company table, and the count that is positive where the audit has such a row
#: (the audit's merged table fills 0 / false where a part has no row).
PARTS = {"response_metrics": "inbound", "brand_activity": "brand_posts", "influencers": "influencers_engaged",
         "storytelling": "top_level_posts"}
#: Where the audit resamples, the floor leaves these null (no bootstrap in SQL).
RESAMPLED = ("lift_ci_low", "lift_ci_high", "storytelling_effective")
FAST = {"bootstrap_samples": 200}


def assert_floor_equals_audit(floor: dict[str, pa.Table], audit: AuditResult) -> int:
    """Every column of every floor table equals the audit's (floats to 1e-9); returns how many
    storytelling interval/effectiveness values were compared (not left null by the floor)."""
    assert set(floor) == set(KEYS)
    resp = floor["responses"]
    assert set(audit.responses.column_names) - set(resp.column_names) == {"business_seconds"}
    assert_same_rows(resp, audit.responses.select(resp.column_names), KEYS["responses"])
    compared = 0
    for name, count in PARTS.items():
        part = floor[name]
        missing = set(part.column_names) - set(audit.companies.column_names)
        assert not missing, (name, missing)
        expected = audit.companies.filter(pc.greater(audit.companies.column(count), 0)).select(part.column_names)
        compared += assert_same_rows(part, expected, KEYS[name], RESAMPLED if name == "storytelling" else ())
    return compared


def assert_same_rows(got: pa.Table, expected: pa.Table, keys: list[str], null_allowed: tuple[str, ...] = ()) -> int:
    order = [(k, "ascending") for k in keys]
    got, expected = got.sort_by(order), expected.sort_by(order)
    assert got.select(keys).to_pylist() == expected.select(keys).to_pylist(), "different rows"
    compared = 0
    for name in got.column_names:
        for key, x, y in zip(got.select(keys).to_pylist(), got.column(name).to_pylist(),
                             expected.column(name).to_pylist(), strict=True):
            if x is None and name in null_allowed:
                continue
            compared += name in null_allowed
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), (name, key, x, y)
            else:
                assert type(x) is type(y) and x == y, (name, key, x, y)
    return compared


# The real sample ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_stores(tmp_path_factory):
    """The bundled TWCS sample: as imported (cue rule) and enriched (the classifiers' reading)."""
    tmp = tmp_path_factory.mktemp("sql_floor")
    plain, enriched = tmp / "plain.duckdb", tmp / "enriched.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(BUNDLED_SAMPLE), "--db", str(plain), "--registry", str(REGISTRY)])
    assert result.exit_code == 0, result.output
    shutil.copy(plain, enriched)
    result = runner.invoke(app, ["enrich", "--db", str(enriched)])
    assert result.exit_code == 0, result.output
    return {"cues": plain, "classifier": enriched}


@pytest.mark.parametrize("rule", ["cues", "classifier"])
def test_floor_equals_the_audit_on_the_real_sample(sample_stores, rule):
    with Store(sample_stores[rule], read_only=True) as store:
        assert isinstance(default_rule(store.con), CueRule if rule == "cues" else EnrichedRule)
        config = AuditConfig(**FAST)
        audit = run_audit(store.con, config)
        floor = sql_floor(store.con, config)
    assert_floor_equals_audit(floor, audit)
    assert floor["responses"].num_rows == 2778 and floor["response_metrics"].num_rows == 148
    assert pc.sum(floor["responses"].column("responded")).as_py() > 1000


def test_the_comparison_catches_a_wrong_window_or_rule(sample_stores):
    """The check is not vacuous: a floor with a 1-day window, or the audit with the cue rule on an
    enriched store, disagree with it."""
    with Store(sample_stores["classifier"], read_only=True) as store:
        audit = run_audit(store.con, AuditConfig(**FAST))
        one_day = sql_floor(store.con, AuditConfig(response_window_days=1, **FAST))
        cues_audit = run_audit(store.con, AuditConfig(**FAST), rule=CueRule())
        floor = sql_floor(store.con, AuditConfig(**FAST))
    with pytest.raises(AssertionError):
        assert_floor_equals_audit(one_day, audit)
    with pytest.raises(AssertionError):
        assert_floor_equals_audit(floor, cues_audit)


# A hand-made cohort ------------------------------------------------------------------------


def build(c):
    """Two channels, the response rules' edge cases, an influencer on both channels, and
    storytelling groups: large (delta-method interval), small (resampled), and stories against
    posts without any engagement (an infinite lift)."""
    c.company("acme", accounts={"twitter": ["acmecare"], "instagram": ["acmegram"]})
    c.company("globex", accounts={"twitter": ["globexhelp"]})
    c.company("initech", accounts={"twitter": ["initechcare"]})
    c.person("jane", {"twitter": "janedoe", "instagram": "jane.doe"})
    # responses: another brand first; two replies in the same second (the smaller id wins); a reply
    # 8 days later (outside the window); a reply on another channel; a share is not inbound
    c.post("a1", "alice", "2024-03-04T10:00:00Z", "@acmecare where is my parcel?", company="acme")
    c.post("a2", "globexhelp", "2024-03-04T10:05:00Z", "we ship faster!", parent_id="a1")
    c.post("a4", "acmecare", "2024-03-04T10:20:00Z", "let us check", parent_id="a1")
    c.post("a3", "acmecare", "2024-03-04T10:20:00Z", "one moment", parent_id="a1")
    c.post("b1", "bob", "2024-03-04T10:00:00Z", "any update on my refund?", company="acme")
    c.post("b2", "acmecare", "2024-03-12T10:00:01Z", "sorry for the wait", parent_id="b1")
    c.post("k1", "kim", "2024-03-04T10:00:00Z", "can you help?", company="acme")
    c.post("k2", "acmecare", "2024-03-11T10:00:00Z", "sure", parent_id="k1")  # exactly 7 days: inside
    c.post("d1", "dave", "2024-03-04T10:00:00Z", "how do I return this?", company="acme", conversation_id="X1")
    c.post("d2", "dave", "2024-03-04T10:05:00Z", "this is broken", channel="instagram", company="acme",
           conversation_id="X1")
    c.post("d3", "acmegram", "2024-03-04T10:10:00Z", "via the form", channel="instagram", parent_id="d2",
           conversation_id="X1")
    c.post("e1", "erin", "2024-03-11T09:00:00Z", "love it", company="globex")
    c.post("e2", "globexhelp", "2024-03-11T12:00:00Z", "thanks!", parent_id="e1")
    c.post("s1", "sam", "2024-03-05T10:00:00Z", "Spring collection is here", kind="share", ref_id="g1",
           company="globex")
    # an influencer (>= 10k followers) engaged on both channels: a reply and a mention
    c.post("j1", "janedoe", "2024-03-04T10:00:00Z", "coffee time?", followers=50000, company="acme")
    c.post("j2", "jane.doe", "2024-03-04T11:00:00Z", "sunset", channel="instagram", followers=40000)
    c.post("j3", "acmecare", "2024-03-05T10:00:00Z", "enjoy", parent_id="j1")
    c.post("j4", "acmegram", "2024-03-05T10:00:00Z", "styled by @jane.doe", channel="instagram")
    # 120 fans write to initech; fan0's post got the most engagement: the top 1 %, an influencer
    for i in range(120):
        c.post(f"f{i}", f"fan{i}", "2024-03-06T10:00:00Z", f"@initechcare hello {i}", company="initech",
               followers=10 * i, likes=500 if i == 0 else i % 5)
    c.post("i7", "initechcare", "2024-03-06T11:00:00Z", "thank you", parent_id="f0")
    c.post("i8", "initechcare", "2024-03-06T11:00:00Z", "thank you", parent_id="f1")
    # storytelling: acme, 210 videos against 210 plain posts with counts, a #series over 3 weeks
    for i in range(210):
        day = f"2024-03-{1 + i % 28:02d}T{8 + i % 10:02d}:{i % 60:02d}:00Z"
        c.post(f"v{i}", "acmecare", day, f"Watch episode {i}", media_type="video", likes=90 + i % 17, shares=i % 3)
        c.post(f"p{i}", "acmecare", day, f"New arrivals {i}", likes=10 + i % 11)
    for i, day in enumerate(("04", "11", "18")):
        c.post(f"t{i}", "acmecare", f"2024-03-{day}T09:00:00Z", f"Our week #FridayStory {i}", likes=120)
    # globex: a few posts (the audit resamples); initech: stories against posts nobody engaged with
    for i, likes in enumerate((100, 110, 120, 10, 12, 11)):
        text = f"Another week #Tale {i}" if i < 3 else f"Free delivery {i}"
        c.post(f"g{i}", "globexhelp", f"2024-03-{1 + 4 * i:02d}T10:00:00Z", text, likes=likes)
    for i, likes in enumerate((5, 7, 0, 0)):
        text = f"Behind the scenes #Crew {i}" if i < 2 else f"Opening hours {i}"
        c.post(f"i{i}", "initechcare", f"2024-03-{4 + 7 * i:02d}T10:00:00Z", text, likes=likes)
    c.post("i9", "initechcare", "2024-03-20T10:00:00Z", "Behind the scenes #Crew 3", likes=6)
    return c


@pytest.fixture(scope="module")
def cohort_mod(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("sql_floor_cohort")) as c:
        build(c).load()
        yield c


CONFIGS = {
    "defaults": {},
    "thresholds": {"response_window_days": 9, "influencer_min_followers": 100_000, "storytelling_series_weeks": 4},
    "period": {"since": dt.datetime(2024, 3, 4, 10, 1, tzinfo=dt.UTC),
               "until": dt.datetime(2024, 3, 25, tzinfo=dt.UTC)},
}


@pytest.mark.parametrize("name", CONFIGS)
def test_floor_equals_the_audit_on_a_hand_made_cohort(cohort_mod, name):
    con = cohort_mod.store.con
    config = AuditConfig(**CONFIGS[name], **FAST)
    floor = sql_floor(con, config)
    audit = run_audit(con, config)
    assert assert_floor_equals_audit(floor, audit) > 0
    story = {(r["company_id"], r["channel"]): r for r in floor["storytelling"].to_pylist()}
    for channel in ("twitter", "all"):  # both groups >= 200 posts: the delta-method interval, in SQL
        assert (story[("acme", channel)]["lift_ci_low"] is None) is (name == "period")  # fewer posts in March 4-24
    assert story[("globex", "all")]["lift_ci_low"] is None  # a few posts: the audit resamples
    # stories against posts without engagement: an infinite lift, effective when the series spans the weeks
    assert story[("initech", "all")]["storytelling_lift"] is None
    # (a 4-week threshold, or a period that leaves 2 #Crew posts: no series)
    assert story[("initech", "all")]["storytelling_effective"] is (name == "defaults")
    if name == "period":  # the inbound posts of March 4, 10:00 are before it
        assert {r["post_id"] for r in floor["responses"].to_pylist()} == {"d2", "e1"} | {f"f{i}" for i in range(120)}
    if name == "defaults":
        metrics = {(r["company_id"], r["channel"]): r for r in floor["response_metrics"].to_pylist()}
        assert metrics[("acme", "all")]["inbound"] == 6 and metrics[("acme", "all")]["responded"] == 4
        first = {r["post_id"]: r["first_response_id"] for r in floor["responses"].to_pylist()}
        assert first["a1"] == "a3" and first["b1"] is None and first["k1"] == "k2" and first["d1"] is None
        influencers = {(r["company_id"], r["channel"]): r for r in floor["influencers"].to_pylist()}
        assert influencers[("acme", "all")]["cross_channel_influencers"] == 1
        assert influencers[("initech", "all")]["influencers_engaged"] == 1  # fan0, not fan1
