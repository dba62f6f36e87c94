"""The per-inbound responses table on hand-made cohorts.

The response to an inbound post is the first post of the SAME company, on the SAME channel,
in the SAME conversation, strictly AFTER it and within the response window (default 7 days).
Every expected number below is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from metrics.cohort import H, fresh_cohort, rows_by

from socialaudit.metrics.actionable import default_rule
from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.responses import inbound_posts, responses

D = 86400.0


def rules_cohort(cohort):
    """acme (twitter acmecare, facebook acmepage) and globex (twitter globexhelp), both 24/7 UTC.

    All inbound posts name their company explicitly (``company`` column).
    """
    c = cohort
    c.company("acme", accounts={"twitter": ["acmecare"], "facebook": ["acmepage"]})
    c.company("globex", accounts={"twitter": ["globexhelp"]})
    # A: another brand answers first (10:05), acme at 10:20 and again at 11:00 -> acme's 10:20 reply.
    c.post("a1", "alice", "2024-03-04T10:00:00Z", "@acmecare where is my parcel?", company="acme")
    c.post("a2", "globexhelp", "2024-03-04T10:05:00Z", "we ship faster!", parent_id="a1")
    c.post("a3", "acmecare", "2024-03-04T10:20:00Z", "let us check", parent_id="a1")
    c.post("a4", "acmecare", "2024-03-04T11:00:00Z", "found it", parent_id="a1")
    # B: acme posts at 09:00, bob comments at 10:00, acme never posts again -> no response.
    c.post("b1", "acmecare", "2024-03-04T09:00:00Z", "Spring collection is here")
    c.post("b2", "bob", "2024-03-04T10:00:00Z", "is it in blue?", parent_id="b1", company="acme")
    # C: reply 8 days + 1 s later: outside 7 days, inside 9 days.
    c.post("c1", "carol", "2024-03-04T10:00:00Z", "any update on my refund?", company="acme")
    c.post("c2", "acmecare", "2024-03-12T10:00:01Z", "sorry for the wait", parent_id="c1")
    # C': reply exactly 7 days later: the window is inclusive.
    c.post("k1", "kim", "2024-03-04T10:00:00Z", "can you help?", company="acme")
    c.post("k2", "acmecare", "2024-03-11T10:00:00Z", "sure", parent_id="k1")
    # D: the same conversation id on two channels; acme answers on facebook only.
    c.post("d1", "dave", "2024-03-04T10:00:00Z", "how do I return this?", company="acme",
           conversation_id="X1")
    c.post("d2", "dave", "2024-03-04T10:05:00Z", "how do I return this?", channel="facebook",
           company="acme", conversation_id="X1")
    c.post("d3", "acmepage", "2024-03-04T10:10:00Z", "via the form", channel="facebook", parent_id="d2",
           conversation_id="X1")
    # E: several inbound posts in one conversation.
    c.post("e1", "erin", "2024-03-04T10:00:00Z", "my order is late?", company="acme")
    c.post("e2", "acmecare", "2024-03-04T10:30:00Z", "checking", parent_id="e1")
    c.post("e3", "erin", "2024-03-04T11:00:00Z", "still not here?", parent_id="e2")
    c.post("e4", "acmecare", "2024-03-04T13:00:00Z", "it left today", parent_id="e3")
    c.post("e5", "erin", "2024-03-04T14:00:00Z", "when will it arrive?", parent_id="e4")
    # F: a reply stamped the same second as the inbound post, and one a second later.
    c.post("f1", "frank", "2024-03-04T10:00:00Z", "help?", company="acme")
    c.post("f2", "acmecare", "2024-03-04T10:00:00Z", "hi", parent_id="f1")
    # G: only a same-second reply.
    c.post("g1", "gina", "2024-03-04T10:00:00Z", "anyone there?", company="acme")
    c.post("g2", "acmecare", "2024-03-04T10:00:00Z", "yes", parent_id="g1")
    c.post("f3", "acmecare", "2024-03-04T10:00:01Z", "how can we help", parent_id="f1")
    return c


@pytest.fixture(scope="module")
def ruled(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("rules")) as c:
        yield rules_cohort(c)


@pytest.fixture(scope="module")
def ruled_default(ruled):
    """The audit with the default configuration (7-day window)."""
    return ruled.audit()


def by_post(result):
    return rows_by(result.responses, "channel", "post_id")


def test_inbound_posts_are_the_consumer_posts_of_companies(ruled_default):
    result = ruled_default
    # consumer posts: a1 b2 c1 k1 d1 e1 e3 e5 f1 g1 on twitter, d2 on facebook = 11; no brand post is inbound
    assert sorted(by_post(result)) == sorted(
        [("twitter", p) for p in ("a1", "b2", "c1", "k1", "d1", "e1", "e3", "e5", "f1", "g1")]
        + [("facebook", "d2")])
    assert set(result.responses.column("company").to_pylist()) == {"acme"}


def test_a_reply_by_another_brand_does_not_count(ruled_default):
    a1 = by_post(ruled_default)[("twitter", "a1")]
    # globex's a2 (10:05) is skipped; acme's first reply a3 at 10:20 -> 20 min; a4 (11:00) is not first
    assert a1["responded"] is True
    assert a1["first_response_id"] == "a3"
    assert a1["response_seconds"] == 20 * 60


def test_a_brand_post_before_the_inbound_does_not_count(ruled_default):
    b2 = by_post(ruled_default)[("twitter", "b2")]
    # b1 (09:00) is the post b2 comments on, one hour BEFORE it: not a response
    assert b2["responded"] is False
    assert b2["first_response_id"] is None and b2["response_seconds"] is None


def test_a_reply_after_the_window_does_not_count_unless_the_window_is_widened(ruled, ruled_default):
    c1 = by_post(ruled_default)[("twitter", "c1")]
    assert c1["responded"] is False  # 8 d + 1 s > 7 d
    ruled2 = by_post(ruled.audit(response_window_days=9))[("twitter", "c1")]
    assert ruled2["responded"] is True
    assert ruled2["first_response_id"] == "c2"
    assert ruled2["response_seconds"] == 8 * D + 1  # 691,201 s


def test_a_reply_at_exactly_the_window_counts(ruled_default):
    k1 = by_post(ruled_default)[("twitter", "k1")]
    assert k1["responded"] is True and k1["response_seconds"] == 7 * D  # 604,800 s <= 7 d


def test_window_shorter_than_a_day(ruled):
    rows = by_post(ruled.audit(response_window_days=0.25))  # 6 h
    assert rows[("twitter", "a1")]["responded"] is True  # 20 min
    assert rows[("twitter", "k1")]["responded"] is False  # 7 d
    assert rows[("twitter", "e3")]["response_seconds"] == 2 * H  # 2 h < 6 h


def test_a_reply_on_another_channel_does_not_count(ruled_default):
    rows = by_post(ruled_default)
    # d1 (twitter, conversation "X1") is not answered by d3, posted on facebook in a conversation also called "X1"
    assert rows[("twitter", "d1")]["responded"] is False
    # d2 on facebook is: 10:05 -> 10:10 = 5 min
    assert rows[("facebook", "d2")]["responded"] is True
    assert rows[("facebook", "d2")]["first_response_id"] == "d3"
    assert rows[("facebook", "d2")]["response_seconds"] == 300


def test_several_inbound_posts_in_one_conversation_each_get_their_first_response(ruled_default):
    rows = by_post(ruled_default)
    # e1 10:00 -> e2 10:30 = 1,800 s; e3 11:00 -> e4 13:00 = 7,200 s; e5 14:00 -> nothing later
    assert (rows[("twitter", "e1")]["first_response_id"], rows[("twitter", "e1")]["response_seconds"]) == ("e2", 1800)
    assert (rows[("twitter", "e3")]["first_response_id"], rows[("twitter", "e3")]["response_seconds"]) == ("e4", 7200)
    assert rows[("twitter", "e5")]["responded"] is False


def test_a_reply_in_the_same_second_does_not_count(ruled_default):
    rows = by_post(ruled_default)
    # g2 has g1's timestamp: not strictly after -> unanswered
    assert rows[("twitter", "g1")]["responded"] is False
    # f2 has f1's timestamp, f3 is one second later -> f3, 1 s
    assert rows[("twitter", "f1")]["first_response_id"] == "f3"
    assert rows[("twitter", "f1")]["response_seconds"] == 1


def test_first_response_at_and_wall_clock_agree(ruled_default):
    for row in ruled_default.responses.to_pylist():
        if row["responded"]:
            delta = (row["first_response_at"] - row["created_at"]).total_seconds()
            assert row["response_seconds"] == delta
        else:
            assert row["first_response_at"] is None and row["business_seconds"] is None


def test_responses_as_an_ibis_expression(ruled):
    """The lower-level functions work on any Ibis table of posts (here the store's)."""
    posts = ruled.posts()
    config = AuditConfig()
    table = responses(posts, inbound_posts(posts, default_rule(), config), config).to_pyarrow()
    rows = rows_by(table, "channel", "post_id")
    assert len(rows) == 11
    assert rows[("twitter", "a1")]["first_response_id"] == "a3"
    assert rows[("twitter", "e3")]["response_seconds"] == 7200


def test_ties_between_two_replies_pick_the_smaller_id(cohort):
    """Two replies of the company in the same second: the first response is well defined."""
    c = cohort.company("acme")
    c.post("p1", "pat", "2024-03-04T10:00:00Z", "help?", company="acme")
    c.post("r9", "acmecare", "2024-03-04T10:01:00Z", "part 1", parent_id="p1")
    c.post("r2", "acmecare", "2024-03-04T10:01:00Z", "part 2", parent_id="p1")
    row = by_post(c.audit())[("twitter", "p1")]
    assert row["first_response_id"] == "r2" and row["response_seconds"] == 60


# -- business seconds -----------------------------------------------------------------------

NINE_TO_FIVE = {"mon-fri": "09:00-17:00"}


def business_cohort(c):
    c.company("berlin", timezone="Europe/Berlin", business_hours=NINE_TO_FIVE, holidays="DE",
              accounts={"twitter": ["berlincare"]})
    c.company("nyc", timezone="America/New_York", business_hours=NINE_TO_FIVE, holidays="US",
              accounts={"twitter": ["nyccare"]})
    c.company("always", timezone="Europe/Berlin", business_hours="24/7", accounts={"twitter": ["alwayscare"]})
    c.company("daily", timezone="Europe/Berlin", business_hours={"daily": "09:00-17:00"},
              accounts={"twitter": ["dailycare"]})
    # Friday 2024-03-08 16:30 CET (= 15:30Z) -> Monday 2024-03-11 09:30 CET (= 08:30Z)
    c.post("w1", "u1", "2024-03-08T16:30:00+01:00", "where is it?", company="berlin")
    c.post("w2", "berlincare", "2024-03-11T09:30:00+01:00", "here", parent_id="w1")
    # Tue 2024-04-30 16:00 CEST -> Thu 2024-05-02 10:00 CEST, across Wed 1 May (Tag der Arbeit)
    c.post("h1", "u2", "2024-04-30T16:00:00+02:00", "where is it?", company="berlin")
    c.post("h2", "berlincare", "2024-05-02T10:00:00+02:00", "here", parent_id="h1")
    # unanswered
    c.post("n1", "u3", "2024-03-08T10:00:00+01:00", "hello?", company="berlin")
    # New York, Wed 2024-07-03 16:30 EDT -> Fri 2024-07-05 09:30 EDT, across Thu 4 July
    c.post("j1", "u4", "2024-07-03T16:30:00-04:00", "where is it?", company="nyc")
    c.post("j2", "nyccare", "2024-07-05T09:30:00-04:00", "here", parent_id="j1")
    # New York, Friday 2024-03-08 16:30 EST -> Monday 09:30 EDT (clocks moved on Sunday 10 March)
    c.post("j3", "u5", "2024-03-08T16:30:00-05:00", "where is it?", company="nyc")
    c.post("j4", "nyccare", "2024-03-11T09:30:00-04:00", "here", parent_id="j3")
    # Berlin 24/7 across spring forward (Sun 2017-03-26 02:00 -> 03:00):
    # Sat 12:00 CET (11:00Z) -> Sun 12:00 CEST (10:00Z)
    c.post("s1", "u6", "2017-03-25T12:00:00+01:00", "where is it?", company="always")
    c.post("s2", "alwayscare", "2017-03-26T12:00:00+02:00", "here", parent_id="s1")
    # Berlin 24/7 across fall back (Sun 2017-10-29 03:00 -> 02:00):
    # Sat 12:00 CEST (10:00Z) -> Sun 12:00 CET (11:00Z)
    c.post("s3", "u7", "2017-10-28T12:00:00+02:00", "where is it?", company="always")
    c.post("s4", "alwayscare", "2017-10-29T12:00:00+01:00", "here", parent_id="s3")
    # Berlin daily 09-17 across spring forward: Sat 2017-03-25 16:00 CET (15:00Z) -> Mon 27 10:00 CEST (08:00Z)
    c.post("s5", "u8", "2017-03-25T16:00:00+01:00", "where is it?", company="daily")
    c.post("s6", "dailycare", "2017-03-27T10:00:00+02:00", "here", parent_id="s5")
    return c


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("business")) as c:
        yield by_post(business_cohort(c).audit())


