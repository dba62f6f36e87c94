"""Influencers, and whether a company engages the same influencer on several channels.

An influencer is a consumer account with at least ``influencer_min_followers`` followers, or
in the top ``influencer_top_share`` of the cohort's consumers by followers or by the
engagement their posts received (it and the accounts at least as large make up at most
that share: ties are all in or all out, and a cohort of fewer than 100 accounts has no top
1 %).  A company *engages* an influencer when one of its posts
replies to, shares or quotes the influencer's post or @-mentions the influencer.

Identity across channels: the registry's declared links (``identity_links``) first, else
the handle (pseudonyms are keyed on the handle alone, so one handle on two channels is one
identity), else the account itself.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .config import AuditConfig
from .engagement import ALL
from .responses import in_period


def influencer_accounts(posts: ir.Table, accounts: ir.Table, config: AuditConfig) -> ir.Table:
    """(channel, account_id, handle, identity, followers, engagement) of every influencer."""
    consumer_accounts = accounts.filter(accounts.company_id.isnull())
    consumer_posts = posts.filter(posts.author_role == "consumer")
    counts = [consumer_posts.likes, consumer_posts.shares, consumer_posts.comments]
    measured = counts[0].notnull() | counts[1].notnull() | counts[2].notnull()
    # null, not 0, for an account none of whose posts carries counts: it cannot be ranked
    engagement = consumer_posts.group_by(["channel", "account_id"]).aggregate(
        engagement=ibis.ifelse(measured, sum(c.fill_null(0) for c in counts), ibis.null()).sum())
    acc = consumer_accounts.left_join(engagement, ["channel", "account_id"]).select(
        *consumer_accounts.columns, engagement=engagement.engagement)
    top_followers = _in_top_share(acc, "followers", config.influencer_top_share)
    top_engagement = _in_top_share(acc, "engagement", config.influencer_top_share)
    acc = acc.left_join(top_followers, ["channel", "account_id"]).select(
        *acc.columns, top_followers=top_followers.top)
    acc = acc.left_join(top_engagement, ["channel", "account_id"]).select(
        *acc.columns, top_engagement=top_engagement.top)
    is_influencer = (
        (acc.followers >= config.influencer_min_followers).fill_null(False)
        | acc.top_followers.fill_null(False)
        | acc.top_engagement.fill_null(False)
    )
    identity = acc.identity.fill_null(ibis.literal("handle:") + acc.handle.lower()).fill_null(
        acc.channel + ibis.literal(":") + acc.account_id)
    return acc.filter(is_influencer).select("channel", "account_id", "handle", "followers",
                                             engagement=acc.engagement.fill_null(0), identity=identity)


def _in_top_share(acc: ir.Table, column: str, share: float) -> ir.Table:
    """(channel, account_id, top): whether an account is in the top ``share`` of the accounts
    whose ``column`` is known, counting ties (and with a positive value).

    An account is in the top 1 % when it and every account at least as large make up at most
    1 % of the accounts (cume_dist over the descending order).  The earlier rule, ">= the 99th
    percentile", made every account an influencer when all were tied (10 fans with 500
    followers each), and always the largest account of a small cohort (5 fans, 1 % of which
    is no account at all).
    """
    known = acc.filter(acc[column].notnull())
    ranked = known.mutate(_top_dist=ibis.cume_dist().over(order_by=ibis.desc(known[column])))
    # 1e-9: cume_dist is a ratio of counts; k / n == share must count as inside
    return ranked.select("channel", "account_id",
                         top=(ranked._top_dist <= share + 1e-9) & (ranked[column] > 0))


def influencer_engagement(posts: ir.Table, influencers: ir.Table, config: AuditConfig) -> ir.Table:
    """Per company and channel (and ``all``): influencers engaged; cross-channel flag per company."""
    period = in_period(posts, config)
    brand = period.filter((period.author_role == "brand") & period.company_id.notnull())
    authors = posts.select(a_channel=posts.channel, a_post_id=posts.post_id, a_account=posts.account_id)
    inf = influencers.select(i_channel=influencers.channel, i_account=influencers.account_id,
                             i_handle=influencers.handle, i_identity=influencers.identity)

    def via(column: str) -> ir.Table:
        target = authors.view()
        linked = brand.join(target, [brand.channel == target.a_channel, brand[column] == target.a_post_id])
        hit = linked.join(inf, [linked.channel == inf.i_channel, linked.a_account == inf.i_account])
        return hit.select(company_id=hit.company_id, channel=hit.channel, identity=hit.i_identity)

    mentioned = brand.select("company_id", "channel", handle=brand.mentions.unnest())
    # mentions are stored lower-case; handles of unpseudonymised accounts keep their capitals
    by_mention = mentioned.join(inf, [mentioned.channel == inf.i_channel,
                                      mentioned.handle == inf.i_handle.lower()])
    by_mention = by_mention.select(company_id=by_mention.company_id, channel=by_mention.channel,
                                   identity=by_mention.i_identity)
    engaged = via("parent_id").union(via("ref_id")).union(by_mention).distinct()

    per_channel = engaged.group_by(["company_id", "channel"]).aggregate(influencers_engaged=engaged.identity.nunique())
    identities = engaged.group_by(["company_id", "identity"]).aggregate(channels=engaged.channel.nunique())
    overall = identities.group_by("company_id").aggregate(
        influencers_engaged=identities.identity.nunique(),
        cross_channel_influencers=(identities.channels >= config.influencer_min_channels).sum(),
    )
    overall = overall.mutate(channel=ibis.literal(ALL))
    per_channel = per_channel.mutate(cross_channel_influencers=ibis.literal(0).cast("int64"))
    return per_channel.union(overall.select(*per_channel.columns))
