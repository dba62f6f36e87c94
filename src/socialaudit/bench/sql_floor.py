"""The audit's metric tables in hand-written DuckDB SQL: the fair floor of the benchmark.

What a good analyst would write against the store to get the same tables as the audit's
"responses" and "metrics" phases (:func:`socialaudit.metrics.audit.run_audit_on`): CTEs, window
functions, ``GROUPING SETS`` for the per-channel rows plus the company's ``all`` row, one SQL
statement per metric group, run directly on the store's connection.  Same definitions and
thresholds (:class:`~socialaudit.metrics.config.AuditConfig`), same actionable rule (the
classifiers' reading when the store has one, as :func:`~socialaudit.metrics.actionable.default_rule`
picks, else the EN/DE cues), same column names and values; ``tests/bench/test_sql_floor.py``
checks them against the audit.

Left out, because they are not SQL work and the audit does them in Python/NumPy:

- business-hours durations (``business_seconds``, ``median_business_s``, ``p90_business_s``):
  they need each company's calendar (time zone, opening hours, holidays;
  :mod:`socialaudit.metrics.calendar`);
- the storytelling lift's confidence interval where the audit *resamples* (a group of fewer
  than :data:`~socialaudit.metrics.storytelling.BOOTSTRAP_LIMIT` measured posts): the interval
  and ``storytelling_effective`` are null there.  Where both groups are large enough the audit
  uses the delta method, which is computed here in SQL, and a lift the audit cannot measure
  (too few posts) or finds infinite (no engagement on the other posts) is decided here too;
- scoring, findings and the industry ranking (the audit's later phases).

Weeks start on Monday, 00:00 UTC (the audit truncates in the session's time zone, which
:class:`~socialaudit.store.Store` sets to UTC).
"""

from __future__ import annotations

import statistics

import duckdb
import pyarrow as pa

from ..enrich.text import COMPLAINT_CUES, QUESTION_MARK, QUESTION_OPENING
from ..metrics.config import AuditConfig
from ..metrics.engagement import ALL, sla_columns
from ..metrics.storytelling import BOOTSTRAP_LIMIT, NARRATIVE_CUES

#: The tables :func:`sql_floor` returns, and their keys.
KEYS = {"responses": ["channel", "post_id"], "response_metrics": ["company_id", "channel"],
        "brand_activity": ["company_id", "channel"], "influencers": ["company_id", "channel"],
        "storytelling": ["company_id", "channel"]}


def sql_floor(con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None) -> dict[str, pa.Table]:
    """Every metric table of the audit (but business hours), computed in SQL on ``con`` (read-only use:
    one temporary table, dropped at the end)."""
    config = config or AuditConfig()
    model = enrichment_model(con)
    out: dict[str, pa.Table] = {}
    con.execute("CREATE OR REPLACE TEMP TABLE floor_responses AS " + responses_sql(config, model))
    try:
        out["responses"] = con.sql("SELECT * FROM floor_responses").to_arrow_table()
        out["response_metrics"] = con.sql(response_metrics_sql(config)).to_arrow_table()
    finally:
        con.execute("DROP TABLE IF EXISTS floor_responses")
    out["brand_activity"] = con.sql(brand_activity_sql(config)).to_arrow_table()
    out["influencers"] = con.sql(influencers_sql(config)).to_arrow_table()
    out["storytelling"] = con.sql(storytelling_sql(config)).to_arrow_table()
    return out


def company_rows(tables: dict[str, pa.Table]) -> int:
    """(company, channel) rows of the audit's company table that these tables make up."""
    keys = pa.concat_tables([tables[name].select(["company_id", "channel"]) for name in KEYS if name != "responses"])
    return keys.group_by(["company_id", "channel"]).aggregate([]).num_rows


def enrichment_model(con: duckdb.DuckDBPyConnection) -> str | None:
    """The classifier whose reading the audit uses (the one that read the most posts), if any."""
    try:
        rows = con.execute("SELECT model FROM enrichments GROUP BY model ORDER BY count(*) DESC, model DESC "
                           "LIMIT 1").fetchall()
    except duckdb.CatalogException:  # a store from before the enrichments table
        return None
    return rows[0][0] if rows else None