@pytest.mark.parametrize("post, wall, business_s", [
    # Fri 15:30Z -> Mon 08:30Z = 2 d 17 h = 65 h; business: Fri 16:30-17:00 + Mon 09:00-09:30 = 30 + 30 min
    ("w1", 65 * H, 1 * H),
    # Tue 14:00Z -> Thu 08:00Z = 42 h; business: Tue 16-17 (1 h) + Wed holiday (0) + Thu 09-10 (1 h) = 2 h
    ("h1", 42 * H, 2 * H),
    # Wed 20:30Z -> Fri 13:30Z = 41 h; business: Wed 16:30-17:00 + 4 July closed + Fri 09:00-09:30 = 1 h
    ("j1", 41 * H, 1 * H),
    # Fri 21:30Z -> Mon 13:30Z = 64 h (the local clock says 65 h, one hour was skipped); business 30 + 30 min
    ("j3", 64 * H, 1 * H),
    # 24/7 equals the wall clock across both changes: 11:00Z -> 10:00Z next day = 23 h; 10:00Z -> 11:00Z = 25 h
    ("s1", 23 * H, 23 * H),
    ("s3", 25 * H, 25 * H),
    # Sat 15:00Z -> Mon 08:00Z = 41 h; business: Sat 16-17 (1 h) + Sun 09-17 (8 h, a full day despite the
    # short night) + Mon 09-10 (1 h) = 10 h
    ("s5", 41 * H, 10 * H),
])
def test_business_seconds(business, post, wall, business_s):
    row = business[("twitter", post)]
    assert row["responded"] is True
    assert row["response_seconds"] == wall
    assert row["business_seconds"] == pytest.approx(business_s, abs=1e-6)


