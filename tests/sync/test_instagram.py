"""The Instagram connector against a fake Instagram Graph API on loopback."""

from __future__ import annotations

import json

from sync.fake_instagram import (
    BRAND,
    BRAND_ID,
    PAGE_ID,
    FakeInstagram,
    expired_token_body,
    graph_error,
    rate_limit_body,
    usage_headers,
)
from sync.fakeserver import serve
from sync.harness import kill_and_resume, make_store, same_store_but_quarantine, sync_once, twin_stores

from socialaudit.store import Store
from socialaudit.sync import SyncConfig, SyncRun
from socialaudit.sync.config import default_env_var

REGISTRY = f"""
version: 1
companies:
  - id: acme
    name: Acme Coffee
    industry: retail
    accounts:
      instagram: [{BRAND}]
"""
IDS = {"accounts": {BRAND: BRAND_ID}}
MEDIA_PATH = f"/v21.0/{BRAND_ID}/media"


def sync(db, api, **settings):
    settings.setdefault("page_size", 3)
    settings.setdefault("commit_pages", 10)
    settings.setdefault("channel_settings", IDS)
    return sync_once(db, api, "instagram", **settings)


def roles(db) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return dict(store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY ALL").fetchall())


def cursors(db) -> dict[str, tuple[dict, int]]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT feed, state, pages FROM sync_cursors WHERE channel = 'instagram'").fetchall()
    return {feed: (json.loads(state), pages) for feed, state, pages in rows}


def test_first_sync_stores_every_media_comment_and_reply(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    with serve(api):
        out = sync(db, api)
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert list(feeds) == ["media", "comments"]
    assert feeds["media"].pages == 4  # 12 media, 3 per page
    assert api.count("/replies") == 2  # the long thread: 3 replies expanded, then 4 more in pages of 3
    assert roles(db) == api.expected()
    assert sum(api.expected().values()) == feeds["media"].imported + feeds["comments"].imported
    with Store(db, read_only=True) as store:
        con = store.con
        assert con.execute("SELECT DISTINCT company_id FROM posts").fetchall() == [("acme",)]
        kinds = dict(con.execute("SELECT kind, count(*) FROM posts GROUP BY ALL").fetchall())
        brand_handles = con.execute("SELECT DISTINCT handle FROM posts p JOIN accounts a USING (channel, account_id)"
                                    " WHERE author_role = 'brand'").fetchall()
        orphans = con.execute("SELECT count(*) FROM posts WHERE kind <> 'post' AND parent_id NOT IN "
                              "(SELECT post_id FROM posts)").fetchone()[0]
    assert kinds["post"] == 12 and kinds["reply"] == sum(bool(c.get("parent_id")) for c in api.comments.values())
    assert brand_handles == [(BRAND,)]
    assert orphans == 0  # comments hang under their media, replies under their comment
    state = cursors(db)
    assert state["media"] == ({"newest_id": api.media[0]["id"], "newest_time": api.media[0]["timestamp"]}, 4)
    assert "last_pass" in state["comments"][0]
    # the token travels as access_token; what the fields ask for is what the ingest module reads
    first = api.requests[0]
    assert first.arg("access_token") == api.token and "authorization" not in first.headers
    assert {"id", "timestamp", "caption", "owner"} <= set(first.arg("fields").split(","))
    assert any("replies.limit(3){" in (r.arg("fields") or "") and "media{id}" in r.arg("fields")
               for r in api.requests if r.path.endswith("/comments"))


def test_second_sync_fetches_only_new_media_and_stops_at_the_newest_stored(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    with serve(api):
        sync(db, api)
        old = api.media[5]["id"]
        seen = len(api.requests)
        api.add_media("Our winter blend is back", comments=2)
        api.add_comment(old, "latecomer", "Still available?")
        out = sync(db, api)
        again = sync(db, api)
    assert not out.report.problems, out.report.feeds
    media_calls = [r for r in api.requests[seen:] if r.path == MEDIA_PATH]
    assert len(media_calls) == 2 and all(r.arg("after") is None for r in media_calls)  # one page per run
    feeds = {f.feed: f for f in out.report.feeds}
    assert feeds["media"].imported == 1 and feeds["comments"].imported == 3
    assert {f.feed: f.imported for f in again.report.feeds} == {"media": 0, "comments": 0}
    assert roles(db) == api.expected()
    state, pages = cursors(db)["media"]
    assert state["newest_id"] == api.media[0]["id"]
    assert pages == 4 + 1  # the page with the new media; the third run's page held nothing new


def test_deleted_media_stops_the_walk_by_time_and_its_comments_are_skipped(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    with serve(api):
        sync(db, api)
        newest = api.media[0]["id"]
        api.delete_media(newest)  # the stored stop id is gone: the walk stops by its time
        api.add_media("A new one", comments=1)
        seen = len(api.requests)
        out = sync(db, api)
    assert not out.report.problems, out.report.feeds
    assert sum(r.path == MEDIA_PATH for r in api.requests[seen:]) == 1
    assert {f.feed: f.imported for f in out.report.feeds} == {"media": 1, "comments": 1}
    assert any(f"media {newest} is gone" in line for line in out.log)
    assert "last_pass" in cursors(db)["comments"][0]  # the pass ended although its last post had no page


def test_rate_limits_wait_as_the_usage_headers_say(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    # Instagram's business-use-case limit (code 80002, HTTP 400): the header gives 3 minutes
    api.fail(MEDIA_PATH, 400, rate_limit_body(), usage_headers(regain_minutes=3, calls=100), after=1)
    # the app's limit (code 4, HTTP 403) with only X-App-Usage: the connector's default wait
    api.fail("/comments", 403, graph_error("(#4) Application request limit reached", 4, transient=True),
             {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 20, "total_time": 30})}, after=2)
    with serve(api):
        out = sync(db, api)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 2
    assert 180 <= out.sleeps[0] <= 181 and 300 <= out.sleeps[1] <= 301
    assert roles(db) == api.expected()


def test_a_rate_limit_longer_than_max_wait_stops_the_channel(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    api.fail(MEDIA_PATH, 400, rate_limit_body(), usage_headers(regain_minutes=60, calls=100))
    with serve(api):
        out = sync(db, api, max_wait=600)
    [media] = out.report.feeds
    assert media.status == "failed" and media.stops_channel and "run the sync again after" in media.message
    assert out.sleeps == []


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    api.fail(MEDIA_PATH, 500, graph_error("An unknown error has occurred.", 1, kind="OAuthException",
                                          transient=True), times=2, after=1)
    api.fail("/comments", 503, b"<html><body>Service Unavailable</body></html>", after=4)
    api.fail("/replies", 200, {"data": []}, delay=1.5)  # answers too late: a timeout
    with serve(api):
        out = sync(db, api, timeout=0.5)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 4
    assert roles(db) == api.expected()


def test_an_expired_token_fails_the_channel_and_never_shows(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    api.fail(MEDIA_PATH, 400, expired_token_body(), times=100, after=1)
    with serve(api):
        out = sync(db, api)
    [media] = out.report.feeds  # the comments feed never ran
    assert media.status == "failed" and media.stops_channel and media.pages == 1
    assert "expired" in media.message and "190/463" in media.message and "access_token=***" in media.message
    assert cursors(db)["media"][1] == 1 and "after" in cursors(db)["media"][0]  # page 1 kept, resumes after it

    wrong = "wrong-token-9876543210"
    db2 = make_store(tmp_path / "second", REGISTRY)
    with serve(api):
        api.faults.clear()
        refused = sync(db2, api, token=wrong)
    [feed] = refused.report.feeds
    assert feed.status == "failed" and feed.stops_channel and "refused" in feed.message
    for where, result, token in ((db, out, api.token), (db2, refused, wrong)):
        text = " ".join(f.message for f in result.report.feeds) + " ".join(result.log)
        with Store(where, read_only=True) as store:
            for table in ("quarantine", "imports", "sync_cursors", "posts"):
                text += repr(store.con.execute(f"SELECT * FROM {table}").fetchall())
        assert token not in text


def test_a_malformed_page_is_quarantined_and_a_later_run_ends_as_an_uninterrupted_one(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api_whole = FakeInstagram()
    with serve(api_whole):
        sync(whole, api_whole)
    api = FakeInstagram()
    api.fail("/comments", 200, body=b'{"data": [', times=10, after=3)
    with serve(api):
        out = sync(broken, api)
        feeds = {f.feed: f for f in out.report.feeds}
        assert feeds["media"].status == "done"
        assert feeds["comments"].status == "failed" and feeds["comments"].quarantined == 1
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line FROM quarantine").fetchall()
        assert rows == [("sync:instagram/acmecoffee/comments", 4)]
        state, pages = cursors(broken)["comments"]
        assert pages == 3 and "pass" in state  # stays before the bad page
        api.faults.clear()
        again = sync(broken, api)
    assert not again.report.problems, again.report.feeds
    # the quarantined page stays on record; nothing else differs
    assert [q[:2] for q in same_store_but_quarantine(whole, broken)] == rows


def test_a_killed_sync_resumes_and_ends_as_an_uninterrupted_one(tmp_path):
    # 5 media pages, then 13 comment pages: the kill lands in the comments feed, so the
    # resumed run also re-walks the media (its page holds nothing new and takes no number)
    kill_and_resume(tmp_path, lambda: FakeInstagram(media=10, comments=1, thread_replies=3), "instagram", REGISTRY,
                    kill_after=9, page_size=2, channel_settings=IDS)


def test_dry_run_makes_no_request(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram()
    with serve(api):
        config = SyncConfig.model_validate({"page_size": 3, "channels": {"instagram": {
            "base_url": api.base_url, **IDS}}})
        with Store(db) as store:
            planned, skipped = SyncRun(store, config, None, environ={default_env_var("instagram"): api.token}).plan()
    assert api.count() == 0 and not skipped
    assert [p.feed for p in planned] == ["media", "comments"]
    assert planned[0].request.startswith(f"GET {MEDIA_PATH} limit=3, newest first back to")
    assert "environment variable SOCIALAUDIT_INSTAGRAM_TOKEN" in planned[0].credential


def test_the_id_is_looked_up_through_the_page_or_asked_for(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeInstagram(media=3)
    with serve(api):
        missing = sync(db, api, channel_settings={})
        assert api.count() == 0
        [feed] = missing.report.feeds
        assert feed.status == "failed" and "channels.instagram.accounts" in feed.message
        out = sync(db, api, channel_settings={"options": {"page_ids": {BRAND: PAGE_ID}}})
        assert api.requests[0].path == f"/v21.0/{PAGE_ID}"
        assert api.requests[0].arg("fields") == "instagram_business_account"
        seen = len(api.requests)
        sync(db, api, channel_settings={"options": {"page_ids": {BRAND: PAGE_ID}}})
    assert not out.report.problems, out.report.feeds
    assert roles(db) == api.expected()
    assert all(r.path != f"/v21.0/{PAGE_ID}" for r in api.requests[seen:])  # the id was remembered
