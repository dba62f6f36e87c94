"""X API v2 payloads: pages with includes, single lookups, bare tweets, empty pages, bad tweets.

Fixtures follow the documented v2 response shape ({data, includes: {users, tweets, media},
meta}; docs.x.com/x-api/fundamentals/data-dictionary): brand @AcmeSupport (user 783214)
posts a kettle tweet (only in ``includes.tweets``); consumers @jane_doe and @bob_k reply,
quote, retweet and mention it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from helpers import FIXTURES, write

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, Where
from socialaudit.ingest.files import open_source
from socialaudit.ingest.values import snowflake_time
from socialaudit.ingest.x_v2 import XV2Format
from socialaudit.model import UTC, ParsedBatch
from socialaudit.store import import_file

HERE = FIXTURES / "x_v2"
FMT = XV2Format()

BRAND, JANE, BOB = "783214", "2244994945", "1603817363"
T_BRAND = "1780123456789012480"
T_REPLY = "1780125000000000001"
T_QUOTE = "1780126000000000002"
T_RT = "1780127000000000003"
T_MENTION = "1780128000000000004"
T_CAROUSEL = "1780129000000000005"
T_REPLYQUOTE = "1780130000000000006"
T_LONG = "1780131000000000007"


def parse(path: Path, options: IngestOptions | None = None) -> ParsedBatch:
    """The whole file through the format's own reader, merged into one batch."""
    merged = ParsedBatch()
    with open_source(path) as (stream, info):
        for batch in FMT.parse(stream, info, options or IngestOptions()):
            merged.posts.extend(batch.posts)  # type: ignore[union-attr]
            merged.accounts.extend(batch.accounts)
            merged.quarantined.extend(batch.quarantined)
            merged.rows_read += batch.rows_read
    return merged


def by_id(batch: ParsedBatch) -> dict:
    posts = {p.post_id: p for p in batch.posts}  # type: ignore[union-attr]
    assert len(posts) == batch.post_count, "a tweet was read twice"
    return posts


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- a search page ---------------------------------------------------------------------


def test_search_page_kinds_parents_and_references():
    batch = parse(HERE / "search_page.json")
    assert not batch.quarantined and batch.rows_read == 1
    posts = by_id(batch)
    # 7 tweets in data + the brand tweet they reference, read from includes.tweets
    assert sorted(posts) == sorted([T_BRAND, T_REPLY, T_QUOTE, T_RT, T_MENTION, T_CAROUSEL, T_REPLYQUOTE, T_LONG])
    got = {pid: (p.kind, p.parent_id, p.ref_id, p.conversation_id) for pid, p in posts.items()}
    assert got == {
        T_BRAND: ("post", None, None, T_BRAND),
        T_REPLY: ("reply", T_BRAND, None, T_BRAND),                  # replied_to
        T_QUOTE: ("quote", None, T_BRAND, T_QUOTE),                  # quoted
        T_RT: ("share", None, T_BRAND, T_RT),                        # retweeted (its text mentions: still a share)
        T_MENTION: ("mention", None, None, T_MENTION),               # no reference, mentions the brand
        T_CAROUSEL: ("post", None, None, T_CAROUSEL),
        T_REPLYQUOTE: ("reply", T_REPLY, T_CAROUSEL, T_BRAND),       # quotes and replies: a reply keeping its ref
        T_LONG: ("reply", T_REPLYQUOTE, None, T_BRAND),
    }
    assert {p.item for p in posts.values()} == {f"data[{i}]" for i in range(7)} | {"includes.tweets[0]"}
    assert posts[T_BRAND].item == "includes.tweets[0]" and posts[T_REPLY].item == "data[0]"
    assert all(p.channel == "twitter" and p.line == 1 and p.role_hint is None for p in posts.values())


def test_public_metrics_become_likes_shares_comments_views():
    posts = by_id(parse(HERE / "search_page.json"))
    counts = {pid: (p.likes, p.shares, p.comments, p.views) for pid, p in posts.items()}
    # shares = retweet_count + quote_count; comments = reply_count; views = impression_count
    assert counts[T_BRAND] == (50, 10 + 2, 3, 5000)
    assert counts[T_REPLY] == (2, 0 + 0, 1, 40)
    assert counts[T_QUOTE] == (2, 1 + 0, 0, 100)
    assert counts[T_RT] == (0, 10, 0, 0)
    assert counts[T_CAROUSEL] == (None, None, None, None)  # no public_metrics requested


