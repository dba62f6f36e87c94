"""The ``sync_cursors`` table: where each feed of each brand account stopped.

Besides the connector's ``state``, a cursor counts the ``pages`` the feed has stored over all
runs: a page's number (its ``source_line`` in ``posts`` and ``quarantine``) is that count + 1,
so a resumed sync numbers its pages exactly as an uninterrupted one would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import duckdb


@dataclass
class Cursor:
    state: dict = field(default_factory=dict)
    pages: int = 0


def load_cursor(con: duckdb.DuckDBPyConnection, channel: str, account: str, feed: str) -> Cursor:
    row = con.execute("SELECT state, pages FROM sync_cursors WHERE channel = ? AND account = ? AND feed = ?",
                      [channel, account, feed]).fetchone()
    return Cursor(json.loads(row[0]), row[1]) if row else Cursor()


def save_cursor(con: duckdb.DuckDBPyConnection, channel: str, account: str, feed: str, cursor: Cursor,
                when: datetime) -> None:
    """Store a feed's cursor (inside the caller's transaction, beside the posts it covers)."""
    con.execute("INSERT OR REPLACE INTO sync_cursors VALUES (?, ?, ?, ?, ?, ?)",
                [channel, account, feed, json.dumps(cursor.state, sort_keys=True), cursor.pages, when])


def list_cursors(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, Cursor, datetime]]:
    rows = con.execute("SELECT channel, account, feed, state, pages, updated_at FROM sync_cursors "
                       "ORDER BY channel, account, feed").fetchall()
    return [(c, a, f, Cursor(json.loads(s), n), t) for c, a, f, s, n, t in rows]