def responses_sql(config: AuditConfig, model: str | None) -> str:
    """Mirrors :func:`socialaudit.metrics.responses.responses` over
    :func:`~socialaudit.metrics.responses.inbound_posts`: one row per inbound post (a consumer's
    post to a company, not a plain share, in the period) with its actionable flags and its first
    response — the first post of the same company on the same channel in the same conversation,
    strictly after it and within the window; ties in time go to the smaller post id."""
    text = "lower(coalesce(p.text, ''))"
    question = f"(regexp_matches({text}, {_lit(QUESTION_MARK)}) OR regexp_matches({text}, {_lit(QUESTION_OPENING)}))"
    complaint = f"regexp_matches({text}, {_lit(COMPLAINT_CUES)})"
    if model is None:  # the cue rule
        flags = f"{question} AS question, {complaint} AS complaint, false AS product_feedback"
        enrichments = ""
    else:  # the classifiers' reading; the cues for posts they have not read yet (DuckDB evaluates a
        # coalesce argument only on the rows where the ones before it are null: no regex on read posts)
        flags = (f"coalesce(e.question, {question}) AS question, coalesce(e.complaint, {complaint}) AS complaint, "
                 "coalesce(e.product_feedback, false) AS product_feedback")
        enrichments = (f"LEFT JOIN enrichments e ON e.channel = p.channel AND e.post_id = p.post_id "
                       f"AND e.model = {_lit(model)}")
    return f"""
        WITH inbound AS MATERIALIZED (
            SELECT p.channel, p.post_id, p.company_id, p.conversation_id, p.created_at, p.account_id, {flags}
            FROM posts p {enrichments}
            WHERE p.author_role = 'consumer' AND p.company_id IS NOT NULL AND p.kind IS DISTINCT FROM 'share'
              AND {_period(config, "p.created_at")}
        ),
        first_response AS (
            -- the smallest (time, post id) of the brand's replies in the window
            SELECT i.channel, i.post_id, min({{'at': b.created_at, 'id': b.post_id}}) AS first
            FROM inbound i
            JOIN posts b ON b.author_role = 'brand' AND b.channel = i.channel
                        AND b.conversation_id = i.conversation_id AND b.company_id = i.company_id
                        AND b.created_at > i.created_at
                        AND b.created_at <= i.created_at + INTERVAL {int(round(config.window_seconds))} SECOND
            GROUP BY i.channel, i.post_id
        )
        SELECT i.post_id, i.channel, i.company_id AS company, i.created_at,
               date_trunc('week', i.created_at AT TIME ZONE 'UTC') AS week, i.question, i.complaint, i.product_feedback,
               i.question OR i.complaint OR i.product_feedback AS actionable,
               f.first IS NOT NULL AS responded, f.first.id AS first_response_id, f.first.at AS first_response_at,
               epoch(f.first.at) - epoch(i.created_at) AS response_seconds, i.account_id
        FROM inbound i LEFT JOIN first_response f ON f.channel = i.channel AND f.post_id = i.post_id
    """