def test_authors_handles_urls_times_and_text():
    posts = by_id(parse(HERE / "search_page.json"))
    reply = posts[T_REPLY]
    assert (reply.account_id, reply.handle, reply.lang) == (JANE, "jane_doe", "en")
    assert reply.url == f"https://x.com/jane_doe/status/{T_REPLY}"
    assert reply.created_at == at(2024, 4, 16, 9, 5, 30)
    assert reply.text == "@AcmeSupport mine arrived broken <script>alert('x')</script>"  # hostile text verbatim
    assert (posts[T_BRAND].account_id, posts[T_BRAND].handle) == (BRAND, "AcmeSupport")
    assert posts[T_MENTION].created_at == at(2024, 4, 16, 9, 0, 0)  # +02:00 offset converted to UTC
    assert posts[T_CAROUSEL].lang == "de"


def test_long_posts_take_their_full_text_from_note_tweet():
    posts = by_id(parse(HERE / "search_page.json"))
    text = posts[T_LONG].text
    assert text.endswith("Please send us a DM with your order number.") and "…" not in text
    assert len(text) == len("@jane_doe We are sorry. ") + 240 + len(" Please send us a DM with your order number.")


def test_media_types_from_includes_media():
    posts = by_id(parse(HERE / "search_page.json"))
    types = {pid: p.media_type for pid, p in posts.items()}
    assert types == {
        T_BRAND: "link",          # no media, entities.urls
        T_REPLY: "image",         # photo
        T_QUOTE: "link",
        T_RT: "text",
        T_MENTION: "video",       # video
        T_CAROUSEL: "carousel",   # two photos
        T_REPLYQUOTE: "video",    # animated_gif
        T_LONG: "text",
    }


def test_users_from_includes_become_accounts():
    accounts = {a.account_id: a for a in parse(HERE / "search_page.json").accounts}
    assert set(accounts) == {BRAND, JANE, BOB}
    brand = accounts[BRAND]
    assert (brand.channel, brand.handle, brand.display_name, brand.followers, brand.verified) == (
        "twitter", "AcmeSupport", "Acme Support", 120000, True)
    assert (accounts[JANE].followers, accounts[JANE].verified, accounts[BOB].followers) == (321, False, 12)