def test_business_seconds_are_null_when_not_responded(business):
    row = business[("twitter", "n1")]
    assert row["responded"] is False
    assert row["response_seconds"] is None and row["business_seconds"] is None


def test_business_seconds_of_a_company_without_registry_hours(cohort):
    """An automatic company (named only by the source) gets Mon-Fri 09:00-17:00 in UTC."""
    c = cohort.company("acme")
    # source-named company "Initrode" is not in the registry: company id "initrode", auto hours
    c.post("i1", "ivy", "2024-03-08T16:30:00Z", "where is it?", company="Initrode")
    c.post("i2", "initrodecare", "2024-03-11T09:30:00Z", "here", parent_id="i1", author_role="brand",
           company="Initrode")
    row = by_post(c.audit())[("twitter", "i1")]
    assert row["company"] == "initrode"
    assert row["response_seconds"] == 65 * H
    assert row["business_seconds"] == 1 * H


# -- the audited period -------------------------------------------------------------------


def period_cohort(c):
    c.company("acme")
    c.post("o1", "olga", "2024-03-03T23:59:59Z", "before the period?", company="acme")
    c.post("o2", "acmecare", "2024-03-04T00:30:00Z", "hi", parent_id="o1")
    c.post("i1", "ivan", "2024-03-04T00:00:00Z", "first second of the period?", company="acme")
    c.post("i2", "acmecare", "2024-03-04T00:10:00Z", "hi", parent_id="i1")
    # last hour of the period, answered after it ended
    c.post("l1", "lena", "2024-03-10T23:00:00Z", "late on Sunday?", company="acme")
    c.post("l2", "acmecare", "2024-03-11T01:00:00Z", "good morning", parent_id="l1")
    c.post("x1", "xena", "2024-03-11T00:00:00Z", "at the end of the period?", company="acme")
    return c


