"""Pinterest API v5 parser: pins, the user account, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, Where
from socialaudit.ingest.files import open_source
from socialaudit.ingest.pinterest import PinterestFormat
from socialaudit.model import UTC, ParsedBatch
from socialaudit.store import Store, import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "pinterest"
FMT = PinterestFormat()

KETTLE, OVEN, STEPS, SAVED = ("1080863717373829346", "1080863717373830001", "1080863717373830455",
                              "1080863717373831234")


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


def a_pin() -> dict:
    return json.loads((HERE / "pins.json").read_text())["items"][0]


# --- pins --------------------------------------------------------------------------------


def test_pins_are_the_brands_posts():
    batch = parse(HERE / "pins.json")
    posts = by_id(batch)
    assert sorted(posts) == sorted([KETTLE, OVEN, STEPS, SAVED]) and not batch.quarantined
    assert {(p.channel, p.role_hint, p.account_id, p.handle) for p in posts.values()} == {
        ("pinterest", "brand", "acmehome", "acmehome")}
    kettle = posts[KETTLE]
    assert (kettle.kind, kettle.ref_id, kettle.parent_id, kettle.conversation_id) == ("post", None, None, KETTLE)
    assert kettle.text == "Descale your kettle in 3 minutes\n\nVinegar, water, done. #AcmeHome"
    assert kettle.url == "https://www.pinterest.com/pin/1080863717373829346/"
    assert kettle.item == "items[0]"


def test_text_is_title_and_description_whichever_exist():
    posts = by_id(parse(HERE / "pins.json"))
    assert posts[OVEN].text == "Acme SmartOven"  # description ""
    assert posts[STEPS].text == "Descaling, step by step"  # description null
    assert posts[SAVED].text == "Kitchen inspiration we love"  # title ""
    assert "internal" not in " ".join(p.text for p in posts.values())  # the private note is never read


def test_a_pin_saved_from_another_pin_is_a_share():
    saved = by_id(parse(HERE / "pins.json"))[SAVED]
    assert (saved.kind, saved.ref_id, saved.parent_id) == ("share", "455919268956412345", None)


def test_media_types():
    posts = by_id(parse(HERE / "pins.json"))
    assert {k: posts[k].media_type for k in posts} == {
        KETTLE: "image", OVEN: "video", STEPS: "carousel", SAVED: "image"}
    for media_type, expected in [("multiple_videos", "carousel"), ("multiple_mixed", "carousel")]:
        pin = a_pin() | {"media": {"media_type": media_type, "items": []}}
        assert FMT.parse_payload(pin, Where("t", 1, "")).posts[0].media_type == expected
    no_media = {k: v for k, v in a_pin().items() if k != "media"}
    assert FMT.parse_payload(no_media, Where("t", 1, "")).posts[0].media_type is None


def test_counts_come_from_lifetime_metrics_only():
    posts = by_id(parse(HERE / "pins.json"))
    kettle = posts[KETTLE]
    assert (kettle.likes, kettle.comments, kettle.views, kettle.shares) == (41, 3, 5120, None)
    assert (posts[OVEN].likes, posts[OVEN].comments, posts[OVEN].views) == (12, 0, 2210)
    assert (posts[STEPS].likes, posts[STEPS].views) == (None, None)  # requested without pin_metrics
    only_90d = a_pin() | {"pin_metrics": {"90d": {"pin_click": 7, "impression": 2, "clickthrough": 3}}}
    post = FMT.parse_payload(only_90d, Where("t", 1, "")).posts[0]
    assert (post.likes, post.comments, post.views) == (None, None, None)


def test_timestamps_are_utc():
    posts = by_id(parse(HERE / "pins.json"))
    assert posts[KETTLE].created_at == dt.datetime(2024, 3, 5, 16, 10, 40, tzinfo=UTC)  # "-00:00"
    assert posts[OVEN].created_at == dt.datetime(2024, 4, 18, 9, 45, 12, tzinfo=UTC)  # no offset: UTC
    shifted = a_pin() | {"created_at": "2024-03-05T18:10:40+02:00"}
    stamp = FMT.parse_payload(shifted, Where("t", 1, "")).posts[0].created_at
    assert stamp == dt.datetime(2024, 3, 5, 16, 10, 40, tzinfo=UTC) and stamp.tzinfo == UTC


def test_pins_name_their_owner_as_an_account():
    accounts = parse(HERE / "pins.json").accounts
    assert {(a.account_id, a.handle, a.role_hint) for a in accounts} == {("acmehome", "acmehome", "brand")}


def test_user_account_is_the_brand_with_its_followers():
    batch = parse(HERE / "user_account.json")
    assert batch.posts == [] and not batch.quarantined
    [account] = batch.accounts
    assert (account.channel, account.account_id, account.handle, account.display_name, account.followers,
            account.role_hint) == ("pinterest", "acmehome", "acmehome", "Acme Home", 20931, "brand")


def test_board_pin_pages_one_per_line():
    batch = parse(HERE / "board_pins.jsonl")
    assert batch.rows_read == 2 and not batch.quarantined  # the last page: no items, bookmark null
    assert [(p.post_id, p.line, p.item) for p in batch.posts] == [(KETTLE, 1, "items[0]")]


def test_a_single_pin_payload():
    result = FMT.parse_payload(a_pin(), Where("t", 4, ""))
    assert [(p.post_id, p.line, p.item) for p in result.posts] == [(KETTLE, 4, "")]


# --- malformed items ---------------------------------------------------------------------


def test_malformed_items_are_quarantined_with_their_path_and_siblings_kept():
    batch = parse(HERE / "malformed.json")
    reasons = {q.item: q.reason for q in batch.quarantined}
    assert reasons == {
        "items[1]": "missing id in id",
        "items[2]": "bad timestamp 'the second of May' in created_at",
        "items[3]": "expected a pin object, found str",
        "items[4]": "expected an object in pin_metrics, found list",
    }
    assert [(p.item, p.post_id, p.media_type) for p in batch.posts] == [  # type: ignore[union-attr]
        ("items[0]", "1080863717373840001", "image"), ("items[5]", "1080863717373840006", "carousel")]


def test_text_that_is_not_text_is_refused_per_item():
    page = {"items": [a_pin() | {"title": ["Descale"]}, a_pin() | {"id": "2"}], "bookmark": None}
    result = FMT.parse_payload(page, Where("t", 1, ""))
    assert [(q.item, q.reason) for q in result.quarantined] == [("items[0]", "expected text in title, found list")]
    assert [p.post_id for p in result.posts] == ["2"]


def test_a_cut_off_file_keeps_its_complete_items(tmp_path):
    text = (HERE / "pins.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index(STEPS) + 5])
    batch = parse(path)
    assert sorted(p.post_id for p in batch.posts) == sorted([KETTLE, OVEN])
    assert len(batch.quarantined) == 1 and "kept the 2 complete item(s) of 'items'" in batch.quarantined[0].reason


def test_items_that_is_not_a_list_is_quarantined_whole():
    page = {"items": {"id": KETTLE}, "bookmark": None}
    assert FMT.looks_like(page)
    result = FMT.parse_payload(page, Where("t", 2, ""))
    assert [(q.line, q.item, q.reason) for q in result.quarantined] == [(2, "items", "expected a list, found dict")]


def test_a_bad_single_pin_or_account_is_quarantined_not_raised():
    pin = FMT.parse_payload(a_pin() | {"created_at": None}, Where("t", 1, ""))
    assert [(q.item, q.reason) for q in pin.quarantined] == [("", "missing timestamp in created_at")]
    account = json.loads((HERE / "user_account.json").read_text()) | {"follower_count": -3}
    result = FMT.parse_payload(account, Where("t", 1, ""))
    assert result.accounts == [] and [q.reason for q in result.quarantined] == ["bad count '-3' in follower_count"]


# --- recognising the shape ---------------------------------------------------------------

FOREIGN = {
    "x-v2": {"data": [{"id": "1", "text": "hi @acme", "author_id": "2", "created_at": "2024-01-01T00:00:00.000Z"}],
             "meta": {"result_count": 1}},
    "facebook": {"data": [{"id": "1_2", "message": "Hello", "created_time": "2024-01-01T00:00:00+0000"}],
                 "paging": {"cursors": {"before": "a", "after": "b"}}},
    "instagram media": {"data": [{"id": "1", "caption": "Hi", "media_type": "IMAGE",
                                  "timestamp": "2024-01-01T00:00:00+0000"}]},
    "instagram user": {"id": "1784", "username": "acmehome", "followers_count": 10, "media_count": 3},
    "generic": {"id": "1", "channel": "pinterest", "created_at": "2024-01-01T00:00:00Z", "text": "hi"},
    "board list": {"items": [{"id": "549755885175", "name": "Kitchen", "owner": {"username": "acmehome"},
                              "privacy": "PUBLIC"}], "bookmark": None},
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_other_shapes_are_not_pinterest(name):
    assert not FMT.looks_like(FOREIGN[name])


@pytest.mark.parametrize("path", sorted((FIXTURES / "youtube").glob("*")) + sorted((FIXTURES / "linkedin").glob("*")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_youtube_and_linkedin_fixtures_are_not_pinterest(path):
    value = json.loads(path.read_text().splitlines()[0] if path.suffix == ".jsonl" else path.read_text())
    assert not FMT.looks_like(value)


@pytest.mark.parametrize("name", ["pins.json", "user_account.json", "board_pins.jsonl", "malformed.json"])
def test_detect_format_finds_pinterest(name):
    assert detect_format(HERE / name).name == "pinterest"


def test_a_file_of_another_platform_is_refused():
    with pytest.raises(FormatError, match="not Pinterest"):
        parse(FIXTURES / "linkedin" / "posts.json")


# --- end to end --------------------------------------------------------------------------


def test_import(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        report = import_file(store, HERE / "pins.json", "pinterest")
        assert (report.rows_read, report.imported, report.quarantined) == (1, 4, 0)
        import_file(store, HERE / "user_account.json", "pinterest")
        rows = store.con.execute("select post_id, author_role, kind, parent_id, ref_id, conversation_id, "
                                 "company_id from posts order by post_id").fetchall()
        assert rows == [
            (KETTLE, "brand", "post", None, None, KETTLE, "pinterest:acmehome"),
            (OVEN, "brand", "post", None, None, OVEN, "pinterest:acmehome"),
            (STEPS, "brand", "post", None, None, STEPS, "pinterest:acmehome"),
            (SAVED, "brand", "share", None, "455919268956412345", SAVED, "pinterest:acmehome"),
        ]
        account = store.con.execute("select account_id, handle, display_name, followers, role_hint, pseudonymised "
                                    "from accounts").fetchall()
        assert account == [("acmehome", "acmehome", "Acme Home", 20931, "brand", False)]  # brands stay readable
        again = import_file(store, HERE / "pins.json", "pinterest")
        assert (again.imported, again.updated, again.skipped, again.quarantined) == (0, 0, 4, 0)
        pages = import_file(store, HERE / "board_pins.jsonl")  # the kettle pin again, without metrics
        assert (pages.format, pages.imported, pages.skipped) == ("pinterest", 0, 1)
        assert store.con.execute("select likes, views from posts where post_id = ?", [KETTLE]).fetchone() == (41, 5120)