def test_import_into_the_store(store):
    report = import_file(store, HERE / "search_page.json", "x-v2", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (1, 8, 0)
    rows = store.con.execute(
        "SELECT post_id, account_id, kind, parent_id, ref_id, conversation_id, likes, shares, comments, views "
        "FROM posts WHERE post_id IN (?, ?) ORDER BY post_id", [T_BRAND, T_REPLY]).fetchall()
    assert rows == [
        (T_BRAND, BRAND, "post", None, None, T_BRAND, 50, 12, 3, 5000),
        (T_REPLY, JANE, "reply", T_BRAND, None, T_BRAND, 2, 0, 1, 40),
    ]
    accounts = store.con.execute(
        "SELECT account_id, handle, display_name, followers, verified FROM accounts ORDER BY account_id").fetchall()
    assert accounts == [
        (BOB, "bob_k", "Bob K", 12, False),
        (JANE, "jane_doe", "Jane Doe", 321, False),
        (BRAND, "AcmeSupport", "Acme Support", 120000, True),
    ]


def test_consumer_ids_are_pseudonymised_by_default(store):
    import_file(store, HERE / "search_page.json", "x-v2")
    ids = {r[0] for r in store.con.execute("SELECT DISTINCT account_id FROM posts").fetchall()}
    assert len(ids) == 3 and all(i.startswith("u_") and len(i) == 18 for i in ids)
    assert JANE not in str(store.con.execute("SELECT * FROM accounts").fetchall())


# --- other payload shapes --------------------------------------------------------------


def test_single_tweet_lookup_has_data_as_an_object():
    batch = parse(HERE / "single_lookup.json")
    [post] = batch.posts
    assert (post.post_id, post.item, post.kind, post.handle, post.account_id) == (
        "1780200000000000001", "data", "mention", "jane_doe", JANE)
    assert post.created_at == at(2024, 4, 17, 8, 15)
    # a mention without an id (older payloads) still makes a mention
    assert [(a.account_id, a.followers) for a in batch.accounts] == [(JANE, 322)]


def test_bare_tweets_one_per_line():
    batch = parse(HERE / "bare_tweets.jsonl")
    assert not batch.quarantined and batch.rows_read == 3
    got = [(p.post_id, p.line, p.item, p.kind, p.parent_id, p.handle, p.media_type, p.url) for p in batch.posts]
    assert got == [
        ("1780300000000000001", 1, "", "post", None, None, "text", "https://x.com/i/web/status/1780300000000000001"),
        ("1780300000000000002", 2, "", "reply", "1780300000000000001", None, "other",  # media key not in includes
         "https://x.com/i/web/status/1780300000000000002"),
        ("1780300000000000003", 3, "", "post", None, None, "text", "https://x.com/i/web/status/1780300000000000003"),
    ]
    assert batch.posts[2].account_id is None and batch.accounts == []


def test_a_json_array_of_bare_tweets_keeps_each_element_path(tmp_path):
    tweets = [json.loads(line) for line in (HERE / "bare_tweets.jsonl").read_text().splitlines()]
    batch = parse(write(tmp_path / "tweets.json", json.dumps(tweets)))
    assert [(p.post_id[-1], p.line, p.item) for p in batch.posts] == [("1", 1, "[0]"), ("2", 1, "[1]"), ("3", 1, "[2]")]


def test_pages_one_per_line():
    batch = parse(HERE / "pages.jsonl")
    assert batch.rows_read == 2
    assert [(p.post_id, p.line, p.item) for p in batch.posts] == [
        (T_REPLY, 1, "data[0]"), (T_BRAND, 1, "includes.tweets[0]"), (T_QUOTE, 2, "data[0]")]
    assert {p.post_id: p.handle for p in batch.posts} == {T_REPLY: "jane_doe", T_BRAND: None, T_QUOTE: "bob_k"}


def test_an_empty_page_is_not_an_error(store):
    batch = parse(HERE / "empty_page.json")
    assert (batch.post_count, batch.quarantined, batch.rows_read) == (0, [], 1)
    report = import_file(store, HERE / "empty_page.json", "x-v2")
    assert (report.status, report.imported, report.quarantined) == ("done", 0, 0)
    assert FMT.looks_like({"data": [], "meta": {"result_count": 0}})


# --- malformed tweets ------------------------------------------------------------------


def test_malformed_tweets_are_quarantined_with_their_json_path_and_siblings_kept():
    batch = parse(HERE / "malformed.json")
    # A tweet requested without created_at is kept: its time is in its snowflake id.
    assert [p.post_id for p in batch.posts] == ["1780400000000000001", "1780400000000000008"]
    assert batch.posts[1].created_at == snowflake_time("1780400000000000008")
    reasons = [(q.item, q.reason) for q in batch.quarantined]
    assert reasons == [
        ("data[1]", "expected a tweet object, found str"),
        ("data[2]", "missing id in id"),
        ("data[3]", "bad timestamp 'yesterday' in created_at"),
        ("data[4]", "expected a list in referenced_tweets, found str"),
        ("data[5]", "bad count '-1' in public_metrics.like_count"),
        ("data[6]", "expected text in text, found int"),
        ("includes.users[0]", "bad count 'many' in public_metrics.followers_count"),
        ("includes.users[1]", "bad boolean 'sometimes' in verified (expected true/false)"),
    ]
    source = str((HERE / "malformed.json").resolve())
    assert all(q.source == source and q.line == 1 for q in batch.quarantined)
    assert json.loads(batch.quarantined[2].raw)["created_at"] == "yesterday"
    assert [a.account_id for a in batch.accounts] == [BOB]


def test_malformed_tweets_in_the_store(store):
    report = import_file(store, HERE / "malformed.json", "x-v2", pseudonymise=False)
    assert (report.imported, report.quarantined) == (2, 8)
    got = store.con.execute("SELECT line, item, reason FROM quarantine ORDER BY item").fetchall()
    assert got[0] == (1, "data[1]", "expected a tweet object, found str")
    assert [g[1] for g in got][-2:] == ["includes.users[0]", "includes.users[1]"]


def test_odd_values_inside_a_tweet_cost_only_that_tweet():
    ok = {"id": "1", "text": "ok", "author_id": "9", "created_at": "2024-01-01T00:00:00Z"}
    page = {"data": [
        ok | {"id": "2", "attachments": ["3_1"]},
        ok | {"id": "3", "attachments": {"media_keys": "3_1"}},
        ok | {"id": "4", "entities": {"mentions": "AcmeSupport"}},
        ok | {"id": "5", "referenced_tweets": ["replied_to"]},
        ok | {"id": "6", "author_id": {"id": "9"}},
        ok | {"id": "7", "public_metrics": {"retweet_count": "lots"}},
        ok,
    ], "includes": {"media": 5, "users": {"id": "9"}}}
    result = FMT.parse_payload(page, Where("f", 3, ""))
    assert [p.post_id for p in result.posts] == ["1"]
    assert [(q.line, q.item, q.reason) for q in result.quarantined] == [
        (3, "data[0]", "expected an object in attachments, found list"),
        (3, "data[1]", "expected a list in attachments.media_keys, found str"),
        (3, "data[2]", "expected a list in entities.mentions, found str"),
        (3, "data[3]", "expected an object in referenced_tweets[], found str"),
        (3, "data[4]", "bad id in author_id: expected a string or number, found dict"),
        (3, "data[5]", "bad count 'lots' in public_metrics.retweet_count"),
        (3, "includes.users", "expected a list, found dict"),
    ]


def test_includes_that_is_not_an_object_keeps_the_tweets():
    tweet = {"id": "1", "text": "ok", "author_id": "9", "created_at": "2024-01-01T00:00:00Z"}
    result = FMT.parse_payload({"data": [tweet], "includes": ["users"]}, Where("f", 1, "[2]"))
    assert [p.post_id for p in result.posts] == ["1"]
    assert [(q.item, q.reason) for q in result.quarantined] == [
        ("[2].includes", "expected an object in includes, found list")]


def test_a_page_whose_first_tweet_is_broken_is_still_read():
    tweet = {"id": "1", "text": "ok", "author_id": "9", "created_at": "2024-01-01T00:00:00Z"}
    page = {"data": ["junk", tweet]}
    assert FMT.looks_like(page)
    result = FMT.parse_payload(page, Where("f", 1, ""))
    assert [p.post_id for p in result.posts] == ["1"] and len(result.quarantined) == 1


def test_a_cut_off_page_keeps_its_complete_tweets(tmp_path):
    text = (HERE / "search_page.json").read_text()
    cut = write(tmp_path / "cut.json", text[: text.index(f'"id": "{T_RT}"')])
    batch = parse(cut)
    assert sorted(p.post_id for p in batch.posts) == sorted([T_REPLY, T_QUOTE])  # includes are lost with the tail
    [q] = batch.quarantined
    assert "kept the 2 complete item(s) of 'data'" in q.reason and q.line == 1


def test_broken_lines_in_a_page_export_cost_one_page(tmp_path):
    lines = (HERE / "pages.jsonl").read_text().splitlines()
    body = lines[0] + "\n" + lines[1][:50] + "\n" + lines[1] + "\n"
    batch = parse(write(tmp_path / "p.jsonl", body))
    assert [p.line for p in batch.posts] == [1, 1, 3]
    assert [(q.line, q.reason[:12]) for q in batch.quarantined] == [(2, "invalid JSON")]


def test_gzip_pages(tmp_path):
    path = write(tmp_path / "p.jsonl.gz", gzip.compress((HERE / "pages.jsonl").read_bytes()))
    assert parse(path).post_count == 3
    assert detect_format(path).name == "x-v2"


# --- the wrong format ------------------------------------------------------------------


def test_a_file_that_is_not_x_is_one_clear_error(store, tmp_path):
    other = write(tmp_path / "fb.json", json.dumps({"data": [{"id": "1_2", "message": "hi",
                                                               "created_time": "2019-05-22T15:04:05+0000"}]}))
    with pytest.raises(FormatError, match=r"fb\.json: not X API v2 tweet payloads"):
        import_file(store, other, "x-v2")
    with pytest.raises(FormatError, match=r"notjson\.csv: not JSON"):
        import_file(store, write(tmp_path / "notjson.csv", "id,text\n1,hi\n"), "x-v2")
    assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["search_page.json", "single_lookup.json", "bare_tweets.jsonl", "empty_page.json",
                                  "pages.jsonl", "malformed.json"])
def test_detection(name):
    assert detect_format(HERE / name).name == "x-v2"


def test_generic_posts_with_id_text_and_created_at_are_not_taken_for_tweets(tmp_path):
    post = {"id": "1", "channel": "twitter", "author": "jane", "created_at": "2024-01-01T00:00:00Z", "text": "hi"}
    assert detect_format(write(tmp_path / "g.jsonl", json.dumps(post) + "\n")).name == "jsonl"
    assert detect_format(write(tmp_path / "g.json", json.dumps([post]))).name == "jsonl"
    tweet = {"id": "1", "text": "hi", "created_at": "2024-01-01T00:00:00Z"}
    assert detect_format(write(tmp_path / "t.jsonl", json.dumps(tweet) + "\n")).name == "x-v2"
