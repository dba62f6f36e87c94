"""A synthetic multi-channel cohort written straight into a store, for performance runs only.

Companies in every industry answer their consumers with their own propensity and speed on
four channels, post their own content (some of it as hashtag series and videos, with
likes and shares), share consumer posts and reply to influencers.  Everything is
generated in DuckDB SQL from hashes of row numbers, so a cohort of millions of posts takes
seconds and is identical on every run.  It exercises the audit; it says nothing about
real engagement (every real figure of socialaudit comes from the real samples in data/).
"""

from __future__ import annotations

from pathlib import Path

from ..industries import INDUSTRIES
from ..store import Store

CHANNELS = ("twitter", "facebook", "instagram", "youtube")
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin")


def _u(expr: str, salt: int) -> str:
    """A uniform number in [0, 1) from a hash of ``expr`` (deterministic, thread-safe)."""
    return f"((hash(({expr}) * 1000003 + {salt}) % 1000000) / 1000000.0)"


def generate_cohort(db: Path, posts: int = 3_000_000, companies: int = 160) -> Path:
    """Create a store at ``db`` holding about ``posts`` posts of ``companies`` companies."""
    db.unlink(missing_ok=True)
    conversations = int(posts * 0.38)
    own_posts = int(posts * 0.26)
    consumers = max(1000, posts // 10)
    industries = sorted(INDUSTRIES)
    with Store(db) as store:
        con = store.con
        con.execute(f"""
            INSERT INTO companies (company_id, name, industry, country, timezone, business_hours, holidays, origin)
            SELECT 'c' || i, 'Company ' || i,
                   list_extract({industries!r}, 1 + i % {len(industries)}),
                   'US', list_extract({list(TIMEZONES)!r}, 1 + (i // 7) % {len(TIMEZONES)}),
                   '{{"mon":[[540,1020]],"tue":[[540,1020]],"wed":[[540,1020]],"thu":[[540,1020]],'
                   || '"fri":[[540,1020]],"sat":[],"sun":[]}}', 'US', 'registry'
            FROM range({companies}) t(i)
        """)
        con.execute(f"""
            INSERT INTO accounts (channel, account_id, handle, followers, verified, role_hint, pseudonymised,
                                  company_id, identity)
            SELECT ch, 'c' || i || '_' || ch, 'c' || i || '_' || ch, 100000, true, 'brand', false, 'c' || i,
                   'company:c' || i
            FROM range({companies}) t(i), unnest({list(CHANNELS)!r}) c(ch)
        """)
        # Consumers: heavy-tailed followers; about 1.5 % have 10k or more.
        con.execute(f"""
            INSERT INTO accounts (channel, account_id, handle, followers, verified, role_hint, pseudonymised)
            SELECT ch, 'u' || i || '_' || ch, 'u' || i, CAST(exp(3 + 6 * {_u('i', 1)} ^ 2) AS BIGINT), false,
                   'consumer', true
            FROM range({consumers}) t(i), unnest({list(CHANNELS)!r}) c(ch)
        """)
        start = "TIMESTAMPTZ '2017-09-01 00:00:00+00'"
        # Conversations: an inbound post, maybe a brand reply, maybe a follow-up and a second reply.
        con.execute(f"""
            CREATE TEMP TABLE conv AS
            SELECT k,
                   'c' || CAST(floor({_u('k', 2)} ^ 1.3 * {companies}) AS BIGINT) AS company,
                   list_extract({list(CHANNELS)!r}, 1 + CAST(floor({_u('k', 3)} ^ 0.7 * 4) AS INTEGER)) AS channel,
                   'u' || CAST(floor({_u('k', 4)} * {consumers}) AS BIGINT) AS consumer,
                   {start} + to_seconds(CAST(floor({_u('k', 5)} * 90 * 86400) AS BIGINT)) AS t0,
                   {_u('k', 6)} AS u_answer, {_u('k', 7)} AS u_follow,
                   to_seconds(CAST(60 * exp(7 * {_u('k', 8)}) AS BIGINT)) AS delay1,
                   to_seconds(CAST(300 + 3600 * {_u('k', 9)} AS BIGINT)) AS delay2,
                   to_seconds(CAST(60 * exp(6 * {_u('k', 10)}) AS BIGINT)) AS delay3
            FROM range({conversations}) t(k)
        """)
        con.execute("""
            CREATE TEMP TABLE conv2 AS
            SELECT *, (hash(company) % 100) / 100.0 AS propensity FROM conv
        """)
        texts = ["@brand my order never arrived", "@brand why does the app crash?", "@brand thanks, all good now",
                 "@brand is there an outage in my area?", "@brand still waiting for my refund",
                 "@brand please add dark mode", "@brand love the new update"]
        cols = ("channel, post_id, account_id, company_id, author_role, role_hint, kind, parent_id, ref_id, "
                "platform_conversation_id, conversation_id, created_at, text, likes, shares, comments, views, "
                "url, media_type, lang, mentions, hashtags, source_company, source, source_line, source_item")
        con.execute(f"""
            INSERT INTO posts ({cols})
            SELECT channel, 'i' || k, consumer || '_' || channel, company, 'consumer', 'consumer', 'comment', NULL,
                   NULL, NULL, 'i' || k, t0, list_extract({texts!r}, 1 + k % {len(texts)}),
                   CAST(10 * {_u('k', 11)} AS BIGINT), 0, 0, NULL, NULL, 'text', 'en',
                   [company || '_' || channel], [], NULL, 'synthetic', k, ''
            FROM conv2
            UNION ALL
            SELECT channel, 'r' || k, company || '_' || channel, company, 'brand', 'brand', 'reply', 'i' || k,
                   NULL, NULL, 'i' || k, t0 + delay1, 'Sorry to hear that, please DM us.', 0, 0, 0, NULL, NULL,
                   'text', 'en', [consumer], [], NULL, 'synthetic', k, ''
            FROM conv2 WHERE u_answer < propensity
            UNION ALL
            SELECT channel, 'f' || k, consumer || '_' || channel, company, 'consumer', 'consumer', 'reply',
                   'r' || k, NULL, NULL, 'i' || k, t0 + delay1 + delay2, 'still not working?', 0, 0, 0, NULL,
                   NULL, 'text', 'en', [company || '_' || channel], [], NULL, 'synthetic', k, ''
            FROM conv2 WHERE u_answer < propensity AND u_follow < 0.45
            UNION ALL
            SELECT channel, 's' || k, company || '_' || channel, company, 'brand', 'brand', 'reply', 'f' || k,
                   NULL, NULL, 'i' || k, t0 + delay1 + delay2 + delay3, 'Thanks, fixed on our side.', 0, 0, 0,
                   NULL, NULL, 'text', 'en', [consumer], [], NULL, 'synthetic', k, ''
            FROM conv2 WHERE u_answer < propensity AND u_follow < 0.45 * propensity
        """)
        # Brand content: series hashtags for some companies, videos, likes; a few shares of consumers.
        con.execute(f"""
            INSERT INTO posts ({cols})
            SELECT channel, 'o' || k, company || '_' || channel, company, 'brand', 'brand',
                   CASE WHEN {_u('k', 20)} < 0.04 THEN 'share' ELSE 'post' END,
                   NULL, CASE WHEN {_u('k', 20)} < 0.04 THEN 'i' || CAST(floor({_u('k', 21)} * {conversations})
                                                                          AS BIGINT) END,
                   NULL, 'o' || k, {start} + to_seconds(CAST(floor({_u('k', 22)} * 90 * 86400) AS BIGINT)),
                   CASE WHEN is_story THEN 'Episode ' || k % 9 || ' of our story #' || company || 'stories'
                        ELSE 'New offers this week' END,
                   CAST(50 * exp(2 * {_u('k', 23)}) * CASE WHEN is_story THEN 1.3 ELSE 1 END AS BIGINT),
                   CAST(5 * {_u('k', 24)} AS BIGINT), CAST(8 * {_u('k', 25)} AS BIGINT), NULL, NULL,
                   CASE WHEN {_u('k', 26)} < 0.1 THEN 'video' ELSE 'image' END, 'en', [],
                   CASE WHEN is_story THEN [company || 'stories'] ELSE [] END, NULL, 'synthetic', k, ''
            FROM (
                SELECT k, 'c' || CAST(floor({_u('k', 27)} ^ 1.3 * {companies}) AS BIGINT) AS company,
                       list_extract({list(CHANNELS)!r}, 1 + CAST(floor({_u('k', 28)} * 4) AS INTEGER)) AS channel,
                       {_u('k', 29)} < 0.2 AND hash('c' || CAST(floor({_u('k', 27)} ^ 1.3 * {companies}) AS BIGINT))
                           % 10 < 3 AS is_story
                FROM range({own_posts}) t(k)
            )
        """)
        con.execute("CHECKPOINT")
        total = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    return db if total else db
