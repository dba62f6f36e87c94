"""YouTube Data API v3 parser: videos, comment threads, replies, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, Where
from socialaudit.ingest.files import open_source
from socialaudit.ingest.youtube import YouTubeFormat
from socialaudit.model import UTC, ParsedBatch
from socialaudit.store import Store, import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "youtube"
FMT = YouTubeFormat()

BRAND = "UCx7Kq2Lm9Pz4RtVb8Nc3WdA"
FAN = "UC3fJ8sLq0Wn5Yt2Ho6Rk9Xe"
MIA = "UCb4Np7Tg1Zs8Mv3Ku0Jd5Qa"
KETTLE, OVEN = "Xb7kQ2mLp9A", "T4nRw8ZcE1s"
THREAD, OWN_THREAD = "UgzK3vT8pQ1mN4xR7bW2AaABAg", "Ugw9HcL2sE5yD8fJ1kM6AaABAg"
BRAND_REPLY = THREAD + ".A1bC2dE3fG4A1bC5dE6fG7"
MIA_REPLY = THREAD + ".A1bC2dE3fG4A1bD9hK2mN3"
FAN_REPLY = THREAD + ".A1bC2dE3fG4A1bE0pQ4rS5"


def parse(path: Path) -> ParsedBatch:
    """The whole file through the format's own reader, merged into one batch."""
    merged = ParsedBatch()
    with open_source(path) as (stream, info):
        for batch in FMT.parse(stream, info, IngestOptions()):
            merged.posts.extend(batch.posts)  # type: ignore[union-attr]
            merged.accounts.extend(batch.accounts)
            merged.quarantined.extend(batch.quarantined)
            merged.rows_read += batch.rows_read
    return merged


def by_id(batch: ParsedBatch) -> dict:
    return {p.post_id: p for p in batch.posts}  # type: ignore[union-attr]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- videos ---------------------------------------------------------------------------


def test_videos_are_brand_posts_with_statistics():
    batch = parse(HERE / "videos.json")
    posts = by_id(batch)
    assert sorted(posts) == sorted([KETTLE, OVEN]) and not batch.quarantined
    kettle = posts[KETTLE]
    assert (kettle.channel, kettle.kind, kettle.role_hint, kettle.account_id, kettle.handle) == (
        "youtube", "post", "brand", BRAND, None)
    assert kettle.created_at == at(2024, 3, 5, 16, 0, 7)
    assert kettle.text == ("How to descale your Acme kettle\n\n"
                           "Limescale slowing your kettle down? Here is the 3-minute fix.\n#AcmeHome #kettle")
    # statistics arrive as numeric strings
    assert (kettle.views, kettle.likes, kettle.comments, kettle.shares) == (15873, 412, 37, None)
    assert kettle.url == "https://www.youtube.com/watch?v=Xb7kQ2mLp9A"
    assert (kettle.media_type, kettle.lang, kettle.parent_id, kettle.conversation_id) == (
        "video", "en", None, KETTLE)
    assert posts[OVEN].lang == "de" and posts[OVEN].item == "items[1]"
    channel = {a.account_id: a for a in batch.accounts}[BRAND]
    assert (channel.display_name, channel.role_hint) == ("Acme Home", "brand")


# --- comment threads -------------------------------------------------------------------


def test_threads_give_comments_and_replies_on_the_video():
    batch = parse(HERE / "comment_threads.json")
    posts = by_id(batch)
    assert not batch.quarantined
    assert sorted(posts) == sorted([THREAD, BRAND_REPLY, MIA_REPLY, OWN_THREAD])
    kinds = sorted(p.kind for p in posts.values())
    assert kinds == ["comment", "comment", "reply", "reply"]
    top = posts[THREAD]
    assert (top.kind, top.parent_id, top.conversation_id, top.account_id) == ("comment", KETTLE, KETTLE, FAN)
    assert (top.role_hint, top.likes, top.comments) == (None, 3, 2)  # comments = totalReplyCount
    assert top.created_at == at(2024, 3, 6, 8, 12, 44)
    assert top.text == "Mine still whistles after descaling, any ideas?"
    assert top.url == f"https://www.youtube.com/watch?v={KETTLE}&lc={THREAD}"
    assert top.item == "items[0].snippet.topLevelComment"
    for reply_id in (BRAND_REPLY, MIA_REPLY):
        reply = posts[reply_id]
        assert (reply.kind, reply.parent_id, reply.conversation_id) == ("reply", THREAD, KETTLE)
    assert posts[BRAND_REPLY].item == "items[0].replies.comments[0]"


