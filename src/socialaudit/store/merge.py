"""Merging one import's staging tables into the store, in the caller's transaction.

Upsert by (channel, post_id):

* a key not yet stored is inserted (with the largest engagement counts seen for it);
* the same post again (identity columns equal) is skipped, except that larger engagement
  counts are kept: a re-crawl of a post has more likes, not a different post;
* a different post under a stored id (or under an id read earlier in the same file) is a
  conflict: the first one is kept and the newcomer goes to ``quarantine`` with the
  columns that differ.

Quarantine rows are keyed by (source, line, item), so a re-run adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..model import POST_COUNT_COLUMNS, POST_IDENTITY_COLUMNS


@dataclass
class MergeCounts:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    conflicts: int = 0


def _differs(a: str, b: str) -> str:
    parts = ", ".join(
        f"CASE WHEN {a}.{c} IS DISTINCT FROM {b}.{c} THEN '{c}' END" for c in POST_IDENTITY_COLUMNS)
    return f"concat_ws(', ', {parts})"


_RAW = ("to_json(struct_pack(channel := s.channel, post_id := s.post_id, account_id := s.account_id, "
        "role_hint := s.role_hint, kind := s.kind, parent_id := s.parent_id, created_at := s.created_at, "
        "text := s.text, likes := s.likes, shares := s.shares, comments := s.comments, views := s.views, "
        "url := s.url, media_type := s.media_type, lang := s.lang, company := s.source_company))::VARCHAR")

_MAX_COUNTS = ", ".join(f"max({c}) AS {c}" for c in POST_COUNT_COLUMNS)
_COUNT_COLS = ", ".join(POST_COUNT_COLUMNS)


def merge_staging(con: duckdb.DuckDBPyConnection, source: str, fmt: str) -> MergeCounts:
    counts = MergeCounts()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE s_first AS
        SELECT * FROM staging_posts
        QUALIFY row_number() OVER (PARTITION BY channel, post_id ORDER BY seq) = 1
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_later AS
        SELECT s.*, f.source_line AS first_line, {_differs('s', 'f')} AS differs
        FROM staging_posts s JOIN s_first f USING (channel, post_id)
        WHERE s.seq <> f.seq
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_counts AS
        SELECT channel, post_id, {_MAX_COUNTS} FROM (
            SELECT channel, post_id, {_COUNT_COLS} FROM s_first
            UNION ALL
            SELECT channel, post_id, {_COUNT_COLS} FROM s_later WHERE differs = ''
        ) GROUP BY ALL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_vs_store AS
        SELECT s.* EXCLUDE ({_COUNT_COLS}), {', '.join(f'c.{x}' for x in POST_COUNT_COLUMNS)},
               p.post_id IS NOT NULL AS stored,
               CASE WHEN p.post_id IS NULL THEN '' ELSE {_differs('s', 'p')} END AS differs,
               p.source AS stored_source, p.source_line AS stored_line,
               {' OR '.join(f'coalesce(c.{x} > p.{x} OR (p.{x} IS NULL AND c.{x} IS NOT NULL), false)'
                            for x in POST_COUNT_COLUMNS)} AS counts_grew
        FROM s_first s JOIN s_counts c USING (channel, post_id)
        LEFT JOIN posts p USING (channel, post_id)
    """)
    later_dups, later_conflicts = con.execute(
        "SELECT count(*) FILTER (WHERE differs = ''), count(*) FILTER (WHERE differs <> '') FROM s_later"
    ).fetchone()
    new, grew, same, clash = con.execute("""
        SELECT count(*) FILTER (WHERE NOT stored),
               count(*) FILTER (WHERE stored AND differs = '' AND counts_grew),
               count(*) FILTER (WHERE stored AND differs = '' AND NOT counts_grew),
               count(*) FILTER (WHERE stored AND differs <> '')
        FROM s_vs_store
    """).fetchone()
    counts.imported, counts.updated = new, grew
    counts.skipped = same + later_dups
    counts.conflicts = clash + later_conflicts

    con.execute("""
        INSERT INTO posts BY NAME
        SELECT channel, post_id, account_id, coalesce(role_hint, 'consumer') AS author_role, role_hint, kind,
               parent_id, ref_id, platform_conversation_id, created_at, text, likes, shares, comments, views,
               url, media_type, lang, mentions, hashtags, source_company,
               ? AS source, source_line, source_item
        FROM s_vs_store WHERE NOT stored
        ORDER BY seq
    """, [source])
    if grew:
        sets = ", ".join(f"{c} = greatest(posts.{c}, s.{c})" for c in POST_COUNT_COLUMNS)
        con.execute(f"""
            UPDATE posts SET {sets} FROM s_vs_store s
            WHERE s.channel = posts.channel AND s.post_id = posts.post_id
              AND s.stored AND s.differs = '' AND s.counts_grew
        """)
    con.execute(f"""
        INSERT INTO quarantine BY NAME
        SELECT ? AS source, s.source_line AS line, s.source_item AS item,
               'conflicting duplicate: post ' || s.channel || '/' || s.post_id || ' was read before at line '
                 || s.first_line || ' of this file with a different ' || s.differs || '; the first one is kept'
                 AS reason,
               {_RAW} AS raw, ? AS format
        FROM s_later s WHERE s.differs <> ''
        UNION ALL
        SELECT ?, s.source_line, s.source_item,
               'conflicting duplicate: post ' || s.channel || '/' || s.post_id || ' is already stored (from '
                 || s.stored_source || ' line ' || s.stored_line || ') with a different ' || s.differs
                 || '; the stored one is kept',
               {_RAW}, ?
        FROM s_vs_store s WHERE s.stored AND s.differs <> ''
        ON CONFLICT DO NOTHING
    """, [source, fmt, source, fmt])
    con.execute("""
        INSERT INTO quarantine BY NAME
        SELECT source, line, item, reason, raw, format FROM staging_quarantine
        QUALIFY row_number() OVER (PARTITION BY source, line, item ORDER BY seq) = 1
        ON CONFLICT DO NOTHING
    """)
    _merge_accounts(con)
    return counts


