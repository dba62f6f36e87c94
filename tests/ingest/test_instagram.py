"""Instagram Graph API media: known answers on tiny fixtures, quarantine, detection, store import.

Fixture ids follow the Graph API: IG user 17841405309211844 ("acmecoffee"), numeric media
and comment ids, times ``...+0000``; the business_discovery fixture mirrors the documented
Blue Bottle example.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES, dump_tables, write

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, Where
from socialaudit.ingest.detect import take_sample
from socialaudit.ingest.facebook import FacebookFormat
from socialaudit.ingest.files import open_source
from socialaudit.ingest.instagram import InstagramFormat
from socialaudit.model import AccountRecord, PostRecord, Quarantined
from socialaudit.store import import_file

IG = FIXTURES / "instagram"
FB = FIXTURES / "facebook"
FORMAT = InstagramFormat()

BRAND = "17841405309211844"
PHOTO = "17895695668004550"  # image with a thread
CAROUSEL = "17912345678901234"
REEL = "17998765432109876"
JANE_COMMENT = "17873440459141021"
BRAND_REPLY = "17858893269000001"
FAN_COMMENT = "17870913679156914"
UTC = dt.timezone.utc

X_V2_TWEET = {"id": "1212092628029698048", "text": "@acmecoffee my order is late", "author_id": "2244994945",
              "created_at": "2019-12-31T19:26:16.000Z", "edit_history_tweet_ids": ["1212092628029698048"]}


def read(path: Path, fmt=FORMAT) -> tuple[dict[str, PostRecord], list[AccountRecord], list[Quarantined]]:
    """Parse a whole file as the importer does: posts by id, accounts, quarantined items."""
    posts: dict[str, PostRecord] = {}
    accounts: list[AccountRecord] = []
    quarantined: list[Quarantined] = []
    with open_source(path) as (stream, info):
        for batch in fmt.parse(stream, info, IngestOptions()):
            for post in batch.posts:
                assert post.post_id not in posts, f"{post.post_id} read twice"
                posts[post.post_id] = post
            accounts.extend(batch.accounts)
            quarantined.extend(batch.quarantined)
    return posts, accounts, quarantined


def payload(value: dict):
    return FORMAT.parse_payload(value, Where("inline.json", 1, ""))


# --- the shapes ---------------------------------------------------------------------------

def test_media_page_gives_media_comments_and_replies():
    posts, _, quarantined = read(IG / "media.json")
    assert quarantined == []
    assert {p.post_id: p.kind for p in posts.values()} == {
        PHOTO: "post", CAROUSEL: "post", REEL: "post",
        JANE_COMMENT: "comment", FAN_COMMENT: "comment",
        BRAND_REPLY: "reply",
    }
    assert {p.channel for p in posts.values()} == {"instagram"}


def test_thread_links_parents_and_conversation():
    posts, _, _ = read(IG / "media.json")
    assert posts[PHOTO].parent_id is None
    assert posts[JANE_COMMENT].parent_id == PHOTO
    assert posts[FAN_COMMENT].parent_id == PHOTO
    assert posts[BRAND_REPLY].parent_id == JANE_COMMENT
    assert {posts[i].conversation_id for i in (PHOTO, JANE_COMMENT, BRAND_REPLY, FAN_COMMENT)} == {PHOTO}
    assert posts[REEL].conversation_id == REEL


def test_roles_accounts_and_handles():
    posts, _, _ = read(IG / "media.json")
    photo = posts[PHOTO]
    assert (photo.account_id, photo.handle, photo.role_hint) == (BRAND, "acmecoffee", "brand")
    jane = posts[JANE_COMMENT]
    assert (jane.account_id, jane.handle, jane.role_hint) == ("6934820471298355", "jane.doe", None)  # from.id
    fan = posts[FAN_COMMENT]
    # no `from`: the username stands in for the account id
    assert (fan.account_id, fan.handle, fan.role_hint) == ("coffeelover_88", "coffeelover_88", None)
    reply = posts[BRAND_REPLY]
    assert (reply.handle, reply.role_hint) == ("acmecoffee", "brand")  # the media's own username


def test_counts_text_and_urls():
    posts, _, _ = read(IG / "media.json")
    photo = posts[PHOTO]
    assert (photo.likes, photo.comments, photo.shares, photo.views) == (40, 3, None, None)
    assert photo.text == "New single origin from Huila, in all our shops today #coffee"
    assert photo.url == "https://www.instagram.com/p/BwfKk8WFPyV/"
    assert (posts[REEL].likes, posts[REEL].comments) == (310, 0)
    jane = posts[JANE_COMMENT]
    assert (jane.likes, jane.comments, jane.url, jane.text) == (
        2, None, None, "Is it also available as decaf? @acmecoffee")


def test_timestamps_become_utc():
    posts, _, _ = read(IG / "media.json")
    assert posts[PHOTO].created_at == dt.datetime(2019, 5, 22, 15, 4, 5, tzinfo=UTC)
    assert posts[FAN_COMMENT].created_at == dt.datetime(2019, 5, 22, 19, 16, 2, tzinfo=UTC)
    assert all(p.created_at.utcoffset() == dt.timedelta(0) for p in posts.values())


def test_media_types():
    posts, _, _ = read(IG / "media.json")
    assert [posts[i].media_type for i in (PHOTO, CAROUSEL, REEL)] == ["image", "carousel", "video"]
    assert posts[JANE_COMMENT].media_type == "text"
    bare = {"id": "1", "timestamp": "2019-05-22T15:04:05+0000", "caption": "?", "media_type": "STORY_THING"}
    assert payload(bare).posts[0].media_type == "other"
    assert payload({**bare, "media_type": None}).posts[0].media_type is None


def test_brand_account_from_media_owner():
    _, accounts, _ = read(IG / "media.json")
    assert accounts == [AccountRecord("instagram", BRAND, handle="acmecoffee", role_hint="brand")]


def test_account_object_gives_followers_and_owns_its_media():
    posts, accounts, quarantined = read(IG / "account.json")
    assert quarantined == []
    assert accounts == [AccountRecord("instagram", BRAND, handle="acmecoffee", display_name="Acme Coffee",
                                      followers=8841, role_hint="brand")]
    media = posts["17920000000000001"]
    assert (media.account_id, media.handle, media.role_hint, media.item) == (
        BRAND, "acmecoffee", "brand", "media.data[0]")
    comment = posts["17860000000000002"]
    assert (comment.parent_id, comment.item) == ("17920000000000001", "media.data[0].comments.data[0]")


def test_business_discovery_reads_the_discovered_account():
    posts, accounts, quarantined = read(IG / "business_discovery.json")
    assert quarantined == []
    assert [(a.account_id, a.handle, a.followers) for a in accounts] == [
        ("17841401441775531", "bluebottle", 267793)]
    assert {(p.post_id, p.account_id, p.handle, p.media_type, p.item) for p in posts.values()} == {
        ("17858843269216389", "17841401441775531", "bluebottle", "image", "business_discovery.media.data[0]"),
        ("17894036119131554", "17841401441775531", "bluebottle", "video", "business_discovery.media.data[1]"),
    }


def test_comments_pages_read_on_their_own():
    posts, _, quarantined = read(IG / "comments.jsonl")
    assert quarantined == []
    jane = posts[JANE_COMMENT]
    # `media{id}` was requested: the media is the parent and the conversation.
    assert (jane.kind, jane.parent_id, jane.conversation_id, jane.role_hint) == (
        "comment", PHOTO, PHOTO, None)
    reply = posts[BRAND_REPLY]
    # `user` is only returned for the app user's own comments: the brand, by its IG user id.
    assert (reply.kind, reply.parent_id, reply.account_id, reply.role_hint, reply.line) == (
        "reply", JANE_COMMENT, BRAND, "brand", 2)
    assert reply.conversation_id is None


def test_bare_media_keeps_the_payload_path():
    media = {"id": "1", "caption": "Hi", "media_type": "IMAGE", "timestamp": "2019-05-22T15:04:05+0000",
             "username": "acmecoffee", "comments": {"data": [
                 {"id": "2", "text": "Hello", "timestamp": "2019-05-22T15:05:00+0000",
                  "username": "AcmeCoffee"}]}}
    assert FORMAT.looks_like(media)
    result = payload(media)
    assert [(p.post_id, p.kind, p.parent_id, p.role_hint, p.item) for p in result.posts] == [
        ("1", "post", None, "brand", ""), ("2", "comment", "1", "brand", "comments.data[0]")]
    assert result.posts[0].account_id == "acmecoffee"  # no owner: the username stands in


# --- malformed input ----------------------------------------------------------------------

def test_malformed_items_are_quarantined_with_their_path_siblings_kept():
    posts, _, quarantined = read(IG / "malformed.json")
    assert set(posts) == {"17930000000000001", "17860000000000011", "17930000000000004"}
    assert [(q.item, q.reason) for q in quarantined] == [
        ("data[0].comments.data[0]", "expected a comment object, found str"),
        ("data[0].comments.data[2]", "bad timestamp '2019-07-01 at noon' in timestamp"),
        ("data[1]", "missing id in id"),
        ("data[2]", "bad count '-4' in like_count"),
        ("data[3].comments.data", "expected a list, found dict"),
    ]
    assert all(q.source == str(IG / "malformed.json") and q.line == 1 for q in quarantined)


def test_replies_and_sub_objects_that_are_not_objects():
    media = {"id": "1", "caption": "x", "media_type": "IMAGE", "timestamp": "2019-05-22T15:04:05+0000",
             "comments": {"data": [
                 {"id": "2", "text": "a", "timestamp": "2019-05-22T15:05:00+0000", "username": "u",
                  "replies": "oops"},
                 {"id": "3", "text": "b", "timestamp": "2019-05-22T15:06:00+0000", "from": "u"},
             ]}}
    result = payload({"data": [media, {**media, "id": "4", "owner": "acmecoffee", "comments": None}]})
    assert [p.post_id for p in result.posts] == ["1", "2"]
    assert [(q.item, q.reason) for q in result.quarantined] == [
        ("data[0].comments.data[0].replies", "expected a list, found str"),
        ("data[0].comments.data[1]", "expected an object in from, found str"),
        ("data[1]", "expected an object in owner, found str"),
    ]


def test_cut_off_document_keeps_complete_media(tmp_path):
    text = (IG / "media.json").read_text(encoding="utf-8")
    cut = write(tmp_path / "cut.json", text[: text.index(f'"id": "{REEL}"')])
    posts, _, quarantined = read(cut)
    assert set(posts) == {PHOTO, JANE_COMMENT, BRAND_REPLY, FAN_COMMENT, CAROUSEL}
    assert len(quarantined) == 1 and "kept the 2 complete item(s) of 'data'" in quarantined[0].reason


# --- recognising the format ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["media.json", "account.json", "business_discovery.json", "comments.jsonl",
                                  "malformed.json"])
def test_detects_its_fixtures(name):
    assert detect_format(IG / name).name == "instagram"


@pytest.mark.parametrize("name", ["page_posts.json", "feed.jsonl", "post_comments.json", "page_object.json"])
def test_facebook_files_are_not_instagram(name):
    assert detect_format(FB / name).name != "instagram"
    assert not FORMAT.sniff(take_sample(FB / name))


def test_x_v2_files_are_not_instagram(tmp_path):
    path = write(tmp_path / "x.jsonl", json.dumps(X_V2_TWEET) + "\n")
    assert detect_format(path).name == "x-v2"
    assert not FORMAT.looks_like(X_V2_TWEET)
    assert not FORMAT.looks_like({"data": [X_V2_TWEET], "meta": {"result_count": 1}})


def test_other_platforms_payloads_are_rejected():
    fb_page = json.loads((FB / "page_posts.json").read_text(encoding="utf-8"))
    assert not FORMAT.looks_like(fb_page)
    assert not FORMAT.looks_like(fb_page["data"][0])
    fb_page_object = json.loads((FB / "page_object.json").read_text(encoding="utf-8"))
    assert not FORMAT.looks_like(fb_page_object)
    ig_media = json.loads((IG / "media.json").read_text(encoding="utf-8"))
    assert not FacebookFormat().looks_like(ig_media)


def test_wrong_platform_file_is_a_format_error():
    with pytest.raises(FormatError, match="not Instagram Graph API media"):
        read(FB / "page_posts.json")


def test_empty_page_is_read_but_never_detected(tmp_path):
    empty = {"data": [], "paging": {"cursors": {"before": "QVFIUjFh", "after": "QVFIUjFh"}}}
    assert FORMAT.looks_like(empty) and payload(empty).posts == []
    assert not FORMAT.sniff(take_sample(write(tmp_path / "empty.json", json.dumps(empty))))


# --- into the store -----------------------------------------------------------------------

def test_import_into_store(store):
    report = import_file(store, IG / "media.json", "instagram")
    assert (report.rows_read, report.imported, report.quarantined) == (1, 6, 0)
    rows = store.con.execute("""
        SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id
        FROM posts ORDER BY post_id""").fetchall()
    by_id = {r[0]: r[1:] for r in rows}
    company = "instagram:acmecoffee"
    assert by_id[PHOTO] == (BRAND, "brand", "post", None, PHOTO, company)
    assert by_id[BRAND_REPLY][1:] == ("brand", "reply", JANE_COMMENT, PHOTO, company)
    for consumer in (JANE_COMMENT, FAN_COMMENT):
        account, role, kind, parent, conversation, owner = by_id[consumer]
        assert re.fullmatch(r"u_[0-9a-f]{16}", account)  # pseudonymised
        assert (role, kind, parent, conversation, owner) == ("consumer", "comment", PHOTO, PHOTO, company)
    handles = store.con.execute("SELECT handle FROM accounts WHERE role_hint = 'brand'").fetchall()
    assert set(handles) == {("acmecoffee",)}  # brand accounts stay readable
    mentions = store.con.execute("SELECT mentions FROM posts WHERE post_id = ?", [JANE_COMMENT]).fetchone()[0]
    assert mentions == ["acmecoffee"]


def test_import_twice_changes_nothing(store):
    for name in ("media.json", "account.json", "comments.jsonl", "malformed.json"):
        import_file(store, IG / name, "instagram")
    before = dump_tables(store.con)
    # comments.jsonl re-reads three comments of media.json with other fields: one is the same
    # post, two conflict (quarantined once, however often the file is imported).
    for name, posts in (("media.json", 6), ("account.json", 2), ("comments.jsonl", 1), ("malformed.json", 3)):
        again = import_file(store, IG / name, "instagram")
        assert (again.imported, again.updated, again.skipped) == (0, 0, posts)
    assert dump_tables(store.con) == before


def test_import_raw_ids(store):
    import_file(store, IG / "account.json", "instagram", pseudonymise=False)
    rows = store.con.execute("SELECT post_id, account_id, author_role, kind, parent_id FROM posts "
                             "ORDER BY post_id").fetchall()
    assert rows == [
        ("17860000000000002", "barista_bob", "consumer", "comment", "17920000000000001"),
        ("17920000000000001", BRAND, "brand", "post", None),
    ]
    followers = store.con.execute("SELECT followers FROM accounts WHERE account_id = ?", [BRAND]).fetchone()
    assert followers == (8841,)
