"""The X connector against a fake X API v2 on loopback."""

from __future__ import annotations

from socialaudit.store import Store

from sync.fake_x import BRAND, FakeX
from sync.fakeserver import serve
from sync.harness import make_store, store_tables, sync_once

REGISTRY = f"""
version: 1
companies:
  - id: acme
    name: Acme
    industry: retail
    accounts:
      twitter: [{BRAND}]
"""


def test_first_sync_fetches_every_page_of_every_feed(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    with serve(api):
        out = sync_once(db, api, "twitter")
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert set(feeds) == {"tweets", "mentions", "conversations"}
    assert feeds["mentions"].pages == 4  # 230 mentions + 90 replies that mention the brand, 100 per page
    with Store(db, read_only=True) as store:
        posts = store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY ALL ORDER BY ALL").fetchall()
        companies = store.con.execute("SELECT DISTINCT company_id FROM posts WHERE author_role='brand'").fetchall()
    assert dict(posts) == {"brand": 45, "consumer": 230 + 30 * 3}
    assert companies == [("acme",)]
