"""Brand activity: interactions with consumer content vs own content, broadcast only at 95 %.

An interaction is a brand post that replies to, comments on, shares or quotes a CONSUMER post;
everything else the brand posts is its own content.
"""

from __future__ import annotations

import pytest
from metrics.cohort import fresh_cohort, rows_by

from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.engagement import brand_activity


def build(c):
    c.company("bcast", accounts={"twitter": ["bcastcare"]})
    c.company("mixed", accounts={"twitter": ["mixedcare"], "facebook": ["mixedpage"]})
    c.company("talker", accounts={"twitter": ["talkercare"]})
    day = "2024-03-{:02d}T10:00:00Z"

    # bcast: 19 own posts + 1 reply to a consumer's question = 20 posts, 1 interaction
    for i in range(19):
        c.post(f"b{i}", "bcastcare", day.format(1 + i), f"Offer number {i} of the month")
    c.post("q1", "quinn", "2024-03-01T09:00:00Z", "@bcastcare where is my order?")
    c.post("b19", "bcastcare", "2024-03-01T09:30:00Z", "on its way", parent_id="q1")

    # mixed: twitter 10 own + 1 share of a consumer post; facebook 8 own + 1 comment on a consumer comment
    for i in range(10):
        c.post(f"m{i}", "mixedcare", day.format(1 + i), f"Tweet {i}")
    c.post("u1", "uma", "2024-03-02T08:00:00Z", "look at my new shoes")  # a consumer's own post
    c.post("m10", "mixedcare", "2024-03-02T09:00:00Z", "so nice", kind="share", ref_id="u1")
    for i in range(8):
        c.post(f"mf{i}", "mixedpage", day.format(1 + i), f"Page post {i}", channel="facebook")
    c.post("v1", "vic", "2024-03-01T11:00:00Z", "great post", channel="facebook", parent_id="mf0")
    c.post("mf8", "mixedpage", "2024-03-01T12:00:00Z", "thanks Vic", channel="facebook", parent_id="v1")

    # talker: 2 own posts, 1 mention of a consumer, 1 reply to ANOTHER BRAND's post, 1 reply to its own post,
    # 1 quote of another brand's post -> 6 posts, no interaction with consumer content
    c.post("t0", "talkercare", day.format(1), "Hello world")
    c.post("t1", "talkercare", day.format(2), "Second post")
    c.post("t2", "talkercare", day.format(3), "@uma thanks for the shout-out", kind="mention")
    c.post("t3", "talkercare", day.format(4), "congrats on the launch", parent_id="b0")
    c.post("t4", "talkercare", day.format(5), "more in the thread", parent_id="t0")
    c.post("t5", "talkercare", day.format(6), "look at this", kind="quote", ref_id="b1")
    return c


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("brand")) as c:
        yield rows_by(build(c).audit().companies, "company_id", "channel")


def test_nineteen_own_posts_and_one_interaction_is_broadcast_only(rows):
    b = rows[("bcast", "all")]
    # 20 brand posts, 1 interaction -> own 19, broadcast share 19 / 20 = 0.95 >= 0.95
    assert (b["brand_posts"], b["interactions"], b["own_posts"]) == (20, 1, 19)
    assert b["interaction_share"] == pytest.approx(0.05)
    assert b["broadcast_share"] == pytest.approx(0.95)
    assert b["broadcast_only"] is True
    assert b["ever_interacted"] is True


def test_eighteen_own_posts_and_two_interactions_is_not(rows):
    m = rows[("mixed", "all")]
    # 20 posts, 2 interactions (a share on twitter, a comment on facebook) -> 18 / 20 = 0.9 < 0.95
    assert (m["brand_posts"], m["interactions"], m["own_posts"]) == (20, 2, 18)
    assert m["broadcast_share"] == pytest.approx(0.9)
    assert m["broadcast_only"] is False
    assert m["ever_interacted"] is True
    # one of the two is a share of consumer content
    assert m["shares_of_consumers"] == 1


def test_per_channel_rows(rows):
    tw, fb = rows[("mixed", "twitter")], rows[("mixed", "facebook")]
    # twitter: 11 posts, 1 share -> 10 / 11; facebook: 9 posts, 1 comment -> 8 / 9
    assert (tw["brand_posts"], tw["interactions"], tw["shares_of_consumers"]) == (11, 1, 1)
    assert tw["broadcast_share"] == pytest.approx(10 / 11)
    assert (fb["brand_posts"], fb["interactions"], fb["shares_of_consumers"]) == (9, 1, 0)
    assert fb["broadcast_share"] == pytest.approx(8 / 9)
    assert tw["broadcast_only"] is False and fb["broadcast_only"] is False


def test_replying_to_another_brand_or_to_itself_is_not_an_interaction(rows):
    t = rows[("talker", "all")]
    # t0..t5: none replies to / shares / quotes a consumer post; a mention is not an interaction either
    assert (t["brand_posts"], t["interactions"], t["own_posts"]) == (6, 0, 6)
    assert t["broadcast_share"] == 1.0 and t["broadcast_only"] is True
    assert t["ever_interacted"] is False


def test_broadcast_threshold_is_configurable(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        rows = rows_by(build(c).audit(broadcast_only_share=0.9).companies, "company_id", "channel")
    # at 90 %, 18 of 20 is broadcast only too; facebook 8 of 9 (0.889) is not
    assert rows[("mixed", "all")]["broadcast_only"] is True
    assert rows[("mixed", "facebook")]["broadcast_only"] is False


def test_brand_activity_as_an_ibis_expression(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        build(c)
        out = rows_by(brand_activity(c.posts(), AuditConfig()).to_pyarrow(), "company_id", "channel")
    assert out[("bcast", "all")]["interactions"] == 1
    assert out[("talker", "twitter")]["interactions"] == 0
    assert ("talker", "facebook") not in out
