"""Influencers and following them across channels, on hand-made cohorts.

An influencer is a consumer account with >= 10,000 followers, or in the top 1 % of the cohort's
consumer accounts by followers or by engagement.  A company follows an influencer across
channels when it engages (replies to, shares, quotes or @-mentions) the same identity on >= 2
channels; an identity is a registry ``people`` entry, else the handle.
"""

from __future__ import annotations

import pytest
from metrics.cohort import fresh_cohort, rows_by

from socialaudit.metrics.config import AuditConfig
from socialaudit.metrics.influencers import influencer_accounts, influencer_engagement


def build(c):
    both = lambda cid: {"twitter": [f"{cid}care"], "instagram": [f"{cid}gram"]}
    for cid in ("acme", "globex", "initech", "hooli"):
        c.company(cid, accounts=both(cid))
    c.person("jane", {"twitter": "janedoe", "instagram": "jane.doe"})
    # BigStar: the same handle on two channels, >= 10k followers on both (written with capitals)
    c.post("s1", "BigStar", "2024-03-04T10:00:00Z", "loving the new range", followers=25000)
    c.post("s2", "BigStar", "2024-03-04T11:00:00Z", "my look today", channel="instagram", followers=30000)
    # Jane: different handles, linked by the registry's people entry
    c.post("j1", "janedoe", "2024-03-04T10:00:00Z", "coffee time", followers=50000)
    c.post("j2", "jane.doe", "2024-03-04T11:00:00Z", "sunset", channel="instagram", followers=40000)
    # smallfry: 50 followers on both channels
    c.post("f1", "smallfry", "2024-03-04T10:00:00Z", "hi all", followers=50)
    c.post("f2", "smallfry", "2024-03-04T11:00:00Z", "hi all", channel="instagram", followers=50)

    # acme: replies to BigStar on twitter, @-mentions @BigStar on instagram -> 1 identity on 2 channels
    c.post("a1", "acmecare", "2024-03-05T10:00:00Z", "thank you!", parent_id="s1")
    c.post("a2", "acmegram", "2024-03-05T10:00:00Z", "styled by @BigStar", channel="instagram")
    # globex: replies to BigStar on twitter only
    c.post("g1", "globexcare", "2024-03-05T10:00:00Z", "thanks!", parent_id="s1")
    # initech: replies to janedoe on twitter, shares jane.doe's post on instagram -> jane on 2 channels
    c.post("i1", "initechcare", "2024-03-05T10:00:00Z", "enjoy", parent_id="j1")
    c.post("i2", "initechgram", "2024-03-05T10:00:00Z", "beautiful", channel="instagram", kind="share",
           ref_id="j2")
    # hooli: mentions smallfry on both channels, and replies to it -> not an influencer, nothing counts
    c.post("h1", "hooligram", "2024-03-05T10:00:00Z", "hello @smallfry", channel="instagram")
    c.post("h2", "hoolicare", "2024-03-05T10:00:00Z", "hello @smallfry", parent_id="f1")
    return c


@pytest.fixture(scope="module")
def cohort_mod(tmp_path_factory):
    with fresh_cohort(tmp_path_factory.mktemp("influencers")) as c:
        yield build(c)


@pytest.fixture(scope="module")
def rows(cohort_mod):
    return rows_by(cohort_mod.audit().companies, "company_id", "channel")


def test_influencer_accounts(cohort_mod):
    table = influencer_accounts(cohort_mod.posts(), cohort_mod.accounts(), AuditConfig()).to_pyarrow()
    found = rows_by(table, "channel", "account_id")
    # >= 10,000 followers: BigStar x 2, janedoe, jane.doe; smallfry (50) is not, nor any brand account
    assert sorted(found) == [("instagram", "BigStar"), ("instagram", "jane.doe"),
                             ("twitter", "BigStar"), ("twitter", "janedoe")]
    # identities: the handle (lower-cased) unless the registry links the accounts to a person
    assert found[("twitter", "BigStar")]["identity"] == found[("instagram", "BigStar")]["identity"] == "handle:bigstar"
    assert found[("twitter", "janedoe")]["identity"] == found[("instagram", "jane.doe")]["identity"] == "jane"


def test_same_handle_on_two_channels_is_followed_across_channels(rows):
    a = rows[("acme", "all")]
    assert a["influencers_engaged"] == 1  # one identity, BigStar
    assert a["cross_channel_influencers"] == 1
    # a mention written with capitals matches the account (mentions are stored lower-case)
    assert rows[("acme", "instagram")]["influencers_engaged"] == 1
    assert rows[("acme", "twitter")]["influencers_engaged"] == 1
    assert rows[("acme", "twitter")]["cross_channel_influencers"] == 0  # a company-level figure


def test_linked_handles_are_one_identity(rows):
    i = rows[("initech", "all")]
    # janedoe (twitter reply) and jane.doe (instagram share) are the registry person "jane"
    assert (i["influencers_engaged"], i["cross_channel_influencers"]) == (1, 1)


