"""The YouTube connector against a fake YouTube Data API v3 on loopback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sync.fake_youtube import (
    CHANNEL_ID,
    HANDLE,
    KEY_INVALID_LEGACY,
    RATE_LIMITED,
    TOO_MANY,
    UPLOADS,
    USER_RATE_LIMITED,
    FakeYouTube,
    google_error,
)
from sync.fakeserver import serve
from sync.harness import kill_and_resume, make_store, same_store_but_quarantine, store_tables, sync_once, twin_stores

from socialaudit.store import Store
from socialaudit.sync import SyncConfig, SyncRun
from socialaudit.sync.config import default_env_var
from socialaudit.sync.youtube import quota_reset

REGISTRY = f"""
version: 1
companies:
  - id: acme
    name: Acme
    industry: retail
    accounts:
      youtube: [{HANDLE}]
"""
ACCOUNT = HANDLE.lower()
SMALL = {"page_size": 5, "commit_pages": 10}  # several pages per feed, few transactions


def _posts(db) -> dict[str, tuple]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT post_id, author_role, company_id, kind, parent_id FROM posts").fetchall()
    return {r[0]: r[1:] for r in rows}


def _cursors(db) -> dict[str, dict]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT feed, state, pages FROM sync_cursors WHERE channel = 'youtube'").fetchall()
    return {feed: {**json.loads(state), "_pages": pages} for feed, state, pages in rows}


def _everything(db) -> str:
    """Every table of the store, as text (to look for a leaked key)."""
    with Store(db, read_only=True) as store:
        names = [r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return "\n".join(repr(store.con.execute(f'SELECT * FROM "{name}"').fetchall()) for name in names)


def _video_ids(api: FakeYouTube, since: int = 0) -> list[str | None]:
    return [r.arg("id") for r in api.requests[since:] if r.path == "/youtube/v3/videos"]


def _expected(api: FakeYouTube) -> dict[str, int]:
    brand = consumer = 0
    for threads in api.threads.values():
        for thread in threads:
            comments = [thread["snippet"]["topLevelComment"], *thread.get("replies", {}).get("comments", [])]
            for comment in comments:
                if comment["snippet"]["authorChannelId"]["value"] == CHANNEL_ID:
                    brand += 1
                else:
                    consumer += 1
    return {"brand": brand + len(api.videos) - len(api.deleted), "consumer": consumer}


def _roles(db) -> dict[str, int]:
    counts: dict[str, int] = {}
    for role, _company, _kind, _parent in _posts(db).values():
        counts[role] = counts.get(role, 0) + 1
    return counts


def test_first_sync_fetches_every_page_of_every_feed(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    with serve(api):
        out = sync_once(db, api, "youtube", **SMALL)
    assert not out.report.problems, out.report.feeds
    feeds = {f.feed: f for f in out.report.feeds}
    assert list(feeds) == ["videos", "comments"]
    assert feeds["videos"].pages == 2  # 8 videos, 5 per page
    # 7 videos with 6-8 threads (2 pages of 5 each), 1 with comments off (its video read again)
    assert feeds["comments"].pages == 15
    assert _roles(db) == _expected(api)
    posts = _posts(db)
    assert {company for _role, company, _kind, _parent in posts.values()} == {"acme"}
    assert posts[api.videos[0]["id"]] == ("brand", "acme", "post", None)
    thread = api.threads[api.videos[0]["id"]][0]
    assert posts[thread["id"]] == ("consumer", "acme", "comment", api.videos[0]["id"])
    brand_reply = thread["replies"]["comments"][0]
    assert posts[brand_reply["id"]] == ("brand", "acme", "reply", thread["id"])
    # the requests: the handle looked up once, the key as a query parameter, the documented parameters
    lookups = [r for r in api.requests if r.path == "/youtube/v3/channels"]
    assert [(r.arg("forHandle"), r.arg("part")) for r in lookups] == [(f"@{ACCOUNT}", "id,contentDetails")]
    assert all(r.arg("key") == api.token and "authorization" not in r.headers for r in api.requests)
    walk = [r for r in api.requests if r.path == "/youtube/v3/playlistItems"]
    assert [(r.arg("playlistId"), r.arg("maxResults"), r.arg("part")) for r in walk] == [
        (UPLOADS, "5", "contentDetails")] * 2
    assert [len((i or "").split(",")) for i in _video_ids(api)] == [5, 3, 1]
    threads = [r for r in api.requests if r.path == "/youtube/v3/commentThreads"]
    assert {(r.arg("part"), r.arg("order"), r.arg("textFormat"), r.arg("maxResults")) for r in threads} == {
        ("snippet,replies", "time", "plainText", "5")}
    assert any("comments turned off" in line for line in out.log)
    cursors = _cursors(db)
    assert cursors["(account)"]["id"] == CHANNEL_ID
    newest = api.videos[-1]
    assert cursors["videos"] == {"playlist": UPLOADS, "newest_id": newest["id"],
                                 "newest_at": newest["snippet"]["publishedAt"], "_pages": 2}
    assert set(cursors["comments"]) == {"last_pass", "_pages"}


def test_first_sync_starts_at_the_configured_date(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    since = (api.now - timedelta(days=4)).date().isoformat()
    with serve(api):
        out = sync_once(db, api, "youtube", since=since, **SMALL)
    assert not out.report.problems, out.report.feeds
    recent = [v["id"] for v in api.videos if v["snippet"]["publishedAt"] >= since]
    assert 0 < len(recent) < 5
    videos = {p for p, (_role, _company, kind, _parent) in _posts(db).items() if kind == "post"}
    assert videos == set(recent)
    assert api.count("/playlistItems") == 1  # the walk stopped at the first older video


def test_second_sync_fetches_only_what_is_new(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    with serve(api):
        sync_once(db, api, "youtube", **SMALL)
        before = _posts(db)
        first = len(api.requests)
        new_videos = [api.add_video(published=api.now - timedelta(minutes=50 - i)) for i in range(5)]  # one page
        added = [api.add_comment(v["id"], "Love it!", answered=True) for v in new_videos]
        late = api.add_comment(api.videos[1]["id"], "Late question: is there a 220 V version?")
        gone = api.videos[2]["id"]
        api.deleted.add(gone)  # deleted since: its comments cannot be listed any more
        out = sync_once(db, api, "youtube", **SMALL)
        second = api.requests[first:]
        after = _posts(db)
        assert not out.report.problems, out.report.feeds
        # the walk: the first playlist page (all new) and the next, which starts at the newest stored video
        assert [r.arg("pageToken") for r in second if r.path == "/youtube/v3/playlistItems"] == [None, "UFQ6NQ"]
        assert not [r for r in second if r.path == "/youtube/v3/channels"]  # the id and playlist are stored
        video_batches = _video_ids(api, first)
        assert video_batches[0] == ",".join(v["id"] for v in reversed(new_videos))
        assert sorted(video_batches[1:]) == sorted([api.videos[4]["id"], gone])  # comments off, deleted
        new_ids = {v["id"] for v in new_videos} | {late["id"]} | {
            c["id"] for t in added for c in [t["snippet"]["topLevelComment"], *t["replies"]["comments"]]}
        assert set(after) - set(before) == new_ids
        assert {k: v for k, v in after.items() if k in before} == before
        assert _cursors(db)["videos"]["newest_id"] == new_videos[-1]["id"]
        # nothing new: one playlist request, no video read by the videos feed
        third = len(api.requests)
        out = sync_once(db, api, "youtube", **SMALL)
        assert not out.report.problems
        assert api.count("/playlistItems") - sum(r.path.endswith("/playlistItems") for r in api.requests[:third]) == 1
        assert {f.feed: f.pages for f in out.report.feeds}["videos"] == 0
        assert _posts(db) == after


def test_rate_limits_are_waited_out(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    api.fail("/youtube/v3/commentThreads", 403, RATE_LIMITED, headers={"Retry-After": "7"}, after=2)
    api.fail("/youtube/v3/videos", 429, TOO_MANY, headers={"Retry-After": "12"})
    api.fail("/youtube/v3/playlistItems", 403, USER_RATE_LIMITED, after=1)  # no header: backoff
    with serve(api):
        out = sync_once(db, api, "youtube", **SMALL)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 3
    assert any(7 <= s <= 7.02 for s in out.sleeps), out.sleeps
    assert any(12 <= s <= 12.02 for s in out.sleeps), out.sleeps
    assert any(s < 1 for s in out.sleeps), out.sleeps
    assert _roles(db) == _expected(api)


def test_daily_quota_stops_the_channel_until_it_resets(tmp_path):
    whole, cut = twin_stores(tmp_path, REGISTRY, "whole", "cut")
    api = FakeYouTube()
    with serve(api):
        sync_once(whole, api, "youtube", **SMALL)
        api.units, api.quota = 0, 12
        out = sync_once(cut, api, "youtube", **SMALL)
        failed = out.report.problems
        assert [(f.feed, f.stops_channel) for f in failed] == [("comments", True)]
        assert "quota is used up" in failed[0].message and "midnight Pacific time" in failed[0].message
        assert f"{quota_reset(time.time()):%Y-%m-%d %H:%M} UTC" in failed[0].message
        assert not out.sleeps  # nothing to wait for within the run
        api.units, api.quota = 0, 10_000  # the next day
        out = sync_once(cut, api, "youtube", **SMALL)
        assert not out.report.problems, out.report.feeds
    assert store_tables(cut) == store_tables(whole)


def test_quota_resets_at_midnight_pacific():
    # 2024-07-01 20:00 UTC is 13:00 PDT: the reset is 2024-07-02 00:00 PDT = 07:00 UTC
    assert quota_reset(datetime(2024, 7, 1, 20, tzinfo=UTC).timestamp()) == datetime(2024, 7, 2, 7, tzinfo=UTC)
    # 2024-01-15 09:00 UTC is 01:00 PST: the reset is 2024-01-16 00:00 PST = 08:00 UTC
    assert quota_reset(datetime(2024, 1, 15, 9, tzinfo=UTC).timestamp()) == datetime(2024, 1, 16, 8, tzinfo=UTC)


def test_server_errors_and_timeouts_are_retried(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    api.fail("/youtube/v3/playlistItems", 503, google_error(503, "The service is currently unavailable.",
                                                             "backendError"), times=2)
    api.fail("/youtube/v3/commentThreads", 500, google_error(500, "Internal error encountered.", "backendError"),
             after=3)
    api.fail("/youtube/v3/videos", 200, {"kind": "youtube#videoListResponse", "items": []}, after=1, delay=1.0)
    with serve(api):
        out = sync_once(db, api, "youtube", timeout=0.3, **SMALL)
    assert not out.report.problems, out.report.feeds
    assert len(out.sleeps) == 4
    assert _roles(db) == _expected(api)


@pytest.mark.parametrize("case", ["expired", "invalid-legacy", "expired-at-lookup"])
def test_refused_key_stops_the_channel_and_never_leaks(tmp_path, case):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    settings: dict = dict(SMALL)
    with serve(api):
        if case == "expired":
            sync_once(db, api, "youtube", **settings)
            api.expired = True
        elif case == "invalid-legacy":
            settings["channel_settings"] = {"accounts": {HANDLE: CHANNEL_ID}}
            api.fail("/youtube/v3/channels", 400, KEY_INVALID_LEGACY)
        else:
            api.expired = True
        out = sync_once(db, api, "youtube", **settings)
    failed = out.report.problems
    assert len(out.report.feeds) == 1 and len(failed) == 1 and failed[0].stops_channel
    assert failed[0].feed == ("(account)" if case == "expired-at-lookup" else "videos")
    assert "API key was refused" in failed[0].message and "expired" in failed[0].message
    if case != "invalid-legacy":
        assert "API key expired" in failed[0].message
    assert "key=***" in failed[0].message
    text = "\n".join([*(f.message for f in out.report.feeds), *out.log])
    assert api.token not in text
    assert api.token not in _everything(db)


def test_malformed_page_is_quarantined_and_the_feed_resumes_there(tmp_path):
    whole, broken = twin_stores(tmp_path, REGISTRY, "whole", "broken")
    api = FakeYouTube()
    with serve(api):
        sync_once(whole, api, "youtube", **SMALL)
        api.fail("/youtube/v3/commentThreads", 200, body=b'{"kind": "youtube#commentThreadListResponse", "items": [',
                 times=10, after=5)
        out = sync_once(broken, api, "youtube", **SMALL)
        failed = out.report.problems
        assert [f.feed for f in failed] == ["comments"] and not failed[0].stops_channel
        assert "not JSON" in failed[0].message
        with Store(broken, read_only=True) as store:
            rows = store.con.execute("SELECT source, line FROM quarantine").fetchall()
        assert rows == [(f"sync:youtube/{ACCOUNT}/comments", 6)]
        cursor = _cursors(broken)["comments"]
        # 5 pages stored: video 1 (2 pages), video 2 (2), the first page of video 3; its second page failed
        assert cursor["_pages"] == 5 and cursor["index"] == 2 and cursor["cursor"]
        api.faults.clear()
        out = sync_once(broken, api, "youtube", **SMALL)
        assert not out.report.problems, out.report.feeds
    assert len(same_store_but_quarantine(whole, broken)) == 1


def test_a_pass_ends_even_when_the_last_video_has_no_comments(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube(videos=3, disabled=2)  # the newest video (the last of the pass) has comments off
    with serve(api):
        out = sync_once(db, api, "youtube", **SMALL)
    assert not out.report.problems, out.report.feeds
    assert set(_cursors(db)["comments"]) == {"last_pass", "_pages"}


def test_a_walk_cut_by_max_pages_resumes_at_its_playlist_page(tmp_path):
    whole, stepped = twin_stores(tmp_path, REGISTRY, "whole", "stepped")
    api = FakeYouTube(videos=12)
    only_videos = {**SMALL, "comments_days": 0}  # no brand video is recent enough for comments
    with serve(api):
        sync_once(whole, api, "youtube", **only_videos)
        states = []
        for _ in range(3):
            out = sync_once(stepped, api, "youtube", max_pages=1, **only_videos)
            assert not out.report.problems, out.report.feeds
            states.append(_cursors(stepped)["videos"])
    assert [s.get("page_token") for s in states] == ["UFQ6NQ", "UFQ6MTA", None]
    assert states[0]["walk_newest_id"] == api.videos[-1]["id"] and "newest_id" not in states[0]
    assert store_tables(stepped) == store_tables(whole)


def test_unknown_handle_says_where_to_put_the_channel_id(tmp_path):
    db = make_store(tmp_path, REGISTRY.replace(HANDLE, "NoSuchBrand"))
    api = FakeYouTube()
    with serve(api):
        out = sync_once(db, api, "youtube")
    [failed] = out.report.problems
    assert failed.feed == "(account)" and not failed.stops_channel
    assert "channels.youtube.accounts" in failed.message


def test_kill_and_resume_equals_an_uninterrupted_sync(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    kill_and_resume(tmp_path, lambda: FakeYouTube(videos=6, now=now), "youtube", REGISTRY, kill_after=8,
                    page_size=5)


def test_dry_run_makes_no_request(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeYouTube()
    with serve(api):
        config = SyncConfig.model_validate({"channels": {"youtube": {"base_url": api.base_url}}, **SMALL})
        environ = {default_env_var("youtube"): api.token}
        with Store(db) as store:
            planned, skipped = SyncRun(store, config, None, environ=environ).plan(["youtube"])
        assert api.count() == 0
        assert not skipped
        assert [(p.account, p.company_id, p.feed) for p in planned] == [(ACCOUNT, "acme", "videos"),
                                                                       (ACCOUNT, "acme", "comments")]
        assert "/youtube/v3/channels" in planned[0].request and "/youtube/v3/playlistItems" in planned[0].request
        assert "SOCIALAUDIT_YOUTUBE_TOKEN" in planned[0].credential
        sync_once(db, api, "youtube", **SMALL)
        count = api.count()
        with Store(db) as store:
            planned, _ = SyncRun(store, config, None, environ=environ).plan(["youtube"])
        assert api.count() == count
        assert f"playlistId={UPLOADS}" in planned[0].request and api.videos[-1]["id"] in planned[0].request
        assert "8 brand post(s)" in planned[1].request and "commentThreads" in planned[1].request
        assert all(api.token not in p.request for p in planned)
