"""Reading JSON payloads: JSONL, arrays, single documents, and everything that goes wrong
with them (broken or over-long lines, cut-off documents, deep nesting, encodings, gzip)."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import time
import tracemalloc

import pytest
from helpers import write

from socialaudit.errors import FormatError
from socialaudit.ingest import jsonreader
from socialaudit.ingest.files import open_source
from socialaudit.ingest.jsonreader import Payload, json_depth_exceeds, read_payloads
from socialaudit.model import Quarantined

OBJ = [{"id": i, "text": f"t{i}"} for i in range(1, 4)]
JSONL = "".join(json.dumps(o) + "\n" for o in OBJ)
BAD_BYTES = "bytes that are not valid UTF-8 (is the file in another encoding?)"


def read(data: bytes | str, prefix: str | tuple[str, ...] = ()) -> list[tuple]:
    """(kind, line, item, value-or-reason) for everything read from ``data``."""
    raw = data.encode() if isinstance(data, str) else data
    out = []
    for got in read_payloads(io.BytesIO(raw), "src", prefix):
        if isinstance(got, Payload):
            out.append(("P", got.line, got.item, got.value))
        else:
            assert isinstance(got, Quarantined) and got.source == "src"
            out.append(("Q", got.line, got.item, got.reason))
    return out


def values(data: bytes | str, prefix: str | tuple[str, ...] = ()) -> list:
    return [r[3] for r in read(data, prefix) if r[0] == "P"]


def raws(data: bytes | str) -> list[str]:
    return [q.raw for q in read_payloads(io.BytesIO(data if isinstance(data, bytes) else data.encode()), "src")
            if isinstance(q, Quarantined)]


# --- the three layouts --------------------------------------------------------------------


def test_jsonl_gives_one_payload_per_line_with_its_line_number():
    assert read(JSONL) == [("P", 1, "", OBJ[0]), ("P", 2, "", OBJ[1]), ("P", 3, "", OBJ[2])]


def test_blank_lines_are_skipped_and_counted_in_line_numbers():
    body = "\n\n" + json.dumps(OBJ[0]) + "\r\n\n  \n" + json.dumps(OBJ[1]) + "\n\n"
    assert read(body) == [("P", 3, "", OBJ[0]), ("P", 6, "", OBJ[1])]


def test_a_json_array_gives_its_elements_with_their_index():
    assert read(json.dumps(OBJ)) == [("P", 1, "[0]", OBJ[0]), ("P", 1, "[1]", OBJ[1]), ("P", 1, "[2]", OBJ[2])]
    assert read("   \n\n" + " " * 200 + json.dumps(OBJ, indent=2)) == read(json.dumps(OBJ))
    assert read("[]") == []


def test_a_pretty_printed_document_is_one_payload_at_its_first_line():
    page = {"data": OBJ, "meta": {"count": 3}}
    assert read("\n\n" + json.dumps(page, indent=2) + "\n") == [("P", 3, "", page)]


def test_a_document_with_whole_objects_on_single_lines_is_still_one_document():
    text = '{"data": [\n{"id": 1},\n{"id": 2}\n],\n"meta": {}}\n'
    assert read(text) == [("P", 1, "", {"data": [{"id": 1}, {"id": 2}], "meta": {}})]


def test_scalars_are_handed_over_for_the_format_to_refuse():
    assert values('1\n"two"\nnull\n') == [1, "two", None]


def test_empty_and_blank_files_give_nothing():
    assert read("") == [] and read(" \n\n\t\n") == [] and read(codecs.BOM_UTF8) == []


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["jsonl", "array", "document"])
def test_a_utf8_byte_order_mark_is_ignored(layout):
    text = {"jsonl": JSONL, "array": json.dumps(OBJ), "document": json.dumps({"data": OBJ}, indent=1)}[layout]
    assert values(codecs.BOM_UTF8 + text.encode()) == values(text)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("layout", ["jsonl", "array"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(encoding, layout):
    docs = [{"id": 1, "text": "Grüße ☕ 😀"}, {"id": 2, "text": "ok"}]
    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs) if layout == "jsonl" else json.dumps(docs)
    bom = {"utf-16": b"", "utf-16-be": codecs.BOM_UTF16_BE, "utf-32": b""}[encoding]
    assert values(bom + text.encode(encoding)) == docs


def test_a_file_in_a_named_legacy_encoding_is_decoded():
    docs = [{"id": 1, "text": "Grüße – „Köln“"}, {"id": 2, "text": "€ 5"}]
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("cp1252")
    got = list(read_payloads(io.BytesIO(data), "src", encoding="cp1252"))
    assert [g.value for g in got] == docs
    as_utf8 = list(read_payloads(io.BytesIO(data), "src", encoding="nonsense-8"))  # an unknown name: UTF-8
    assert [q.reason for q in as_utf8] == [BAD_BYTES, BAD_BYTES]
    no_bom = json.dumps(docs, ensure_ascii=False).encode("utf-16-le")
    assert [g.value for g in read_payloads(io.BytesIO(no_bom), "src", encoding="utf-16-le")] == docs


def test_bad_bytes_in_a_jsonl_line_cost_that_line():
    body = JSONL.encode() + b'{"id": 4, "text": "caf\xe9"}\n' + b'{"id": 5, "text": "caf\xc3\xa9"}\n'
    got = read(body)
    assert got[3] == ("Q", 4, "", BAD_BYTES)
    assert got[4] == ("P", 5, "", {"id": 5, "text": "café"})
    assert raws(body) == ['{"id": 4, "text": "caf\\xe9"}']


def test_bad_bytes_in_an_array_element_cost_that_element():
    body = b'[{"id": 1}, {"id": 2, "text": "caf\xe9 \xff"}, {"id": 3, "text": "\xc3\xa9"}]'
    assert read(body) == [("P", 1, "[0]", {"id": 1}), ("Q", 1, "[1]", BAD_BYTES), ("P", 1, "[2]", {"id": 3, "text": "é"})]
    assert raws(body) == ['{"id": 2, "text": "caf\\xe9 \\xff"}']


def test_bad_bytes_in_a_single_document_cost_only_the_items_holding_them():
    body = b'{"data": [{"id": 1}, {"id": 2, "t": "\xe9"}, {"id": 3}],\n "meta": {}}'
    got = read(body, "data.item")
    assert got[0] == ("P", 1, "", {"data": [{"id": 1}, {"id": 3}], "_salvaged": True})
    assert got[1] == ("Q", 1, "data[1]", BAD_BYTES)
    assert got[2][0] == "Q" and got[2][3].startswith(BAD_BYTES) and "kept the 2 complete item(s) of 'data'" in got[2][3]


def test_lone_surrogate_escapes_cost_their_line_and_pairs_are_fine():
    body = '{"t": "half \\ud83d"}\n{"t": "whole \\ud83d\\ude00"}\n{"\\udc00": 1}\n'
    got = read(body)
    assert got[0][:3] == ("Q", 1, "") and "lone UTF-16 surrogate" in got[0][3]
    assert got[1] == ("P", 2, "", {"t": "whole 😀"})
    assert got[2][0] == "Q"


def test_nul_bytes():
    escaped = read('{"t": "a\\u0000b"}\n')
    assert escaped == [("P", 1, "", {"t": "a\x00b"})]  # an escaped NUL is valid JSON text
    raw = read(b'{"t": "a\x00b"}\n{"t": "ok"}\n')
    assert raw[0][:2] == ("Q", 1) and raw[0][3].startswith("invalid JSON: Invalid control character")
    assert raw[1] == ("P", 2, "", {"t": "ok"})
    assert raws(b'{"t": "a\x00b"}\n{"t": "ok"}\n') == ['{"t": "a\\x00b"}']


# --- broken lines -------------------------------------------------------------------------


def test_a_broken_line_costs_that_line_only():
    lines = JSONL.splitlines()
    body = "\n".join([lines[0], '{"id": 9, "text": "cut', lines[1], "not json at all", lines[2]]) + "\n"
    got = read(body)
    assert [g[:3] for g in got] == [("P", 1, ""), ("Q", 2, ""), ("P", 3, ""), ("Q", 4, ""), ("P", 5, "")]
    assert got[1][3] == "invalid JSON: Invalid control character at line 1 column 23"  # the string runs into the LF
    assert got[3][3] == "invalid JSON: Expecting value at line 1 column 1"
    assert raws(body) == ['{"id": 9, "text": "cut', "not json at all"]


def test_a_broken_first_line_costs_that_line_only():
    got = read('{"id": 0,\n' + JSONL)
    assert [g[:2] for g in got] == [("Q", 1), ("P", 2), ("P", 3), ("P", 4)]


def test_two_broken_first_lines_do_not_lose_the_file():
    got = read('{"id": 0,\n{"id": 0.5 "x"}\n' + JSONL + '{"tail\n')
    assert [g[:2] for g in got] == [("Q", 1), ("Q", 2), ("P", 3), ("P", 4), ("P", 5), ("Q", 6)]
    assert [g[3] for g in got if g[0] == "P"] == OBJ


def test_crs_and_line_separators_inside_strings_do_not_shift_line_numbers():
    lines = ['{"broken', '{"broken too', json.dumps({"t": "a\rb\u2028c"}, ensure_ascii=False),
             json.dumps(OBJ[0]), "junk", json.dumps(OBJ[1])]
    got = read("\n".join(lines) + "\n")
    assert [g[:2] for g in got] == [("Q", 1), ("Q", 2), ("P", 3), ("P", 4), ("Q", 5), ("P", 6)]
    assert got[2][3] == {"t": "a\rb\u2028c"}


def test_over_long_lines_are_refused_and_skipped(monkeypatch):
    monkeypatch.setattr(jsonreader, "MAX_JSON_LINE", 100)
    long = json.dumps({"id": 7, "text": "x" * 500})
    got = read(JSONL + long + "\n" + JSONL)
    assert [g[:2] for g in got] == [("P", 1), ("P", 2), ("P", 3), ("Q", 4), ("P", 5), ("P", 6), ("P", 7)]
    assert got[3][3] == "line longer than 100 characters"
    [raw] = raws(JSONL + long + "\n" + JSONL)
    assert raw == long[:100]


def test_an_over_long_first_line_is_read_as_a_document(monkeypatch):
    monkeypatch.setattr(jsonreader, "MAX_JSON_LINE", 100)
    page = {"data": [{"id": i, "text": "x" * 50} for i in range(5)]}
    assert read(json.dumps(page)) == [("P", 1, "", page)]  # one minified page, longer than a line may be


# --- deep nesting ---------------------------------------------------------------------------


def test_json_depth_exceeds():
    assert not json_depth_exceeds({"a": [1, {"b": []}]}, limit=4)  # object, list, object, list
    assert json_depth_exceeds({"a": [1, {"b": []}]}, limit=3)
    assert not json_depth_exceeds(5, limit=1)
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth_exceeds(deep)  # iterative: no RecursionError


@pytest.mark.parametrize("depth", [65, 1_000, 200_000])
def test_absurd_nesting_costs_its_line(depth):
    deep = '{"id": 9, "v": ' + "[" * depth + "]" * depth + "}"
    got = read(JSONL + deep + "\n" + JSONL)
    assert [g[:2] for g in got] == [("P", 1), ("P", 2), ("P", 3), ("Q", 4), ("P", 5), ("P", 6), ("P", 7)]
    assert got[3][3] == "JSON nested deeper than 64 levels"


def test_nesting_up_to_the_limit_is_fine():
    ok = {"v": 1}
    for _ in range(63):
        ok = {"v": ok}
    assert values(json.dumps(ok) + "\n") == [ok]
    assert values(json.dumps([ok])) == [ok]


@pytest.mark.parametrize("depth", [65, 1_000, 300_000])
def test_absurd_nesting_in_an_array_costs_its_element_and_memory_stays_small(depth):
    body = "[" + json.dumps(OBJ[0]) + ', {"v": ' + "[" * depth + "]" * depth + "}, " + json.dumps(OBJ[1]) + "]"
    tracemalloc.start()
    started = time.perf_counter()
    try:
        got = read(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == [("P", 1, "[0]", OBJ[0]), ("Q", 1, "[1]", "JSON nested deeper than 64 levels"),
                   ("P", 1, "[2]", OBJ[1])]
    assert peak < 50_000_000 and time.perf_counter() - started < 20


def test_absurd_nesting_in_a_cut_off_document_does_not_exhaust_memory():
    body = '{"data": [{"id": 1}, {"v": ' + "[" * 300_000
    tracemalloc.start()
    try:
        got = read(body, "data.item")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got[0] == ("P", 1, "", {"data": [{"id": 1}], "_salvaged": True})
    assert got[-1][0] == "Q" and "kept the 1 complete item(s)" in got[-1][3]
    assert peak < 50_000_000


# --- cut-off documents --------------------------------------------------------------------


def test_a_cut_off_array_keeps_every_complete_element():
    text = json.dumps(OBJ, indent=2)
    got = read(text[: text.index('"t3"')])
    assert got[:2] == [("P", 1, "[0]", OBJ[0]), ("P", 1, "[1]", OBJ[1])]
    assert got[2][:3] == ("Q", 1, "[2]")
    assert got[2][3].startswith("JSON array cut off or broken (") and got[2][3].endswith(
        "after element [1]; the 2 complete element(s) before it were kept")


def test_garbage_inside_an_array_stops_it_with_the_elements_before_kept():
    got = read('[{"id": 1}, {"id": 2}, nonsense, {"id": 4}]')
    assert [g[:3] for g in got] == [("P", 1, "[0]"), ("P", 1, "[1]"), ("Q", 1, "[2]")]


def test_a_cut_off_document_keeps_the_complete_items_of_the_salvage_prefix():
    page = {"data": OBJ, "includes": {"users": [{"id": "u"}]}}
    text = json.dumps(page, indent=2)
    cut = text[: text.index('"t3"')]
    got = read(cut, "data.item")
    assert got[0] == ("P", 1, "", {"data": OBJ[:2], "_salvaged": True})
    assert got[1][:3] == ("Q", 1, "")
    assert got[1][3].startswith("invalid JSON") and got[1][3].endswith(
        "; kept the 2 complete item(s) of 'data' before the damage")
    assert raws(cut) == [cut[-4000:]]


def test_nested_salvage_prefixes_and_the_first_that_yields_is_used():
    account = {"id": "17841", "media": {"data": OBJ}}
    text = json.dumps(account)
    got = read(text[: text.index('"t2"')], ("data.item", "media.data.item"))
    assert got[0] == ("P", 1, "", {"media": {"data": [OBJ[0]]}, "_salvaged": True})
    assert "kept the 1 complete item(s) of 'media.data'" in got[1][3]


def test_a_cut_off_document_without_a_salvage_prefix_is_quarantined_whole():
    text = json.dumps({"data": OBJ}, indent=2)
    got = read(text[:40])
    assert [g[:3] for g in got] == [("Q", 1, "")] and got[0][3].startswith("invalid JSON")


# --- gzip ---------------------------------------------------------------------------------
# ``open_source`` may end a damaged .gz cleanly itself; a stream that raises at the damage
# (Python's GzipFile) must keep everything before it too.


def _read_gzip(packed: bytes) -> list[tuple]:
    stream = gzip.GzipFile(fileobj=io.BytesIO(packed), mode="rb")
    return [("P", g.line, g.item, g.value) if isinstance(g, Payload) else ("Q", g.line, g.item, g.reason)
            for g in read_payloads(stream, "src")]


def test_a_gzip_stream_that_raises_at_the_damage_keeps_the_lines_before(tmp_path):
    body = "".join(json.dumps({"id": i, "pad": "x" * 40}) + "\n" for i in range(5000)).encode()
    packed = gzip.compress(body)
    full = _read_gzip(packed)
    assert len(full) == 5000 and all(g[0] == "P" for g in full)
    cut = _read_gzip(packed[: len(packed) // 2])
    kept = [g for g in cut if g[0] == "P"]
    assert 100 < len(kept) < 5000 and [g[3]["id"] for g in kept] == list(range(len(kept)))
    assert cut[-1][3].startswith("file truncated: the compressed stream ends early")
    assert cut[-1][1] == len(kept) + 2  # after the last (partial) line
    assert cut[-2][:2] == ("Q", len(kept) + 1)  # the line cut in the middle


def test_a_gzip_array_stream_that_raises_keeps_its_complete_elements():
    body = json.dumps([{"id": i, "pad": "x" * 40} for i in range(5000)]).encode()
    packed = gzip.compress(body)
    got = _read_gzip(packed[: len(packed) // 2])
    kept = [g for g in got if g[0] == "P"]
    assert len(kept) > 100 and got[-1][0] == "Q" and got[-1][2] == f"[{len(kept)}]"
    assert got[-1][3].startswith("the file is truncated (the compressed stream ends early")


def test_a_tiny_truncated_gzip_stream_is_reported_not_raised():
    got = _read_gzip(gzip.compress(JSONL.encode())[:25])
    assert all(g[0] == "Q" for g in got) and any("truncated" in g[3] for g in got)


def test_truncated_gzip_files_through_open_source(tmp_path):
    body = "".join(json.dumps({"id": i, "pad": "x" * 40}) + "\n" for i in range(5000)).encode()
    packed = gzip.compress(body)
    with open_source(write(tmp_path / "cut.jsonl.gz", packed[: len(packed) // 2])) as (stream, info):
        got = list(read_payloads(stream, info.name))
    kept = [g for g in got if isinstance(g, Payload)]
    assert 100 < len(kept) < 5000 and [g.value["id"] for g in kept] == list(range(len(kept)))
    assert not [g for g in got if isinstance(g, Quarantined) and g.line <= len(kept)]


# --- not JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["id,text\n1,hello\n2,world\n", "hello world", "<html><body>x</body></html>\n"])
def test_a_file_that_is_not_json_at_all_is_a_format_error(text):
    with pytest.raises(FormatError, match=r"^src: not JSON: the file starts with"):
        read(text)


def test_a_broken_file_that_starts_like_json_is_quarantined_not_refused():
    got = read('{"id": 1, "text": "a"\n"oops": \n')
    assert [g[:3] for g in got] == [("Q", 1, "")]
