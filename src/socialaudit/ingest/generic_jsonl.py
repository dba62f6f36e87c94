"""Generic JSON Lines posts (one object per line; a JSON array works too).

Fields as for generic CSV; nested objects can be addressed in a mapping with dotted paths
(``author: user.screen_name``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import FormatError
from ..model import ParsedBatch, Quarantined
from .base import IngestOptions, Sample, SourceFormat, Where, first_object
from .files import SourceInfo
from .jsonreader import read_payloads
from .mapping import ALL_FIELDS, DEFAULT_FIELDS, DEFAULT_MAPPING, REQUIRED_FIELDS, read_row_into


def flatten(value: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None, depth: int = 0
            ) -> dict[str, Any]:
    """``{"user": {"name": "x"}}`` -> ``{"user": {...}, "user.name": "x"}`` (objects only)."""
    out = {} if out is None else out
    for key, item in value.items():
        name = f"{prefix}{key}"
        out[name] = item
        if isinstance(item, dict) and depth < 8:
            flatten(item, name + ".", out, depth + 1)
    return out


class GenericJsonlFormat(SourceFormat):
    name = "jsonl"
    title = "generic JSON Lines"
    description = (f"One JSON object per line with {', '.join(DEFAULT_FIELDS)} "
                   "(or any layout with --mapping FILE.yaml, dotted paths for nested fields).")

    def sniff(self, sample: Sample) -> bool:
        value = first_object(sample.json_value)
        return value is not None and set(REQUIRED_FIELDS) - {"channel"} <= set(value)

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        mapping = options.mapping or DEFAULT_MAPPING
        read = None
        #: Objects read before one of them showed the file's layout: JSON Lines writers often
        #: leave out empty fields, so the first object alone may lack a required one.
        pending: list[tuple[Where, dict, dict]] = []
        refusal: FormatError | None = None
        others: set[str] = set()  # types of the JSON values that were not objects
        batch = ParsedBatch()
        for payload in read_payloads(stream, info.name, encoding=info.encoding or None):
            if isinstance(payload, Quarantined):
                batch.quarantined.append(payload)
                continue
            where = Where(info.name, payload.line, payload.item)
            if not isinstance(payload.value, dict):
                others.add(type(payload.value).__name__)
                batch.quarantined.append(where.quarantine(
                    f"expected a JSON object, found {type(payload.value).__name__}", payload.value))
                continue
            row = flatten(payload.value)
            if read is None:
                try:
                    found = mapping.resolve(list(row), info.name, options.channel)
                except FormatError as exc:
                    refusal = refusal or exc
                    pending.append((where, payload.value, row))
                    if len(pending) >= LAYOUT_LOOKAHEAD:
                        raise refusal from None
                    continue
                found.update({n: mapping.column_for(n) for n in ALL_FIELDS if n not in found})
                read = mapping.reader(found, options.channel)
                for args in pending:
                    _read_row(read, *args, batch)
                pending = []
            _read_row(read, where, payload.value, row, batch)
            if len(batch.posts) >= options.batch_size:
                yield batch
                batch = ParsedBatch()
        if read is None:
            if refusal is not None:
                raise refusal
            if others and not batch.rows_read:
                raise FormatError(info.name, f"no JSON objects, only {', '.join(sorted(others))} values")
            if not batch.quarantined:
                raise FormatError(info.name, "empty file: no JSON objects")
        yield batch


#: Objects looked at for the file's layout before it is refused as not this format.
LAYOUT_LOOKAHEAD = 1000


def _read_row(read, where: Where, value: dict, row: dict, batch: ParsedBatch) -> None:
    read_row_into(batch, read, row, where.line, where.path, lambda reason: where.quarantine(reason, value))