def response_metrics_sql(config: AuditConfig) -> str:
    """Mirrors :func:`socialaudit.metrics.engagement.response_metrics` (without the business-hours
    quantiles) over ``floor_responses``: counts, response rate, wall-clock median and 90th
    percentile (``quantile_cont``, which is what Ibis's ``median``/``quantile`` compile to on
    DuckDB), weeks with actionable inbound and with an answer, SLA bucket shares, regularity."""
    edges = [0.0, *(h * 3600.0 for h in config.sla_hours)]
    buckets, shares = [], []
    for i, name in enumerate(sla_columns(config)):
        low, high = edges[i], edges[i + 1] if i + 1 < len(edges) else None
        inside = f"response_seconds {'>' if i else '>='} {low!r}" + (
            f" AND response_seconds <= {high!r}" if high is not None else "")
        buckets.append(f"count(*) FILTER (WHERE {inside}) AS n_{name}")
        shares.append(f"n_{name} / nullif(responded, 0) AS {name}")
    return f"""
        WITH per_group AS (
            SELECT company AS company_id, CASE WHEN grouping(channel) = 1 THEN '{ALL}' ELSE channel END AS channel,
                   count(*) AS inbound, count(*) FILTER (WHERE actionable) AS actionable,
                   count(*) FILTER (WHERE question) AS questions, count(*) FILTER (WHERE complaint) AS complaints,
                   count(*) FILTER (WHERE responded) AS responded,
                   count(*) FILTER (WHERE actionable AND responded) AS actionable_responded,
                   count(*) FILTER (WHERE question AND responded) AS questions_answered,
                   quantile_cont(response_seconds, 0.5) AS median_response_s,
                   quantile_cont(response_seconds, 0.9) AS p90_response_s,
                   count(DISTINCT week) FILTER (WHERE actionable) AS weeks_actionable,
                   count(DISTINCT week) FILTER (WHERE actionable AND responded) AS weeks_answered,
                   {", ".join(buckets)}
            FROM floor_responses
            GROUP BY GROUPING SETS ((company, channel), (company))
        )
        SELECT company_id, channel, inbound, actionable, questions, complaints, responded, actionable_responded,
               questions_answered, median_response_s, p90_response_s, weeks_actionable, weeks_answered,
               {", ".join(shares)},
               actionable_responded / nullif(actionable, 0) AS response_rate,
               weeks_answered / nullif(weeks_actionable, 0) AS responded_weeks_share,
               questions_answered > 0 AS ever_responded,
               coalesce(responded_weeks_share >= {config.regular_week_share!r}, false)
                   AND coalesce(response_rate >= {config.regular_response_rate!r}, false) AS regular
        FROM per_group
    """


def brand_activity_sql(config: AuditConfig) -> str:
    """Mirrors :func:`socialaudit.metrics.engagement.brand_activity`: brand posts in the period,
    interactions (a reply to, comment on, share or quote of a consumer's post: the parent or the
    referenced post is among the consumers' posts), broadcast share."""
    return f"""
        WITH consumer_posts AS (
            SELECT channel, post_id FROM posts WHERE author_role = 'consumer'
        ),
        brand AS (
            SELECT b.company_id, b.channel, b.kind,
                   parent.post_id IS NOT NULL OR ref.post_id IS NOT NULL AS interaction
            FROM posts b
            LEFT JOIN consumer_posts parent ON parent.channel = b.channel AND parent.post_id = b.parent_id
            LEFT JOIN consumer_posts ref ON ref.channel = b.channel AND ref.post_id = b.ref_id
            WHERE b.author_role = 'brand' AND b.company_id IS NOT NULL AND {_period(config, "b.created_at")}
        ),
        per_group AS (
            SELECT company_id, CASE WHEN grouping(channel) = 1 THEN '{ALL}' ELSE channel END AS channel,
                   count(*) AS brand_posts, count(*) FILTER (WHERE interaction) AS interactions,
                   count(*) FILTER (WHERE interaction AND kind IN ('share', 'quote')) AS shares_of_consumers
            FROM brand
            GROUP BY GROUPING SETS ((company_id, channel), (company_id))
        )
        SELECT company_id, channel, brand_posts, interactions, shares_of_consumers,
               brand_posts - interactions AS own_posts,
               interactions / brand_posts AS interaction_share,
               1 - interaction_share AS broadcast_share,
               broadcast_share >= {config.broadcast_only_share!r} AS broadcast_only,
               interactions > 0 AS ever_interacted
        FROM per_group
    """