def test_the_channel_answering_on_its_own_video_is_the_brand():
    posts = by_id(parse(HERE / "comment_threads.json"))
    assert posts[BRAND_REPLY].role_hint == "brand" and posts[BRAND_REPLY].account_id == BRAND
    assert posts[OWN_THREAD].role_hint == "brand" and posts[OWN_THREAD].kind == "comment"
    assert posts[MIA_REPLY].role_hint is None


def test_comment_authors_become_accounts():
    accounts = parse(HERE / "comment_threads.json").accounts
    names = {(a.account_id, a.display_name, a.role_hint) for a in accounts}
    assert names == {(FAN, "@kettlefan", None), (MIA, "@mia.b", None), (BRAND, "@AcmeHome", "brand")}


def test_text_display_is_used_when_text_original_is_not_returned():
    thread = json.loads((HERE / "comment_threads.json").read_text())["items"][1]
    del thread["snippet"]["topLevelComment"]["snippet"]["textOriginal"]
    thread["snippet"]["topLevelComment"]["snippet"]["textDisplay"] = "Questions? <b>Ask us</b>"
    result = FMT.parse_payload(thread, Where("t", 1, ""))
    assert result.posts[0].text == "Questions? <b>Ask us</b>"


# --- comments.list (replies) ------------------------------------------------------------


def test_comment_list_pages_one_per_line():
    batch = parse(HERE / "replies.jsonl")
    posts = by_id(batch)
    assert batch.rows_read == 2 and not batch.quarantined  # the empty last page is fine
    assert sorted(posts) == sorted([BRAND_REPLY, FAN_REPLY])
    fan = posts[FAN_REPLY]
    assert (fan.kind, fan.parent_id, fan.conversation_id, fan.role_hint) == ("reply", THREAD, KETTLE, None)
    assert (fan.line, fan.item) == (1, "items[1]")
    assert posts[BRAND_REPLY].role_hint == "brand"


def test_bare_items_one_per_line(tmp_path):
    videos = json.loads((HERE / "videos.json").read_text())["items"]
    threads = json.loads((HERE / "comment_threads.json").read_text())["items"]
    reply = threads[0]["replies"]["comments"][1]
    path = tmp_path / "bare.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in (videos[0], threads[1], reply)) + "\n")
    assert detect_format(path).name == "youtube"
    batch = parse(path)
    assert [(p.post_id, p.kind, p.line, p.item) for p in batch.posts] == [
        (KETTLE, "post", 1, ""), (OWN_THREAD, "comment", 2, "snippet.topLevelComment"), (MIA_REPLY, "reply", 3, "")]


def test_a_reply_without_video_id_still_links_to_its_comment():
    reply = json.loads((HERE / "replies.jsonl").read_text().splitlines()[0])["items"][1]
    del reply["snippet"]["videoId"]
    post = FMT.parse_payload(reply, Where("t", 1, "")).posts[0]
    assert (post.parent_id, post.conversation_id, post.url) == (THREAD, None, None)


def test_timestamps_with_offsets_become_utc():
    reply = json.loads((HERE / "replies.jsonl").read_text().splitlines()[0])["items"][1]
    reply["snippet"]["publishedAt"] = "2024-03-06T12:30:27.5+01:00"
    stamp = FMT.parse_payload(reply, Where("t", 1, "")).posts[0].created_at
    assert stamp == dt.datetime(2024, 3, 6, 11, 30, 27, 500000, tzinfo=UTC)


# --- malformed items ---------------------------------------------------------------------


