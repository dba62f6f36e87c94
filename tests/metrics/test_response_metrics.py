"""Response metrics per company x channel and the company's ``all`` row, on hand-made cohorts.

Weeks are UTC weeks starting on Monday: W1 = 2024-03-04, W2 = 03-11, W3 = 03-18, W4 = 03-25.
Every company is 24/7 in UTC, so business seconds equal the wall clock.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest
from metrics.cohort import H, fresh_cohort, rows_by

from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.engagement import response_metrics, sla_columns

SLA = ["sla_0_1h", "sla_1_4h", "sla_4_8h", "sla_8_24h", "sla_over_24h"]


def accounts(cid: str) -> dict:
    return {"twitter": [f"{cid}care"], "facebook": [f"{cid}page"], "instagram": [f"{cid}gram"]}


class Posts:
    """Inbound posts with optional replies after a given number of seconds."""

    def __init__(self, cohort, company: str) -> None:
        self.c, self.company, self.n = cohort, company, 0

    def inbound(self, at: str, text: str, reply_after: float | None = None, channel: str = "twitter") -> None:
        self.n += 1
        pid = f"{self.company}-{channel[:2]}{self.n}"
        self.c.post(pid, f"user{self.n}", at, text, channel=channel, company=self.company)
        if reply_after is not None:
            when = dt.datetime.fromisoformat(at) + dt.timedelta(seconds=reply_after)
            brand = {"twitter": "care", "facebook": "page", "instagram": "gram"}[channel]
            self.c.post(pid + "r", f"{self.company}{brand}", when.isoformat(), "we are on it", channel=channel,
                        parent_id=pid)


def build(c):
    for cid in ("acme", "globex", "hooli", "initech", "umbrella", "edge", "edge2", "quiet"):
        c.company(cid, accounts=accounts(cid))

    acme = Posts(c, "acme")
    # twitter, W1
    acme.inbound("2024-03-04T10:00:00Z", "where is my order?", 1 * H)  # question, exactly 1 h -> first bucket
    acme.inbound("2024-03-04T11:00:00Z", "my parcel is broken", 2 * H)  # complaint, 1-4 h
    acme.inbound("2024-03-04T12:00:00Z", "love you guys", 0.5 * H)  # not actionable, answered, 0-1 h
    acme.inbound("2024-03-04T13:00:00Z", "why is it late?")  # question, unanswered
    # twitter, W2
    acme.inbound("2024-03-11T10:00:00Z", "can I pay by card?", 5 * H)  # question, 4-8 h
    acme.inbound("2024-03-11T11:00:00Z", "refund please", 30 * H)  # complaint, > 24 h
    acme.inbound("2024-03-11T12:00:00Z", "the app keeps crashing", 10 * H)  # complaint, 8-24 h
    # twitter, W3
    acme.inbound("2024-03-18T10:00:00Z", "hello?")  # question, unanswered
    # facebook, W1 and W2
    acme.inbound("2024-03-04T09:00:00Z", "is the store open on sunday?", 600, channel="facebook")
    acme.inbound("2024-03-11T09:00:00Z", "how do I return an item?", 1200, channel="facebook")
    acme.inbound("2024-03-11T10:00:00Z", "what sizes do you have?", channel="facebook")

    # regular on twitter and facebook -> regular across channels
    for cid in ("globex", "hooli"):
        p = Posts(c, cid)
        p.inbound("2024-03-04T10:00:00Z", "where is my order?", 600)
        p.inbound("2024-03-04T10:00:00Z", "where is my order?", 600, channel="facebook")
    # hooli also has instagram inbound, none of it actionable: that channel does not count
    Posts(c, "hooli").inbound("2024-03-04T10:00:00Z", "thanks, great service", channel="instagram")

    # initech: regular on twitter; facebook inbound is not actionable -> only one channel qualifies
    p = Posts(c, "initech")
    p.inbound("2024-03-04T10:00:00Z", "where is my order?", 600)
    p.inbound("2024-03-04T10:00:00Z", "love you guys", channel="facebook")

    # umbrella: regular on twitter, a facebook question left unanswered -> not regular across channels
    p = Posts(c, "umbrella")
    p.inbound("2024-03-04T10:00:00Z", "where is my order?", 600)
    p.inbound("2024-03-04T10:00:00Z", "where is my order?", channel="facebook")

    # edge: 8 actionable over 4 weeks, answered: W1 1 of 2, W2 1 of 2, W3 2 of 2, W4 0 of 2
    # -> rate 4 / 8 = 0.5 and weeks 3 / 4 = 0.75: both thresholds met exactly -> regular
    # edge2: the same but W3 only 1 of 2 -> rate 3 / 8 = 0.375 -> not regular (weeks still 0.75)
    for cid, w3_both in (("edge", True), ("edge2", False)):
        p = Posts(c, cid)
        for day, answers in (("04", (60, None)), ("11", (60, None)), ("18", (60, 60 if w3_both else None)),
                             ("25", (None, None))):
            p.inbound(f"2024-03-{day}T10:00:00Z", "where is my order?", answers[0])
            p.inbound(f"2024-03-{day}T11:00:00Z", "the app is broken", answers[1])

    # quiet: answers a complaint, not a question -> never answered a question
    p = Posts(c, "quiet")
    p.inbound("2024-03-04T10:00:00Z", "the app is broken", 600)
    p.inbound("2024-03-04T11:00:00Z", "where is my order?")
    return c


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("metrics")) as c:
        yield build(c).audit()


@pytest.fixture(scope="module")
def rows(result):
    return rows_by(result.companies, "company_id", "channel")


def test_one_row_per_company_and_channel_plus_all(rows):
    assert sorted(k for k in rows if k[0] == "acme") == [("acme", "all"), ("acme", "facebook"), ("acme", "twitter")]
    assert sorted(k for k in rows if k[0] == "hooli") == [("hooli", "all"), ("hooli", "facebook"),
                                                          ("hooli", "instagram"), ("hooli", "twitter")]


def test_counts_per_channel(rows):
    tw, fb = rows[("acme", "twitter")], rows[("acme", "facebook")]
    # twitter: 8 inbound; actionable all but "love you guys" = 7; answered 6 (all but "why is it late?" and
    # "hello?"), of them actionable 5; questions: where / why / can / hello = 4, answered where + can = 2;
    # complaints: broken / refund / crashing = 3
    assert (tw["inbound"], tw["actionable"], tw["responded"], tw["actionable_responded"]) == (8, 7, 6, 5)
    assert (tw["questions"], tw["questions_answered"], tw["complaints"]) == (4, 2, 3)
    assert tw["response_rate"] == pytest.approx(5 / 7)
    # facebook: 3 inbound, all questions, 2 answered
    assert (fb["inbound"], fb["actionable"], fb["responded"], fb["actionable_responded"]) == (3, 3, 2, 2)
    assert fb["response_rate"] == pytest.approx(2 / 3)


def test_response_time_quantiles_per_channel(rows):
    tw, fb = rows[("acme", "twitter")], rows[("acme", "facebook")]
    # twitter answered (s): 1800, 3600, 7200, 18000, 36000, 108000 (the non-actionable one included)
    # median = (7200 + 18000) / 2 = 12600; p90 (linear) at rank 0.9 * 5 = 4.5: 36000 + 0.5 * 72000 = 72000
    assert tw["median_response_s"] == pytest.approx(12600)
    assert tw["p90_response_s"] == pytest.approx(72000)
    # facebook: 600, 1200 -> median 900, p90 = 600 + 0.9 * 600 = 1140
    assert fb["median_response_s"] == pytest.approx(900)
    assert fb["p90_response_s"] == pytest.approx(1140)
    # 24/7 UTC: business time = wall clock
    assert tw["median_business_s"] == pytest.approx(12600) and fb["p90_business_s"] == pytest.approx(1140)


def test_sla_buckets_per_channel(rows):
    tw, fb = rows[("acme", "twitter")], rows[("acme", "facebook")]
    # twitter, 6 answered: 0-1 h {1800, 3600 (exactly 1 h)} 2; 1-4 h {7200}; 4-8 h {18000}; 8-24 h {36000};
    # > 24 h {108000}
    assert [tw[k] for k in SLA] == pytest.approx([2 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6])
    assert [fb[k] for k in SLA] == pytest.approx([1, 0, 0, 0, 0])
    for r in rows.values():
        if r["responded"]:
            assert sum(r[k] for k in SLA) == pytest.approx(1)
        else:
            assert all(r[k] is None for k in SLA)


def test_all_row_is_computed_from_the_posts_not_by_averaging_channels(rows):
    a = rows[("acme", "all")]
    # 8 + 3 inbound, 7 + 3 actionable, 6 + 2 answered, 5 + 2 actionable answered
    assert (a["inbound"], a["actionable"], a["responded"], a["actionable_responded"]) == (11, 10, 8, 7)
    # 7 / 10 = 0.7, not the mean of 5/7 and 2/3 (0.690)
    assert a["response_rate"] == pytest.approx(0.7)
    # all 8 answered: 600, 1200, 1800, 3600, 7200, 18000, 36000, 108000
    # median = (3600 + 7200) / 2 = 5400; p90 at rank 0.9 * 7 = 6.3: 36000 + 0.3 * 72000 = 57600
    assert a["median_response_s"] == pytest.approx(5400)
    assert a["p90_response_s"] == pytest.approx(57600)
    # buckets of 8: 0-1 h {600, 1200, 1800, 3600} = 4; then one in each
    assert [a[k] for k in SLA] == pytest.approx([4 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8])


def test_weeks_and_regular(rows):
    tw, fb, a = rows[("acme", "twitter")], rows[("acme", "facebook")], rows[("acme", "all")]
    # twitter: actionable in W1, W2, W3; answered in W1, W2 -> 2 / 3 < 0.75 -> not regular (rate 0.71 is enough)
    assert (tw["weeks_actionable"], tw["weeks_answered"]) == (3, 2)
    assert tw["responded_weeks_share"] == pytest.approx(2 / 3)
    assert tw["regular"] is False
    # facebook: W1, W2 both answered -> 1.0, rate 2/3 >= 0.5 -> regular
    assert (fb["weeks_actionable"], fb["weeks_answered"]) == (2, 2)
    assert fb["regular"] is True
    # all: weeks W1, W2, W3 (a week counts once over channels), answered W1, W2 -> not regular
    assert (a["weeks_actionable"], a["weeks_answered"]) == (3, 2)
    assert a["regular"] is False
    assert a["regular_across_channels"] is False  # twitter is not regular
    assert tw["regular_across_channels"] is None  # a company-level flag


def test_regular_thresholds_are_inclusive(rows):
    e, e2 = rows[("edge", "twitter")], rows[("edge2", "twitter")]
    # edge: 4 of 8 answered = 0.5, weeks 3 of 4 = 0.75 -> regular
    assert (e["actionable"], e["actionable_responded"], e["weeks_actionable"], e["weeks_answered"]) == (8, 4, 4, 3)
    assert e["response_rate"] == 0.5 and e["responded_weeks_share"] == 0.75
    assert e["regular"] is True
    # edge2: 3 of 8 = 0.375 < 0.5 -> not regular, although weeks are 3 of 4
    assert (e2["actionable_responded"], e2["weeks_answered"]) == (3, 3)
    assert e2["regular"] is False


def test_regular_across_channels(rows):
    # globex: regular on twitter and facebook (1 question each, answered in 10 min)
    assert rows[("globex", "twitter")]["regular"] and rows[("globex", "facebook")]["regular"]
    assert rows[("globex", "all")]["regular_across_channels"] is True
    # hooli: the same, plus instagram inbound with nothing actionable: not a channel that must be regular
    assert rows[("hooli", "instagram")]["regular"] is False
    assert rows[("hooli", "all")]["regular_across_channels"] is True
    # initech: regular on twitter, its facebook inbound is not actionable -> only 1 channel < 2
    assert rows[("initech", "twitter")]["regular"] is True
    assert rows[("initech", "all")]["regular_across_channels"] is False
    # umbrella: facebook question unanswered -> facebook not regular
    assert rows[("umbrella", "facebook")]["regular"] is False
    assert rows[("umbrella", "all")]["regular_across_channels"] is False


def test_regular_across_channels_honours_min_channels(result, tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        rows = rows_by(build(c).audit(regular_min_channels=1).companies, "company_id", "channel")
    # one regular channel is now enough for initech
    assert rows[("initech", "all")]["regular_across_channels"] is True
    assert rows[("umbrella", "all")]["regular_across_channels"] is False


def test_ever_responded_means_a_question_answered(rows):
    assert rows[("acme", "all")]["ever_responded"] is True
    # quiet answered a complaint, left its only question open
    q = rows[("quiet", "all")]
    assert (q["questions"], q["questions_answered"], q["responded"]) == (1, 0, 1)
    assert q["ever_responded"] is False
    # ... but it did interact with consumer content (its reply)
    assert q["ever_interacted"] is True


def test_sla_hours_are_configurable(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        c.company("acme", accounts=accounts("acme"))
        p = Posts(c, "acme")
        for hours in (0.5, 1.5, 2, 3, 30):
            p.inbound("2024-03-04T10:00:00Z", "where is my order?", hours * H)
        rows = rows_by(c.audit(sla_hours=[2, 24]).companies, "company_id", "channel")
    r = rows[("acme", "twitter")]
    # buckets 0-2 h {0.5, 1.5, 2}, 2-24 h {3}, > 24 h {30}
    assert sla_columns(AuditConfig(sla_hours=[2, 24])) == ["sla_0_2h", "sla_2_24h", "sla_over_24h"]
    assert [r["sla_0_2h"], r["sla_2_24h"], r["sla_over_24h"]] == pytest.approx([3 / 5, 1 / 5, 1 / 5])


def test_response_metrics_on_an_ibis_table_of_responses():
    """The function alone, on a table made by hand (no store): 2 channels, 4 posts."""
    w1, w2 = dt.datetime(2024, 3, 4), dt.datetime(2024, 3, 11)
    table = pa.table({
        "company": ["a", "a", "a", "a"],
        "channel": ["twitter", "twitter", "twitter", "facebook"],
        "week": [w1, w1, w2, w2],
        "question": [True, False, True, False],
        "complaint": [False, True, False, False],
        "actionable": [True, True, True, False],
        "responded": [True, False, True, True],
        "response_seconds": [100.0, None, 5000.0, 90000.0],
        "business_seconds": [100.0, None, 5000.0, 90000.0],
    })
    out = rows_by(response_metrics(ibis.memtable(table), AuditConfig()).to_pyarrow(), "company_id", "channel")
    tw, fb, a = out[("a", "twitter")], out[("a", "facebook")], out[("a", "all")]
    # twitter: 3 actionable, 2 answered -> 2/3; weeks W1 (answered), W2 (answered) -> regular
    assert (tw["inbound"], tw["actionable"], tw["responded"]) == (3, 3, 2)
    assert tw["response_rate"] == pytest.approx(2 / 3) and tw["regular"] is True
    assert tw["median_response_s"] == pytest.approx(2550)  # (100 + 5000) / 2
    # facebook: nothing actionable -> no rate, not regular; its one answer took > 24 h
    assert fb["response_rate"] is None and fb["regular"] is False
    assert fb["sla_over_24h"] == 1.0
    # all: 3 answered: 100 (0-1 h), 5000 (1-4 h), 90000 (> 24 h)
    assert [a[k] for k in SLA] == pytest.approx([1 / 3, 1 / 3, 0, 0, 1 / 3])
    assert a["median_response_s"] == pytest.approx(5000)
