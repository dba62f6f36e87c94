"""Merging one import's staging tables into the store, in the caller's transaction.

Upsert by (channel, post_id).  Two rows with the same key are the **same post** unless
they disagree on an identity column (:data:`~socialaudit.model.POST_IDENTITY_COLUMNS`:
author, time, text, shared post) where *both* have a value:

* a key not yet stored is new (``s_new``; the refresh inserts it with its derived columns);
* the same post again is merged into the first: the first copy's context is kept, a
  missing value is filled from the copy that has it (a comment seen nested under its post
  knows its parent, the same comment from a stand-alone comments page does not) and the
  larger engagement counts are kept
  (a re-crawl has more likes, not a different post) and the more specific ``kind`` (a
  reply read without its parent looks like a post).  Filling and maxima do not depend on
  the order of the copies, so any order of imports gives the same store;
* a post that disagrees with the first one (another text under a stored id) is a
  conflict: the first one is kept and the newcomer goes to ``quarantine`` with the
  columns that differ.

Quarantine rows are keyed by (source, line, item), so a re-run adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..model import KIND_SPECIFICITY, POST_CONTEXT_COLUMNS, POST_COUNT_COLUMNS, POST_IDENTITY_COLUMNS

FILLED_COLUMNS = POST_IDENTITY_COLUMNS + POST_CONTEXT_COLUMNS


@dataclass
class MergeCounts:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    conflicts: int = 0


def drop_temp(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop temporary tables or views by name, whichever they are."""
    for name in names:
        kinds = con.execute("SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND temporary "
                            "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND temporary",
                            [name, name]).fetchall()
        for (kind,) in kinds:
            con.execute(f"DROP {kind} {name}")


def _differs(a: str, b: str) -> str:
    """SQL naming the identity columns where both rows have a value and the values differ."""
    parts = ", ".join(f"CASE WHEN {a}.{c} <> {b}.{c} THEN '{c}' END" for c in POST_IDENTITY_COLUMNS)
    return f"concat_ws(', ', {parts})"


def _fills(stored: str, new: str) -> str:
    """SQL: true if the new row has a value the stored row lacks."""
    return " OR ".join(f"({stored}.{c} IS NULL AND {new}.{c} IS NOT NULL)" for c in FILLED_COLUMNS)


_KIND_RANK = "list_position([" + ", ".join(f"'{k}'" for k in KIND_SPECIFICITY) + "], {})"


def _kind_rank(expr: str) -> str:
    return _KIND_RANK.format(expr)


def _grows(stored: str, new: str) -> str:
    return " OR ".join(f"coalesce({new}.{c} > {stored}.{c} OR ({stored}.{c} IS NULL AND {new}.{c} IS NOT NULL), "
                       "false)" for c in POST_COUNT_COLUMNS)


_RAW = ("to_json(struct_pack(channel := s.channel, post_id := s.post_id, account_id := s.account_id, "
        "role_hint := s.role_hint, kind := s.kind, parent_id := s.parent_id, created_at := s.created_at, "
        "text := s.text, likes := s.likes, shares := s.shares, comments := s.comments, views := s.views, "
        "url := s.url, media_type := s.media_type, lang := s.lang, company := s.source_company))::VARCHAR")


