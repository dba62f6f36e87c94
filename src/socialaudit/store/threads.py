"""Conversations from reply chains: every post gets the id of its thread's root.

The root of a post is found by following ``parent_id`` upwards.  Chains can be long (a
support thread of hundreds of tweets) and data can be dirty (a post that replies to
itself, two posts that reply to each other), so the walk is done by *pointer doubling* in
SQL: each round replaces every post's current ancestor by that ancestor's ancestor, so a
chain of length n needs log2(n) rounds.  An acyclic chain in a store of n posts is at most
n long, so after log2(n) + 2 rounds every post that is not yet at a root sits on a reply
cycle or leads into one; those few are resolved in Python, each such component taking its
smallest post id as root.  Nothing here can loop forever.

A parent that is not in the store is still a root (the thread's first tweet may not have
been collected), so two replies to the same missing tweet share a conversation.
A conversation id given by the platform (X ``conversation_id``) wins over the computed one,
and is given to the posts of the same thread that came without one.
"""

from __future__ import annotations

import math

import duckdb


def derive_conversations(con: duckdb.DuckDBPyConnection) -> None:
    """``post_conversations`` (channel, post_id, conversation_id) for every post of ``posts_all``."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE thread_walk AS
        SELECT channel, post_id,
               CASE WHEN parent_id IS NULL OR parent_id = post_id THEN post_id ELSE parent_id END AS anc
        FROM posts_all
    """)
    total = con.execute("SELECT count(*) FROM thread_walk").fetchone()[0]
    for _ in range(math.ceil(math.log2(total + 1)) + 2):
        # Jump to the ancestor's ancestor, unless the ancestor is a root (its own ancestor,
        # or a parent that is not stored) or the jump would land on the post itself (a
        # two-post cycle).
        moved = con.execute("""
            UPDATE thread_walk SET anc = nxt.anc
            FROM thread_walk AS nxt
            WHERE nxt.channel = thread_walk.channel AND nxt.post_id = thread_walk.anc
              AND nxt.anc <> nxt.post_id AND nxt.anc <> thread_walk.post_id
        """).fetchone()[0]
        if moved == 0:
            break
    _resolve_cycles(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE post_conversations AS
        WITH walked AS (
            SELECT w.channel, w.post_id, w.anc, p.platform_conversation_id
            FROM thread_walk w JOIN posts_all p ON p.channel = w.channel AND p.post_id = w.post_id
        ),
        given AS (  -- a conversation id the platform gave to some post of the thread
            SELECT channel, anc, min(platform_conversation_id) AS platform_id
            FROM walked WHERE platform_conversation_id IS NOT NULL GROUP BY ALL
        )
        SELECT w.channel, w.post_id, coalesce(w.platform_conversation_id, g.platform_id, w.anc) AS conversation_id
        FROM walked w LEFT JOIN given g ON g.channel = w.channel AND g.anc = w.anc
    """)


def _resolve_cycles(con: duckdb.DuckDBPyConnection) -> None:
    """Give every post on or above a reply cycle the smallest post id of its component.

    After the doubling rounds, a post whose ancestor is still not a root is on a cycle or
    leads into one; its parent is in the same situation, so the union-find below only
    needs these rows.
    """
    rows = con.execute("""
        SELECT w.channel, w.post_id, p.parent_id
        FROM thread_walk w
        JOIN thread_walk nxt ON nxt.channel = w.channel AND nxt.post_id = w.anc AND nxt.anc <> nxt.post_id
        JOIN posts_all p ON p.channel = w.channel AND p.post_id = w.post_id
    """).fetchall()
    if not rows:
        return
    parent: dict[tuple[str, str], tuple[str, str]] = {}
    for channel, post_id, parent_id in rows:
        key = (channel, post_id)
        parent[key] = key
    # Union-find over the unresolved posts and their parent links.
    for channel, post_id, parent_id in rows:
        if parent_id is not None and (channel, parent_id) in parent:
            _union(parent, (channel, post_id), (channel, parent_id))
    groups: dict[tuple[str, str], str] = {}
    for key in parent:
        root = _find(parent, key)
        if root not in groups or key[1] < groups[root]:
            groups[root] = key[1]
    fixed = [(key[0], key[1], groups[_find(parent, key)]) for key in parent]
    con.execute("CREATE OR REPLACE TEMP TABLE thread_cycles (channel VARCHAR, post_id VARCHAR, anc VARCHAR)")
    con.executemany("INSERT INTO thread_cycles VALUES (?, ?, ?)", fixed)
    con.execute("""
        UPDATE thread_walk SET anc = c.anc FROM thread_cycles c
        WHERE c.channel = thread_walk.channel AND c.post_id = thread_walk.post_id
    """)


def _find(parent: dict, key):
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def _union(parent: dict, a, b) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)