def test_period_restricts_inbound_posts_but_replies_after_it_count(cohort):
    c = period_cohort(cohort)
    since, until = dt.datetime(2024, 3, 4, tzinfo=dt.UTC), dt.datetime(2024, 3, 11, tzinfo=dt.UTC)
    result = c.audit(since=since, until=until)
    rows = by_post(result)
    # since is inclusive (i1 at 00:00:00 is in), until exclusive (x1 at 00:00:00 is out); o1 is a second early
    assert sorted(p for _, p in rows) == ["i1", "l1"]
    assert rows[("twitter", "i1")]["response_seconds"] == 600
    # l1 23:00 -> l2 01:00 the next day, after `until`: still its response, 2 h
    assert rows[("twitter", "l1")]["responded"] is True
    assert rows[("twitter", "l1")]["first_response_id"] == "l2"
    assert rows[("twitter", "l1")]["response_seconds"] == 2 * H
    overall = rows_by(result.companies, "company_id", "channel")[("acme", "all")]
    assert (overall["inbound"], overall["responded"]) == (2, 2)
    # brand activity is counted in the period too: o2 and i2 (00:30 and 00:10 on 4 March) but not l2
    assert overall["brand_posts"] == 2


def test_period_with_naive_datetimes_means_utc(cohort):
    c = period_cohort(cohort)
    result = c.audit(since=dt.datetime(2024, 3, 4), until=dt.datetime(2024, 3, 11))
    assert sorted(result.responses.column("post_id").to_pylist()) == ["i1", "l1"]


