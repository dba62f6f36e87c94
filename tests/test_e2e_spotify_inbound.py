"""The SpotifyCares consumer tweets: bare CRs in unquoted fields, extra columns, brand by @-mention."""

from __future__ import annotations

import csv
import io

from helpers import REGISTRY, shared

from socialaudit.registry import load_registry
from socialaudit.store import import_file, save_registry


def test_all_15096_rows_with_their_carriage_returns(store):
    path = shared("twcs_spotify_inbound/support_requests.csv")
    save_registry(store.con, load_registry(REGISTRY), store.pseudonymiser())
    report = import_file(store, path, "auto")
    assert (report.format, report.rows_read, report.imported, report.quarantined) == ("twcs", 15096, 15096, 0)

    with open(path, encoding="utf-8", newline="") as fh:  # SOURCE.md: only LF ends a record
        rows = csv.DictReader(io.StringIO(fh.read().replace("\r", "\x00"), newline=""))
        raw = {r["tweet_id"]: r["text"] for r in rows}
    raw = {k: v.replace("\x00", "\r") for k, v in raw.items()}
    stored = dict(store.con.execute("SELECT post_id, text FROM posts").fetchall())
    assert stored == raw
    assert sum("\r" in t for t in stored.values()) == 8

    roles, companies, authors = store.con.execute(
        "SELECT list(DISTINCT author_role), list(DISTINCT company_id), count(DISTINCT account_id) FROM posts"
    ).fetchone()
    assert (roles, companies, authors) == (["consumer"], ["spotify"], 8723)
