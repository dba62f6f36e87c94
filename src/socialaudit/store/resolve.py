"""Derived columns: who is a brand, which company a post belongs to, which thread.

These depend on the whole store (a registry loaded later, a brand reply in another file),
so they are recomputed from scratch after every import and registry load, inside the
same transaction.  Every rule is a deterministic function of the stored rows, which is
what makes imports idempotent and a re-run equal to a clean run.

The derivation reads the stored posts together with an import's new rows (``posts_all``)
and writes only what changes: new rows are inserted with their derived values already
set, and stored rows are updated only where a derived value moved.  Rewriting millions of
rows inside the import's transaction would hold them all in memory until commit.

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

from .threads import derive_conversations

AUTO_HOURS = '{"mon":[[540,1020]],"tue":[[540,1020]],"wed":[[540,1020]],"thu":[[540,1020]],' \
             '"fri":[[540,1020]],"sat":[],"sun":[]}'

#: The columns of ``posts`` that the derivation reads (a new-rows relation must have them).
SOURCE_COLUMNS = ("channel", "post_id", "account_id", "role_hint", "parent_id", "platform_conversation_id",
                  "created_at", "mentions", "source_company")
DERIVED_COLUMNS = ("author_role", "conversation_id", "company_id")


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower()).strip("-") or "company"


def refresh(con: duckdb.DuckDBPyConnection, new_posts: str | None = None) -> None:
    """Recompute accounts' companies and posts' roles, conversations and companies.

    ``new_posts`` names a relation of rows to add to ``posts``, with every column of
    ``posts`` but the derived ones; they are inserted with their derived values.
    """
    cols = ", ".join(SOURCE_COLUMNS)
    union = f" UNION ALL SELECT {cols}, true AS is_new FROM {new_posts}" if new_posts else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW posts_all AS SELECT {cols}, false AS is_new FROM posts{union}")
    _resolve_source_companies(con)
    _resolve_accounts(con)
    _derive_roles(con)
    derive_conversations(con)
    _derive_companies(con)
    _apply(con, new_posts)
    _drop_orphan_auto_companies(con)


def _resolve_source_companies(con: duckdb.DuckDBPyConnection) -> None:
    """Map each distinct ``source_company`` value to a company id, creating auto companies."""
    values = con.execute("""
        SELECT DISTINCT channel, source_company FROM posts_all WHERE source_company IS NOT NULL
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
            FROM (SELECT channel, account_id, source_company, count(*) AS n FROM posts_all
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


def _derive_roles(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE post_roles AS
        SELECT p.channel, p.post_id,
               CASE WHEN a.company_id IS NOT NULL OR (a.account_id IS NULL AND p.role_hint = 'brand')
                    THEN 'brand' ELSE 'consumer' END AS author_role,
               a.company_id AS account_company
        FROM posts_all p LEFT JOIN accounts a ON a.channel = p.channel AND a.account_id = p.account_id
    """)


def _derive_companies(con: duckdb.DuckDBPyConnection) -> None:
    """``post_derived``: role, conversation and company of every post."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE brand_handles AS
        SELECT channel, handle, company_id FROM brand_accounts
        UNION
        SELECT channel, lower(handle), company_id FROM accounts WHERE company_id IS NOT NULL AND handle IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE post_derived AS
        WITH p AS (
            SELECT a.channel, a.post_id, a.parent_id, a.created_at, a.mentions, a.source_company,
                   r.author_role, r.account_company, c.conversation_id
            FROM posts_all a
            JOIN post_roles r USING (channel, post_id)
            JOIN post_conversations c USING (channel, post_id)
        ),
        conv_brand AS (  -- the first brand to post in each conversation
            SELECT channel, conversation_id, arg_min(account_company, (created_at, post_id)) AS company_id
            FROM p WHERE account_company IS NOT NULL
            GROUP BY ALL
        ),
        first_mention AS (
            SELECT m.channel, m.post_id, arg_min(bh.company_id, m.pos) AS company_id
            FROM (SELECT channel, post_id, unnest(mentions) AS handle, generate_subscripts(mentions, 1) AS pos
                  FROM p WHERE len(mentions) > 0 AND author_role = 'consumer') m
            JOIN brand_handles bh ON bh.channel = m.channel AND bh.handle = m.handle
            GROUP BY ALL
        ),
        first_pass AS (
            SELECT p.channel, p.post_id, p.author_role, p.conversation_id, p.created_at,
                   CASE WHEN p.author_role = 'brand' THEN coalesce(p.account_company, sc.company_id)
                        ELSE coalesce(sc.company_id, parent.account_company, fm.company_id, cb.company_id)
                   END AS company_id
            FROM p
            LEFT JOIN source_company_map sc ON sc.channel = p.channel AND sc.value = p.source_company
            LEFT JOIN post_roles parent ON parent.channel = p.channel AND parent.post_id = p.parent_id
            LEFT JOIN first_mention fm ON fm.channel = p.channel AND fm.post_id = p.post_id
            LEFT JOIN conv_brand cb ON cb.channel = p.channel AND cb.conversation_id = p.conversation_id
        ),
        first_known AS (  -- the company of the earliest post of each conversation that has one
            SELECT channel, conversation_id, arg_min(company_id, (created_at, post_id)) AS company_id
            FROM first_pass WHERE company_id IS NOT NULL
            GROUP BY ALL
        )
        SELECT f.channel, f.post_id, f.author_role, f.conversation_id,
               CASE WHEN f.company_id IS NULL AND f.author_role = 'consumer' THEN k.company_id
                    ELSE f.company_id END AS company_id
        FROM first_pass f
        LEFT JOIN first_known k ON k.channel = f.channel AND k.conversation_id = f.conversation_id
    """)


def _apply(con: duckdb.DuckDBPyConnection, new_posts: str | None) -> None:
    """Insert new rows with their derived values; update stored rows whose values moved."""
    if new_posts:
        con.execute(f"""
            INSERT INTO posts BY NAME
            SELECT n.*, {', '.join(f'd.{c}' for c in DERIVED_COLUMNS)}
            FROM {new_posts} n JOIN post_derived d USING (channel, post_id)
        """)
    changed = " OR ".join(f"posts.{c} IS DISTINCT FROM d.{c}" for c in DERIVED_COLUMNS)
    con.execute(f"""
        UPDATE posts SET {', '.join(f'{c} = d.{c}' for c in DERIVED_COLUMNS)}
        FROM post_derived d
        WHERE d.channel = posts.channel AND d.post_id = posts.post_id AND ({changed})
    """)


def _drop_orphan_auto_companies(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        DELETE FROM companies WHERE origin = 'auto'
          AND company_id NOT IN (SELECT company_id FROM accounts WHERE company_id IS NOT NULL)
          AND company_id NOT IN (SELECT company_id FROM posts WHERE company_id IS NOT NULL)
    """)