def _merge_accounts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        INSERT INTO accounts BY NAME
        SELECT channel, account_id,
               arg_min(handle, seq) FILTER (WHERE handle IS NOT NULL) AS handle,
               arg_min(display_name, seq) FILTER (WHERE display_name IS NOT NULL) AS display_name,
               max(followers) AS followers,
               bool_or(verified) AS verified,
               CASE WHEN bool_or(role_hint = 'brand') THEN 'brand'
                    ELSE arg_min(role_hint, seq) FILTER (WHERE role_hint IS NOT NULL) END AS role_hint,
               bool_or(pseudonymised) AS pseudonymised
        FROM (
            SELECT seq, channel, account_id, handle, display_name, followers, verified, role_hint, pseudonymised
            FROM staging_accounts
            UNION ALL
            SELECT seq, channel, account_id, handle, NULL, NULL, NULL, role_hint, pseudonymised
            FROM staging_posts WHERE account_id IS NOT NULL
        )
        GROUP BY channel, account_id
        ON CONFLICT (channel, account_id) DO UPDATE SET
            handle = coalesce(accounts.handle, EXCLUDED.handle),
            display_name = coalesce(accounts.display_name, EXCLUDED.display_name),
            followers = greatest(accounts.followers, EXCLUDED.followers),
            verified = CASE WHEN accounts.verified OR EXCLUDED.verified THEN true
                            ELSE coalesce(accounts.verified, EXCLUDED.verified) END,
            role_hint = CASE WHEN 'brand' IN (accounts.role_hint, EXCLUDED.role_hint) THEN 'brand'
                             ELSE coalesce(accounts.role_hint, EXCLUDED.role_hint) END,
            pseudonymised = accounts.pseudonymised OR EXCLUDED.pseudonymised
    """)