def influencers_sql(config: AuditConfig) -> str:
    """Mirrors :func:`socialaudit.metrics.influencers.influencer_accounts` and
    :func:`~socialaudit.metrics.influencers.influencer_engagement`: consumer accounts with enough
    followers or in the top share by followers or by engagement (``cume_dist`` over the accounts
    where the value is known, ties all in or all out), identified across channels; the distinct
    influencers a company's posts reply to, share, quote or @-mention, per channel and overall,
    and how many it engages on several channels."""
    top = repr(config.influencer_top_share + 1e-9)  # cume_dist is a ratio of counts: k / n == share is inside
    return f"""
        WITH account_engagement AS (
            SELECT channel, account_id,
                   sum(CASE WHEN likes IS NOT NULL OR shares IS NOT NULL OR comments IS NOT NULL
                            THEN coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) END) AS engagement
            FROM posts WHERE author_role = 'consumer'
            GROUP BY channel, account_id
        ),
        consumers AS (
            SELECT a.channel, a.account_id, a.handle, a.followers, e.engagement,
                   coalesce(a.identity, 'handle:' || lower(a.handle), a.channel || ':' || a.account_id) AS identity,
                   -- partitioned by "unknown" so that accounts without the value do not count
                   cume_dist() OVER (PARTITION BY a.followers IS NULL ORDER BY a.followers DESC) AS followers_dist,
                   cume_dist() OVER (PARTITION BY e.engagement IS NULL ORDER BY e.engagement DESC) AS engagement_dist
            FROM accounts a LEFT JOIN account_engagement e ON e.channel = a.channel AND e.account_id = a.account_id
            WHERE a.company_id IS NULL
        ),
        influencers AS MATERIALIZED (
            SELECT channel, account_id, lower(handle) AS handle, identity
            FROM consumers
            WHERE followers >= {config.influencer_min_followers}
               OR (followers_dist <= {top} AND followers > 0)
               OR (engagement_dist <= {top} AND engagement > 0)
        ),
        brand AS MATERIALIZED (
            SELECT company_id, channel, parent_id, ref_id, mentions
            FROM posts
            WHERE author_role = 'brand' AND company_id IS NOT NULL AND {_period(config, "created_at")}
        ),
        engaged AS MATERIALIZED (
            -- replies to, shares and quotes of an influencer's post
            SELECT b.company_id, b.channel, i.identity
            FROM (SELECT company_id, channel, unnest([parent_id, ref_id]) AS target_id FROM brand) b
            JOIN posts target ON target.channel = b.channel AND target.post_id = b.target_id
            JOIN influencers i ON i.channel = target.channel AND i.account_id = target.account_id
            UNION  -- distinct
            -- @-mentions (stored lower-case)
            SELECT b.company_id, b.channel, i.identity
            FROM (SELECT company_id, channel, unnest(mentions) AS handle FROM brand) b
            JOIN influencers i ON i.channel = b.channel AND i.handle = b.handle
        ),
        per_identity AS (
            SELECT company_id, identity, count(DISTINCT channel) AS channels
            FROM engaged GROUP BY company_id, identity
        )
        SELECT company_id, channel, count(DISTINCT identity) AS influencers_engaged,
               0::BIGINT AS cross_channel_influencers
        FROM engaged GROUP BY company_id, channel
        UNION ALL
        SELECT company_id, '{ALL}' AS channel, count(*) AS influencers_engaged,
               count(*) FILTER (WHERE channels >= {config.influencer_min_channels}) AS cross_channel_influencers
        FROM per_identity GROUP BY company_id
    """


