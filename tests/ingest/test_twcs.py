"""TWCS CSV: known answers on tiny files, malformed rows, format errors."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest
from helpers import write

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.store import import_file

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
GOOD = (
    '1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,"@115712 I understand, DM us",2,3.0\n'
    "2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare and how do you propose we do that,,1.0\n"
    "3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare I have sent several private messages,1,\n"
)


def rows(store, sql="SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id "
                    "FROM posts ORDER BY post_id::INT"):
    return store.con.execute(sql).fetchall()


def test_good_rows_roles_threads_and_times(store, tmp_path):
    report = import_file(store, write(tmp_path / "t.csv", HEADER + GOOD), "twcs", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (3, 3, 0)
    assert rows(store) == [
        ("1", "sprintcare", "brand", "reply", "3", "3", "twitter:sprintcare"),
        ("2", "115712", "consumer", "reply", "1", "3", "twitter:sprintcare"),
        ("3", "115712", "consumer", "mention", None, "3", "twitter:sprintcare"),
    ]
    created = store.con.execute("SELECT created_at FROM posts WHERE post_id = '1'").fetchone()[0]
    assert created == dt.datetime(2017, 10, 31, 22, 10, 47, tzinfo=dt.timezone.utc)
    assert store.con.execute("SELECT mentions FROM posts WHERE post_id = '3'").fetchone()[0] == ["sprintcare"]


def test_offsets_are_converted_to_utc(store, tmp_path):
    line = "7,acme,False,Tue Oct 31 22:10:47 +0200 2017,hi,,\n"
    import_file(store, write(tmp_path / "t.csv", HEADER + line), "twcs")
    created = store.con.execute("SELECT created_at FROM posts").fetchone()[0]
    assert created == dt.datetime(2017, 10, 31, 20, 10, 47, tzinfo=dt.timezone.utc)


BAD = {
    "abc,foo,True,Tue Oct 31 22:10:47 +0000 2017,bad id,,": "non-numeric id 'abc' in tweet_id",
    ",foo,True,Tue Oct 31 22:10:47 +0000 2017,empty id,,": "non-numeric id '' in tweet_id",
    "11,foo,Maybe,Tue Oct 31 22:10:47 +0000 2017,bad bool,,": "bad boolean 'Maybe' in inbound",
    "12,foo,True,Tue Octo 31 22:10:47 +0000 2017,bad time,,": "bad timestamp 'Tue Octo 31 22:10:47 +0000 2017'",
    "13,foo,True,Tue Oct 31 22:10:47 +0000 2017,bad parent,,x1": "non-numeric id 'x1' in in_response_to_tweet_id",
    "14,,True,Tue Oct 31 22:10:47 +0000 2017,no author,,": "empty id in author_id",
    "15,foo,True,Tue Oct 31 22:10:47 +0000 2017,extra,,,": "extra columns: expected 7 fields, found 8",
    "16,foo,True": "missing columns: expected 7 fields, found 3",
}


def test_each_bad_row_is_quarantined_with_line_and_reason_and_good_rows_kept(store, tmp_path):
    lines = list(BAD)
    body = HEADER + GOOD + "\n".join(lines) + "\n" + "20,foo,True,Tue Oct 31 22:10:47 +0000 2017,good again,,\n"
    report = import_file(store, write(tmp_path / "t.csv", body), "twcs")
    assert report.imported == 4 and report.quarantined == len(BAD)
    got = store.con.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [g[0] for g in got] == list(range(5, 5 + len(BAD)))
    for (line, reason, raw), source_line in zip(got, lines):
        assert raw == source_line
        assert BAD[source_line] in reason, (line, reason)


def test_iso_timestamps_in_a_twcs_file_are_accepted(store, tmp_path):
    line = "30,foo,True,2017-10-31T22:10:47Z,iso,,\n"
    report = import_file(store, write(tmp_path / "t.csv", HEADER + line), "twcs")
    assert report.imported == 1


def test_broken_quote_swallowing_rows_costs_only_its_line(store, tmp_path):
    body = HEADER + '40,foo,True,Tue Oct 31 22:10:47 +0000 2017,"broken,,\n' + GOOD
    report = import_file(store, write(tmp_path / "t.csv", body), "twcs")
    assert report.imported == 3 and report.quarantined == 1
    assert store.con.execute("SELECT line FROM quarantine").fetchall() == [(2,)]


def test_latin1_bytes_in_a_utf8_file_cost_one_row(store, tmp_path):
    body = (HEADER + GOOD).encode() + "41,foo,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n".encode("latin-1")
    body += "42,foo,True,Tue Oct 31 22:10:47 +0000 2017,café ☕,,\n".encode()
    report = import_file(store, write(tmp_path / "t.csv", body), "twcs")
    assert report.imported == 4 and report.quarantined == 1
    assert store.con.execute("SELECT raw FROM quarantine").fetchone()[0].endswith("caf\\xe9,,")


def test_a_latin1_file_is_read_as_latin1(store, tmp_path):
    body = (HEADER + "50,foo,True,Tue Oct 31 22:10:47 +0000 2017,Grüße aus Köln,,\n").encode("cp1252")
    report = import_file(store, write(tmp_path / "t.csv", body), "twcs")
    assert report.imported == 1
    assert store.con.execute("SELECT text FROM posts").fetchone()[0] == "Grüße aus Köln"


def test_gzip_is_read_transparently_and_a_truncated_gzip_keeps_earlier_rows(store, tmp_path):
    data = (HEADER + GOOD * 1).encode() + b"".join(
        f"{100 + i},foo,True,Tue Oct 31 22:10:47 +0000 2017,row {i} {'x' * 50},,\n".encode() for i in range(3000))
    packed = gzip.compress(data)
    full = import_file(store, write(tmp_path / "full.csv.gz", packed), "auto")
    assert full.format == "twcs" and full.imported == 3003
    cut = write(tmp_path / "cut.csv.gz", packed[: len(packed) // 2])
    report = import_file(store, cut, "twcs")
    assert report.rows_read > 100 and report.skipped == report.rows_read  # all seen in full.csv.gz
    rows = store.con.execute("SELECT line, reason FROM quarantine WHERE source LIKE '%cut.csv.gz' ORDER BY line")
    (last_line, cut_row), (after, note) = rows.fetchall()
    assert "missing columns" in cut_row  # the row the cut went through
    assert after == last_line + 1 and "file truncated" in note


def test_a_file_that_is_not_twcs_is_one_clear_error(store, tmp_path):
    with pytest.raises(FormatError, match=r"missing column\(s\) inbound, created_at"):
        import_file(store, write(tmp_path / "x.csv", "tweet_id,author_id,text,in_response_to_tweet_id\n1,a,b,\n"),
                    "twcs")
    with pytest.raises(FormatError, match="empty file"):
        import_file(store, write(tmp_path / "empty.csv", ""), "twcs")
    assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
    assert store.con.execute("SELECT status FROM imports").fetchall() == [("failed",), ("failed",)]


def test_detection(tmp_path):
    assert detect_format(write(tmp_path / "t.csv", HEADER + GOOD)).name == "twcs"
