"""Generic Parquet: typed columns, row numbers as lines, mappings, damaged and foreign files."""

from __future__ import annotations

import datetime as dt
import gzip
import math
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import write

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions
from socialaudit.ingest.files import open_source
from socialaudit.ingest.generic_parquet import GenericParquetFormat
from socialaudit.ingest.mapping import ColumnMapping
from socialaudit.model import UTC
from socialaudit.store import import_file

BERLIN = ZoneInfo("Europe/Berlin")
POSTS = "SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id FROM posts ORDER BY post_id"


def rows(store, sql=POSTS):
    return store.con.execute(sql).fetchall()


def quarantine(store):
    return store.con.execute("SELECT line, item, reason, raw FROM quarantine ORDER BY line").fetchall()


def parquet(path, table: pa.Table, **kw):
    pq.write_table(table, path, **kw)
    return path


def test_typed_columns(store, tmp_path):
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "channel": ["twitter", "twitter", "FB"],
        "author": ["jane", "AcmeCare", "jane"],
        # aware timestamps in another zone, stored as instants
        "created_at": pa.array([dt.datetime(2024, 3, 1, 11, tzinfo=BERLIN), dt.datetime(2024, 7, 1, 12, tzinfo=BERLIN),
                                dt.datetime(2024, 3, 1, 10, tzinfo=UTC)], pa.timestamp("ms", tz="Europe/Berlin")),
        "text": ["hi", "hello", None],
        "parent_id": pa.array([None, 1, None], pa.int64()),
        "company": ["Acme", "Acme", "Acme"],
        "author_role": [None, "brand", "consumer"],
        "likes": pa.array([5, 0, None], pa.int32()),
        "views": pa.array([100, None, 7], pa.uint64()),
        "verified": pa.array([False, True, None]),
        "followers": pa.array([10, 20000, None], pa.int64()),
    })
    path = parquet(tmp_path / "p.parquet", table)
    report = import_file(store, path, "parquet", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (3, 3, 0)
    assert rows(store) == [
        ("1", "jane", "consumer", "post", None, "1", "acme"),
        ("2", "AcmeCare", "brand", "reply", "1", "1", "acme"),
        ("3", "jane", "consumer", "post", None, "3", "acme"),
    ]
    got = rows(store, "SELECT post_id, channel, created_at, text, likes, views, source_line FROM posts ORDER BY 1")
    assert got == [
        ("1", "twitter", dt.datetime(2024, 3, 1, 10, tzinfo=UTC), "hi", 5, 100, 1),
        ("2", "twitter", dt.datetime(2024, 7, 1, 10, tzinfo=UTC), "hello", 0, None, 2),   # CEST
        ("3", "facebook", dt.datetime(2024, 3, 1, 10, tzinfo=UTC), None, None, 7, 3),
    ]
    assert rows(store, "SELECT channel, account_id, followers, verified FROM accounts ORDER BY 1, 2") == [
        ("facebook", "jane", None, None), ("twitter", "AcmeCare", 20000, True), ("twitter", "jane", 10, False)]


def test_naive_timestamps_are_utc_unless_the_mapping_names_a_zone(store, tmp_path):
    table = pa.table({"id": ["a", "b"], "channel": ["forum", "forum"],
                      "created_at": pa.array([dt.datetime(2024, 1, 15, 10), dt.datetime(2024, 7, 15, 10)],
                                             pa.timestamp("us")),
                      "day": pa.array([dt.date(2024, 1, 15), dt.date(2024, 7, 15)], pa.date32())})
    path = parquet(tmp_path / "p.parquet", table)
    import_file(store, path, "parquet")
    assert rows(store, "SELECT created_at FROM posts ORDER BY post_id") == [
        (dt.datetime(2024, 1, 15, 10, tzinfo=UTC),), (dt.datetime(2024, 7, 15, 10, tzinfo=UTC),)]
    mapped = write(tmp_path / "m.yaml", "timezone: Europe/Berlin\n")
    import_file(store, path, "parquet", options=IngestOptions(mapping=ColumnMapping.load(mapped)))
    assert rows(store, "SELECT created_at FROM posts ORDER BY post_id") == [  # same ids: stored ones kept
        (dt.datetime(2024, 1, 15, 10, tzinfo=UTC),), (dt.datetime(2024, 7, 15, 10, tzinfo=UTC),)]
    reread = parquet(tmp_path / "q.parquet", table.set_column(0, "id", pa.array(["c", "d"])))
    import_file(store, reread, "parquet", options=IngestOptions(mapping=ColumnMapping.load(mapped)))
    assert rows(store, "SELECT post_id, created_at FROM posts WHERE post_id IN ('c', 'd') ORDER BY 1") == [
        ("c", dt.datetime(2024, 1, 15, 9, tzinfo=UTC)), ("d", dt.datetime(2024, 7, 15, 8, tzinfo=UTC))]
    by_day = write(tmp_path / "d.yaml", "columns:\n  created_at: day\n")
    day = parquet(tmp_path / "day.parquet", table.set_column(0, "id", pa.array(["e", "f"])))
    import_file(store, day, "parquet", options=IngestOptions(mapping=ColumnMapping.load(by_day)))
    assert rows(store, "SELECT post_id, created_at FROM posts WHERE post_id IN ('e', 'f') ORDER BY 1") == [
        ("e", dt.datetime(2024, 1, 15, tzinfo=UTC)), ("f", dt.datetime(2024, 7, 15, tzinfo=UTC))]


def test_nanosecond_timestamps_and_pandas_gaps(store, tmp_path):
    # what pandas writes: nanosecond timestamps, and float columns where an int column had gaps
    table = pa.table({
        "id": ["1", "2", "3"], "channel": ["twitter"] * 3,
        "created_at": pa.array([1_709_287_200_123_456_789, 1_709_287_201_000_000_000, None], pa.timestamp("ns", tz="UTC")),
        "likes": pa.array([1.0, math.nan, None], pa.float64()),
        "parent_id": pa.array([math.nan, 1.0, 1_245_425_308_704_149_506.0], pa.float64()),
    })
    report = import_file(store, parquet(tmp_path / "p.parquet", table), "parquet")
    assert (report.imported, report.quarantined) == (2, 1)
    assert rows(store, "SELECT post_id, likes, parent_id, created_at FROM posts ORDER BY 1") == [
        ("1", 1, None, dt.datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2", None, "1", dt.datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC)),
    ]
    [(line, item, reason, _)] = quarantine(store)
    assert (line, item) == (3, "")
    assert reason.startswith("id 1245425308704149504 in parent_id is a floating-point number too large to be exact")


def test_bad_values_are_quarantined_with_their_row_number(store, tmp_path):
    table = pa.table({
        "id": ["1", "", "3", "4", "5", "6"],
        "channel": ["forum", "forum", None, "forum", "forum", "forum"],
        "created_at": ["2024-01-01", "2024-01-01", "2024-01-01", "yesterday", "2024-01-01", "2024-01-01"],
        "likes": pa.array([1, 2, 3, 4, -5, 6], pa.int64()),
        "text": ["<b>ok</b>", "x", "x", "x", "x", "fine"],
    })
    report = import_file(store, parquet(tmp_path / "p.parquet", table, row_group_size=2), "parquet")
    assert (report.rows_read, report.imported, report.quarantined) == (6, 2, 4)
    assert [(line, reason) for line, _, reason, _ in quarantine(store)] == [
        (2, "missing id in id"), (3, "missing channel in channel"),
        (4, "bad timestamp 'yesterday' in created_at"), (5, "bad count '-5' in likes")]
    assert rows(store, "SELECT post_id, text, source_line FROM posts ORDER BY 1") == [("1", "<b>ok</b>", 1), ("6", "fine", 6)]


def test_a_mapping_with_a_boolean_role_column(store, tmp_path):
    table = pa.table({"tweet_id": pa.array([10, 11], pa.int64()), "when": ["01.03.2024 11:00", "01.03.2024 11:05"],
                      "Inbound": [True, False], "user": ["jane", "AcmeCare"]})
    yaml = ("columns:\n  id: tweet_id\n  created_at: when\n  author: user\nconstants:\n  channel: twitter\n"
            "timestamp_format: '%d.%m.%Y %H:%M'\ntimezone: Europe/Berlin\n"
            "roles:\n  column: inbound\n  brand: [False]\n  consumer: [True]\n")
    options = IngestOptions(mapping=ColumnMapping.load(write(tmp_path / "m.yaml", yaml)))
    report = import_file(store, parquet(tmp_path / "p.parquet", table), "parquet", options=options, pseudonymise=False)
    assert report.imported == 2
    assert rows(store, "SELECT post_id, account_id, author_role, created_at FROM posts ORDER BY 1") == [
        ("10", "jane", "consumer", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("11", "AcmeCare", "brand", dt.datetime(2024, 3, 1, 10, 5, tzinfo=UTC))]


def test_rows_arrive_in_batches_across_row_groups(tmp_path):
    table = pa.table({"id": [str(i) for i in range(7)], "channel": ["forum"] * 7, "created_at": ["2024-01-01"] * 7})
    path = parquet(tmp_path / "p.parquet", table, row_group_size=3)
    with open_source(path) as (stream, info):
        batches = list(GenericParquetFormat().parse(stream, info, IngestOptions(batch_size=2)))
    assert [p.line for b in batches for p in b.posts] == list(range(1, 8))
    assert all(b.post_count <= 2 for b in batches)


# --- damaged and foreign files ----------------------------------------------------------------------


def test_a_damaged_row_group_costs_only_its_rows(store, tmp_path):
    table = pa.table({"id": [str(i) for i in range(1, 10)], "channel": ["forum"] * 9,
                      "created_at": ["2024-01-01"] * 9})
    path = parquet(tmp_path / "p.parquet", table, row_group_size=3, compression="none", use_dictionary=False)
    offset = pq.ParquetFile(path).metadata.row_group(1).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset:offset + 8] = b"\xff" * 8  # break the page header of the second row group
    path.write_bytes(bytes(data))
    report = import_file(store, path, "parquet")
    assert (report.imported, report.quarantined) == (6, 1)
    [(line, item, reason, raw)] = quarantine(store)
    assert (line, item, raw) == (4, "row_group[1]", "")
    assert reason.startswith("row group 1 (rows 4-6) unreadable: ")
    assert rows(store, "SELECT post_id, source_line FROM posts ORDER BY 1") == [
        ("1", 1), ("2", 2), ("3", 3), ("7", 7), ("8", 8), ("9", 9)]


def test_a_cut_off_parquet_file_is_a_format_error(store, tmp_path):
    table = pa.table({"id": ["1"], "channel": ["forum"], "created_at": ["2024-01-01"]})
    data = parquet(tmp_path / "p.parquet", table).read_bytes()
    path = write(tmp_path / "cut.parquet", data[: len(data) // 2])
    with pytest.raises(FormatError, match="cut.parquet: not a readable Parquet file"):
        import_file(store, path, "parquet")
    assert rows(store, "SELECT status FROM imports") == [("failed",)]


@pytest.mark.parametrize("content", [b"id,channel,created_at\n1,x,2024\n", b"", b"PAR1 but not really"])
def test_other_files_named_as_parquet_are_a_format_error(store, tmp_path, content):
    with pytest.raises(FormatError, match="not a readable Parquet file"):
        import_file(store, write(tmp_path / "x.parquet", content), "parquet")


def test_a_gzipped_parquet_file_is_refused_with_advice(store, tmp_path):
    table = pa.table({"id": ["1"], "channel": ["forum"], "created_at": ["2024-01-01"]})
    data = parquet(tmp_path / "p.parquet", table).read_bytes()
    path = write(tmp_path / "p.parquet.gz", gzip.compress(data))
    assert detect_format(path).name == "parquet"
    with pytest.raises(FormatError, match="decompress it first"):
        import_file(store, path, "auto")


def test_missing_columns_are_one_clear_error(store, tmp_path):
    path = parquet(tmp_path / "p.parquet", pa.table({"tweet_id": ["1"], "body": ["x"]}))
    with pytest.raises(FormatError, match="missing required column\\(s\\) id \\(column 'id'\\).*the file has: tweet_id, body"):
        import_file(store, path, "parquet")


def test_an_empty_table_imports_nothing(store, tmp_path):
    table = pa.table({"id": pa.array([], pa.string()), "channel": pa.array([], pa.string()),
                      "created_at": pa.array([], pa.string())})
    report = import_file(store, parquet(tmp_path / "p.parquet", table), "auto")
    assert (report.format, report.status, report.imported) == ("parquet", "done", 0)