def merge_staging(con: duckdb.DuckDBPyConnection, source: str, fmt: str) -> MergeCounts:
    drop_temp(con, "s_merged")
    repeated = con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM staging_posts GROUP BY channel, post_id HAVING count(*) > 1)"
    ).fetchone()[0]
    later_dups = later_conflicts = 0
    if repeated:
        later_dups, later_conflicts = _merge_within_file(con)
    else:  # the common case: every id once in this file
        con.execute("CREATE OR REPLACE TEMP VIEW s_merged AS SELECT * FROM staging_posts")
        con.execute("CREATE OR REPLACE TEMP TABLE s_later AS SELECT *, 0::BIGINT AS first_line, '' AS differs "
                    "FROM staging_posts LIMIT 0")

    # Verdicts only (no copy of the rows: a large import would hold its text twice).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_verdict AS
        SELECT s.seq, p.post_id IS NOT NULL AS stored,
               CASE WHEN p.post_id IS NULL THEN '' ELSE {_differs('s', 'p')} END AS differs,
               p.post_id IS NOT NULL AND ({_fills('p', 's')} OR {_grows('p', 's')}
                                          OR {_kind_rank('s.kind')} > {_kind_rank('p.kind')}) AS enriches,
               p.source AS stored_source, p.source_line AS stored_line
        FROM s_merged s LEFT JOIN posts p USING (channel, post_id)
    """)
    con.execute("CREATE OR REPLACE TEMP VIEW s_vs_store AS SELECT * FROM s_merged JOIN s_verdict USING (seq)")
    new, updated, same, clash = con.execute("""
        SELECT count(*) FILTER (WHERE NOT stored),
               count(*) FILTER (WHERE stored AND differs = '' AND enriches),
               count(*) FILTER (WHERE stored AND differs = '' AND NOT enriches),
               count(*) FILTER (WHERE stored AND differs <> '')
        FROM s_vs_store
    """).fetchone()

    # The new rows: inserted by the refresh, with their derived columns (see resolve.py).
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW s_new AS
        SELECT channel, post_id, account_id, role_hint, kind, parent_id, ref_id, platform_conversation_id,
               created_at, text, likes, shares, comments, views, url, media_type, lang, mentions, hashtags,
               source_company, '{source.replace("'", "''")}' AS source, source_line, source_item
        FROM s_vs_store WHERE NOT stored
    """)
    if updated:
        sets = [f"{c} = coalesce(posts.{c}, s.{c})" for c in FILLED_COLUMNS]
        sets += [f"{c} = greatest(posts.{c}, s.{c})" for c in POST_COUNT_COLUMNS]
        sets += [f"kind = CASE WHEN {_kind_rank('s.kind')} > {_kind_rank('posts.kind')} THEN s.kind ELSE posts.kind END"]
        sets += [f"{c} = CASE WHEN posts.text IS NULL AND s.text IS NOT NULL THEN s.{c} ELSE posts.{c} END"
                 for c in ("mentions", "hashtags")]
        con.execute(f"""
            UPDATE posts SET {', '.join(sets)} FROM s_vs_store s
            WHERE s.channel = posts.channel AND s.post_id = posts.post_id
              AND s.stored AND s.differs = '' AND s.enriches
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
    return MergeCounts(imported=new, updated=updated, skipped=same + later_dups, conflicts=clash + later_conflicts)


def _merge_within_file(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Fold the copies of each post in this file into one row (``s_merged``)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_later AS
        WITH first AS (
            SELECT * FROM staging_posts
            QUALIFY row_number() OVER (PARTITION BY channel, post_id ORDER BY seq) = 1
        )
        SELECT s.*, f.source_line AS first_line, {_differs('s', 'f')} AS differs
        FROM staging_posts s JOIN first f USING (channel, post_id)
        WHERE s.seq <> f.seq
    """)
    first_non_null = ", ".join(f"arg_min({c}, seq) FILTER (WHERE {c} IS NOT NULL) AS {c}"
                               for c in ("account_id", "handle", *FILLED_COLUMNS))
    maxima = ", ".join(f"max({c}) AS {c}" for c in POST_COUNT_COLUMNS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_merged AS
        SELECT channel, post_id, min(seq) AS seq, bool_or(pseudonymised) AS pseudonymised,
               {first_non_null}, {maxima}, arg_max(kind, {_kind_rank('kind')}) AS kind,
               coalesce(arg_min(mentions, seq) FILTER (WHERE text IS NOT NULL), arg_min(mentions, seq)) AS mentions,
               coalesce(arg_min(hashtags, seq) FILTER (WHERE text IS NOT NULL), arg_min(hashtags, seq)) AS hashtags,
               arg_min(source_line, seq) AS source_line, arg_min(source_item, seq) AS source_item
        FROM staging_posts s
        WHERE NOT EXISTS (SELECT 1 FROM s_later l WHERE l.seq = s.seq AND l.differs <> '')
        GROUP BY channel, post_id
    """)
    return con.execute("SELECT count(*) FILTER (WHERE differs = ''), count(*) FILTER (WHERE differs <> '') "
                       "FROM s_later").fetchone()


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