def test_one_channel_only_is_not_cross_channel(rows):
    g = rows[("globex", "all")]
    assert (g["influencers_engaged"], g["cross_channel_influencers"]) == (1, 0)
    assert g["score_influencers"] == 0.5  # an influencer, on one channel


def test_engaging_non_influencers_does_not_count(rows):
    h = rows[("hooli", "all")]
    assert (h["influencers_engaged"], h["cross_channel_influencers"]) == (0, 0)
    assert h["score_influencers"] == 0.0


def test_cross_channel_finding(cohort_mod):
    result = cohort_mod.audit()
    finding = next(f for f in result.findings if f.key == "no_cross_channel_influencers")
    # 4 companies: acme and initech follow an influencer across channels -> 2 do not
    assert (finding.n, finding.count, finding.share) == (4, 2, 0.5)


def test_needs_two_channels_even_when_configured_higher(tmp_path):
    with fresh_cohort(tmp_path / "c") as c:
        rows = rows_by(build(c).audit(influencer_min_channels=3).companies, "company_id", "channel")
    assert rows[("acme", "all")]["cross_channel_influencers"] == 0


def test_min_followers_is_configurable(cohort_mod):
    # at 40,000 followers: BigStar (25k/30k) drops out, janedoe (50k) and jane.doe (40k) stay;
    # the top-1 % rule adds nobody in a cohort of 6 consumer accounts
    table = influencer_accounts(cohort_mod.posts(), cohort_mod.accounts(),
                                AuditConfig(influencer_min_followers=40_000)).to_pyarrow()
    assert sorted(table.column("account_id").to_pylist()) == ["jane.doe", "janedoe"]


# -- the top-share rule ------------------------------------------------------------------------


def followers_cohort(c, followers: list[int], likes: list[int] | None = None):
    c.company("acme")
    for i, f in enumerate(followers):
        extra = {"likes": likes[i]} if likes is not None else {}
        c.post(f"p{i}", f"fan{i:03d}", "2024-03-04T10:00:00Z", "hello", followers=f, **extra)
    return c


def influencers_of(c, **config) -> list[str]:
    config.setdefault("influencer_min_followers", 10**9)  # only the top-share rule
    table = influencer_accounts(c.posts(), c.accounts(), AuditConfig(**config)).to_pyarrow()
    return sorted(table.column("account_id").to_pylist())


def test_top_one_percent_of_a_hundred_accounts_is_one_account(cohort):
    # followers 1..100: the top 1 % of 100 accounts is the one with 100
    c = followers_cohort(cohort, list(range(1, 101)))
    assert influencers_of(c) == ["fan099"]


def test_top_one_percent_of_two_hundred_accounts_is_two_accounts(cohort):
    # followers 1..200: 1 % of 200 = 2 accounts, those with 200 and 199
    c = followers_cohort(cohort, list(range(1, 201)))
    assert influencers_of(c) == ["fan198", "fan199"]


def test_top_share_is_configurable(cohort):
    # 10 accounts, 100..1000 followers: the top 10 % is 1 account, the top 20 % two
    c = followers_cohort(cohort, [100 * (i + 1) for i in range(10)])
    assert influencers_of(c, influencer_top_share=0.1) == ["fan009"]
    assert influencers_of(c, influencer_top_share=0.2) == ["fan008", "fan009"]


def test_a_small_cohort_has_no_top_one_percent(cohort):
    # 5 accounts: 1 % of 5 is less than one account, so the biggest (300 followers) is not an influencer
    c = followers_cohort(cohort, [10, 20, 50, 100, 300])
    assert influencers_of(c) == []


def test_ties_do_not_make_everyone_an_influencer(cohort):
    # 10 accounts with 500 followers each: none of them is in the top 10 % (all ten share the top value)
    c = followers_cohort(cohort, [500] * 10)
    assert influencers_of(c, influencer_top_share=0.1) == []


def test_top_share_by_engagement(cohort):
    # 10 accounts with 1 follower each; likes 0..9 on their posts: the top 10 % by engagement is the one
    # with 9 likes; followers (all tied) add nobody
    c = followers_cohort(cohort, [1] * 10, likes=list(range(10)))
    assert influencers_of(c, influencer_top_share=0.1) == ["fan009"]


def test_no_engagement_counts_means_no_engagement_influencers(cohort):
    c = followers_cohort(cohort, [1] * 10)
    assert influencers_of(c, influencer_top_share=0.1) == []


def test_influencer_engagement_as_ibis_expressions(cohort_mod):
    config = AuditConfig()
    posts = cohort_mod.posts()
    table = influencer_engagement(posts, influencer_accounts(posts, cohort_mod.accounts(), config), config)
    out = rows_by(table.to_pyarrow(), "company_id", "channel")
    assert out[("initech", "all")]["cross_channel_influencers"] == 1
    assert out[("globex", "twitter")]["influencers_engaged"] == 1
    assert ("hooli", "all") not in out  # no influencer engaged: no row (the audit fills 0)