def storytelling_sql(config: AuditConfig) -> str:
    """Mirrors :func:`socialaudit.metrics.storytelling.storytelling_metrics`: a brand's own top-level
    posts in the period, series tags (a hashtag on enough of the company's posts), storytelling
    posts (in a series, a video, long-form, or narrative cues), the lift (ratio of the mean
    engagement of story posts to the other posts') and its delta-method interval where the audit
    uses it (both groups at least ``BOOTSTRAP_LIMIT`` measured posts); effectiveness where that
    decides it (null where the audit resamples)."""
    z = statistics.NormalDist().inv_cdf(1 - (1 - config.confidence) / 2)
    lift = "mean_story / mean_other"
    half = f"{z!r} * sqrt(var_story / n_story / mean_other ^ 2 + mean_story ^ 2 * var_other / n_other / mean_other ^ 4)"
    large = f"least(n_story, n_other) >= {BOOTSTRAP_LIMIT}"
    return f"""
        WITH own AS MATERIALIZED (
            SELECT company_id, channel, post_id, text, media_type, hashtags,
                   date_trunc('week', created_at AT TIME ZONE 'UTC') AS week,
                   CASE WHEN likes IS NOT NULL OR shares IS NOT NULL OR comments IS NOT NULL
                        THEN coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) END::DOUBLE
                       AS engagement
            FROM posts
            WHERE author_role = 'brand' AND company_id IS NOT NULL AND parent_id IS NULL
              AND kind IN ('post', 'mention') AND {_period(config, "created_at")}
        ),
        tags AS MATERIALIZED (
            SELECT company_id, channel, post_id, week, unnest(hashtags) AS tag FROM own
        ),
        series AS (
            SELECT company_id, tag, count(DISTINCT week) AS weeks
            FROM tags GROUP BY company_id, tag
            HAVING count(DISTINCT post_id) >= {config.storytelling_series_posts}
        ),
        in_series AS (
            SELECT t.channel, t.post_id, max(s.weeks) AS series_weeks
            FROM tags t JOIN series s ON s.company_id = t.company_id AND s.tag = t.tag
            GROUP BY t.channel, t.post_id
        ),
        flagged AS (
            SELECT o.company_id, o.channel, o.engagement, s.post_id IS NOT NULL AS in_series,
                   coalesce(s.series_weeks, 0) AS series_weeks,
                   s.post_id IS NOT NULL OR coalesce(o.media_type = 'video', false)
                       OR length(coalesce(o.text, '')) >= {config.storytelling_long_form_chars}
                       OR regexp_matches(lower(coalesce(o.text, '')), {_lit(NARRATIVE_CUES)}) AS story
            FROM own o LEFT JOIN in_series s ON s.channel = o.channel AND s.post_id = o.post_id
        ),
        per_group AS (
            SELECT company_id, CASE WHEN grouping(channel) = 1 THEN '{ALL}' ELSE channel END AS channel,
                   count(*) AS top_level_posts, count(*) FILTER (WHERE story) AS storytelling_posts,
                   count(*) FILTER (WHERE in_series) AS series_posts,
                   coalesce(max(series_weeks) FILTER (WHERE story), 0) AS series_weeks,
                   count(engagement) FILTER (WHERE story) AS n_story,
                   avg(engagement) FILTER (WHERE story) AS mean_story,
                   var_samp(engagement) FILTER (WHERE story) AS var_story,
                   count(engagement) FILTER (WHERE NOT story) AS n_other,
                   avg(engagement) FILTER (WHERE NOT story) AS mean_other,
                   var_samp(engagement) FILTER (WHERE NOT story) AS var_other
            FROM flagged
            GROUP BY GROUPING SETS ((company_id, channel), (company_id))
        )
        SELECT company_id, channel, top_level_posts, storytelling_posts, series_posts, series_weeks,
               CASE WHEN n_story >= 2 AND n_other >= 2 AND mean_other > 0 THEN {lift} END AS storytelling_lift,
               CASE WHEN {large} AND mean_other > 0 THEN {lift} - {half} END AS lift_ci_low,
               CASE WHEN {large} AND mean_other > 0 THEN {lift} + {half} END AS lift_ci_high,
               CASE WHEN series_weeks < {config.storytelling_series_weeks} OR n_story < 2 OR n_other < 2 THEN false
                    WHEN mean_other <= 0 THEN mean_story > 0  -- an infinite lift, or none at all
                    WHEN {large} THEN lift_ci_low > 1
               END AS storytelling_effective  -- null: the audit resamples (bootstrap), not SQL
        FROM per_group
    """


def _period(config: AuditConfig, column: str) -> str:
    """The audited period as a predicate on ``column`` (``true`` when unbounded)."""
    parts = []
    if config.since is not None:
        parts.append(f"{column} >= TIMESTAMPTZ '{config.since.isoformat()}'")
    if config.until is not None:
        parts.append(f"{column} < TIMESTAMPTZ '{config.until.isoformat()}'")
    return " AND ".join(parts) or "true"


def _lit(value: str) -> str:
    """A SQL string literal (patterns inlined, not bound: a constant pattern is compiled once)."""
    return "'" + value.replace("'", "''") + "'"
