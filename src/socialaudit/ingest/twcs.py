"""The Kaggle "Customer Support on Twitter" (TWCS) CSV.

Columns: ``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id``; ``inbound`` says who wrote the tweet (True = consumer), parent
ids are float-formatted (``3.0``) and ``created_at`` looks like ``Tue Oct 31 22:10:47 +0000
2017``.  Extra columns (the pandas index some copies carry) are ignored.

This is the format of the benchmark, so rows are validated column-wise with Arrow
compute; only refused rows go through the per-value functions to word their reason.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import FormatError
from ..model import INGEST_POST_SCHEMA, TIMESTAMP, ParsedBatch, Quarantined
from .base import IngestOptions, RecordError, Sample, SourceFormat
from .csvreader import CsvRecord, read_table
from .files import SourceInfo, text_lines
from .values import FALSE_WORDS, TRUE_WORDS, numeric_id, parse_bool, parse_timestamp, require_id

REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


def _header_fields(line: str) -> list[str]:
    try:
        return [f.strip().lower() for f in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return []


class TwcsFormat(SourceFormat):
    name = "twcs"
    title = 'Kaggle "Customer Support on Twitter" CSV'
    description = (
        "tweet_id, author_id, inbound (True = consumer), created_at "
        "('Tue Oct 31 22:10:47 +0000 2017'), text, response_tweet_id, in_response_to_tweet_id."
    )
    channel = "twitter"

    def sniff(self, sample: Sample) -> bool:
        return set(REQUIRED) <= set(_header_fields(sample.first_line))

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        lines = text_lines(stream, info.encoding or "utf-8")
        header, _, records = read_table(lines, info.name, delimiter=",", max_field_bytes=options.max_field_bytes,
                                        encoding=info.encoding)
        columns = self._read_header(header, info)
        batch = ParsedBatch()
        pending: list[CsvRecord] = []
        for record in records:
            if record is None:
                batch.blank_lines += 1
            elif isinstance(record, Quarantined):
                batch.quarantined.append(record)
            else:
                pending.append(record)
                if len(pending) >= options.batch_size:
                    yield self._finish(batch, pending, columns, info)
                    batch, pending = ParsedBatch(), []
        yield self._finish(batch, pending, columns, info)

    @staticmethod
    def _read_header(header: list[str], info: SourceInfo) -> dict[str, int]:
        names = [f.strip().lower() for f in header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            found = ", ".join(n for n in names[:10] if n) or "nothing"
            raise FormatError(info.name, f"not a TWCS file: missing column(s) {', '.join(missing)} "
                                         f"(header has: {found})")
        return {name: names.index(name) for name in REQUIRED}

    def _finish(self, batch: ParsedBatch, records: list[CsvRecord], columns: dict[str, int],
                info: SourceInfo) -> ParsedBatch:
        batch.rows_read += len(records)
        if not records:
            return batch
        posts, refused = _columnar(records, columns, info.name)
        batch.posts = posts
        batch.quarantined.extend(refused)
        return batch


def _columnar(records: list[CsvRecord], columns: dict[str, int], source: str
              ) -> tuple[pa.RecordBatch, list[Quarantined]]:
    """Validate and convert a batch of TWCS rows column-wise."""
    fields = list(zip(*(r.fields for r in records)))

    def col(name: str) -> pa.Array:
        return pa.array(fields[columns[name]], pa.string())

    tweet_id = pc.utf8_trim_whitespace(col("tweet_id"))
    author = pc.utf8_trim_whitespace(col("author_id"))
    inbound = pc.utf8_lower(pc.utf8_trim_whitespace(col("inbound")))
    created_raw = pc.utf8_trim_whitespace(col("created_at"))
    parent_raw = pc.utf8_trim_whitespace(col("in_response_to_tweet_id"))
    text = col("text")

    is_consumer = pc.is_in(inbound, value_set=pa.array(sorted(TRUE_WORDS)))
    is_brand = pc.is_in(inbound, value_set=pa.array(sorted(FALSE_WORDS)))
    created = pc.strptime(created_raw, format=TWITTER_TIME, unit="us", error_is_null=True)
    parent_empty = pc.equal(parent_raw, "")
    parent_ok = pc.or_(parent_empty, pc.match_substring_regex(parent_raw, r"^[0-9]+(\.0*)?$"))
    ok = pc.and_(
        pc.and_(pc.match_substring_regex(tweet_id, r"^[0-9]+$"), pc.greater(pc.utf8_length(author), 0)),
        pc.and_(pc.or_(is_consumer, is_brand), pc.and_(parent_ok, pc.is_valid(created))),
    )

    refused: list[Quarantined] = []
    created_fixed = None
    if not pc.all(ok).as_py():
        # Rows whose timestamp is valid but not in Twitter's format (ISO, epoch) are kept.
        ok_list = ok.to_pylist()
        created_list = created.to_pylist()
        for i, good in enumerate(ok_list):
            if good:
                continue
            row = records[i]
            try:
                require_id(row.fields[columns["author_id"]], "author_id")
                numeric_id(row.fields[columns["tweet_id"]], "tweet_id")
                parse_bool(row.fields[columns["inbound"]], "inbound")
                parent = row.fields[columns["in_response_to_tweet_id"]].strip()
                if parent:
                    numeric_id(parent, "in_response_to_tweet_id", allow_float_format=True)
                if created_list[i] is None:
                    created_list[i] = parse_timestamp(row.fields[columns["created_at"]], "created_at")
                ok_list[i] = True
            except RecordError as exc:
                refused.append(Quarantined(source, row.line, str(exc), row.raw))
        ok = pa.array(ok_list)
        created_fixed = pa.array(created_list, TIMESTAMP)

    created = (created_fixed if created_fixed is not None else created).cast(TIMESTAMP)
    n_all = len(records)
    line = pa.array([r.line for r in records], pa.int64())
    parent = pc.if_else(parent_empty, pa.scalar(None, pa.string()),
                        pc.replace_substring_regex(parent_raw, r"\.0*$", ""))
    role = pc.if_else(is_consumer, "consumer", "brand")
    kind = pc.if_else(parent_empty, pc.if_else(is_consumer, "mention", "post"), "reply")
    null_str = pa.nulls(n_all, pa.string())
    null_int = pa.nulls(n_all, pa.int64())
    arrays = {
        "channel": pa.array(["twitter"] * n_all, pa.string()),
        "post_id": tweet_id,
        "created_at": created,
        "account_id": author,
        "handle": author,
        "role_hint": role,
        "kind": kind,
        "text": text,
        "parent_id": parent,
        "ref_id": null_str,
        "conversation_id": null_str,
        "likes": null_int,
        "shares": null_int,
        "comments": null_int,
        "views": null_int,
        "url": null_str,
        "media_type": null_str,
        "lang": null_str,
        "company": null_str,
        "line": line,
        "item": pa.array([""] * n_all, pa.string()),
    }
    batch = pa.RecordBatch.from_arrays([arrays[f.name] for f in INGEST_POST_SCHEMA], schema=INGEST_POST_SCHEMA)
    if refused or not pc.all(ok).as_py():
        batch = batch.filter(ok)
    return batch, refused
