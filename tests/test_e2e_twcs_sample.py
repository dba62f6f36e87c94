"""End to end on the bundled real TWCS sample: counts, roles, threads, companies, idempotence."""

from __future__ import annotations

import csv

import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY, dump_tables

from socialaudit.registry import load_registry
from socialaudit.store import Store, import_file, save_registry


def raw_rows():
    """The sample read independently: Python csv, LF-only records (SOURCE.md)."""
    with open(BUNDLED_SAMPLE, encoding="utf-8", newline="") as fh:  # keep CRs as they are
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e") / "sample.duckdb"
    with Store(path) as store:
        save_registry(store.con, load_registry(REGISTRY), store.pseudonymiser())
        report = import_file(store, BUNDLED_SAMPLE, "auto")
        yield store, report


def test_every_row_is_imported(sample_store):
    store, report = sample_store
    assert report.format == "twcs"
    assert (report.rows_read, report.imported, report.quarantined) == (5000, 5000, 0)
    roles = dict(store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY 1").fetchall())
    assert roles == {"consumer": 2778, "brand": 2222}


def test_roles_match_the_inbound_column_and_brands_stay_readable(sample_store):
    store, _ = sample_store
    raw = {r["tweet_id"]: r for r in raw_rows()}
    got = dict(store.con.execute("SELECT post_id, author_role FROM posts").fetchall())
    assert all(got[i] == ("consumer" if r["inbound"] == "True" else "brand") for i, r in raw.items())
    brand_handles = {r["author_id"] for r in raw.values() if r["inbound"] == "False"}
    assert len(brand_handles) == 76
    stored = {a for (a,) in store.con.execute("SELECT DISTINCT account_id FROM posts WHERE author_role = 'brand'")
              .fetchall()}
    assert stored == brand_handles
    consumers = store.con.execute("SELECT count(DISTINCT account_id), bool_and(account_id LIKE 'u\\_%' ESCAPE '\\') "
                                  "FROM posts WHERE author_role = 'consumer'").fetchone()
    assert consumers == (1519 - 76, True)


def test_threads_match_an_independent_union_find(sample_store):
    store, _ = sample_store
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = raw_rows()
    for r in rows:
        find(r["tweet_id"])
        if r["in_response_to_tweet_id"]:
            a, b = find(r["tweet_id"]), find(r["in_response_to_tweet_id"].removesuffix(".0"))
            parent[max(a, b, key=int)] = min(a, b, key=int)
    groups = {}
    for r in rows:
        groups.setdefault(find(r["tweet_id"]), set()).add(r["tweet_id"])
    stored = {}
    for post_id, conversation in store.con.execute("SELECT post_id, conversation_id FROM posts").fetchall():
        stored.setdefault(conversation, set()).add(post_id)
    assert sorted(map(sorted, stored.values())) == sorted(map(sorted, groups.values()))
    parents = store.con.execute("SELECT count(parent_id) FROM posts").fetchone()[0]
    assert parents == sum(1 for r in rows if r["in_response_to_tweet_id"]) == 3694


def test_every_post_belongs_to_a_registered_company(sample_store):
    store, _ = sample_store
    missing, auto = store.con.execute(
        "SELECT count(*) FILTER (WHERE p.company_id IS NULL), count(*) FILTER (WHERE c.origin = 'auto') "
        "FROM posts p LEFT JOIN companies c USING (company_id)").fetchone()
    assert (missing, auto) == (0, 0)
    # A consumer's post belongs to the brand it wrote to: in this sample, the brand of its thread.
    mismatched = store.con.execute("""
        SELECT count(*) FROM posts p
        WHERE p.author_role = 'consumer' AND p.company_id NOT IN (
            SELECT b.company_id FROM posts b WHERE b.author_role = 'brand' AND b.conversation_id = p.conversation_id)
          AND EXISTS (SELECT 1 FROM posts b WHERE b.author_role = 'brand' AND b.conversation_id = p.conversation_id)
    """).fetchone()[0]
    assert mismatched <= 5  # a handful of consumers address one brand in another brand's thread
    microsoft = store.con.execute("SELECT count(DISTINCT account_id) FROM posts WHERE company_id = 'microsoft' "
                                  "AND author_role = 'brand'").fetchone()[0]
    assert microsoft == 3  # MicrosoftHelps, XboxSupport, AzureSupport: one company


def test_texts_with_line_breaks_and_carriage_returns_survive(sample_store):
    store, _ = sample_store
    raw = {r["tweet_id"]: r["text"] for r in raw_rows()}
    stored = dict(store.con.execute("SELECT post_id, text FROM posts").fetchall())
    assert stored == raw
    assert sum("\n" in t for t in stored.values()) == 190
    assert "\r" in stored["3399"]


def test_reimport_changes_nothing(sample_store):
    store, _ = sample_store
    before = dump_tables(store.con)
    again = import_file(store, BUNDLED_SAMPLE, "twcs")
    assert (again.imported, again.skipped, again.quarantined) == (0, 5000, 0)
    assert dump_tables(store.con) == before