def test_malformed_items_are_quarantined_with_their_path_and_siblings_kept():
    batch = parse(HERE / "malformed.json")
    reasons = {q.item: q.reason for q in batch.quarantined}
    assert reasons == {
        "items[0]": "expected a YouTube item object, found str",
        "items[1].snippet.topLevelComment": "missing id in id",
        "items[2].replies.comments[0]": "bad timestamp 'yesterday' in snippet.publishedAt",
        "items[3].replies.comments": "expected a list, found dict",
        "items[4]": "unsupported item kind 'youtube#playlistItem' "
                    "(expected one of youtube#comment, youtube#commentThread, youtube#video)",
    }
    assert all(q.line == 1 for q in batch.quarantined)
    kept = {p.item: p.post_id for p in batch.posts}  # type: ignore[union-attr]
    assert kept == {
        "items[1].replies.comments[0]": "UgyNoIdThreadAaABAg.B2cD3eF4gH5B2cD3eF4gH5",  # its thread's top is bad
        "items[2].snippet.topLevelComment": "UgxP4tW7nR1kL8sD2fH5AaABAg",
        "items[2].replies.comments[1]": "UgxP4tW7nR1kL8sD2fH5AaABAg.C3dE4fG5hJ6C3dE9kL0mN1",
        "items[3].snippet.topLevelComment": "UgwListNotListAaABAg",
    }


def test_bad_counts_and_nested_objects_are_refused_per_item():
    video = json.loads((HERE / "videos.json").read_text())["items"][0]
    page = {"kind": "youtube#videoListResponse", "items": [
        video | {"statistics": {"viewCount": "many"}},
        video | {"snippet": "How to descale"},
        video | {"id": "other0video"},
    ]}
    result = FMT.parse_payload(page, Where("t", 1, ""))
    assert [q.reason for q in result.quarantined] == [
        "bad count 'many' in statistics.viewCount", "expected an object in snippet, found str"]
    assert [p.post_id for p in result.posts] == ["other0video"]


def test_replies_that_is_not_an_object_keeps_the_top_level_comment():
    thread = json.loads((HERE / "comment_threads.json").read_text())["items"][0] | {"replies": ["x"]}
    result = FMT.parse_payload({"kind": "youtube#commentThreadListResponse", "items": [thread]}, Where("t", 1, ""))
    assert [p.post_id for p in result.posts] == [THREAD]
    assert [(q.item, q.reason) for q in result.quarantined] == [
        ("items[0].replies", "expected an object in replies, found list")]


def test_text_that_is_not_text_is_refused_not_stored():
    # A non-string would only fail when the batch is columnarised, taking the whole file down.
    thread = json.loads((HERE / "comment_threads.json").read_text())["items"][1]
    thread["snippet"]["topLevelComment"]["snippet"]["textOriginal"] = {"text": "hi"}
    video = json.loads((HERE / "videos.json").read_text())["items"][0]
    video["snippet"]["channelTitle"] = 7
    page = {"kind": "youtube#videoListResponse", "items": [video]}
    assert [q.reason for q in FMT.parse_payload(thread, Where("t", 1, "")).quarantined] == [
        "expected text in snippet.textOriginal, found dict"]
    result = FMT.parse_payload(page, Where("t", 1, ""))
    assert (result.posts, result.accounts) == ([], [])
    assert [q.reason for q in result.quarantined] == ["expected text in snippet.channelTitle, found int"]


