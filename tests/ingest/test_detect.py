"""``--format auto``: every format is recognised from its first bytes, and nothing else is."""

from __future__ import annotations

import codecs
import gzip
import json
import time
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import BUNDLED_SAMPLE, FIXTURES, write

from socialaudit.errors import FormatError
from socialaudit.ingest import FORMATS, detect_format
from socialaudit.ingest.detect import first_json_value, take_sample
from socialaudit.store import import_file

GENERIC_HEADER = ["id", "channel", "author", "created_at", "text", "parent_id", "company"]
GENERIC_ROW = ["1", "twitter", "jane", "2024-01-01T10:00:00Z", "hello", "", "Acme"]
POST = dict(zip(GENERIC_HEADER, GENERIC_ROW))


# --- each format's own files -------------------------------------------------------------------

FIXTURE_FORMATS = {
    "facebook": ["page_posts.json", "feed.jsonl", "post_comments.json", "page_object.json"],
    "instagram": ["media.json", "account.json", "comments.jsonl"],
    "youtube": ["videos.json", "comment_threads.json", "replies.jsonl"],
    "pinterest": ["pins.json", "board_pins.jsonl"],
    "linkedin": ["posts.json", "comments.jsonl"],
    "x_v2": ["search_page.json", "single_lookup.json", "bare_tweets.jsonl", "empty_page.json", "pages.jsonl"],
    "ibm_care": ["small.json", "malformed.json"],
}


@pytest.mark.parametrize(("folder", "name"), [(f, n) for f, names in FIXTURE_FORMATS.items() for n in names])
def test_platform_fixtures_are_recognised_as_their_own_format(folder, name):
    assert detect_format(FIXTURES / folder / name).name == folder.replace("_", "-")


def test_the_bundled_twcs_sample():
    assert detect_format(BUNDLED_SAMPLE).name == "twcs"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_generic_csv_with_any_delimiter(tmp_path, delimiter):
    text = delimiter.join(GENERIC_HEADER) + "\n" + delimiter.join(GENERIC_ROW) + "\n"
    assert detect_format(write(tmp_path / "g.csv", text)).name == "csv"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_generic_csv_in_other_encodings(tmp_path, encoding):
    text = ",".join(GENERIC_HEADER) + "\r\n" + ",".join(GENERIC_ROW).replace("hello", "Grüße") + "\r\n"
    assert detect_format(write(tmp_path / "g.csv", text.encode(encoding))).name == "csv"


def test_generic_csv_without_a_channel_column_and_in_upper_case(tmp_path):
    assert detect_format(write(tmp_path / "g.csv", "ID,Created_At,Text\n1,2024-01-01,hi\n")).name == "csv"


def test_gzip_is_looked_into(tmp_path):
    text = ",".join(GENERIC_HEADER) + "\n" + ",".join(GENERIC_ROW) + "\n"
    assert detect_format(write(tmp_path / "g.csv.gz", gzip.compress(text.encode()))).name == "csv"
    twcs = gzip.compress(BUNDLED_SAMPLE.read_bytes())
    assert detect_format(write(tmp_path / "t.csv.gz", twcs)).name == "twcs"
    jsonl = gzip.compress((json.dumps(POST) + "\n").encode())
    assert detect_format(write(tmp_path / "g.jsonl.gz", jsonl)).name == "jsonl"


