"""The Pinterest connector against a fake Pinterest API v5 on loopback."""

from __future__ import annotations

import json

from sync.fake_pinterest import BRAND, FakePinterest
from sync.fakeserver import serve
from sync.harness import kill_and_resume, make_store, same_store_but_quarantine, sync_once, twin_stores

from socialaudit.store import Store
from socialaudit.sync import SyncConfig, SyncRun

REGISTRY = """
version: 1
companies:
  - id: acme
    name: Acme Home
    industry: retail
    accounts:
      pinterest: [AcmeHome]
"""

TWO_ACCOUNTS = REGISTRY + """
  - id: globex
    name: Globex
    industry: retail
    accounts:
      pinterest: [globexpins]
"""

RATE_LIMITED = {"code": 8, "message": "You have exceeded your rate limit. Try again later."}


def _pin_requests(api: FakePinterest, since: int = 0) -> list:
    return [r for r in api.requests[since:] if r.path == "/v5/pins"]


def _cursor(db, feed: str) -> tuple[dict, int] | None:
    with Store(db, read_only=True) as store:
        row = store.con.execute("SELECT state, pages FROM sync_cursors WHERE channel = 'pinterest' AND feed = ?",
                                [feed]).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def test_first_sync_stores_every_pin_of_every_page_and_the_account(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    with serve(api):
        out = sync_once(db, api, "pinterest", page_size=10)
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert list(feeds) == ["user_account", "pins"]
    assert feeds["user_account"].pages == 1 and feeds["pins"].pages == 5 and feeds["pins"].imported == 45
    # one user_account request (the token check, reused by the feed), then the bookmark chain
    assert api.count("/v5/user_account") == 1
    pages = _pin_requests(api)
    assert [r.arg("page_size") for r in pages] == ["10"] * 5 and all(r.arg("pin_metrics") == "true" for r in pages)
    assert pages[0].arg("bookmark") is None and all(r.arg("bookmark") for r in pages[1:])
    assert len({r.arg("bookmark") for r in pages[1:]}) == 4
    with Store(db, read_only=True) as store:
        con = store.con
        roles = con.execute("SELECT author_role, company_id, kind, count(*) FROM posts GROUP BY ALL ORDER BY ALL")
        assert roles.fetchall() == [("brand", "acme", "post", 36), ("brand", "acme", "share", 9)]
        newest = con.execute("SELECT post_id, likes, views FROM posts ORDER BY created_at DESC LIMIT 1").fetchone()
        account = con.execute("SELECT handle, display_name, followers FROM accounts WHERE channel = 'pinterest'"
                              ).fetchall()
    assert newest == (api.pins[-1]["id"], 45 % 13, 50 * 45)
    assert account == [(BRAND, "Acme Home", 20931)]
    state, stored_pages = _cursor(db, "pins")
    assert state == {"last_id": api.pins[-1]["id"], "last_at": api.pins[-1]["created_at"]} and stored_pages == 5
    assert _cursor(db, "user_account")[0]["username"] == BRAND


def test_second_sync_fetches_only_the_new_pins(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    with serve(api):
        sync_once(db, api, "pinterest", page_size=10)
        before = len(api.requests)
        new = [api.add_pin(f"New kettle {i}") for i in range(3)]
        api.account["follower_count"] = 21000
        out = sync_once(db, api, "pinterest", page_size=10)
        feeds = {f.feed: f for f in out.report.feeds}
        assert not out.report.problems
        pages = _pin_requests(api, before)
        assert len(pages) == 1 and pages[0].arg("bookmark") is None  # the stored newest pin is on page 1
        assert feeds["pins"].imported == 3 and feeds["user_account"].pages == 1  # the account changed too
        assert api.count("/v5/user_account") == 2  # one token check per run, reused by the feed
        third = sync_once(db, api, "pinterest", page_size=10)  # nothing new
    feeds = {f.feed: f for f in third.report.feeds}
    assert feeds["user_account"].pages == 0 and feeds["pins"].pages == 1 and feeds["pins"].imported == 0
    assert not third.report.problems
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 48
        assert store.con.execute("SELECT count(*) FROM posts WHERE post_id IN (?, ?, ?)",
                                 [p["id"] for p in new]).fetchone()[0] == 3
        assert store.con.execute("SELECT followers FROM accounts WHERE handle = ?", [BRAND]).fetchone()[0] == 21000
    assert _cursor(db, "pins")[0]["last_id"] == new[-1]["id"]


def test_rate_limit_waits_as_long_as_the_headers_say(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    api.fail("/v5/pins", 429, RATE_LIMITED, {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0",
                                             "X-RateLimit-Reset": "42"}, after=1)
    with serve(api):
        out = sync_once(db, api, "pinterest", page_size=10)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 1 and 42 <= out.sleeps[0] <= 42.02
    assert len(_pin_requests(api)) == 6  # five pages, one of them asked twice
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 45


def test_rate_limit_longer_than_max_wait_stops_the_channel_and_says_when(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    api.fail("/v5/pins", 429, RATE_LIMITED, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "86000"}, after=2)
    with serve(api):
        out = sync_once(db, api, "pinterest", page_size=10, max_wait=600)
    failed = out.report.problems
    assert [f.feed for f in failed] == ["pins"] and failed[0].stops_channel
    assert "run the sync again after" in failed[0].message
    assert _cursor(db, "pins")[1] == 2  # the two pages before the limit are kept, with their bookmark


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    api.fail("/v5/user_account", 500, {"code": 500, "message": "Internal error."}, times=1)
    api.fail("/v5/pins", 503, {"code": 503, "message": "Service unavailable."}, times=2, after=1)
    api.fail("/v5/pins", 200, {"items": [], "bookmark": None}, after=4, delay=1.5)  # slower than the timeout
    with serve(api):
        out = sync_once(db, api, "pinterest", page_size=10, timeout=0.5)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) >= 4 and any("retrying" in line for line in out.log)
    assert api.count("/v5/user_account") == 2 and len(_pin_requests(api)) == 5 + 3
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 45


def _shown(out, db) -> str:
    text = " ".join([f.message for f in out.report.feeds] + out.log)
    with Store(db, read_only=True) as store:
        text += str(store.con.execute("SELECT * FROM imports").fetchall())
        text += str(store.con.execute("SELECT * FROM quarantine").fetchall())
        text += str(store.con.execute("SELECT * FROM sync_cursors").fetchall())
    return text


def test_expired_token_stops_the_channel_and_is_never_shown(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest()
    token = "pina_EXPIRED-SECRET-4242"
    with serve(api):
        out = sync_once(db, api, "pinterest", token=token)
    failed = out.report.problems
    assert len(failed) == 1 and failed[0].stops_channel and failed[0].feed == "(account)"
    assert "expired" in failed[0].message and "token" in failed[0].message
    assert "Authentication failed" in failed[0].message
    assert len(api.requests) == 1  # the token check; a 401 is not retried
    assert api.requests[0].headers["authorization"] == f"Bearer {token}"
    assert token not in _shown(out, db)


def test_token_revoked_mid_walk_keeps_the_pages_before(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest(pins=45)
    api.fail("/v5/pins", 401, {"code": 2, "message": "Authentication failed."}, after=2)
    with serve(api):
        out = sync_once(db, api, "pinterest", page_size=10)
        failed = out.report.problems
        assert [f.feed for f in failed] == ["pins"] and failed[0].stops_channel and "expired" in failed[0].message
        state, pages = _cursor(db, "pins")
        assert "bookmark" in state and pages == 2
        assert api.token not in _shown(out, db)
        again = sync_once(db, api, "pinterest", page_size=10)
    assert not again.report.problems
    assert {f.feed: f.imported for f in again.report.feeds}["pins"] == 25


def test_token_of_another_account_fails_that_account_only(tmp_path):
    db = make_store(tmp_path, TWO_ACCOUNTS)
    api = FakePinterest(pins=12)
    with serve(api):
        out = sync_once(db, api, "pinterest")
    failed = out.report.problems
    assert [(f.account, f.feed) for f in failed] == [("globexpins", "(account)")] and not failed[0].stops_channel
    assert "the token belongs to @acmehome, not @globexpins" in failed[0].message
    assert {f.feed: f.imported for f in out.report.feeds if f.account == "acmehome"}["pins"] == 12
    assert len(_pin_requests(api)) == 1


def test_malformed_page_is_quarantined_and_a_later_run_ends_like_an_uninterrupted_one(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api = FakePinterest(pins=45)
    with serve(api):
        sync_once(whole, api, "pinterest", page_size=10)
    api = FakePinterest(pins=45)
    api.fail("/v5/pins", 200, b'{"items": [{"id": "10808637', times=10, after=2)
    with serve(api):
        out = sync_once(broken, api, "pinterest", page_size=10)
        failed = out.report.problems
        assert [f.feed for f in failed] == ["pins"] and not failed[0].stops_channel
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line, reason FROM quarantine").fetchall()
        assert len(rows) == 1 and rows[0][:2] == ("sync:pinterest/acmehome/pins", 3) and "not JSON" in rows[0][2]
        state, pages = _cursor(broken, "pins")
        assert "bookmark" in state and pages == 2  # stopped after page 2, before the bad page
        api.faults.clear()
        again = sync_once(broken, api, "pinterest", page_size=10)
    assert not again.report.problems
    assert same_store_but_quarantine(whole, broken)


def test_killed_sync_resumes_to_the_same_store(tmp_path):
    kill_and_resume(tmp_path, lambda: FakePinterest(pins=60), "pinterest", REGISTRY, kill_after=5, page_size=5)


def test_dry_run_makes_no_request_and_shows_the_feeds(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakePinterest()
    with serve(api), Store(db) as store:
        config = SyncConfig.model_validate({"since": "2024-01-01", "channels": {"pinterest": {"base_url":
                                                                                              api.base_url}}})
        planned, skipped = SyncRun(store, config, environ={}).plan()
    assert api.count() == 0 and not skipped
    assert [p.feed for p in planned] == ["user_account", "pins"]
    assert all(p.credential == "MISSING (environment variable SOCIALAUDIT_PINTEREST_TOKEN)" for p in planned)
    assert planned[0].request.startswith("GET /v5/user_account")
    assert "GET /v5/pins page_size=250 pin_metrics=true" in planned[1].request
    assert "down to 2024-01-01T00:00:00Z" in planned[1].request
