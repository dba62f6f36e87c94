"""Influencers, and whether a company engages the same influencer on several channels.

An influencer is a consumer account with at least ``influencer_min_followers`` followers, or
in the top ``influencer_top_share`` of the cohort's consumers by followers or by the
engagement their posts received.  A company *engages* an influencer when one of its posts
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
    engagement = posts.filter(posts.author_role == "consumer").group_by(["channel", "account_id"]).aggregate(
        engagement=(posts.likes.fill_null(0) + posts.shares.fill_null(0) + posts.comments.fill_null(0)).sum())
    acc = consumer_accounts.left_join(engagement, ["channel", "account_id"]).select(
        *consumer_accounts.columns, engagement=engagement.engagement.fill_null(0))
    q = 1 - config.influencer_top_share
    followers_cut = acc.filter(acc.followers.notnull()).followers.quantile(q).as_scalar()
    engagement_cut = acc.filter(acc.engagement > 0).engagement.quantile(q).as_scalar()
    is_influencer = (
        (acc.followers >= config.influencer_min_followers).fill_null(False)
        | ((acc.followers >= followers_cut) & (acc.followers > 0)).fill_null(False)
        | ((acc.engagement >= engagement_cut) & (acc.engagement > 0)).fill_null(False)
    )
    identity = acc.identity.fill_null(ibis.literal("handle:") + acc.handle.lower()).fill_null(
        acc.channel + ibis.literal(":") + acc.account_id)
    return acc.filter(is_influencer).select("channel", "account_id", "handle", "followers", "engagement",
                                             identity=identity)


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
    by_mention = mentioned.join(inf, [mentioned.channel == inf.i_channel, mentioned.handle == inf.i_handle])
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
