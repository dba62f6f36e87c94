"""Generic CSV: default columns, delimiters, encodings, gzip, mappings, and every kind of bad row."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from helpers import FIXTURES, write

from socialaudit.errors import FormatError
from socialaudit.ingest.base import IngestOptions
from socialaudit.ingest.files import open_source
from socialaudit.ingest.generic_csv import GenericCsvFormat
from socialaudit.ingest.mapping import ColumnMapping
from socialaudit.model import UTC
from socialaudit.store import import_file

HERE = FIXTURES / "generic"
HEADER = "id,channel,author,created_at,text,parent_id,company\n"
GOOD = (
    "1,twitter,jane,2024-03-01T10:00:00Z,\"@AcmeCare my kettle leaks, help\",,Acme\n"
    "2,twitter,AcmeCare,2024-03-01T11:30:00+01:00,@jane sorry! DM us,1,Acme\n"
    "3,x,jane,1709294400,thanks,2,\n"
)
POSTS = "SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id FROM posts ORDER BY post_id"


def rows(store, sql=POSTS):
    return store.con.execute(sql).fetchall()


def quarantine(store):
    return store.con.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()


def test_default_columns_known_answers(store, tmp_path):
    body = HEADER.replace("company", "company,author_role") + "".join(
        line + (",brand\n" if line.startswith("2,") else ",consumer\n") for line in GOOD.splitlines())
    report = import_file(store, write(tmp_path / "g.csv", body), "csv", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined, report.blank_lines) == (3, 3, 0, 0)
    assert rows(store) == [
        ("1", "jane", "consumer", "post", None, "1", "acme"),
        ("2", "AcmeCare", "brand", "reply", "1", "1", "acme"),
        ("3", "jane", "consumer", "reply", "2", "1", "acme"),  # no company of its own: its thread's
    ]
    times = dict(rows(store, "SELECT post_id, created_at FROM posts"))
    assert times == {"1": dt.datetime(2024, 3, 1, 10, tzinfo=UTC),
                     "2": dt.datetime(2024, 3, 1, 10, 30, tzinfo=UTC),  # +01:00 converted
                     "3": dt.datetime(2024, 3, 1, 12, tzinfo=UTC)}      # epoch seconds
    assert rows(store, "SELECT DISTINCT channel FROM posts") == [("twitter",)]  # x -> twitter
    assert rows(store, "SELECT text FROM posts WHERE post_id = '1'") == [("@AcmeCare my kettle leaks, help",)]
    assert rows(store, "SELECT source_line FROM posts WHERE post_id = '3'") == [(4,)]


def test_consumers_are_pseudonymised_and_brands_stay_readable(store, tmp_path):
    body = "id,channel,author,created_at,author_role\n1,twitter,jane,2024-01-01,consumer\n2,twitter,Acme,2024-01-01,brand\n"
    import_file(store, write(tmp_path / "g.csv", body), "csv")
    [(jane,), (acme,)] = rows(store, "SELECT account_id FROM posts ORDER BY post_id")
    assert acme == "Acme" and re.fullmatch("u_[0-9a-f]{16}", jane)


def test_ids_are_text_and_need_not_be_numeric(store, tmp_path):
    body = HEADER + "104958162837_1,facebook,page,2024-01-01,post,,\n" + (
        "urn:li:comment:(x;y),facebook,jane,2024-01-02,reply,104958162837_1,\n" + "007,forum,a,2024-01-03,zeros,,\n")
    report = import_file(store, write(tmp_path / "g.csv", body), "csv", options=IngestOptions(delimiter=","))
    assert (report.imported, report.quarantined) == (3, 0)
    assert rows(store, "SELECT post_id, parent_id FROM posts ORDER BY created_at") == [
        ("104958162837_1", None), ("urn:li:comment:(x;y)", "104958162837_1"), ("007", None)]


def test_hostile_text_is_stored_verbatim(store, tmp_path):
    text = "<script>alert('x')</script> <img src=x onerror=alert(1)> '; DROP TABLE posts; --"
    body = HEADER + f'9,forum,eve,2024-01-01,"{text}",,\n'
    import_file(store, write(tmp_path / "g.csv", body), "csv")
    assert rows(store, "SELECT text FROM posts") == [(text,)]


# --- delimiters, encodings, gzip, line endings ------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(store, tmp_path, delimiter):
    body = (HEADER + "1,twitter,jane,2024-01-01,\"a, b; c| d\",,Acme\n").replace(",", delimiter)
    body = body.replace(f'"a{delimiter} b; c| d"', '"a, b; c| d"')
    report = import_file(store, write(tmp_path / "g.csv", body), "csv")
    assert (report.imported, report.quarantined) == (1, 0)
    assert rows(store, "SELECT text, source_company FROM posts") == [("a, b; c| d", "Acme")]


def test_the_delimiter_can_be_forced(store, tmp_path):
    body = "id;channel;created_at;text\n1;forum;2024-01-01;a,b\n"
    report = import_file(store, write(tmp_path / "g.csv", body), "csv", options=IngestOptions(delimiter=";"))
    assert report.imported == 1 and rows(store, "SELECT text FROM posts") == [("a,b",)]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig", "utf-16-le"])
def test_encodings_are_sniffed(store, tmp_path, encoding):
    text = "Grüße aus Köln, ça va? ß"
    body = HEADER + f'1,facebook,jürgen,2024-01-01,"{text}",,Café Ünal\n'
    data = body.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # with its byte-order mark
    report = import_file(store, write(tmp_path / "g.csv", data), "csv", pseudonymise=False)
    assert (report.imported, report.quarantined) == (1, 0)
    assert rows(store, "SELECT text, account_id, source_company FROM posts") == [(text, "jürgen", "Café Ünal")]


def test_the_encoding_can_be_forced(store, tmp_path):
    body = (HEADER + "1,forum,a,2024-01-01,Grüße,,\n").encode("cp1252")
    import_file(store, write(tmp_path / "g.csv", body), "csv", options=IngestOptions(encoding="cp1252"))
    assert rows(store, "SELECT text FROM posts") == [("Grüße",)]


def test_a_few_bad_bytes_in_a_utf8_file_cost_their_rows(store, tmp_path):
    body = (HEADER + "1,forum,a,2024-01-01,Grüße ☕,,\n").encode() + b"2,forum,a,2024-01-01,caf\xe9,,\n" + (
        b"3,forum,a,2024-01-01,ok,,\n")
    report = import_file(store, write(tmp_path / "g.csv", body), "csv")
    assert (report.imported, report.quarantined) == (2, 1)
    assert quarantine(store) == [(3, "bytes that are not valid utf-8", "2,forum,a,2024-01-01,caf\\xe9,,")]


def test_crlf_line_endings(store, tmp_path):
    report = import_file(store, write(tmp_path / "g.csv", (HEADER + GOOD).replace("\n", "\r\n")), "csv")
    assert report.imported == 3
    assert rows(store, "SELECT text FROM posts WHERE post_id = '3'") == [("thanks",)]


def test_gzip_is_read_transparently(store, tmp_path):
    report = import_file(store, write(tmp_path / "g.csv.gz", gzip.compress((HEADER + GOOD).encode())), "csv")
    assert (report.imported, report.quarantined) == (3, 0)


def test_a_truncated_gzip_keeps_the_rows_before_the_damage(store, tmp_path):
    body = HEADER + "".join(f"{i},forum,user{i % 7},2024-01-01,row {i} {'x' * 40},,\n" for i in range(1, 4001))
    packed = gzip.compress(body.encode())
    report = import_file(store, write(tmp_path / "cut.csv.gz", packed[: len(packed) // 2]), "csv")
    assert 100 < report.imported < 4000
    truncated = [q for q in quarantine(store) if q[1].startswith("file truncated")]
    assert len(truncated) == 1 and "compressed stream ends early" in truncated[0][1]
    ids = [int(i) for (i,) in rows(store, "SELECT post_id FROM posts")]
    assert sorted(ids) == list(range(1, len(ids) + 1))  # every row before the damage


def test_a_gzip_truncated_inside_its_header_is_a_format_error(store, tmp_path):
    packed = gzip.compress((HEADER + GOOD).encode())
    with pytest.raises(FormatError, match="cut.csv.gz: file truncated before the end of its header row"):
        import_file(store, write(tmp_path / "cut.csv.gz", packed[:30]), "csv")


# --- bad rows ----------------------------------------------------------------------------------

BAD = {
    "10,twitter,bob,not-a-date,x,,": "bad timestamp 'not-a-date' in created_at",
    "11,twitter,bob,2019,x,,": "bad timestamp '2019' in created_at",
    ",twitter,bob,2024-01-01,empty id,,": "missing id in id",
    "  ,twitter,bob,2024-01-01,blank id,,": "missing id in id",
    "13,twitter,bob,2024-01-01,missing": "missing columns: expected 7 fields, found 5",
    "14,twitter,bob,2024-01-01,extra,,,surplus": "extra columns: expected 7 fields, found 8",
    '15,twitter,bob,2024-01-01,"broken,,': "(record spanned several lines; later lines re-read)",
    '16,twitter,bob,2024-01-01,"quoted"junk,,': "broken quoting: an unclosed quote, or text after a closing quote",
    "17,twitter,bob,2024-01-01,nul\x00byte,,": "NUL byte in record",
    "18,,bob,2024-01-01,no channel,,": "missing channel in channel",
    "19,twitter,bob,,no time,,": "missing timestamp in created_at",
}


def test_each_bad_row_is_quarantined_with_line_reason_and_raw_and_good_rows_kept(store, tmp_path):
    lines = list(BAD)
    body = HEADER + GOOD + "\n".join(lines) + "\n\n" + "20,twitter,bob,2024-01-01,good again,,\n"
    path = write(tmp_path / "g.csv", body)
    report = import_file(store, path, "csv")
    assert (report.rows_read, report.imported, report.quarantined, report.blank_lines) == (
        3 + 6 + 1, 4, len(BAD), 1)
    got = store.con.execute("SELECT source, line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [g[1] for g in got] == list(range(5, 5 + len(BAD)))
    for (source, _, reason, raw), line in zip(got, lines):
        assert source == str(path.resolve())
        assert BAD[line] in reason, (line, reason)
        assert raw == line.replace("\x00", "\\x00")
    # the lines a broken quote swallowed were read again
    assert rows(store, "SELECT post_id FROM posts ORDER BY post_id::INT") == [("1",), ("2",), ("3",), ("20",)]


def test_bad_optional_values(store, tmp_path):
    body = ("id,channel,author,created_at,likes,kind,author_role,verified,followers\n"
            "1,forum,a,2024-01-01,5,post,brand,true,10\n"
            "2,forum,b,2024-01-01,-1,,,,\n"
            "3,forum,c,2024-01-01,,bogus,,,\n"
            "4,forum,d,2024-01-01,,,boss,,\n"
            "5,forum,e,2024-01-01,,,,maybe,\n"
            "6,forum,f,2024-01-01,,,,,lots\n")
    report = import_file(store, write(tmp_path / "g.csv", body), "csv", pseudonymise=False)
    assert (report.imported, report.quarantined) == (1, 5)
    assert [(line, reason) for line, reason, _ in quarantine(store)] == [
        (3, "bad count '-1' in likes"),
        (4, "bad kind 'bogus' in kind (one of post, reply, comment, mention, share, quote)"),
        (5, "bad author_role 'boss' in author_role (expected brand or consumer)"),
        (6, "bad boolean 'maybe' in verified (expected true/false)"),
        (7, "bad count 'lots' in followers"),
    ]
    assert rows(store, "SELECT account_id, followers, verified, role_hint FROM accounts") == [("a", 10, True, "brand")]


def test_huge_fields_and_lines_cost_their_rows(store, tmp_path):
    body = HEADER + "1,forum,a,2024-01-01,short,,\n" + f'2,forum,a,2024-01-01,"{"x" * 1500}",,\n' + (
        f"3,forum,a,2024-01-01,{'y' * 5000},,\n") + "4,forum,a,2024-01-01,short again,,\n"
    report = import_file(store, write(tmp_path / "g.csv", body), "csv", options=IngestOptions(max_field_bytes=1000))
    assert (report.imported, report.quarantined) == (2, 2)
    (line2, reason2, _), (line3, reason3, raw3) = quarantine(store)
    assert (line2, line3) == (3, 4)
    assert reason2 == "field larger than the 1,000-byte limit (raise it with --max-field-bytes)"
    assert reason3.startswith("line longer than 2,000 characters") and len(raw3) == 2000
    assert rows(store, "SELECT post_id FROM posts ORDER BY 1") == [("1",), ("4",)]


def test_blank_lines_before_the_header_keep_line_numbers_right(store, tmp_path):
    body = "\n\n" + HEADER + "1,forum,a,2024-01-01,ok,,\n\n" + "2,forum,a,nope,bad,,\n"
    report = import_file(store, write(tmp_path / "g.csv", body), "csv")
    assert (report.imported, report.quarantined, report.blank_lines) == (1, 1, 1)
    assert quarantine(store)[0][:2] == (6, "bad timestamp 'nope' in created_at")
    assert rows(store, "SELECT source_line FROM posts") == [(4,)]


def test_rows_arrive_in_batches(tmp_path):
    body = HEADER + "".join(f"{i},forum,a,2024-01-01,t,,\n" for i in range(5))
    with open_source(write(tmp_path / "g.csv", body)) as (stream, info):
        info.encoding = "utf-8"
        batches = list(GenericCsvFormat().parse(stream, info, IngestOptions(batch_size=2)))
    assert [b.post_count for b in batches] == [2, 2, 1]
    assert [p.line for b in batches for p in b.posts] == [2, 3, 4, 5, 6]


# --- mappings and options ------------------------------------------------------------------------


def test_a_mapped_layout_with_local_times_and_a_role_column(store):
    options = IngestOptions(mapping=ColumnMapping.load(HERE / "forum_mapping.yaml"))
    report = import_file(store, HERE / "forum_export.csv", "csv", options=options, pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (5, 3, 2)
    assert rows(store) == [
        ("101", "jana", "consumer", "post", None, "101", "acme"),
        ("102", "AcmeService", "brand", "reply", "101", "101", "acme"),
        ("103", "jana", "consumer", "reply", "102", "101", "acme"),
    ]
    got = rows(store, "SELECT post_id, channel, created_at, likes, text FROM posts ORDER BY post_id")
    assert got == [
        ("101", "forum", dt.datetime(2024, 1, 15, 8, 30, tzinfo=UTC), 3,
         "Mein Wasserkocher ist undicht <img src=x onerror=alert(1)>"),
        ("102", "forum", dt.datetime(2024, 1, 15, 9, 5, tzinfo=UTC), 0, "Das tut uns leid; bitte DM!"),
        ("103", "forum", dt.datetime(2024, 7, 1, 10, 0, tzinfo=UTC), None, "Danke!"),  # summer time
    ]
    assert [(line, reason) for line, reason, _ in quarantine(store)] == [
        (5, "bad timestamp '31.02.2024 12:00' in posted"),
        (6, "bad role 'vielleicht' in inbound (expected one of false, 0, true, 1)"),
    ]


def test_a_default_channel_for_files_without_one(store, tmp_path):
    body = "id,author,created_at,text\n1,a,2024-01-01,hi\n"
    with pytest.raises(FormatError, match="missing required column\\(s\\) channel"):
        import_file(store, write(tmp_path / "g.csv", body), "csv")
    report = import_file(store, write(tmp_path / "g2.csv", body), "csv", options=IngestOptions(channel="Forum"))
    assert report.imported == 1 and rows(store, "SELECT channel FROM posts") == [("forum",)]


# --- not a generic CSV ---------------------------------------------------------------------------


def test_missing_required_columns_is_one_clear_error(store, tmp_path):
    path = write(tmp_path / "x.csv", "tweet_id,body,when\n1,hi,2024-01-01\n")
    with pytest.raises(FormatError) as err:
        import_file(store, path, "csv")
    message = str(err.value)
    assert message.startswith(f"{path.resolve()}: missing required column(s) id (column 'id')")
    assert "the file has: tweet_id, body, when" in message and "--mapping FILE.yaml" in message
    assert rows(store, "SELECT status FROM imports") == [("failed",)]
    assert rows(store, "SELECT count(*) FROM posts") == [(0,)]


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_an_empty_file_is_one_clear_error(store, tmp_path, content):
    with pytest.raises(FormatError, match="empty file: no header row"):
        import_file(store, write(tmp_path / "e.csv", content), "csv")


def test_a_json_file_named_as_csv_is_refused(store, tmp_path):
    with pytest.raises(FormatError, match="missing required column"):
        import_file(store, write(tmp_path / "j.csv", '{"id": 1, "channel": "x", "created_at": "2024"}\n'), "csv")


def test_a_header_only_file_imports_nothing(store, tmp_path):
    report = import_file(store, write(tmp_path / "h.csv", HEADER), "csv")
    assert (report.status, report.rows_read, report.imported) == ("done", 0, 0)