def test_a_cut_off_file_keeps_its_complete_items(tmp_path):
    text = (HERE / "comment_threads.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"kind": "youtube#commentThread"', text.index(OWN_THREAD) - 200)])
    batch = parse(path)
    assert sorted(p.post_id for p in batch.posts) == sorted([THREAD, BRAND_REPLY, MIA_REPLY])
    assert len(batch.quarantined) == 1 and "kept the 1 complete item(s) of 'items'" in batch.quarantined[0].reason


def test_items_that_is_not_a_list_is_quarantined_whole():
    result = FMT.parse_payload({"kind": "youtube#commentThreadListResponse", "items": {"id": "x"}},
                               Where("t", 3, "[2]"))
    assert [(q.line, q.item, q.reason) for q in result.quarantined] == [
        (3, "[2].items", "expected a list, found dict")]


# --- recognising the shape ---------------------------------------------------------------

FOREIGN = {
    "x-v2": {"data": [{"id": "1", "text": "hi @acme", "author_id": "2", "created_at": "2024-01-01T00:00:00.000Z"}],
             "meta": {"result_count": 1}},
    "facebook": {"data": [{"id": "1_2", "message": "Hello", "created_time": "2024-01-01T00:00:00+0000"}],
                 "paging": {"cursors": {"before": "a", "after": "b"}}},
    "instagram": {"data": [{"id": "1", "caption": "Hi", "media_type": "IMAGE",
                            "timestamp": "2024-01-01T00:00:00+0000"}]},
    "generic": {"id": "1", "channel": "youtube", "created_at": "2024-01-01T00:00:00Z", "text": "hi"},
    "search": {"kind": "youtube#searchListResponse", "items": [{"kind": "youtube#searchResult"}]},
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_other_platforms_are_not_youtube(name):
    assert not FMT.looks_like(FOREIGN[name])


@pytest.mark.parametrize("path", sorted((FIXTURES / "pinterest").glob("*")) + sorted((FIXTURES / "linkedin").glob("*")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pinterest_and_linkedin_fixtures_are_not_youtube(path):
    value = json.loads(path.read_text().splitlines()[0] if path.suffix == ".jsonl" else path.read_text())
    assert not FMT.looks_like(value)


@pytest.mark.parametrize("name", ["videos.json", "comment_threads.json", "replies.jsonl", "malformed.json"])
def test_detect_format_finds_youtube(name):
    assert detect_format(HERE / name).name == "youtube"


def test_a_page_saved_without_its_kind_is_still_recognised():
    page = json.loads((HERE / "videos.json").read_text())
    del page["kind"]
    assert FMT.looks_like(page)


def test_a_file_of_another_platform_is_refused():
    with pytest.raises(FormatError, match="not YouTube"):
        parse(FIXTURES / "pinterest" / "pins.json")


# --- end to end --------------------------------------------------------------------------


def test_import(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        reports = [import_file(store, HERE / name, "youtube")
                   for name in ("videos.json", "comment_threads.json", "replies.jsonl")]
        assert [(r.imported, r.skipped, r.quarantined) for r in reports] == [(2, 0, 0), (4, 0, 0), (1, 1, 0)]
        rows = store.con.execute("select post_id, account_id, author_role, kind, parent_id, conversation_id, "
                                 "company_id from posts order by post_id").fetchall()
        company = "youtube:" + BRAND.lower()
        fan = store.con.execute("select account_id from posts where post_id = ?", [THREAD]).fetchone()[0]
        mia = store.con.execute("select account_id from posts where post_id = ?", [MIA_REPLY]).fetchone()[0]
        assert fan.startswith("u_") and len(fan) == 18 and mia.startswith("u_") and mia != fan
        assert rows == [
            (OVEN, BRAND, "brand", "post", None, OVEN, company),
            (OWN_THREAD, BRAND, "brand", "comment", KETTLE, KETTLE, company),
            (THREAD, fan, "consumer", "comment", KETTLE, KETTLE, company),
            (BRAND_REPLY, BRAND, "brand", "reply", THREAD, KETTLE, company),
            (MIA_REPLY, mia, "consumer", "reply", THREAD, KETTLE, company),
            (FAN_REPLY, fan, "consumer", "reply", THREAD, KETTLE, company),
            (KETTLE, BRAND, "brand", "post", None, KETTLE, company),
        ]
        again = import_file(store, HERE / "comment_threads.json", "youtube")
        assert (again.imported, again.updated, again.skipped, again.quarantined) == (0, 0, 4, 0)
        assert store.con.execute("select count(*) from posts").fetchone()[0] == 7


def test_import_without_pseudonyms_keeps_channel_ids(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        import_file(store, HERE / "comment_threads.json", "youtube", pseudonymise=False)
        rows = dict(store.con.execute("select post_id, account_id from posts").fetchall())
        assert rows[THREAD] == FAN and rows[MIA_REPLY] == MIA and rows[BRAND_REPLY] == BRAND


def test_import_of_malformed_file_keeps_the_good_items(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        report = import_file(store, HERE / "malformed.json")
        assert (report.format, report.imported, report.quarantined) == ("youtube", 4, 5)
        items = [r[0] for r in store.con.execute("select item from quarantine order by item").fetchall()]
        assert items == ["items[0]", "items[1].snippet.topLevelComment", "items[2].replies.comments[0]",
                         "items[3].replies.comments", "items[4]"]
