"""Generic Parquet posts (columns as for generic CSV, or mapped).

Read row group by row group, so memory stays bounded by one row group, and a damaged
row group costs its rows only.  Rows are numbered from 1 in the quarantine's ``line``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import FormatError
from ..model import ParsedBatch, Quarantined
from .base import IngestOptions, Sample, SourceFormat, Where
from .files import SourceInfo
from .mapping import DEFAULT_FIELDS, DEFAULT_MAPPING, read_row_into

PARQUET_MAGIC = b"PAR1"


class GenericParquetFormat(SourceFormat):
    name = "parquet"
    title = "generic Parquet"
    description = f"Columns {', '.join(DEFAULT_FIELDS)} (or any layout with --mapping FILE.yaml)."

    def sniff(self, sample: Sample) -> bool:
        return sample.head[:4] == PARQUET_MAGIC

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        if info.compressed:
            raise FormatError(info.name, "a gzip-compressed Parquet file; Parquet compresses itself, "
                                         "decompress it first")
        try:
            parquet = pq.ParquetFile(info.path)
        except (pa.ArrowException, OSError) as exc:
            raise FormatError(info.name, f"not a readable Parquet file (damaged, cut off or another format): "
                                         f"{exc}") from exc
        with parquet:
            yield from self._read(parquet, info, options)

    def _read(self, parquet: pq.ParquetFile, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        mapping = options.mapping or DEFAULT_MAPPING
        found = mapping.resolve(parquet.schema_arrow.names, info.name, options.channel)
        read = mapping.reader(found, options.channel)
        columns = sorted(set(found.values()))
        row_number = 0
        batch = ParsedBatch()
        for group in range(parquet.num_row_groups):
            try:
                table = parquet.read_row_group(group, columns=columns)
                rows = _to_microseconds(table).to_pylist()
            except (pa.ArrowException, OSError) as exc:
                count = parquet.metadata.row_group(group).num_rows
                batch.quarantined.append(Quarantined(
                    info.name, row_number + 1,
                    f"row group {group} (rows {row_number + 1}-{row_number + count}) unreadable: "
                    f"{' '.join(str(exc).split())}", "", item=f"row_group[{group}]"))
                row_number += count
                continue
            for row in rows:
                row_number += 1
                where = Where(info.name, row_number, "")
                read_row_into(batch, read, row, row_number, "",
                              lambda reason, w=where, r=row: w.quarantine(reason, r))
                if len(batch.posts) >= options.batch_size:
                    yield batch
                    batch = ParsedBatch()
        yield batch


def _to_microseconds(table: pa.Table) -> pa.Table:
    """Nanosecond timestamps to microseconds (the store's unit) before they become Python
    datetimes, which cannot hold nanoseconds."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            target = pa.timestamp("us", tz=field.type.tz)
            table = table.set_column(i, field.name, table.column(i).cast(target, safe=False))
    return table
