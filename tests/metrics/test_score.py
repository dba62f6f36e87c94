"""The engagement score: components and the weighted 0-100 composite, by hand.

Default weights: responsiveness 0.30, speed 0.20, interaction 0.15, consistency 0.15,
storytelling 0.10, influencers 0.10.  A component that does not apply is left out and the
others are rescaled.
"""

from __future__ import annotations

import pytest
from metrics.cohort import fresh_cohort, rows_by

from socialaudit.metrics.config import DEFAULT_WEIGHTS, AuditConfig
from socialaudit.metrics.score import components, score

SLA = ["sla_0_1h", "sla_1_4h", "sla_4_8h", "sla_8_24h", "sla_over_24h"]


def channel_row(**values):
    row = {"channel": "twitter", "actionable": 0, "responded": 0, "response_rate": None, "brand_posts": 0,
           "inbound": 0, "ever_interacted": False, "regular": False, "storytelling_effective": False,
           "storytelling_posts": 0, "influencers_engaged": 0, "cross_channel_influencers": 0,
           **{k: None for k in SLA}}
    row.update(values)
    return row


def test_components_and_score_of_a_channel_row():
    row = channel_row(actionable=4, responded=2, response_rate=0.5, sla_0_1h=0.5, sla_1_4h=0.5, sla_4_8h=0.0,
                      sla_8_24h=0.0, sla_over_24h=0.0, inbound=4, brand_posts=3, ever_interacted=True,
                      regular=False, storytelling_posts=2, influencers_engaged=0)
    parts = components(row, SLA)
    # speed = 0.5 * 1 + 0.5 * 0.75 = 0.875; stories that do not work = 0.5
    assert parts == {"responsiveness": 0.5, "speed": 0.875, "interaction": 1.0, "consistency": 0.0,
                     "storytelling": 0.5, "influencers": 0.0}
    # 100 * (0.3 * 0.5 + 0.2 * 0.875 + 0.15 * 1 + 0.15 * 0 + 0.1 * 0.5 + 0.1 * 0)
    # = 100 * (0.15 + 0.175 + 0.15 + 0.05) = 52.5
    assert score(parts, DEFAULT_WEIGHTS) == pytest.approx(52.5)


def test_speed_weights_every_bucket():
    row = channel_row(actionable=5, responded=5, response_rate=1.0,
                      **dict(zip(SLA, [0.2, 0.2, 0.2, 0.2, 0.2])))
    # 0.2 * (1 + 0.75 + 0.5 + 0.25 + 0) = 0.5
    assert components(row, SLA)["speed"] == pytest.approx(0.5)


def test_unanswered_actionable_gives_speed_zero():
    row = channel_row(actionable=3, responded=0, response_rate=0.0, inbound=3)
    parts = components(row, SLA)
    assert parts["responsiveness"] == 0.0 and parts["speed"] == 0.0 and parts["consistency"] == 0.0


def test_a_component_that_does_not_apply_is_left_out():
    # brand posts only: no inbound -> no responsiveness, speed or consistency
    row = channel_row(brand_posts=5, ever_interacted=True, storytelling_posts=1)
    parts = components(row, SLA)
    assert parts["responsiveness"] is None and parts["speed"] is None and parts["consistency"] is None
    # remaining weights 0.15 + 0.10 + 0.10 = 0.35: 100 * (0.15 * 1 + 0.1 * 0.5 + 0.1 * 0) / 0.35 = 57.142857
    assert score(parts, DEFAULT_WEIGHTS) == pytest.approx(100 * 0.2 / 0.35)


def test_no_component_applies():
    assert score({k: None for k in DEFAULT_WEIGHTS}, DEFAULT_WEIGHTS) is None
    # NaN counts as not applying
    assert score({"responsiveness": float("nan"), "speed": 1.0}, DEFAULT_WEIGHTS) == 100.0


def test_company_row_uses_its_channels():
    tw = channel_row(actionable=2, responded=2, response_rate=1.0, inbound=2, brand_posts=2, ever_interacted=True,
                     regular=True, sla_0_1h=1.0, sla_1_4h=0, sla_4_8h=0, sla_8_24h=0, sla_over_24h=0)
    fb = channel_row(channel="facebook", actionable=2, responded=0, response_rate=0.0, inbound=2, brand_posts=1)
    ig = channel_row(channel="instagram", brand_posts=4)  # no inbound: counts for interaction, not consistency
    yt = channel_row(channel="youtube")  # nothing at all: counts for neither
    overall = channel_row(channel="all", actionable=4, responded=2, response_rate=0.5, inbound=4, brand_posts=7,
                          ever_interacted=True, sla_0_1h=1.0, sla_1_4h=0, sla_4_8h=0, sla_8_24h=0, sla_over_24h=0,
                          storytelling_effective=True, storytelling_posts=3, influencers_engaged=2,
                          cross_channel_influencers=0)
    parts = components(overall, SLA, [tw, fb, ig, yt])
    # interaction: 1 of 3 active channels (tw, fb, ig); consistency: 1 of 2 channels with actionable inbound;
    # influencers on one channel only -> 0.5; effective storytelling -> 1
    assert parts == {"responsiveness": 0.5, "speed": 1.0, "interaction": pytest.approx(1 / 3),
                     "consistency": 0.5, "storytelling": 1.0, "influencers": 0.5}
    # 100 * (0.3 * 0.5 + 0.2 * 1 + 0.15 / 3 + 0.15 * 0.5 + 0.1 * 1 + 0.1 * 0.5)
    # = 100 * (0.15 + 0.2 + 0.05 + 0.075 + 0.1 + 0.05) = 62.5
    assert score(parts, DEFAULT_WEIGHTS) == pytest.approx(62.5)
    overall["cross_channel_influencers"] = 1
    assert components(overall, SLA, [tw, fb, ig, yt])["influencers"] == 1.0


