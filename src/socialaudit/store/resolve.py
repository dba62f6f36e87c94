"""Derived columns: who is a brand, which company a post belongs to, which thread.

These depend on the whole store (a registry loaded later, a brand reply in another file),
so they are recomputed from scratch after every import and registry load, inside the
same transaction.  Every rule is a deterministic function of the stored rows, which is
what makes imports idempotent and a re-run equal to a clean run.

Rules:

* An account is a **brand** account if the registry lists its handle or id for that
  channel, or the source says so (TWCS ``inbound = False``, a page answering on its own
  post).  Its company is the registry's; else the company its posts name
  (``source_company``); else an automatic company ``channel:handle``.
* A brand post belongs to its account's company.  A consumer post belongs to, in order:
  the company the source names; the company of the brand post it replies to; the first
  brand it @-mentions; the first brand that posted in its conversation; the company of
  the earliest post of its conversation that has one (a consumer's follow-up to their
  own complaint).
"""

from __future__ import annotations

import re

import duckdb

from .threads import assign_conversations

AUTO_HOURS = '{"mon":[[540,1020]],"tue":[[540,1020]],"wed":[[540,1020]],"thu":[[540,1020]],' \
             '"fri":[[540,1020]],"sat":[],"sun":[]}'


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower()).strip("-") or "company"


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute accounts' companies, authors' roles, conversations and posts' companies."""
    _resolve_source_companies(con)
    _resolve_accounts(con)
    _resolve_roles(con)
    assign_conversations(con)
    _resolve_post_companies(con)
    _drop_orphan_auto_companies(con)


def _resolve_source_companies(con: duckdb.DuckDBPyConnection) -> None:
    """Map each distinct ``source_company`` value to a company id, creating auto companies."""
    values = con.execute("""
        SELECT DISTINCT p.channel, p.source_company FROM posts p WHERE p.source_company IS NOT NULL
    """).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE source_company_map "
                "(channel VARCHAR, value VARCHAR, company_id VARCHAR)")
    if not values:
        return
    companies = {cid: cid for (cid,) in con.execute("SELECT company_id FROM companies").fetchall()}
    names = {name.lower(): cid for cid, name in con.execute(
        "SELECT company_id, name FROM companies WHERE origin = 'registry'").fetchall()}
    handles = {(ch, h): cid for ch, h, cid in con.execute(
        "SELECT channel, handle, company_id FROM brand_accounts").fetchall()}
    rows, new = [], {}
    for channel, value in values:
        key = value.strip()
        cid = (companies.get(key) or names.get(key.lower()) or handles.get((channel, key.lower().lstrip("@")))
               or companies.get(slug(key)))
        if cid is None:
            cid = slug(key)
            new[cid] = key
        rows.append((channel, value, cid))
    con.executemany("INSERT INTO source_company_map VALUES (?, ?, ?)", rows)
    for cid, name in new.items():
        con.execute("INSERT INTO companies (company_id, name, timezone, business_hours, origin) "
                    "VALUES (?, ?, 'UTC', ?, 'auto') ON CONFLICT DO NOTHING", [cid, name, AUTO_HOURS])


def _resolve_accounts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE account_company AS
        WITH registry AS (
            SELECT a.channel, a.account_id, min(b.company_id) AS company_id
            FROM accounts a JOIN brand_accounts b
              ON b.channel = a.channel AND (b.handle = lower(a.handle) OR b.handle = lower(a.account_id))
            GROUP BY ALL
        ),
        named AS (  -- the company most of a brand account's posts name
            SELECT p.channel, p.account_id, arg_max(m.company_id, n) AS company_id
            FROM (SELECT channel, account_id, source_company, count(*) AS n FROM posts
                  WHERE source_company IS NOT NULL AND role_hint = 'brand' GROUP BY ALL) p
            JOIN source_company_map m ON m.channel = p.channel AND m.value = p.source_company
            GROUP BY ALL
        )
        SELECT a.channel, a.account_id,
               coalesce(r.company_id, CASE WHEN a.role_hint = 'brand'
                        THEN coalesce(n.company_id, a.channel || ':' || lower(coalesce(a.handle, a.account_id)))
                        END) AS company_id,
               coalesce(il.identity, ii.identity) AS identity
        FROM accounts a
        LEFT JOIN registry r USING (channel, account_id)
        LEFT JOIN named n USING (channel, account_id)
        LEFT JOIN identity_links il ON il.channel = a.channel AND il.handle = lower(a.handle)
        LEFT JOIN identity_links ii ON ii.channel = a.channel AND ii.handle = lower(a.account_id)
    """)
    con.execute("""
        INSERT INTO companies (company_id, name, timezone, business_hours, origin)
        SELECT ac.company_id, arg_min(coalesce(a.display_name, a.handle, a.account_id), a.account_id), 'UTC', ?,
               'auto'
        FROM account_company ac JOIN accounts a USING (channel, account_id)
        WHERE ac.company_id IS NOT NULL
        GROUP BY ac.company_id
        ON CONFLICT DO NOTHING
    """, [AUTO_HOURS])
    con.execute("""
        UPDATE accounts SET company_id = ac.company_id,
               identity = coalesce(ac.identity, CASE WHEN ac.company_id IS NOT NULL
                                                THEN 'company:' || ac.company_id END)
        FROM account_company ac
        WHERE ac.channel = accounts.channel AND ac.account_id = accounts.account_id
          AND (accounts.company_id IS DISTINCT FROM ac.company_id
               OR accounts.identity IS DISTINCT FROM coalesce(ac.identity, CASE WHEN ac.company_id IS NOT NULL
                                                            THEN 'company:' || ac.company_id END))
    """)


def _resolve_roles(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        UPDATE posts SET author_role = r.role
        FROM (
            SELECT p.channel, p.post_id,
                   CASE WHEN a.company_id IS NOT NULL OR (a.account_id IS NULL AND p.role_hint = 'brand')
                        THEN 'brand' ELSE 'consumer' END AS role
            FROM posts p LEFT JOIN accounts a ON a.channel = p.channel AND a.account_id = p.account_id
        ) AS r
        WHERE posts.channel = r.channel AND posts.post_id = r.post_id AND posts.author_role <> r.role
    """)