def test_a_truncated_gzip_is_still_recognised(tmp_path):
    text = ",".join(GENERIC_HEADER) + "\n" + (",".join(GENERIC_ROW) + "\n") * 5000
    packed = gzip.compress(text.encode())
    assert detect_format(write(tmp_path / "cut.csv.gz", packed[: len(packed) // 2])).name == "csv"


def test_generic_jsonl_and_json_arrays(tmp_path):
    assert detect_format(write(tmp_path / "g.jsonl", json.dumps(POST) + "\n")).name == "jsonl"
    assert detect_format(write(tmp_path / "g.json", json.dumps([POST, POST], indent=2))).name == "jsonl"
    no_channel = {k: v for k, v in POST.items() if k != "channel"}
    assert detect_format(write(tmp_path / "n.jsonl", json.dumps(no_channel) + "\n")).name == "jsonl"


def test_generic_jsonl_whose_first_line_is_broken(tmp_path):
    body = '{"id": "0", "chan\n' + (json.dumps(POST) + "\n") * 3
    assert detect_format(write(tmp_path / "g.jsonl", body)).name == "jsonl"


def test_utf16_json(tmp_path):
    assert detect_format(write(tmp_path / "g.json", json.dumps([POST]).encode("utf-16"))).name == "jsonl"
    page = (FIXTURES / "x_v2" / "search_page.json").read_text(encoding="utf-8")
    assert detect_format(write(tmp_path / "x.json", page.encode("utf-16"))).name == "x-v2"


def test_a_document_longer_than_the_sample(tmp_path):
    page = json.loads((FIXTURES / "x_v2" / "search_page.json").read_text(encoding="utf-8"))
    page["data"] = page["data"] * 300  # far beyond the 256 KiB looked at
    path = write(tmp_path / "big.json", json.dumps(page, indent=2))
    assert path.stat().st_size > 300_000
    assert detect_format(path).name == "x-v2"


def test_parquet_by_its_magic_bytes(tmp_path):
    pq.write_table(pa.table({"id": ["1"], "channel": ["twitter"], "created_at": ["2024-01-01"]}), tmp_path / "p.x")
    assert detect_format(tmp_path / "p.x").name == "parquet"


def test_auto_import_uses_the_detected_format(store, tmp_path):
    report = import_file(store, write(tmp_path / "g.csv", ",".join(GENERIC_HEADER) + "\n" + ",".join(GENERIC_ROW)
                                      + "\n"), "auto", pseudonymise=False)
    assert (report.format, report.imported) == ("csv", 1)
    report = import_file(store, FIXTURES / "ibm_care" / "small.json", "auto", pseudonymise=False)
    assert (report.format, report.imported) == ("ibm-care", 6)


# --- what is not recognised --------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n\t", codecs.BOM_UTF8 + b"\n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_files(tmp_path, content):
    path = write(tmp_path / "e.csv", content)
    with pytest.raises(FormatError, match="e.csv: empty file"):
        detect_format(path)


def test_missing_files_and_directories(tmp_path):
    with pytest.raises(FormatError, match="nothere.csv: no such file"):
        detect_format(tmp_path / "nothere.csv")
    with pytest.raises(FormatError, match="is a directory"):
        detect_format(tmp_path)


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"just some prose, with a comma\nand another line\n",
    b"name,age\nann,3\n",
    json.dumps({"hello": "world"}).encode(),
    json.dumps([1, 2, 3]).encode(),
])
def test_unknown_content_is_one_clear_error_naming_the_formats(tmp_path, content):
    path = write(tmp_path / "mystery.dat", content)
    with pytest.raises(FormatError) as err:
        detect_format(path)
    assert str(err.value).startswith(f"{path}: format not recognised; name it with --format")
    assert all(name in str(err.value) for name in FORMATS)


def test_absurdly_deep_json_is_refused_quickly_and_in_little_memory(tmp_path):
    path = write(tmp_path / "deep.json", "[" * 300_000)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FormatError, match="format not recognised"):
            detect_format(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000 and time.perf_counter() - started < 10


# --- first_json_value ---------------------------------------------------------------------------


def test_first_json_value_of_each_layout():
    assert first_json_value(b'{"a": 1}\n{"a": 2}\n') == {"a": 1}
    assert first_json_value(b'[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]
    assert first_json_value(codecs.BOM_UTF8 + b'  {"a": 1}') == {"a": 1}
    assert first_json_value('{"a": "ü"}'.encode("utf-16"), "utf-16") == {"a": "ü"}
    assert first_json_value(b"a,b\n1,2\n") is None
    assert first_json_value(b"") is None


def test_first_json_value_of_a_cut_sample_is_what_the_sample_holds():
    assert first_json_value(b'{"data": [{"id": "1", "text": "a"}, {"id": "2", "te') == {
        "data": [{"id": "1", "text": "a"}, {"id": "2"}]}
    assert first_json_value(b'[{"id": 1}, {"id"') == [{"id": 1}, {}]


def test_first_json_value_skips_a_broken_first_line_of_json_lines():
    assert first_json_value(b'{"id": 1, "te\n{"id": 2}\n{"id": 3}\n') == {"id": 2}
    # a pretty-printed document is not taken for JSON Lines because of one whole line inside
    doc = b'{"data": [\n{"id": 2},\n{"id": 3}\n], "meta": {"result_count": 2'
    assert first_json_value(doc) == {"data": [{"id": 2}, {"id": 3}], "meta": {"result_count": 2}}


def test_first_json_value_stops_building_at_the_depth_limit():
    value = first_json_value(b'{"a": ' + b"[" * 1000)
    depth = 0
    node = value
    while isinstance(node, (dict, list)) and node:
        node = node["a"] if isinstance(node, dict) else node[0]
        depth += 1
    assert depth <= 65


def test_take_sample(tmp_path):
    path = write(tmp_path / "g.csv", codecs.BOM_UTF8 + b"id;created_at\r\n1;2024\r\n")
    sample = take_sample(path)
    assert sample.first_line == "id;created_at\r" and sample.head.startswith(codecs.BOM_UTF8)
    assert sample.json_value is None
