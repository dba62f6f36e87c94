"""The robust CSV record reader: line numbers, resynchronisation, refused rows."""

from __future__ import annotations

import io

from socialaudit.ingest.csvreader import CsvRecord, read_records, sniff_delimiter
from socialaudit.model import Quarantined


def read(text: str, **kw):
    return list(read_records(io.StringIO(text, newline="\n"), "f.csv", **kw))


def test_records_carry_their_first_line_and_multiline_fields():
    out = read('id,text\n1,"a\nb"\n2,c\n')
    assert [(r.line, r.fields) for r in out] == [(1, ["id", "text"]), (2, ["1", "a\nb"]), (4, ["2", "c"])]


def test_blank_lines_are_reported_as_none_not_rows():
    out = read("id,text\n\n1,a\n   \n2,b\n")
    assert [r if r is None else r.line for r in out] == [1, None, 3, None, 5]


def test_bare_carriage_return_is_data_and_crlf_is_a_line_end():
    out = read("id,text\r\n1,a\rb\r\n2,c\r\n")
    assert [r.fields for r in out] == [["id", "text"], ["1", "a\rb"], ["2", "c"]]


def test_unclosed_quote_costs_one_line_and_the_swallowed_rows_are_read_again():
    out = read('id,text,x\n1,ok,a\n2,"broken,b\n3,fine,c\n4,"quoted, too",d\n5,last,e\n', expected_fields=3)
    kept = [r.fields[0] for r in out if isinstance(r, CsvRecord)][1:]
    refused = [r for r in out if isinstance(r, Quarantined)]
    assert kept == ["1", "3", "4", "5"]
    assert [(q.line, q.raw) for q in refused] == [(3, '2,"broken,b')]
    assert "quot" in refused[0].reason


def test_quote_left_open_at_end_of_file():
    out = read('id,text\n1,a\n2,"never closed\n', expected_fields=2)
    assert isinstance(out[-1], Quarantined) and out[-1].line == 3
    assert "ends inside a quoted field" in out[-1].reason


def test_wrong_field_counts_name_missing_or_extra():
    out = read("a,b,c\n1,2\n1,2,3,4\n1,2,3\n", expected_fields=3)
    reasons = [r.reason for r in out if isinstance(r, Quarantined)]
    assert reasons == ["missing columns: expected 3 fields, found 2", "extra columns: expected 3 fields, found 4"]
    assert out[-1].fields == ["1", "2", "3"]


def test_nul_bytes_and_undecodable_bytes_are_refused_with_printable_raw():
    raw = "a,b\n1,x\x00y\n2,caf\udce9\n3,ok\n"  # \udce9: a Latin-1 byte decoded with surrogateescape
    out = read(raw, expected_fields=2, encoding="utf-8")
    refused = [r for r in out if isinstance(r, Quarantined)]
    assert [(q.line, q.reason, q.raw) for q in refused] == [
        (2, "NUL byte in record", "1,x\\x00y"),
        (3, "bytes that are not valid utf-8", "2,caf\\xe9"),
    ]
    assert out[-1].fields == ["3", "ok"]


def test_oversized_field_is_refused_and_reading_goes_on():
    big = "x" * 5000
    out = read(f"a,b\n1,{big}\n2,ok\n", expected_fields=2, max_field_bytes=1024)
    refused = [r for r in out if isinstance(r, Quarantined)]
    assert len(refused) == 1 and refused[0].line == 2
    assert out[-1].fields == ["2", "ok"]


def test_line_without_newline_is_capped_in_memory():
    out = read("a,b\n" + "y" * 10_000 + "\n3,ok\n", expected_fields=2, max_field_bytes=1024)
    refused = [r for r in out if isinstance(r, Quarantined)]
    assert len(refused) == 1 and "longer than" in refused[0].reason
    assert len(refused[0].raw) <= 2048
    assert out[-1].fields == ["3", "ok"]


def test_delimiter_sniffing_ignores_quoted_text():
    assert sniff_delimiter("id;text;author\n") == ";"
    assert sniff_delimiter('id\t"a;b;c"\tx\n') == "\t"
    assert sniff_delimiter("id,text\n") == ","
    assert sniff_delimiter("single\n") == ","
