"""The Facebook connector against a fake Graph API on loopback."""

from __future__ import annotations

import json

import pytest
from sync.fake_facebook import PAGE_ID, FakeFacebook, _cursor
from sync.fakeserver import serve
from sync.harness import kill_and_resume, make_store, same_store_but_quarantine, sync_once, twin_stores

from socialaudit.store import Store
from socialaudit.sync import SyncConfig, SyncRun

REGISTRY = """
version: 1
companies:
  - id: acme
    name: Acme
    industry: retail
    accounts:
      facebook: [AcmeCoffee]
"""
#: The Page id in the config: no lookup request.
KNOWN = {"accounts": {"acmecoffee": PAGE_ID}}
FAST = {"commit_pages": 50}  # fewer transactions where the test is not about commits


def _unix(created_time: str) -> int:
    from datetime import datetime

    return int(datetime.strptime(created_time, "%Y-%m-%dT%H:%M:%S%z").timestamp())


def _expected_roles(api: FakeFacebook) -> dict[str, int]:
    brand = sum(c["from"]["id"] == PAGE_ID for c in api.all_comments())
    return {"brand": len(api.posts) - len(api.deleted) + brand, "consumer": len(api.all_comments()) - brand}


def _roles(db) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return dict(store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY ALL").fetchall())


def _everything(db) -> str:
    """Every table of the store as text (to look for a token)."""
    with Store(db, read_only=True) as store:
        tables = [t for (t,) in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return " ".join(str(store.con.execute(f"SELECT * FROM {t}").fetchall()) for t in tables)


def test_first_sync_stores_every_post_and_comment_across_pages(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    with serve(api):
        out = sync_once(db, api, "facebook", page_size=5)
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert list(feeds) == ["posts", "comments"]
    assert feeds["posts"].pages == 3 and feeds["posts"].imported == 12  # 12 posts, 5 a page
    assert feeds["comments"].pages > len(api.posts)  # some posts need several pages of comments
    assert feeds["comments"].imported == len(api.all_comments())
    # the Page id was looked up by its username, once; the token went as access_token, never as a header
    assert api.count("/v21.0/acmecoffee") == 1
    assert all(r.query.get("access_token") == api.token and "authorization" not in r.headers for r in api.requests)
    comment_requests = [r for r in api.requests if "_" in r.path]
    assert all("comments.filter(stream).order(chronological).limit(5)" in r.query["fields"]
               for r in comment_requests)
    assert any(".after(" in r.query["fields"] for r in comment_requests)
    assert _roles(db) == _expected_roles(api)
    newest = max(_unix(p["created_time"]) for p in api.posts.values())
    with Store(db, read_only=True) as store:
        con = store.con
        assert con.execute("SELECT DISTINCT company_id FROM posts").fetchall() == [("acme",)]
        # every comment hangs under its post, every reply under its comment
        assert con.execute("SELECT count(*) FROM posts WHERE kind <> 'post' AND parent_id IS NULL").fetchone()[0] == 0
        kinds = dict(con.execute("SELECT kind, count(*) FROM posts GROUP BY ALL").fetchall())
        replies = sum("parent" in c for c in api.all_comments())
        assert kinds == {"post": 12, "comment": len(api.all_comments()) - replies, "reply": replies}
        reply = next(c for c in api.all_comments() if "parent" in c)
        assert con.execute("SELECT parent_id FROM posts WHERE post_id = ?", [reply["id"]]).fetchone() == \
            (reply["parent"]["id"],)
        cursors = {f: json.loads(s) for f, s in con.execute("SELECT feed, state FROM sync_cursors").fetchall()}
    assert cursors["posts"] == {"since": newest + 1}
    assert set(cursors["comments"]) == {"last_pass"}
    assert cursors["(account)"] == {"id": PAGE_ID}
    assert api.token not in _everything(db) + " ".join(out.log)


def test_second_sync_fetches_only_what_is_new(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    with serve(api):
        sync_once(db, api, "facebook", **FAST)
        newest = max(_unix(p["created_time"]) for p in api.posts.values())
        before = len(api.requests)
        new_posts = [api.add_post("Autumn blend is back"), api.add_post("Open late on Friday")]
        top = api.add_comment(new_posts[0]["id"], "Finally!", 7100)
        api.add_comment(new_posts[0]["id"], "Glad you like it", parent=top)
        api.add_comment(next(iter(api.posts)), "Still thinking about this one", 7101)  # on an old post
        out = sync_once(db, api, "facebook", **FAST)
    assert not out.report.problems
    requests = api.requests[before:]
    assert not [r for r in requests if r.path.endswith("/acmecoffee")]  # the id was kept from the first run
    posts_requests = [r for r in requests if r.path.endswith("/posts")]
    assert len(posts_requests) == 1 and posts_requests[0].query["since"] == str(newest + 1)
    imported = {f.feed: f.imported for f in out.report.feeds}
    assert imported == {"posts": 2, "comments": 3}
    assert _roles(db) == _expected_roles(api)
    with Store(db, read_only=True) as store:
        state = json.loads(store.con.execute("SELECT state FROM sync_cursors WHERE feed = 'posts'").fetchone()[0])
    assert state == {"since": _unix(new_posts[-1]["created_time"]) + 1}


@pytest.mark.parametrize(("code", "status", "headers", "wait"), [
    # a Page token: business-use-case limits, minutes to regain access in X-Business-Use-Case-Usage
    (80001, 400, {"X-Business-Use-Case-Usage": json.dumps({PAGE_ID: [
        {"type": "pages", "call_count": 100, "total_cputime": 14, "total_time": 21,
         "estimated_time_to_regain_access": 3}]})}, 180),
    (32, 403, {"X-Page-Usage": json.dumps({"call_count": 100, "total_cputime": 9, "total_time": 12,
                                           "estimated_time_to_regain_access": 2})}, 120),
    # the app's limit: X-App-Usage has percentages only, so the configured wait applies
    (4, 403, {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 20, "total_time": 25})}, 42),
])
def test_rate_limit_waits_as_long_as_the_usage_headers_say(tmp_path, code, status, headers, wait):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    api.rate_limit("/posts", code, status, headers)
    post_id = sorted(api.posts)[4]
    api.rate_limit(f"/{post_id}", code, status, headers)
    with serve(api):
        out = sync_once(db, api, "facebook", channel_settings={**KNOWN, "options": {"rate_limit_wait": 42}},
                        **FAST)
    assert not out.report.problems, out.report.feeds
    waits = [s for s in out.sleeps if s > 1]
    assert len(waits) == 2 and all(wait <= s <= wait + 1 for s in waits), out.sleeps  # plus jitter < 1 s
    assert _roles(db) == _expected_roles(api)


def test_rate_limit_longer_than_max_wait_stops_the_channel_and_says_when(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    api.rate_limit(f"/{PAGE_ID}/posts", 80001, 400, {"X-Business-Use-Case-Usage": json.dumps({PAGE_ID: [
        {"type": "pages", "call_count": 100, "total_cputime": 1, "total_time": 1,
         "estimated_time_to_regain_access": 45}]})})
    with serve(api):
        out = sync_once(db, api, "facebook", channel_settings=KNOWN, max_wait=600)
    assert [f.feed for f in out.report.feeds] == ["posts"]  # comments not tried
    failed = out.report.problems[0]
    assert failed.stops_channel and "rate limited for 2700 s" in failed.message
    assert "run the sync again after" in failed.message
    assert len(api.requests) == 1 and not out.sleeps


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    transient = {"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                           "type": "OAuthException", "is_transient": True, "code": 2, "fbtrace_id": "Ax1"}}
    api.fail("/posts", 500, transient, times=2)
    posts = sorted(api.posts)
    api.fail(f"/{posts[3]}", 503, b"<html><body>Service Unavailable</body></html>")
    api.fail(f"/{posts[7]}", 200, {"data": []}, delay=2.5)  # slower than the timeout: retried
    with serve(api):
        out = sync_once(db, api, "facebook", channel_settings=KNOWN, timeout=1.0, **FAST)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) >= 4 and api.count("/posts") >= 3 and api.count(f"/{posts[7]}") >= 2
    assert _roles(db) == _expected_roles(api)


@pytest.mark.parametrize("how", ["expired", "revoked"])
@pytest.mark.parametrize("settings", [KNOWN, {}], ids=["id-in-config", "id-looked-up"])
def test_refused_token_stops_the_channel_and_is_never_shown(tmp_path, how, settings):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    token = "EAAGm0PX4ZCpsBA-SECRET-token-42"
    if how == "expired":
        api.token, api.expired = token, True
    with serve(api):
        out = sync_once(db, api, "facebook", token=token, channel_settings=settings)
    assert len(out.report.feeds) == 1  # nothing after the refusal
    failed = out.report.problems[0]
    assert failed.feed == ("posts" if settings else "(account)") and failed.stops_channel
    assert "token was refused (Graph error 190" in failed.message and "expired or been revoked" in failed.message
    assert ("/463" in failed.message) == (how == "expired")
    assert len(api.requests) == 1 and api.requests[0].query["access_token"] == token  # no retry
    shown = " ".join([f.message for f in out.report.feeds] + out.log) + _everything(db)
    assert token not in shown and "access_token=***" in failed.message


def test_malformed_page_is_quarantined_and_a_later_run_ends_like_an_uninterrupted_one(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api = FakeFacebook()
    with serve(api):
        sync_once(whole, api, "facebook", page_size=5)
    api = FakeFacebook()
    api.fail("/posts", 200, b'{"data": [{"id": "104958162837_1015', times=10, after=1)
    with serve(api):
        out = sync_once(broken, api, "facebook", page_size=5)
        assert [(f.feed, f.status) for f in out.report.feeds] == [("posts", "failed")]  # comments wait
        assert "not JSON" in out.report.problems[0].message
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line, reason FROM quarantine").fetchall()
            state, pages = store.con.execute("SELECT state, pages FROM sync_cursors WHERE feed = 'posts'").fetchone()
        assert rows == [("sync:facebook/acmecoffee/posts", 2, rows[0][2])] and "not JSON" in rows[0][2]
        newest = max(api.posts.values(), key=lambda p: p["_n"])
        fifth = sorted(api.posts.values(), key=lambda p: p["_n"])[-5]
        assert json.loads(state) == {"since": 946684800, "after": _cursor(fifth["id"]),
                                     "newest": _unix(newest["created_time"])} and pages == 1
        api.faults.clear()
        again = sync_once(broken, api, "facebook", page_size=5)
    assert not again.report.problems
    assert same_store_but_quarantine(whole, broken)


def test_killed_sync_resumes_to_the_same_store(tmp_path):
    # 8 posts: the lookup, 2 pages of posts and 9 of comments, one commit each; killed after 6 requests
    kill_and_resume(tmp_path, lambda: FakeFacebook(posts=8), "facebook", REGISTRY, kill_after=6, page_size=5)


def test_deleted_post_is_skipped_and_time_paging_is_followed_without_storing_the_token(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook(time_paging=True)
    with serve(api):
        first = sync_once(db, api, "facebook", page_size=5, **FAST)
        gone = sorted(api.posts)[-1]  # the last post of the comments pass
        api.deleted.add(gone)
        api.add_comment(sorted(api.posts)[0], "Any news?", 7200)
        second = sync_once(db, api, "facebook", page_size=5, **FAST)
    assert not first.report.problems and not second.report.problems
    assert {f.feed: f.pages for f in first.report.feeds}["posts"] == 3
    assert [r.query.get("__paging_token", "")[:4] for r in api.requests if r.path.endswith("/posts")][:3] == \
        ["", "enc_", "enc_"]
    assert {f.feed: f.imported for f in second.report.feeds} == {"posts": 0, "comments": 1}
    assert any(f"post {gone} is gone" in line for line in second.log)
    with Store(db, read_only=True) as store:
        states = dict(store.con.execute("SELECT feed, state FROM sync_cursors").fetchall())
    assert set(json.loads(states["comments"])) == {"last_pass"}  # the pass ended past the deleted post
    assert api.token not in _everything(db)


def test_stored_cursors_graph_no_longer_takes_restart_the_walk(tmp_path):
    from datetime import UTC, datetime

    from socialaudit.sync.cursors import Cursor, save_cursor

    db = make_store(tmp_path, REGISTRY)
    now = datetime.now(UTC)
    with Store(db) as store:  # a run killed long ago, mid-way through both feeds
        save_cursor(store.con, "facebook", "acmecoffee", "posts",
                    Cursor({"since": 946684800, "after": "stale-cursor", "newest": 1}, 1), now)
        save_cursor(store.con, "facebook", "acmecoffee", "comments",
                    Cursor({"pass": "2026-01-01T00:00:00Z", "index": 3, "cursor": "stale-cursor"}, 1), now)
    api = FakeFacebook()
    with serve(api):
        out = sync_once(db, api, "facebook", channel_settings=KNOWN, **FAST)
    assert not out.report.problems, out.report.feeds
    assert any("stored posts cursor was refused" in line for line in out.log)
    assert any("stored comments cursor of post" in line for line in out.log)
    # the old pass had done the first 3 posts; it goes on with the 4th, all of whose comments are read
    expected = _expected_roles(api)
    for post_id in sorted(api.posts)[:3]:
        for comment in api.comments[post_id]:
            expected["brand" if comment["from"]["id"] == PAGE_ID else "consumer"] -= 1
    assert _roles(db) == expected


def test_unknown_page_and_missing_permission_say_what_to_do(tmp_path):
    db = make_store(tmp_path, REGISTRY.replace("AcmeCoffee", "NoSuchCoffeePage"))
    api = FakeFacebook()
    with serve(api):
        out = sync_once(db, api, "facebook")
    failed = out.report.problems
    assert [f.feed for f in failed] == ["(account)"] and not failed[0].stops_channel
    assert "no Page 'nosuchcoffeepage'" in failed[0].message and "channels.facebook.accounts" in failed[0].message

    db = make_store(tmp_path / "perm", REGISTRY)
    api = FakeFacebook()
    api.fail("/posts", 403, {"error": {"message": "(#10) This endpoint requires the 'pages_read_engagement' "
                                                  "permission or the 'Page Public Content Access' feature.",
                                       "type": "OAuthException", "code": 10, "fbtrace_id": "Az9"}})
    with serve(api):
        out = sync_once(db, api, "facebook", channel_settings=KNOWN)
    failed = out.report.problems
    assert [f.feed for f in failed] == ["posts"] and failed[0].stops_channel
    assert "permission refused (Graph error 10" in failed[0].message


def test_dry_run_makes_no_request_and_shows_the_feeds(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeFacebook()
    with serve(api):
        with Store(db) as store:
            config = SyncConfig.model_validate({"comments_days": 36500,
                                                "channels": {"facebook": {"base_url": api.base_url}}})
            planned, skipped = SyncRun(store, config, environ={}).plan()
        assert api.count() == 0 and not skipped
        assert [p.feed for p in planned] == ["posts", "comments"]
        assert all(p.credential == "MISSING (environment variable SOCIALAUDIT_FACEBOOK_TOKEN)" for p in planned)
        assert planned[0].request.startswith("GET /v21.0/<id of acmecoffee, looked up>/posts since=")
        sync_once(db, api, "facebook", **FAST)
        before = api.count()
        with Store(db) as store:
            planned, _ = SyncRun(store, config, environ={"SOCIALAUDIT_FACEBOOK_TOKEN": api.token}).plan()
        assert api.count() == before
    assert planned[0].request.startswith(f"GET /v21.0/{PAGE_ID}/posts since=")
    assert "12 brand post(s)" in planned[1].request and "comments.filter(stream)" in planned[1].request
    assert all(api.token not in p.request for p in planned)
