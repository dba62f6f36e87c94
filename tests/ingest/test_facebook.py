"""Facebook Graph API pages: known answers on tiny fixtures, quarantine, detection, store import.

Fixture ids follow the Graph API: Page 104958162837 ("Acme Coffee"), post ids
``{page-id}_{post-id}``, comment ids ``{post-id}_{comment-id}``, times ``...+0000``.
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

FB = FIXTURES / "facebook"
IG = FIXTURES / "instagram"
FORMAT = FacebookFormat()

PAGE = "104958162837"
JANE = "2178362951234567"
POST = "104958162837_10158932610957838"  # photo post with a thread
ALBUM = "104958162837_10158930011111111"
LINK = "104958162837_10158927733333333"
JANE_COMMENT = "10158932610957838_10158932711212345"
PAGE_REPLY = "10158932610957838_10158932799998888"
ANONYMOUS_COMMENT = "10158932610957838_10158932755554444"
UTC = dt.timezone.utc

X_V2_PAGE = {
    "data": [{"id": "1212092628029698048", "text": "@AcmeCoffee my order is late", "author_id": "2244994945",
              "created_at": "2019-12-31T19:26:16.000Z", "conversation_id": "1212092628029698048",
              "edit_history_tweet_ids": ["1212092628029698048"]}],
    "includes": {"users": [{"id": "2244994945", "name": "Dev", "username": "dev"}]},
    "meta": {"result_count": 1, "newest_id": "1212092628029698048", "oldest_id": "1212092628029698048"},
}


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

def test_page_of_posts_gives_posts_comments_and_replies():
    posts, _, quarantined = read(FB / "page_posts.json")
    assert quarantined == []
    assert {p.post_id: p.kind for p in posts.values()} == {
        POST: "post", ALBUM: "post", LINK: "post",
        JANE_COMMENT: "comment", ANONYMOUS_COMMENT: "comment",
        PAGE_REPLY: "reply",
    }
    assert {p.channel for p in posts.values()} == {"facebook"}


def test_thread_links_parents_and_conversation():
    posts, _, _ = read(FB / "page_posts.json")
    assert posts[POST].parent_id is None
    assert posts[JANE_COMMENT].parent_id == POST
    assert posts[ANONYMOUS_COMMENT].parent_id == POST
    assert posts[PAGE_REPLY].parent_id == JANE_COMMENT
    thread = [POST, JANE_COMMENT, PAGE_REPLY, ANONYMOUS_COMMENT]
    assert {posts[i].conversation_id for i in thread} == {POST}
    assert posts[ALBUM].conversation_id == ALBUM


def test_roles_page_is_brand_commenters_left_to_registry():
    posts, _, _ = read(FB / "page_posts.json")
    assert (posts[POST].account_id, posts[POST].role_hint) == (PAGE, "brand")
    assert (posts[JANE_COMMENT].account_id, posts[JANE_COMMENT].role_hint) == (JANE, None)
    assert (posts[PAGE_REPLY].account_id, posts[PAGE_REPLY].role_hint) == (PAGE, "brand")
    # `from` withheld (no Page token since 2018): no author, no guess.
    assert (posts[ANONYMOUS_COMMENT].account_id, posts[ANONYMOUS_COMMENT].role_hint) == (None, None)
    assert all(p.handle is None for p in posts.values())  # from.name is not a handle


def test_counts_text_and_urls():
    posts, _, _ = read(FB / "page_posts.json")
    post = posts[POST]
    assert (post.likes, post.shares, post.comments, post.views) == (85, 12, 3, None)
    assert post.text.startswith("New single origin from Huila")
    assert post.url == "https://www.facebook.com/104958162837/posts/10158932610957838"
    assert (posts[ALBUM].likes, posts[ALBUM].shares, posts[ALBUM].comments) == (40, None, 0)
    assert (posts[LINK].likes, posts[LINK].shares, posts[LINK].comments) == (19, 3, None)
    jane = posts[JANE_COMMENT]
    assert (jane.likes, jane.comments, jane.shares) == (2, 1, None)
    assert jane.url.endswith("?comment_id=10158932711212345")
    assert (posts[PAGE_REPLY].likes, posts[PAGE_REPLY].comments) == (1, None)


def test_graph_timestamps_become_utc():
    posts, _, _ = read(FB / "page_posts.json")
    assert posts[POST].created_at == dt.datetime(2019, 5, 22, 15, 4, 5, tzinfo=UTC)
    assert posts[PAGE_REPLY].created_at == dt.datetime(2019, 5, 22, 16, 45, 30, tzinfo=UTC)
    assert all(p.created_at.utcoffset() == dt.timedelta(0) for p in posts.values())


def test_media_types_from_attachments_then_status_type():
    posts, _, _ = read(FB / "page_posts.json")
    assert [posts[i].media_type for i in (POST, ALBUM, LINK)] == ["image", "carousel", "link"]
    assert posts[JANE_COMMENT].media_type == "text"
    feed, _, _ = read(FB / "feed.jsonl")
    assert feed["104958162837_10158987654321000"].media_type == "video"  # media_type "video"
    assert feed["104958162837_10158985555500000"].media_type == "text"  # mobile_status_update
    only_status = {"id": "1_2", "created_time": "2019-05-22T15:04:05+0000", "status_type": "added_video"}
    assert payload(only_status).posts[0].media_type == "video"


def test_one_account_per_author_with_display_name_not_handle():
    _, accounts, _ = read(FB / "page_posts.json")
    by_id = {a.account_id: a for a in accounts}
    assert len(by_id) == len(accounts) == 2
    page = by_id[PAGE]
    assert (page.display_name, page.handle, page.role_hint) == ("Acme Coffee", None, "brand")
    assert (by_id[JANE].display_name, by_id[JANE].handle, by_id[JANE].role_hint) == ("Jane Doe", None, None)


def test_feed_visitor_post_is_a_consumer_post_answered_by_the_page():
    posts, _, quarantined = read(FB / "feed.jsonl")
    assert quarantined == []
    visitor = posts["104958162837_10158990012345678"]
    assert (visitor.kind, visitor.account_id, visitor.role_hint) == ("post", "1029384756102938", "consumer")
    answer = posts["10158990012345678_10158990099990000"]
    assert (answer.kind, answer.role_hint, answer.parent_id) == ("comment", "brand", visitor.post_id)
    # A Page post read without `from` is the Page's (the id starts with its id).
    quiet = posts["104958162837_10158985555500000"]
    assert (quiet.account_id, quiet.role_hint) == (PAGE, "brand")
    # JSONL: each page is a line; paths are inside that line's document.
    assert (visitor.line, visitor.item) == (1, "data[0]")
    assert (answer.line, answer.item) == (1, "data[0].comments.data[0]")
    assert (quiet.line, quiet.item) == (2, "data[1]")


def test_comments_page_read_on_its_own():
    posts, accounts, quarantined = read(FB / "post_comments.json")
    assert quarantined == []
    assert sorted(posts) == sorted([JANE_COMMENT, PAGE_REPLY, ANONYMOUS_COMMENT])
    assert (posts[JANE_COMMENT].kind, posts[JANE_COMMENT].parent_id) == ("comment", None)
    # `parent` names the comment a reply answers.
    assert (posts[PAGE_REPLY].kind, posts[PAGE_REPLY].parent_id) == ("reply", JANE_COMMENT)
    # Without the post the Page is unknown: the registry decides who is a brand.
    assert {p.role_hint for p in posts.values()} == {None}
    assert {p.conversation_id for p in posts.values()} == {None}
    assert {a.account_id for a in accounts} == {JANE, PAGE}


def test_page_object_with_posts_edge_gives_the_brand_account():
    posts, accounts, quarantined = read(FB / "page_object.json")
    assert quarantined == []
    assert accounts == [AccountRecord("facebook", PAGE, handle="acmecoffee", display_name="Acme Coffee",
                                      followers=15230, role_hint="brand")]
    post = posts["104958162837_10158999900000001"]
    assert (post.account_id, post.role_hint, post.item) == (PAGE, "brand", "posts.data[0]")


def test_bare_post_keeps_the_payload_path():
    post = {"id": "104958162837_1", "message": "Hi", "created_time": "2019-05-22T15:04:05+0000",
            "from": {"name": "Acme Coffee", "id": PAGE},
            "comments": {"data": [{"id": "1_2", "message": "Hello", "from": {"name": "Jane Doe", "id": JANE},
                                   "created_time": "2019-05-22T15:05:00+0000"}]}}
    assert FORMAT.looks_like(post)
    result = payload(post)
    assert [(p.post_id, p.kind, p.parent_id, p.item) for p in result.posts] == [
        ("104958162837_1", "post", None, ""), ("1_2", "comment", "104958162837_1", "comments.data[0]")]


# --- malformed input ----------------------------------------------------------------------

def test_malformed_items_are_quarantined_with_their_path_siblings_kept():
    posts, _, quarantined = read(FB / "malformed.json")
    assert set(posts) == {"104958162837_10159000000000001", "104958162837_10159000000000004",
                          "10159000000000001_10159000000000111"}
    assert [(q.item, q.reason) for q in quarantined] == [
        ("data[0].comments.data[0]", "expected a comment object, found str"),
        ("data[0].comments.data[2]", "missing id in id"),
        ("data[1]", "missing id in id"),
        ("data[2]", "bad timestamp 'yesterday' in created_time"),
        ("data[3].comments.data", "expected a list, found str"),
    ]
    assert all(q.source == str(FB / "malformed.json") and q.line == 1 for q in quarantined)
    assert json.loads(quarantined[3].raw)["message"] == "Bad created_time."


def test_comments_that_are_not_an_edge_cost_only_the_comments():
    post = {"id": "1_2", "created_time": "2019-05-22T15:04:05+0000", "comments": "oops"}
    result = payload({"data": [post]})
    assert [p.post_id for p in result.posts] == ["1_2"]
    assert [(q.item, q.reason) for q in result.quarantined] == [
        ("data[0].comments", "expected a list, found str")]


def test_bad_values_refuse_their_item():
    result = payload({"data": [
        {"id": "1_1", "created_time": "2019-05-22T15:04:05+0000", "from": "Acme Coffee"},
        {"id": "1_2", "created_time": "2019-05-22T15:04:05+0000", "shares": {"count": -1}},
        {"id": "1_3", "created_time": "2019-05-22T15:04:05+0000",
         "reactions": {"summary": {"total_count": "x"}}},
        {"id": "1_4", "created_time": "2019-05-22T15:04:05+0000"},
    ]})
    assert [p.post_id for p in result.posts] == ["1_4"]
    assert [(q.item, q.reason) for q in result.quarantined] == [
        ("data[0]", "expected an object in from, found str"),
        ("data[1]", "bad count '-1' in shares.count"),
        ("data[2]", "bad count 'x' in reactions.summary.total_count"),
    ]


def test_cut_off_document_keeps_complete_posts(tmp_path):
    text = (FB / "page_posts.json").read_text(encoding="utf-8")
    cut = write(tmp_path / "cut.json", text[: text.index(f'"id": "{ALBUM}"')])
    posts, _, quarantined = read(cut)
    assert sorted(posts) == sorted([POST, JANE_COMMENT, PAGE_REPLY, ANONYMOUS_COMMENT])
    assert len(quarantined) == 1 and "kept the 1 complete item(s) of 'data'" in quarantined[0].reason


# --- recognising the format ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["page_posts.json", "feed.jsonl", "post_comments.json", "page_object.json",
                                  "malformed.json"])
def test_detects_its_fixtures(name):
    assert detect_format(FB / name).name == "facebook"


@pytest.mark.parametrize("name", ["media.json", "account.json", "business_discovery.json", "comments.jsonl"])
def test_instagram_files_are_not_facebook(name):
    assert detect_format(IG / name).name != "facebook"
    assert not FORMAT.sniff(take_sample(IG / name))


def test_x_v2_files_are_not_facebook(tmp_path):
    page = write(tmp_path / "x.jsonl", json.dumps(X_V2_PAGE) + "\n")
    assert detect_format(page).name == "x-v2"
    assert not FORMAT.looks_like(X_V2_PAGE)
    assert not FORMAT.looks_like(X_V2_PAGE["data"][0])


def test_other_platforms_payloads_are_rejected():
    ig_media = json.loads((IG / "media.json").read_text(encoding="utf-8"))
    assert not FORMAT.looks_like(ig_media)
    assert not FORMAT.looks_like(ig_media["data"][0])
    assert not FORMAT.looks_like({"id": "17841405309211844", "username": "acmecoffee", "followers_count": 1,
                                  "media": {"data": ig_media["data"]}})
    # and the other way round
    fb_page = json.loads((FB / "page_posts.json").read_text(encoding="utf-8"))
    assert not InstagramFormat().looks_like(fb_page)


def test_wrong_platform_file_is_a_format_error():
    with pytest.raises(FormatError, match="not Facebook Graph API page posts"):
        read(IG / "media.json")


def test_empty_page_is_read_but_never_detected(tmp_path):
    empty = {"data": [], "paging": {"cursors": {"before": "QVFIUjFh", "after": "QVFIUjFh"}}}
    assert FORMAT.looks_like(empty) and payload(empty).posts == []
    assert not FORMAT.sniff(take_sample(write(tmp_path / "empty.json", json.dumps(empty))))


# --- into the store -----------------------------------------------------------------------

def test_import_into_store(store):
    report = import_file(store, FB / "page_posts.json", "facebook")
    assert (report.rows_read, report.imported, report.quarantined) == (1, 6, 0)
    rows = store.con.execute("""
        SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id
        FROM posts ORDER BY post_id""").fetchall()
    company = f"facebook:{PAGE}"
    jane = rows[0][1]
    assert re.fullmatch(r"u_[0-9a-f]{16}", jane)  # consumers are pseudonymised, the Page is not
    assert rows == [
        (JANE_COMMENT, jane, "consumer", "comment", POST, POST, company),
        (ANONYMOUS_COMMENT, None, "consumer", "comment", POST, POST, company),
        (PAGE_REPLY, PAGE, "brand", "reply", JANE_COMMENT, POST, company),
        (LINK, PAGE, "brand", "post", None, LINK, company),
        (ALBUM, PAGE, "brand", "post", None, ALBUM, company),
        (POST, PAGE, "brand", "post", None, POST, company),
    ]
    page = store.con.execute("SELECT display_name, role_hint, company_id FROM accounts WHERE account_id = ?",
                             [PAGE]).fetchone()
    assert page == ("Acme Coffee", "brand", company)
    hidden = store.con.execute("SELECT display_name, pseudonymised FROM accounts WHERE account_id = ?",
                               [jane]).fetchone()
    assert hidden == (None, True)  # a consumer's name never reaches the disk


def test_import_twice_changes_nothing(store):
    names = ("page_posts.json", "feed.jsonl", "post_comments.json", "page_object.json", "malformed.json")
    for name in names:
        import_file(store, FB / name, "facebook")
    before = dump_tables(store.con)
    # post_comments.json re-reads the comments of page_posts.json without their post: the same
    # comments with less context, so they are skipped, not conflicts.
    for name, posts in zip(names, (6, 4, 3, 1, 3)):
        again = import_file(store, FB / name, "facebook")
        assert (again.imported, again.updated, again.skipped) == (0, 0, posts)
    assert dump_tables(store.con) == before


def test_import_raw_ids_and_visitor_roles(store):
    import_file(store, FB / "feed.jsonl", "facebook", pseudonymise=False)
    rows = store.con.execute("SELECT post_id, account_id, author_role, kind, parent_id FROM posts "
                             "ORDER BY post_id").fetchall()
    assert rows == [
        ("10158990012345678_10158990099990000", PAGE, "brand", "comment", "104958162837_10158990012345678"),
        ("104958162837_10158985555500000", PAGE, "brand", "post", None),
        ("104958162837_10158987654321000", PAGE, "brand", "post", None),
        ("104958162837_10158990012345678", "1029384756102938", "consumer", "post", None),
    ]
