"""Generic CSV (or TSV, semicolon-separated...) posts, with an optional column mapping.

The delimiter is taken from the header line, the encoding sniffed from the first bytes
(both can be forced with ``--delimiter`` / ``--encoding``), gzip is read transparently.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import FormatError
from ..model import ParsedBatch, Quarantined
from .base import IngestOptions, RecordError, Sample, SourceFormat
from .csvreader import read_records, sniff_delimiter
from .files import TRUNCATION_ERRORS, SourceInfo, text_lines
from .mapping import DEFAULT_FIELDS, DEFAULT_MAPPING, REQUIRED_FIELDS


class GenericCsvFormat(SourceFormat):
    name = "csv"
    title = "generic CSV"
    description = (f"Columns {', '.join(DEFAULT_FIELDS)} (or any layout with --mapping FILE.yaml); "
                   "delimiter and encoding sniffed; .gz read transparently.")

    def sniff(self, sample: Sample) -> bool:
        line = sample.first_line
        if not line or line.lstrip()[:1] in ("{", "["):
            return False
        try:
            names = {f.strip().lower() for f in next(csv.reader([line], delimiter=sniff_delimiter(line)))}
        except (csv.Error, StopIteration):
            return False
        return set(REQUIRED_FIELDS) - {"channel"} <= names

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        mapping = options.mapping or DEFAULT_MAPPING
        lines = text_lines(stream, info.encoding or "utf-8")
        header_line = lines.readline(options.max_field_bytes)
        offset = 1  # lines up to and including the header
        while header_line and not header_line.strip():
            header_line = lines.readline(options.max_field_bytes)
            offset += 1
        if not header_line:
            raise FormatError(info.name, "empty file: no header row")
        delimiter = options.delimiter or sniff_delimiter(header_line)
        try:
            header = next(csv.reader([header_line], delimiter=delimiter))
        except csv.Error as exc:
            raise FormatError(info.name, f"unreadable header row: {exc}") from exc
        header = [h.strip().lstrip("\ufeff") for h in header]
        found = mapping.resolve(header, info.name, options.channel)
        read = mapping.reader(found, options.channel)
        width = len(header)
        # read_records numbers the lines after the header from 1.
        records = read_records(lines, info.name, delimiter=delimiter, expected_fields=width,
                               max_field_bytes=options.max_field_bytes, encoding=info.encoding)
        batch = ParsedBatch()
        try:
            for record in records:
                if record is None:
                    batch.blank_lines += 1
                    continue
                if isinstance(record, Quarantined):
                    batch.quarantined.append(_shift(record, offset))
                    continue
                batch.rows_read += 1
                line = record.line + offset
                try:
                    post, account = read(dict(zip(header, record.fields)), line, "")
                except RecordError as exc:
                    batch.quarantined.append(Quarantined(info.name, line, str(exc), record.raw))
                    continue
                batch.posts.append(post)  # type: ignore[union-attr]
                if account is not None:
                    batch.accounts.append(account)
                if len(batch.posts) >= options.batch_size:
                    yield batch
                    batch = ParsedBatch()
        except TRUNCATION_ERRORS as exc:
            batch.quarantined.append(Quarantined(
                info.name, 0, f"file truncated: the compressed stream ends early ({exc}); rows before it were kept",
                ""))
        yield batch


def _shift(q: Quarantined, offset: int) -> Quarantined:
    """Records are numbered from the line after the header."""
    return Quarantined(q.source, q.line + offset, q.reason, q.raw, q.item)
