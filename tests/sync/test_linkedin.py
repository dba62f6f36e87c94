"""The LinkedIn connector against a fake Community Management API on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sync.fake_linkedin import ORG, ORG_ID, THROTTLED, VANITY, FakeLinkedIn
from sync.fakeserver import serve
from sync.harness import make_store, same_store_but_quarantine, sync_once, twin_stores

from socialaudit.store import Store

REGISTRY = f"""
version: 1
companies:
  - id: acme
    name: Acme Home
    industry: retail
    accounts:
      linkedin: [{VANITY}]
"""
SOURCE = f"sync:linkedin/{VANITY}"
WITH_ID = {"accounts": {VANITY: str(ORG_ID)}}
# 12 posts; 6 comments under each, replies (organization + member) under every fourth comment
POSTS, COMMENTS, BRAND_REPLIES = 12, 12 * 6, 12 * 2
#: few commits: a commit refreshes the whole store, the slow part of these small syncs
FAST = {"page_size": 5, "commit_pages": 100}


def _counts(db) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return dict(store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY ALL").fetchall())


def test_first_sync_fetches_every_page_of_posts_comments_and_replies(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn()
    with serve(api):
        out = sync_once(db, api, "linkedin", **FAST)
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert list(feeds) == ["posts", "comments"]
    assert feeds["posts"].pages == 3  # 12 posts, 5 a page
    assert feeds["comments"].pages == POSTS * (2 + 2)  # 2 pages of comments + 2 reply threads per post
    assert api.count("/rest/organizations") == 1  # the vanity-name lookup
    assert all(r.headers.get("linkedin-version", "").isdigit() and r.headers.get("x-restli-protocol-version")
               == "2.0.0" and r.headers["authorization"] == f"Bearer {api.token}" for r in api.requests)
    assert _counts(db) == {"brand": POSTS + BRAND_REPLIES, "consumer": COMMENTS + BRAND_REPLIES}
    reply = next(c for cs in api.comments.values() for c in cs if c["actor"] == ORG and "parentComment" in c)
    with Store(db, read_only=True) as store:
        con = store.con
        assert con.execute("SELECT DISTINCT company_id FROM posts WHERE author_role = 'brand'").fetchall() == \
            [("acme",)]
        assert con.execute("SELECT kind, parent_id FROM posts WHERE post_id = ?", [reply["commentUrn"]]).fetchone() \
            == ("reply", reply["parentComment"])
        cursors = dict(con.execute("SELECT feed, state FROM sync_cursors WHERE channel = 'linkedin'").fetchall())
    newest = max(api.posts, key=lambda p: p["createdAt"])
    assert json.loads(cursors["posts"]) == {"newest": {"id": newest["id"], "createdAt": newest["createdAt"]}}
    assert "last_pass" in json.loads(cursors["comments"])
    assert json.loads(cursors["(account)"]) == {"id": ORG}


def test_second_sync_fetches_only_what_is_new(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn()
    with serve(api):
        first = sync_once(db, api, "linkedin", **FAST, channel_settings=WITH_ID)
        before = len(api.requests)
        new_post = api.add_post("Winter sale starts today")
        new_comment = api.add_comment(api.posts[3]["id"], "member99", "Is the sale on in Ireland too?")
        out = sync_once(db, api, "linkedin", **FAST, channel_settings=WITH_ID)
    assert not first.report.problems and not out.report.problems
    assert api.count("/rest/organizations") == 0  # the id came from the config
    posts_requests = [r for r in api.requests[before:] if r.path == "/rest/posts"]
    assert len(posts_requests) == 1  # the newest page reaches the post the first sync ended on
    assert posts_requests[0].query == {"q": "author", "author": ORG, "sortBy": "CREATED", "start": "0",
                                       "count": "5"}
    imported = {f.feed: f.imported for f in out.report.feeds}
    assert imported == {"posts": 1, "comments": 1}
    assert _counts(db) == {"brand": POSTS + BRAND_REPLIES + 1, "consumer": COMMENTS + BRAND_REPLIES + 1}
    with Store(db, read_only=True) as store:
        found = store.con.execute("SELECT post_id FROM posts WHERE post_id IN (?, ?)",
                                  [new_post["id"], new_comment["commentUrn"]]).fetchall()
        state = store.con.execute("SELECT state FROM sync_cursors WHERE feed = 'posts'").fetchone()[0]
    assert len(found) == 2 and new_post["id"] in state


def test_throttled_requests_wait_and_the_sync_completes(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn(throttle_every=9)
    with serve(api):
        out = sync_once(db, api, "linkedin", **FAST)
    assert not out.report.problems
    # LinkedIn sends no reset header: the first wait of the throttle schedule, plus jitter < 0.01 s
    assert api.throttled >= 4 and len(out.sleeps) == api.throttled
    assert all(10 <= s <= 10.02 for s in out.sleeps), out.sleeps
    assert _counts(db) == {"brand": POSTS + BRAND_REPLIES, "consumer": COMMENTS + BRAND_REPLIES}


def test_a_retry_after_header_is_waited_for(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn(posts=3, comments=2)
    api.fail("/rest/posts", 429, THROTTLED, {"Retry-After": "7"}, times=2)
    with serve(api):
        out = sync_once(db, api, "linkedin")
    assert not out.report.problems
    assert [round(s) for s in out.sleeps] == [7, 7] and all(7 <= s <= 7.02 for s in out.sleeps)


def test_daily_limit_stops_the_channel_until_midnight_utc(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn(daily_limit=2)  # the lookup and the first page of posts
    with serve(api):
        out = sync_once(db, api, "linkedin", **FAST)
    failed = out.report.problems
    assert [f.feed for f in out.report.feeds] == ["posts"] and failed and failed[0].stops_channel
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert "daily request limit" in failed[0].message and f"after {tomorrow} 00:00 UTC" in failed[0].message
    assert [round(s) for s in out.sleeps] == [10, 40, 160]  # backoff, then give up
    assert api.count("/rest/posts") == 1 + 4
    with Store(db, read_only=True) as store:
        state, pages = store.con.execute("SELECT state, pages FROM sync_cursors WHERE feed = 'posts'").fetchone()
    assert json.loads(state)["start"] == 5 and pages == 1


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn()
    api.fail("/rest/posts", 503, {"status": 503, "message": "Service Unavailable"}, times=2)
    api.fail("/comments", 500, {"status": 500, "message": "Internal Server Error"}, times=1, after=3)
    api.fail("/comments", 504, b"<html>Gateway Timeout</html>", times=1, after=15)
    # an answer slower than the timeout is retried too
    api.fail("/comments", 200, {"elements": [], "paging": {"start": 0, "count": 5, "links": []}}, delay=1.5,
             after=30)
    with serve(api):
        out = sync_once(db, api, "linkedin", **FAST, timeout=0.5)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 5
    assert _counts(db) == {"brand": POSTS + BRAND_REPLIES, "consumer": COMMENTS + BRAND_REPLIES}


@pytest.mark.parametrize("revoked", [False, True])
def test_expired_or_revoked_token_stops_the_channel_and_is_never_shown(tmp_path, revoked):
    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn()
    api.expired, api.revoked = True, revoked
    with serve(api):
        out = sync_once(db, api, "linkedin", channel_settings=WITH_ID)
    failed = out.report.problems
    assert [f.feed for f in out.report.feeds] == ["posts"] and len(failed) == 1 and failed[0].stops_channel
    assert ("revoked" if revoked else "expired") in failed[0].message and "token" in failed[0].message
    assert len(api.requests) == 1  # no retry of a 401
    shown = " ".join([f.message for f in out.report.feeds] + out.log)
    with Store(db, read_only=True) as store:
        for table in ("imports", "quarantine", "sync_cursors"):
            shown += str(store.con.execute(f"SELECT * FROM {table}").fetchall())
    assert api.token not in shown


def test_malformed_page_is_quarantined_and_a_later_run_ends_like_an_uninterrupted_one(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api = FakeLinkedIn()
    with serve(api):
        sync_once(whole, api, "linkedin", **FAST)
    api = FakeLinkedIn()
    api.fail("/rest/posts", 200, b'{"elements": [', times=10, after=1)
    with serve(api):
        out = sync_once(broken, api, "linkedin", **FAST)
        assert [(f.feed, f.status) for f in out.report.feeds] == [("posts", "failed")]
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line, reason FROM quarantine").fetchall()
            state, pages = store.con.execute("SELECT state, pages FROM sync_cursors WHERE feed = 'posts'").fetchone()
        assert rows == [(f"{SOURCE}/posts", 2, rows[0][2])] and "not JSON" in rows[0][2]
        assert json.loads(state)["start"] == 5 and pages == 1  # before the bad page
        api.faults.clear()
        again = sync_once(broken, api, "linkedin", **FAST)
    assert not again.report.problems
    assert same_store_but_quarantine(whole, broken)


def test_killed_sync_resumes_to_the_same_store(tmp_path):
    from sync.harness import kill_and_resume

    kill_and_resume(tmp_path, lambda: FakeLinkedIn(posts=5, comments=2), "linkedin", REGISTRY, kill_after=5,
                    page_size=5)


def test_dry_run_makes_no_request_and_shows_the_feeds(tmp_path):
    from socialaudit.sync import SyncConfig, SyncRun

    db = make_store(tmp_path, REGISTRY)
    api = FakeLinkedIn()
    with serve(api), Store(db) as store:
        config = SyncConfig.model_validate({"channels": {"linkedin": {"base_url": api.base_url, **WITH_ID}}})
        planned, skipped = SyncRun(store, config, environ={}).plan()
    assert api.count() == 0 and not skipped
    assert [p.feed for p in planned] == ["posts", "comments"]
    assert all(p.credential == "MISSING (environment variable SOCIALAUDIT_LINKEDIN_TOKEN)" for p in planned)
    assert f"author={ORG}" in planned[0].request and "sortBy=CREATED" in planned[0].request


def test_unknown_vanity_name_and_sunset_version_say_what_to_set(tmp_path):
    db = make_store(tmp_path, REGISTRY.replace(VANITY, "acme-nowhere"))
    api = FakeLinkedIn(posts=2, comments=1)
    with serve(api):
        out = sync_once(db, api, "linkedin")
        assert [f.feed for f in out.report.problems] == ["(account)"]
        assert "channels.linkedin.accounts.acme-nowhere" in out.report.problems[0].message
        old = sync_once(db, api, "linkedin", channel_settings={"accounts": {"acme-nowhere": ORG},
                                                               "options": {"version": "202301"}})
    failed = old.report.problems
    assert len(failed) == 1 and failed[0].stops_channel and "channels.linkedin.options.version" in failed[0].message
