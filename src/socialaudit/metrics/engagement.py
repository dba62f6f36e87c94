"""Per company and channel: answering, speed, broadcasting, interaction, regularity.

Each function returns an Ibis table keyed by (``company_id``, ``channel``), with one row per
channel the company is active on plus a row with channel ``all`` for the company as a
whole (computed from the rows themselves, not by averaging channels).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from .config import AuditConfig

ALL = "all"


def per_channel_and_all(table: ir.Table, aggregate: Callable[[ir.Table], dict[str, ir.Value]]) -> ir.Table:
    """``aggregate`` grouped by (company_id, channel), and by company alone as channel ``all``."""
    by_channel = table.group_by(["company_id", "channel"]).aggregate(**aggregate(table))
    overall = table.group_by(["company_id"]).aggregate(**aggregate(table)).mutate(channel=ibis.literal(ALL))
    return by_channel.union(overall.select(*by_channel.columns))


def response_metrics(resp: ir.Table, config: AuditConfig) -> ir.Table:
    """Inbound, actionable, answered, response rate, response-time quantiles, SLA buckets."""
    bounds = [h * 3600.0 for h in config.sla_hours]

    def aggregate(t: ir.Table) -> dict[str, ir.Value]:
        answered = t.responded
        seconds = t.response_seconds
        values: dict[str, ir.Value] = {
            "inbound": t.count(),
            "actionable": t.actionable.sum(),
            "questions": t.question.sum(),
            "complaints": t.complaint.sum(),
            "responded": answered.sum(),
            "actionable_responded": (t.actionable & answered).sum(),
            "questions_answered": (t.question & answered).sum(),
            "median_response_s": seconds.median(),
            "p90_response_s": seconds.quantile(0.9),
            "median_business_s": t.business_seconds.median(),
            "p90_business_s": t.business_seconds.quantile(0.9),
            "weeks_actionable": t.week.nunique(where=t.actionable),
            "weeks_answered": t.week.nunique(where=t.actionable & answered),
        }
        edges = [0.0, *bounds]
        for i, low in enumerate(edges):
            high = edges[i + 1] if i + 1 < len(edges) else None
            inside = (seconds > low) if i else (seconds >= low)
            if high is not None:
                inside = inside & (seconds <= high)
            values[_bucket_name(low, high)] = inside.sum()
        return values

    table = per_channel_and_all(resp.rename(company_id="company"), aggregate)
    n_answered = table.responded.cast("float64")
    shares = {name: ibis.ifelse(table.responded > 0, table[name].cast("float64") / n_answered, ibis.null())
              for name in sla_columns(config)}
    rate = ibis.ifelse(table.actionable > 0,
                       table.actionable_responded.cast("float64") / table.actionable.cast("float64"), ibis.null())
    week_share = ibis.ifelse(table.weeks_actionable > 0,
                             table.weeks_answered.cast("float64") / table.weeks_actionable.cast("float64"),
                             ibis.null())
    return table.mutate(
        **shares,
        response_rate=rate,
        responded_weeks_share=week_share,
        ever_responded=table.questions_answered > 0,
        regular=(week_share >= config.regular_week_share).fill_null(False)
        & (rate >= config.regular_response_rate).fill_null(False),
    )


def sla_columns(config: AuditConfig) -> list[str]:
    edges = [0.0, *[h * 3600.0 for h in config.sla_hours]]
    return [_bucket_name(low, edges[i + 1] if i + 1 < len(edges) else None) for i, low in enumerate(edges)]


def _bucket_name(low: float, high: float | None) -> str:
    def h(x: float) -> str:
        return f"{x / 3600:g}"

    return f"sla_{h(low)}_{h(high)}h" if high is not None else f"sla_over_{h(low)}h"


def brand_activity(posts: ir.Table, config: AuditConfig) -> ir.Table:
    """Brand posts, interactions with consumer content, broadcast share and flags.

    An interaction is a brand post that replies to, comments on, shares or quotes a post
    by a consumer; everything else the brand posts is its own content.  Broadcast only =
    own content is at least ``broadcast_only_share`` of its activity.
    """
    from .responses import in_period

    period = in_period(posts, config)
    brand = period.filter((period.author_role == "brand") & period.company_id.notnull())
    # Joined against consumer posts only (a match = the parent or the shared post is a
    # consumer's): half the rows of joining all posts and reading their role.
    consumer = posts.filter(posts.author_role == "consumer")
    consumer = consumer.select(o_channel=consumer.channel, o_post_id=consumer.post_id, o_consumer=ibis.literal(True))
    parent = consumer.view()
    with_parent = brand.left_join(parent, [brand.channel == parent.o_channel, brand.parent_id == parent.o_post_id])
    with_parent = with_parent.select(*brand.columns, parent_consumer=with_parent.o_consumer)
    ref = consumer.view()
    both = with_parent.left_join(ref, [with_parent.channel == ref.o_channel, with_parent.ref_id == ref.o_post_id])
    both = both.select(*with_parent.columns, ref_consumer=both.o_consumer)
    interaction = (both.parent_consumer.fill_null(False) | both.ref_consumer.fill_null(False))
    marked = both.mutate(interaction=interaction)

    def aggregate(t: ir.Table) -> dict[str, ir.Value]:
        return {"brand_posts": t.count(), "interactions": t.interaction.sum(),
                "shares_of_consumers": (t.interaction & t.kind.isin(["share", "quote"])).sum()}

    table = per_channel_and_all(marked, aggregate)
    share = table.interactions.cast("float64") / table.brand_posts.cast("float64")
    return table.mutate(
        own_posts=table.brand_posts - table.interactions,
        interaction_share=share,
        broadcast_share=1 - share,
        broadcast_only=(1 - share) >= config.broadcast_only_share,
        ever_interacted=table.interactions > 0,
    )
