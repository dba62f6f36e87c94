"""Generic CSV (or TSV, semicolon-separated...) posts, with an optional column mapping.

The delimiter is taken from the header line, the encoding sniffed from the first bytes
(both can be forced with ``--delimiter`` / ``--encoding``), gzip is read transparently.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from ..model import ParsedBatch, Quarantined
from .base import IngestOptions, Sample, SourceFormat
from .csvreader import read_table, sniff_delimiter
from .files import SourceInfo, text_lines
from .mapping import DEFAULT_FIELDS, DEFAULT_MAPPING, REQUIRED_FIELDS, read_row_into


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
        header, _, records = read_table(lines, info.name, delimiter=options.delimiter,
                                        max_field_bytes=options.max_field_bytes, encoding=info.encoding,
                                        damage=lambda: info.damage)
        found = mapping.resolve(header, info.name, options.channel)
        read = mapping.reader(found, options.channel)
        batch = ParsedBatch()
        for record in records:
            if record is None:
                batch.blank_lines += 1
                continue
            if isinstance(record, Quarantined):
                batch.quarantined.append(record)
                continue
            read_row_into(batch, read, dict(zip(header, record.fields)), record.line, "",
                          lambda reason, r=record: Quarantined(info.name, r.line, reason, r.raw))
            if len(batch.posts) >= options.batch_size:
                yield batch
                batch = ParsedBatch()
        yield batch
