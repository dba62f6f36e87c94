"""The X connector against a fake X API v2 on loopback."""

from __future__ import annotations

from sync.fake_x import REGISTRY, FakeX
from sync.fakeserver import serve
from sync.harness import make_store, same_store_but_quarantine, sync_once, twin_stores

from socialaudit.store import Store


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


def test_second_sync_fetches_only_what_is_new(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    with serve(api):
        sync_once(db, api, "twitter")
        newest = max(t["id"] for t in api.tweets.values() if t["author_id"] != "783214")
        before = len(api.requests)
        new = api.add_mention("still waiting for a refund")
        out = sync_once(db, api, "twitter")
    assert not out.report.problems
    mentions = [r for r in api.requests[before:] if r.path.endswith("/mentions")]
    assert len(mentions) == 1 and mentions[0].query["since_id"] == newest
    assert {f.feed: f.imported for f in out.report.feeds}["mentions"] == 1
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts WHERE post_id = ?", [new["id"]]).fetchone()[0] == 1
        state = store.con.execute("SELECT state FROM sync_cursors WHERE feed = 'mentions'").fetchone()[0]
    assert new["id"] in state


def test_rate_limit_waits_until_the_reset_the_headers_give(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX(rate_limit_every=4)
    with serve(api):
        out = sync_once(db, api, "twitter")
    assert not out.report.problems
    waits = [s for s in out.sleeps if s > 2]
    assert waits and all(5 <= s <= 9 for s in waits)  # x-rate-limit-reset = now + 7 s, plus jitter < 1 s
    assert sum(r.headers.get("authorization", "").startswith("Bearer ") for r in api.requests) == len(api.requests)
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 45 + 320


def test_rate_limit_longer_than_max_wait_stops_the_channel_and_says_when(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    api.fail("/mentions", 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(2_000_000_000)})
    with serve(api):
        out = sync_once(db, api, "twitter", max_wait=60)
    failed = out.report.problems
    assert [f.feed for f in failed] == ["mentions"] and failed[0].stops_channel
    assert "run the sync again after" in failed[0].message
    assert [f.feed for f in out.report.feeds] == ["tweets", "mentions"]  # conversations not tried


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    api.fail("/tweets", 503, {"title": "Service Unavailable"}, times=2)
    api.fail("/mentions", 500, times=1, after=1)
    with serve(api):
        out = sync_once(db, api, "twitter", timeout=0.5,
                        channel_settings={})
        # a slow answer (longer than the timeout) is retried too
        api.fail("/search/recent", 200, {"meta": {"result_count": 0}}, delay=1.5)
        out2 = sync_once(db, api, "twitter", timeout=0.5)
    assert not out.report.problems and not out2.report.problems
    assert len([s for s in out.sleeps]) >= 3
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 45 + 320


def test_expired_token_stops_the_channel_and_is_never_shown(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    token = "expired-token-SECRET-42"
    with serve(api):
        out = sync_once(db, api, "twitter", token=token)
    failed = out.report.problems
    assert len(failed) == 1 and failed[0].stops_channel
    assert "expired" in failed[0].message and "token" in failed[0].message
    assert len(api.requests) == 1  # the lookup; no retry of a 401
    assert api.requests[0].headers["authorization"] == f"Bearer {token}"
    shown = " ".join([f.message for f in out.report.feeds] + out.log)
    with Store(db, read_only=True) as store:
        shown += str(store.con.execute("SELECT * FROM imports").fetchall())
        shown += str(store.con.execute("SELECT * FROM quarantine").fetchall())
    assert token not in shown


def test_malformed_page_is_quarantined_and_a_later_run_ends_like_an_uninterrupted_one(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api = FakeX()
    with serve(api):
        sync_once(whole, api, "twitter")
    api = FakeX()
    api.fail("/mentions", 200, b'{"data": [{"id": "18000', times=10, after=1)
    with serve(api):
        out = sync_once(broken, api, "twitter")
        failed = out.report.problems
        assert [f.feed for f in failed] == ["mentions"]
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line, reason FROM quarantine").fetchall()
            state = store.con.execute("SELECT state, pages FROM sync_cursors WHERE feed = 'mentions'").fetchone()
        assert rows == [("sync:twitter/acmesupport/mentions", 2, rows[0][2])] and "not JSON" in rows[0][2]
        assert "next_token" in state[0] and state[1] == 1  # stopped after page 1, before the bad page
        api.faults.clear()
        again = sync_once(broken, api, "twitter")
    assert not again.report.problems
    assert same_store_but_quarantine(whole, broken)


def test_killed_sync_resumes_to_the_same_store(tmp_path):
    from sync.harness import kill_and_resume

    kill_and_resume(tmp_path, lambda: FakeX(mentions=300), "twitter", REGISTRY, kill_after=5)


def test_dry_run_makes_no_request_and_shows_where_the_token_is_looked_for(tmp_path):
    from socialaudit.sync import SyncConfig, SyncRun

    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    with serve(api), Store(db) as store:
        config = SyncConfig.model_validate({"channels": {"x": {"base_url": api.base_url}}})
        planned, skipped = SyncRun(store, config, environ={}).plan()
    assert api.count() == 0
    assert [p.feed for p in planned] == ["tweets", "mentions", "conversations"]
    assert all("MISSING (environment variable SOCIALAUDIT_X_TOKEN)" == p.credential for p in planned)
    assert "start_time=" in planned[0].request