def test_period_only_since(cohort):
    c = period_cohort(cohort)
    result = c.audit(since=dt.datetime(2024, 3, 4, tzinfo=dt.UTC))
    assert sorted(result.responses.column("post_id").to_pylist()) == ["i1", "l1", "x1"]


def test_period_given_in_another_time_zone(cohort):
    """since = 2024-03-04 01:00 in Berlin = 00:00 UTC: the same instant as above."""
    c = period_cohort(cohort)
    berlin = dt.timezone(dt.timedelta(hours=1))
    result = c.audit(since=dt.datetime(2024, 3, 4, 1, tzinfo=berlin), until=dt.datetime(2024, 3, 11, 1, tzinfo=berlin))
    assert sorted(result.responses.column("post_id").to_pylist()) == ["i1", "l1"]


def test_until_must_follow_since():
    with pytest.raises(ValueError):
        AuditConfig(since=dt.datetime(2024, 3, 11), until=dt.datetime(2024, 3, 4))


def test_lower_level_inbound_posts_is_an_ibis_table(cohort):
    c = period_cohort(cohort)
    inbound = inbound_posts(c.posts(), default_rule(), AuditConfig())
    assert isinstance(inbound, ibis.expr.types.Table)
    assert sorted(inbound.post_id.to_pyarrow().to_pylist()) == ["i1", "l1", "o1", "x1"]


def test_a_plain_share_is_not_inbound(cohort):
    """A consumer's retweet of the brand's post is not addressed to the brand; a quote with own words is."""
    c = cohort.company("acme")
    c.post("b1", "acmecare", "2024-03-04T09:00:00Z", "Questions? Ask us!")
    c.post("s1", "sam", "2024-03-04T10:00:00Z", "RT @acmecare: Questions? Ask us!", kind="share", ref_id="b1")
    c.post("q1", "sue", "2024-03-04T10:00:00Z", "@acmecare so where is my order?", kind="quote", ref_id="b1")
    c.load()
    # both consumer posts belong to acme (they mention it) ...
    assert dict(c.store.con.execute("SELECT post_id, company_id FROM posts WHERE author_role = 'consumer'")
                .fetchall()) == {"s1": "acme", "q1": "acme"}
    result = c.audit()
    # ... but only the quote is inbound: 1 actionable, unanswered
    assert result.responses.column("post_id").to_pylist() == ["q1"]
    overall = rows_by(result.companies, "company_id", "channel")[("acme", "all")]
    assert (overall["inbound"], overall["actionable"], overall["responded"]) == (1, 1, 0)
