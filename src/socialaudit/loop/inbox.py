"""Department inboxes in the store: routing posts into them, and who read what, when.

Routing is incremental and idempotent: a post already in a department's inbox stays there
with its item number and its reads; only new (post, department) pairs are added, in one
transaction.  Reads are append-only facts (the first open and the first acknowledgement of
each person), from which the read-tracking metrics (:mod:`socialaudit.loop.reads`) follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import ibis

from ..errors import SocialAuditError
from ..metrics.actionable import reading_model
from ..model import UTC
from .profile import DEPARTMENTS
from .routing import RoutingConfig, routed, topic_column, used_topics

ACTIONS = ("opened", "acknowledged")


@dataclass
class RouteReport:
    candidates: int
    added: int
    removed: int
    by_department: dict[str, int]


TOPIC_BATCH = 2000


def _candidates(con: duckdb.DuckDBPyConnection, config: RoutingConfig | None = None):
    """Consumer posts addressed to a company, with their classifier readings (of the model the
    audit reads) and, when rules name topics, whether each post is about each of them."""
    model = reading_model(con)
    if model is None:
        raise SocialAuditError("no classifier readings in the store: run `socialaudit enrich --db ...` first")
    backend = ibis.duckdb.from_connection(con)
    posts, e = backend.table("posts"), backend.table("enrichments")
    consumer = posts.filter((posts.author_role == "consumer") & posts.company_id.notnull()).select(
        "channel", "post_id", "company_id", "text")
    e = e.filter(e.model == model)
    candidates = consumer.join(e.select("channel", "post_id", "lang", "sentiment", "question", "complaint",
                                        "product_feedback", "praise"), ["channel", "post_id"])
    topics = used_topics(config) if config is not None else []
    if topics:
        matches = _topic_matches(candidates.select("channel", "post_id", "text").to_pyarrow(), config, topics)
        con.register("route_topic_matches", matches)
        candidates = candidates.join(backend.table("route_topic_matches"), ["channel", "post_id"], how="left")
        candidates = candidates.drop(*[c for c in candidates.columns if c.endswith("_right")])
    return candidates


def _topic_matches(posts, config: RoutingConfig, topics: list[str]):
    """(channel, post_id, topic__<name> …) for every candidate: description/examples by the sentence
    encoder, keywords by whole-word match; either makes the post about the topic."""
    import numpy as np
    import pyarrow as pa

    from ..enrich.topics import TopicMatcher, keyword_matches

    specs = [config.topics[t].spec(t) for t in topics]
    described = [j for j, s in enumerate(specs) if s.description or s.examples]  # columns matched by meaning
    matcher = TopicMatcher([specs[j] for j in described]) if described else None
    texts = posts.column("text").to_pylist()
    flags = np.zeros((len(texts), len(specs)), dtype=bool)
    for start in range(0, len(texts), TOPIC_BATCH):
        chunk = texts[start:start + TOPIC_BATCH]
        flags[start:start + len(chunk)] = keyword_matches(specs, chunk)
        if matcher is not None:
            flags[start:start + len(chunk), described] |= matcher.matches(chunk)
    columns = {"channel": posts.column("channel"), "post_id": posts.column("post_id")}
    for j, name in enumerate(topics):
        columns[topic_column(name)] = pa.array(flags[:, j])
    return pa.table(columns)


def route_store(con: duckdb.DuckDBPyConnection, config: RoutingConfig, *, replace: bool = False,
                now: dt.datetime | None = None) -> RouteReport:
    """Add every newly matching (post, department) to the inboxes.  With ``replace``, items no
    rule matches any more are removed unless someone already read them."""
    now = now or dt.datetime.now(UTC)
    candidates = _candidates(con, config)
    n_candidates = candidates.count().to_pyarrow().as_py()
    routes = routed(candidates, config).to_pyarrow()
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("new_routes", routes)
        before = con.execute("SELECT count(*) FROM routed_items").fetchall()[0][0]
        removed = 0
        if replace:
            removed = con.execute("""
                DELETE FROM routed_items i WHERE NOT EXISTS (
                    SELECT 1 FROM new_routes r
                    WHERE r.channel = i.channel AND r.post_id = i.post_id AND r.department = i.department)
                  AND NOT EXISTS (SELECT 1 FROM item_reads x WHERE x.item_id = i.item_id)""").fetchall()[0][0]
        con.execute("""
            INSERT INTO routed_items
            SELECT nextval('routed_item_ids'), channel, post_id, company_id, department, rules, intent,
                   created_at, $now
            FROM (SELECT r.channel, r.post_id, r.company_id, r.department, r.rules, e.intent, p.created_at
                  FROM new_routes r
                  JOIN posts p USING (channel, post_id)
                  JOIN enrichments e USING (channel, post_id)
                  WHERE e.model = $model AND NOT EXISTS (SELECT 1 FROM routed_items i WHERE i.channel = r.channel
                                    AND i.post_id = r.post_id AND i.department = r.department)
                  ORDER BY p.created_at, r.channel, r.post_id, r.department)""",
                    {"now": now, "model": reading_model(con)}).fetchall()
        after = con.execute("SELECT count(*) FROM routed_items").fetchall()[0][0]
        con.unregister("new_routes")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("route_topic_matches")  # registered only when rules name topics; harmless otherwise
    by_department = dict(con.execute("SELECT department, count(*) FROM routed_items GROUP BY department").fetchall())
    return RouteReport(n_candidates, after - before + removed, removed,
                       {d: by_department.get(d, 0) for d in DEPARTMENTS})


def _check_department(department: str) -> None:
    if department not in DEPARTMENTS:
        raise SocialAuditError(f"unknown department '{department}' (one of {', '.join(DEPARTMENTS)})")


def record_read(con: duckdb.DuckDBPyConnection, item_ids: list[int], action: str, user: str, *,
                department: str | None = None, at: dt.datetime | None = None) -> int:
    """Record that ``user`` opened or acknowledged the items (acknowledging opens too).

    With ``department``, every item must be in that department's inbox (a department user
    acts on its own inbox only).  Returns how many new read facts were written; repeating a
    read changes nothing (the first time is kept).
    """
    if action not in ACTIONS:
        raise SocialAuditError(f"unknown action '{action}' (one of {', '.join(ACTIONS)})")
    if not user.strip():
        raise SocialAuditError("a read needs a user name")
    if department is not None:
        _check_department(department)
    at = at or dt.datetime.now(UTC)
    ids = sorted(set(int(i) for i in item_ids))
    if not ids:
        return 0
    found = dict(con.execute("SELECT item_id, department FROM routed_items WHERE list_contains($ids, item_id)",
                             {"ids": ids}).fetchall())
    missing = [i for i in ids if i not in found]
    if missing:
        raise SocialAuditError(f"no routed item {', '.join(map(str, missing))}")
    if department is not None:
        foreign = [i for i in ids if found[i] != department]
        if foreign:
            raise SocialAuditError(f"item(s) {', '.join(map(str, foreign))} are not in the {department} inbox")
    actions = ["opened", "acknowledged"] if action == "acknowledged" else ["opened"]
    before = con.execute("SELECT count(*) FROM item_reads").fetchone()[0]
    con.execute("BEGIN TRANSACTION")
    try:
        for a in actions:
            con.executemany("INSERT OR IGNORE INTO item_reads VALUES (?, ?, ?, ?)", [(i, a, user, at) for i in ids])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM item_reads").fetchone()[0] - before


STATUSES = ("all", "unread", "unacknowledged")


def inbox_items(con: duckdb.DuckDBPyConnection, department: str, *, company: str | None = None,
                status: str = "all", limit: int | None = 50, offset: int = 0) -> list[dict]:
    """A department's items, newest post first, with the post text and read state.

    In four small queries rather than one join: the page's item numbers (a top-N over two
    narrow columns), then those items, their reads and their posts.  On a store of 3M posts
    the single join took 70 ms a page (DuckDB carried every candidate's strings through the
    sort and scanned all posts); this takes about 25.
    """
    _check_department(department)
    if status not in STATUSES:
        raise SocialAuditError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
    where = ["i.department = $department"]
    params: dict = {"department": department}
    if company:
        where.append("i.company_id = $company")
        params["company"] = company
    if status != "all":
        action = "opened" if status == "unread" else "acknowledged"
        where.append(f"NOT EXISTS (SELECT 1 FROM item_reads x WHERE x.item_id = i.item_id AND x.action = '{action}')")
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    ids = [r[0] for r in con.execute(f"""
        SELECT i.item_id FROM routed_items i WHERE {' AND '.join(where)}
        ORDER BY i.posted_at DESC, i.item_id DESC {page}""", params).fetchall()]
    if not ids:
        return []
    cur = con.execute("""
        SELECT item_id, company_id, channel, post_id, posted_at, intent, rules
        FROM routed_items WHERE item_id IN (SELECT unnest($ids))""", {"ids": ids})
    columns = [d[0] for d in cur.description]
    items = {row[0]: dict(zip(columns, row, strict=True)) for row in cur.fetchall()}
    reads = {row[0]: row[1:] for row in con.execute("""
        SELECT item_id, min(read_at) FILTER (WHERE action = 'opened'),
               min(read_at) FILTER (WHERE action = 'acknowledged'),
               string_agg(DISTINCT user_name, ', ' ORDER BY user_name) FILTER (WHERE action = 'acknowledged')
        FROM item_reads WHERE item_id IN (SELECT unnest($ids)) GROUP BY item_id""", {"ids": ids}).fetchall()}
    posts = {(c, p): (a, t) for c, p, a, t in con.execute(
        "SELECT channel, post_id, account_id, text FROM posts WHERE post_id IN (SELECT unnest($ids))",
        {"ids": sorted({i["post_id"] for i in items.values()})}).fetchall()}
    out = []
    for item_id in ids:
        i = items[item_id]
        account, text = posts.get((i["channel"], i["post_id"]), (None, None))
        opened, acknowledged, by = reads.get(item_id, (None, None, None))
        out.append({**i, "account_id": account, "text": text, "first_opened": opened,
                    "first_acknowledged": acknowledged, "acknowledged_by": by})
    return out

def item(con: duckdb.DuckDBPyConnection, item_id: int) -> dict | None:
    cur = con.execute("""
        SELECT i.*, p.text, p.account_id, p.url FROM routed_items i JOIN posts p USING (channel, post_id)
        WHERE i.item_id = ?""", [item_id])
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))
