"""Plain counts over the store: what is in it, per company and channel.

These are inventory figures (how many posts, from whom, when), not engagement metrics;
they describe the data an audit will be computed on.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class StoreOverview:
    posts: int
    brand_posts: int
    consumer_posts: int
    companies: int
    registered_companies: int
    channels: list[str]
    conversations: int
    consumers: int
    first_post: str | None
    last_post: str | None
    quarantined: int
    imports: int


def store_overview(con: duckdb.DuckDBPyConnection) -> StoreOverview:
    p = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE author_role = 'brand'), count(*) FILTER (WHERE author_role = 'consumer'),
               count(DISTINCT conversation_id), count(DISTINCT account_id) FILTER (WHERE author_role = 'consumer'),
               strftime(min(created_at), '%Y-%m-%d'), strftime(max(created_at), '%Y-%m-%d'),
               list(DISTINCT channel ORDER BY channel)
        FROM posts
    """).fetchone()
    c = con.execute("SELECT count(*), count(*) FILTER (WHERE origin = 'registry') FROM companies "
                    "WHERE company_id IN (SELECT company_id FROM posts)").fetchone()
    q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    i = con.execute("SELECT count(*) FROM imports WHERE status = 'done'").fetchone()[0]
    return StoreOverview(posts=p[0], brand_posts=p[1], consumer_posts=p[2], conversations=p[3], consumers=p[4],
                         first_post=p[5], last_post=p[6], channels=p[7] or [], companies=c[0],
                         registered_companies=c[1], quarantined=q, imports=i)


def company_inventory(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per company: industry, channels, brand and consumer posts, conversations, period."""
    rows = con.execute("""
        SELECT c.company_id, c.name, coalesce(c.industry, 'unknown') AS industry,
               string_agg(DISTINCT p.channel, ', ') AS channels,
               count(*) FILTER (WHERE p.author_role = 'brand') AS brand_posts,
               count(*) FILTER (WHERE p.author_role = 'consumer') AS consumer_posts,
               count(DISTINCT p.conversation_id) AS conversations,
               strftime(min(p.created_at), '%Y-%m-%d') AS first_post,
               strftime(max(p.created_at), '%Y-%m-%d') AS last_post
        FROM posts p JOIN companies c USING (company_id)
        GROUP BY ALL
        ORDER BY consumer_posts + brand_posts DESC, c.company_id
    """).fetchall()
    keys = ("company_id", "name", "industry", "channels", "brand_posts", "consumer_posts", "conversations",
            "first_post", "last_post")
    return [dict(zip(keys, r)) for r in rows]


def quarantine_sample(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    rows = con.execute("SELECT source, line, item, reason, raw FROM quarantine ORDER BY source, line LIMIT ?",
                       [limit]).fetchall()
    return [dict(zip(("source", "line", "item", "reason", "raw"), r)) for r in rows]
