"""LinkedIn posts/comments parser: organization posts, comments, replies, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, Where
from socialaudit.ingest.files import open_source
from socialaudit.ingest.linkedin import LinkedInFormat
from socialaudit.model import UTC, ParsedBatch
from socialaudit.store import Store, import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "linkedin"
FMT = LinkedInFormat()

ORG = "urn:li:organization:2414183"
FAN, RITA = "urn:li:person:Vf2gP3y1Qm", "urn:li:person:k9XcL0aB7t"
KETTLE = "urn:li:share:7171234567890123456"
OVEN = "urn:li:ugcPost:7172345678901234567"
GUIDE, STEPS, REPOST, QUOTE, HIRING = (f"urn:li:share:{n}" for n in (
    "7173456789012345678", "7174567890123456789", "7175678901234567890", "7176789012345678901",
    "7177890123456789012"))
QUESTION, THANKS, ANSWER, DONE = (f"urn:li:comment:({KETTLE},717130000000000000{n})" for n in (1, 2, 3, 4))


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


def elements(name: str, line: int = 0) -> list:
    text = (HERE / name).read_text()
    return json.loads(text.splitlines()[line] if name.endswith(".jsonl") else text)["elements"]


# --- posts -------------------------------------------------------------------------------


def test_organization_posts_are_brand_posts():
    batch = parse(HERE / "posts.json")
    posts = by_id(batch)
    assert sorted(posts) == sorted([KETTLE, OVEN, GUIDE, STEPS, REPOST, QUOTE, HIRING])
    assert not batch.quarantined
    assert {(p.channel, p.account_id, p.role_hint, p.handle) for p in posts.values()} == {
        ("linkedin", ORG, "brand", None)}
    kettle = posts[KETTLE]
    assert kettle.text == "Limescale slowing your kettle down? Here is the 3-minute fix (no tools needed). #AcmeHome"
    assert (kettle.kind, kettle.parent_id, kettle.conversation_id) == ("post", None, KETTLE)
    assert kettle.url == "https://www.linkedin.com/feed/update/urn:li:share:7171234567890123456"
    assert kettle.item == "elements[0]"
    assert (kettle.likes, kettle.comments, kettle.shares, kettle.views) == (None, None, None, None)


def test_time_is_published_at_in_utc_from_epoch_milliseconds():
    posts = by_id(parse(HERE / "posts.json"))
    assert posts[KETTLE].created_at == dt.datetime(2024, 3, 5, 16, 0, 7, tzinfo=UTC)  # publishedAt, not createdAt
    unpublished_time = elements("posts.json")[1]
    del unpublished_time["publishedAt"]
    post = FMT.parse_payload(unpublished_time, Where("t", 1, "")).posts[0]
    assert post.created_at == dt.datetime(2024, 4, 18, 9, 30, tzinfo=UTC)  # createdAt


def test_reshares_are_shares_or_quotes():
    posts = by_id(parse(HERE / "posts.json"))
    assert (posts[REPOST].kind, posts[REPOST].ref_id, posts[REPOST].text) == (
        "share", "urn:li:share:7160000000000000001", None)
    assert (posts[QUOTE].kind, posts[QUOTE].ref_id, posts[QUOTE].text) == (
        "quote", "urn:li:ugcPost:7165000000000000002", "Proud of our partner Bright Labs for their award!")
    assert posts[REPOST].parent_id is None and posts[QUOTE].parent_id is None


def test_media_types_from_content():
    posts = by_id(parse(HERE / "posts.json"))
    assert {k: p.media_type for k, p in posts.items()} == {
        KETTLE: "image", OVEN: "video", GUIDE: "link", STEPS: "carousel", REPOST: "text", QUOTE: "text",
        HIRING: "text"}
    document = elements("posts.json")[0] | {"content": {"media": {"title": "Manual", "id": "urn:li:document:D1"}}}
    assert FMT.parse_payload(document, Where("t", 1, "")).posts[0].media_type == "other"


def test_little_text_commentary_becomes_plain_text():
    post = elements("posts.json")[6] | {
        "commentary": "Ask \\@us \\[anything\\] {hashtag|\\#|AcmeHome} {hashtag|#|Kitchen} \\\\o/ "
                      "with @[Jane Doe](urn:li:person:Vf2gP3y1Qm)"}
    text = FMT.parse_payload(post, Where("t", 1, "")).posts[0].text
    assert text == "Ask @us [anything] #AcmeHome #Kitchen \\o/ with Jane Doe"


def test_text_that_is_not_text_is_refused_per_item():
    page = {"elements": [elements("posts.json")[6] | {"commentary": {"text": "hi"}},
                         elements("comments.jsonl")[0] | {"message": {"text": ["hi"]}},
                         elements("comments.jsonl")[1]]}
    result = FMT.parse_payload(page, Where("t", 1, ""))
    assert [q.reason for q in result.quarantined] == ["expected text in commentary, found dict",
                                                      "expected text in message.text, found list"]
    assert [p.post_id for p in result.posts] == [THANKS]


def test_a_member_post_is_not_a_brand_post():
    post = elements("posts.json")[6] | {"author": FAN}
    assert FMT.parse_payload(post, Where("t", 1, "")).posts[0].role_hint is None


# --- comments ----------------------------------------------------------------------------


def test_comments_and_replies():
    batch = parse(HERE / "comments.jsonl")
    posts = by_id(batch)
    assert sorted(posts) == sorted([QUESTION, THANKS, ANSWER, DONE]) and not batch.quarantined
    question = posts[QUESTION]
    assert (question.kind, question.parent_id, question.conversation_id) == ("comment", KETTLE, KETTLE)
    assert (question.account_id, question.handle, question.role_hint) == (FAN, None, None)
    assert question.text == "Mine still whistles after descaling, any ideas?"
    assert (question.likes, question.comments, question.media_type) == (2, 2, "text")
    assert question.created_at == dt.datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
    assert (question.line, question.item) == (1, "elements[0]")
    for reply_id in (ANSWER, DONE):
        reply = posts[reply_id]
        assert (reply.kind, reply.parent_id, reply.conversation_id, reply.line) == ("reply", QUESTION, KETTLE, 2)
    assert posts[ANSWER].account_id == ORG


def test_an_organizations_comment_is_a_brand_whether_or_not_its_post_is_known():
    # Organisations are never consumers, so their URNs are never pseudonymised.
    assert by_id(parse(HERE / "comments.jsonl"))[ANSWER].role_hint == "brand"
    post = elements("posts.json")[0]
    answer, done = elements("comments.jsonl", 1)
    mixed = {"elements": [post, answer, done]}
    roles = {p.post_id: p.role_hint for p in FMT.parse_payload(mixed, Where("t", 1, "")).posts}
    assert roles == {KETTLE: "brand", ANSWER: "brand", DONE: None}
    other_org = answer | {"actor": "urn:li:organization:999"}
    roles = {p.post_id: p.role_hint for p in FMT.parse_payload({"elements": [post, other_org]},
                                                               Where("t", 1, "")).posts}
    assert roles[ANSWER] == "brand"  # another company commenting: a brand too (the store tells which)


def test_the_comment_id_is_built_when_only_id_and_object_are_given():
    comment = {k: v for k, v in elements("comments.jsonl")[1].items() if k not in ("commentUrn", "$URN")}
    assert FMT.parse_payload(comment, Where("t", 1, "")).posts[0].post_id == THANKS


def test_a_comment_with_an_image():
    comment = elements("comments.jsonl")[1] | {"content": [{"type": "IMAGE",
                                                            "entity": {"image": "urn:li:image:C4E22AQE3"}}]}
    assert FMT.parse_payload(comment, Where("t", 1, "")).posts[0].media_type == "image"


# --- malformed items ---------------------------------------------------------------------


def test_malformed_items_are_quarantined_with_their_path_and_siblings_kept():
    batch = parse(HERE / "malformed.json")
    reasons = {q.item: q.reason for q in batch.quarantined}
    assert reasons == {
        "elements[1]": "missing id in id",
        "elements[2]": "bad timestamp 'soon' in createdAt",
        "elements[3]": "expected a post or comment object, found int",
        "elements[4]": "post urn:li:share:7180000000000000005 is not published (lifecycleState DRAFT)",
        "elements[5]": "expected a list in content, found dict",
        "elements[6]": "missing id in commentUrn/$URN (and no id and object to build it from)",
    }
    assert [(p.item, p.post_id) for p in batch.posts] == [  # type: ignore[union-attr]
        ("elements[0]", "urn:li:share:7180000000000000001"),
        ("elements[7]", f"urn:li:comment:({KETTLE},7171300000000000011)")]


def test_a_cut_off_file_keeps_its_complete_items(tmp_path):
    text = (HERE / "posts.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index(GUIDE) + 5])
    batch = parse(path)
    assert sorted(p.post_id for p in batch.posts) == sorted([KETTLE, OVEN])
    assert len(batch.quarantined) == 1 and "kept the 2 complete item(s) of 'elements'" in batch.quarantined[0].reason


def test_elements_that_is_not_a_list_is_quarantined_whole():
    page = {"paging": {"start": 0, "count": 10, "links": []}, "elements": {"id": KETTLE}}
    assert FMT.looks_like(page)
    result = FMT.parse_payload(page, Where("t", 1, "[1]"))
    assert [(q.item, q.reason) for q in result.quarantined] == [("[1].elements", "expected a list, found dict")]


def test_a_bad_bare_comment_is_quarantined_not_raised():
    comment = elements("comments.jsonl")[0] | {"created": {"time": "then"}}
    result = FMT.parse_payload(comment, Where("t", 7, ""))
    assert [(q.line, q.item, q.reason) for q in result.quarantined] == [
        (7, "", "bad timestamp 'then' in created.time")]


# --- recognising the shape ---------------------------------------------------------------

FOREIGN = {
    "x-v2": {"data": [{"id": "1", "text": "hi @acme", "author_id": "2", "created_at": "2024-01-01T00:00:00.000Z"}],
             "meta": {"result_count": 1}},
    "facebook": {"data": [{"id": "1_2", "message": "Hello", "created_time": "2024-01-01T00:00:00+0000"}],
                 "paging": {"cursors": {"before": "a", "after": "b"}}},
    "instagram": {"data": [{"id": "1", "caption": "Hi", "media_type": "IMAGE",
                            "timestamp": "2024-01-01T00:00:00+0000"}]},
    "generic": {"id": "urn:li:share:1", "channel": "linkedin", "created_at": "2024-01-01T00:00:00Z", "text": "hi"},
    "organization acls": {"paging": {"start": 0, "count": 10}, "elements": [
        {"role": "ADMINISTRATOR", "organization": ORG, "roleAssignee": FAN, "state": "APPROVED"}]},
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_other_shapes_are_not_linkedin(name):
    assert not FMT.looks_like(FOREIGN[name])


@pytest.mark.parametrize("path", sorted((FIXTURES / "youtube").glob("*")) + sorted((FIXTURES / "pinterest").glob("*")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_youtube_and_pinterest_fixtures_are_not_linkedin(path):
    value = json.loads(path.read_text().splitlines()[0] if path.suffix == ".jsonl" else path.read_text())
    assert not FMT.looks_like(value)


@pytest.mark.parametrize("name", ["posts.json", "comments.jsonl", "malformed.json"])
def test_detect_format_finds_linkedin(name):
    assert detect_format(HERE / name).name == "linkedin"


def test_bare_posts_and_comments_one_per_line(tmp_path):
    path = tmp_path / "bare.jsonl"
    path.write_text(json.dumps(elements("posts.json")[0]) + "\n" + json.dumps(elements("comments.jsonl")[0]) + "\n")
    assert detect_format(path).name == "linkedin"
    assert [(p.post_id, p.line, p.item) for p in parse(path).posts] == [(KETTLE, 1, ""), (QUESTION, 2, "")]


def test_a_file_of_another_platform_is_refused():
    with pytest.raises(FormatError, match="not LinkedIn"):
        parse(FIXTURES / "youtube" / "videos.json")


# --- end to end --------------------------------------------------------------------------


def test_import(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        posts = import_file(store, HERE / "posts.json", "linkedin")
        comments = import_file(store, HERE / "comments.jsonl", "linkedin")
        assert [(r.imported, r.quarantined) for r in (posts, comments)] == [(7, 0), (4, 0)]
        rows = store.con.execute("select post_id, account_id, author_role, kind, parent_id, conversation_id, "
                                 "company_id from posts where conversation_id = ? order by post_id",
                                 [KETTLE]).fetchall()
        company = "linkedin:" + ORG
        fan, rita = (store.con.execute("select account_id from posts where post_id = ?", [i]).fetchone()[0]
                     for i in (QUESTION, THANKS))
        assert fan.startswith("u_") and len(fan) == 18 and rita.startswith("u_") and rita != fan
        hashtags = store.con.execute("select hashtags from posts where post_id = ?", [KETTLE]).fetchone()[0]
        assert hashtags == ["acmehome"]
        assert rows == [
            (QUESTION, fan, "consumer", "comment", KETTLE, KETTLE, company),
            (THANKS, rita, "consumer", "comment", KETTLE, KETTLE, company),
            (ANSWER, ORG, "brand", "reply", QUESTION, KETTLE, company),  # the brand, readable
            (DONE, fan, "consumer", "reply", QUESTION, KETTLE, company),
            (KETTLE, ORG, "brand", "post", None, KETTLE, company),
        ]
        for path in (HERE / "posts.json", HERE / "comments.jsonl"):
            again = import_file(store, path, "linkedin")
            assert (again.imported, again.updated, again.quarantined) == (0, 0, 0)
            assert again.skipped == {"posts.json": 7, "comments.jsonl": 4}[path.name]


def test_import_without_pseudonyms_in_either_order(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        import_file(store, HERE / "comments.jsonl", "linkedin", pseudonymise=False)
        import_file(store, HERE / "posts.json", "linkedin", pseudonymise=False)
        rows = store.con.execute("select post_id, account_id, author_role from posts where kind in "
                                 "('comment', 'reply') order by post_id").fetchall()
        assert rows == [(QUESTION, FAN, "consumer"), (THANKS, RITA, "consumer"), (ANSWER, ORG, "brand"),
                        (DONE, FAN, "consumer")]