def test_weights_are_normalised_and_checked():
    config = AuditConfig(score_weights={"responsiveness": 3, "speed": 1})
    assert config.score_weights == {"responsiveness": 0.75, "speed": 0.25, "interaction": 0.0, "consistency": 0.0,
                                    "storytelling": 0.0, "influencers": 0.0}
    with pytest.raises(ValueError):
        AuditConfig(score_weights={"charm": 1})
    with pytest.raises(ValueError):
        AuditConfig(score_weights={"speed": 0})


# -- in the audit ---------------------------------------------------------------------------


def build(c):
    c.company("acme", accounts={"twitter": ["acmecare"], "facebook": ["acmepage"]})
    c.company("mute", accounts={"twitter": ["mutecare"]})
    # acme twitter: 2 questions in W1, one answered in 30 min (0-1 h), one in 2 h (1-4 h)
    c.post("q1", "ann", "2024-03-04T10:00:00Z", "where is my order?", company="acme")
    c.post("r1", "acmecare", "2024-03-04T10:30:00Z", "on its way", parent_id="q1")
    c.post("q2", "ben", "2024-03-04T11:00:00Z", "can I pay by card?", company="acme")
    c.post("r2", "acmecare", "2024-03-04T13:00:00Z", "yes", parent_id="q2")
    # acme facebook: 1 question, unanswered; 1 own post
    c.post("q3", "cid", "2024-03-04T10:00:00Z", "is the shop open?", channel="facebook", company="acme")
    c.post("p1", "acmepage", "2024-03-04T09:00:00Z", "Spring sale", channel="facebook")
    # mute: own posts only
    c.post("m1", "mutecare", "2024-03-04T09:00:00Z", "Spring sale")
    c.post("m2", "mutecare", "2024-03-05T09:00:00Z", "Summer sale")
    return c


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("score")) as c:
        yield rows_by(build(c).audit().companies, "company_id", "channel")


def test_score_of_a_hand_made_company(rows):
    tw, fb, a = rows[("acme", "twitter")], rows[("acme", "facebook")], rows[("acme", "all")]
    # twitter: rate 2/2 = 1; speed 0.5 * 1 + 0.5 * 0.75 = 0.875; replied to consumers -> interaction 1;
    # regular (W1 answered, rate 1) -> 1; no stories 0; no influencers 0
    # = 100 * (0.3 + 0.2 * 0.875 + 0.15 + 0.15) = 100 * 0.775 = 77.5
    assert tw["score_speed"] == pytest.approx(0.875)
    assert tw["engagement_score"] == pytest.approx(77.5)
    # facebook: rate 0, speed 0 (actionable, none answered), interaction 0 (own post only), consistency 0
    assert fb["engagement_score"] == pytest.approx(0.0)
    # all: rate 2/3; speed 0.875 (the answered posts); interaction 1 of 2 channels; consistency 1 of 2
    # = 100 * (0.3 * 2/3 + 0.2 * 0.875 + 0.15 * 0.5 + 0.15 * 0.5) = 100 * (0.2 + 0.175 + 0.075 + 0.075) = 52.5
    assert a["response_rate"] == pytest.approx(2 / 3)
    assert (a["score_interaction"], a["score_consistency"]) == (0.5, 0.5)
    assert a["engagement_score"] == pytest.approx(52.5)


def test_score_renormalised_without_inbound(rows):
    m = rows[("mute", "all")]
    assert m["score_responsiveness"] is None and m["score_speed"] is None and m["score_consistency"] is None
    # interaction 0, storytelling 0, influencers 0 -> 0 over the weights that apply
    assert m["engagement_score"] == 0.0


def test_score_with_other_weights(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        rows = rows_by(build(c).audit(score_weights={"responsiveness": 1, "interaction": 1}).companies,
                       "company_id", "channel")
    # acme all: (2/3 + 0.5) / 2 = 0.58333 -> 58.33; mute: responsiveness does not apply -> interaction only = 0
    assert rows[("acme", "all")]["engagement_score"] == pytest.approx(100 * (2 / 3 + 0.5) / 2)
    assert rows[("mute", "all")]["engagement_score"] == 0.0