def _resolve_post_companies(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE brand_handles AS
        SELECT channel, handle, company_id FROM brand_accounts
        UNION
        SELECT channel, lower(handle), company_id FROM accounts WHERE company_id IS NOT NULL AND handle IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE post_company AS
        WITH conv_brand AS (  -- the first brand to post in each conversation
            SELECT p.channel, p.conversation_id, arg_min(a.company_id, (p.created_at, p.post_id)) AS company_id
            FROM posts p JOIN accounts a ON a.channel = p.channel AND a.account_id = p.account_id
            WHERE a.company_id IS NOT NULL
            GROUP BY ALL
        ),
        first_mention AS (
            SELECT channel, post_id, arg_min(company_id, pos) AS company_id
            FROM (
                SELECT p.channel, p.post_id, bh.company_id, m.pos
                FROM (SELECT channel, post_id, unnest(mentions) AS handle,
                             generate_subscripts(mentions, 1) AS pos
                      FROM posts WHERE len(mentions) > 0 AND author_role = 'consumer') m
                JOIN posts p USING (channel, post_id)
                JOIN brand_handles bh ON bh.channel = m.channel AND bh.handle = m.handle
            )
            GROUP BY ALL
        )
        SELECT p.channel, p.post_id,
               CASE WHEN p.author_role = 'brand' THEN coalesce(a.company_id, sc.company_id)
                    ELSE coalesce(sc.company_id, pa.company_id, fm.company_id, cb.company_id)
               END AS company_id
        FROM posts p
        LEFT JOIN accounts a ON a.channel = p.channel AND a.account_id = p.account_id
        LEFT JOIN source_company_map sc ON sc.channel = p.channel AND sc.value = p.source_company
        LEFT JOIN posts parent ON parent.channel = p.channel AND parent.post_id = p.parent_id
        LEFT JOIN accounts pa ON pa.channel = parent.channel AND pa.account_id = parent.account_id
        LEFT JOIN first_mention fm ON fm.channel = p.channel AND fm.post_id = p.post_id
        LEFT JOIN conv_brand cb ON cb.channel = p.channel AND cb.conversation_id = p.conversation_id
    """)
    con.execute("""
        UPDATE post_company SET company_id = first_known.company_id
        FROM (
            SELECT p.channel, p.conversation_id, arg_min(pc.company_id, (p.created_at, p.post_id)) AS company_id
            FROM posts p JOIN post_company pc USING (channel, post_id)
            WHERE pc.company_id IS NOT NULL
            GROUP BY ALL
        ) AS first_known, posts p
        WHERE post_company.company_id IS NULL
          AND p.channel = post_company.channel AND p.post_id = post_company.post_id AND p.author_role = 'consumer'
          AND first_known.channel = p.channel AND first_known.conversation_id = p.conversation_id
    """)
    con.execute("""
        UPDATE posts SET company_id = pc.company_id FROM post_company pc
        WHERE pc.channel = posts.channel AND pc.post_id = posts.post_id
          AND posts.company_id IS DISTINCT FROM pc.company_id
    """)


def _drop_orphan_auto_companies(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        DELETE FROM companies WHERE origin = 'auto'
          AND company_id NOT IN (SELECT company_id FROM accounts WHERE company_id IS NOT NULL)
          AND company_id NOT IN (SELECT company_id FROM posts WHERE company_id IS NOT NULL)
    """)
