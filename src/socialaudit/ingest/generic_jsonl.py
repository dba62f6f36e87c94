"""Generic JSON Lines posts (one object per line; a JSON array works too).

Fields as for generic CSV; nested objects can be addressed in a mapping with dotted paths
(``author: user.screen_name``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import FormatError
from ..model import ParsedBatch, Quarantined
from .base import IngestOptions, RecordError, Sample, SourceFormat, Where
from .files import SourceInfo
from .jsonreader import read_payloads
from .mapping import ALL_FIELDS, DEFAULT_FIELDS, DEFAULT_MAPPING, REQUIRED_FIELDS


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
        value = sample.json_value
        if isinstance(value, list):
            value = value[0] if value else None
        return isinstance(value, dict) and set(REQUIRED_FIELDS) - {"channel"} <= set(value)

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        mapping = options.mapping or DEFAULT_MAPPING
        read = None
        batch = ParsedBatch()
        for payload in read_payloads(stream, info.name):
            if isinstance(payload, Quarantined):
                batch.quarantined.append(payload)
                continue
            where = Where(info.name, payload.line, payload.item)
            if not isinstance(payload.value, dict):
                batch.quarantined.append(where.quarantine(
                    f"expected a JSON object, found {type(payload.value).__name__}", payload.value))
                continue
            row = flatten(payload.value)
            if read is None:
                # The first object decides whether this is the format at all.
                found = mapping.resolve(list(row), info.name, options.channel)
                found.update({n: mapping.column_for(n) for n in ALL_FIELDS if n not in found})
                read = mapping.reader(found, options.channel)
            batch.rows_read += 1
            try:
                post, account = read(row, payload.line, payload.item)
            except RecordError as exc:
                batch.quarantined.append(where.quarantine(str(exc), payload.value))
                continue
            batch.posts.append(post)  # type: ignore[union-attr]
            if account is not None:
                batch.accounts.append(account)
            if len(batch.posts) >= options.batch_size:
                yield batch
                batch = ParsedBatch()
        if read is None and not batch.quarantined:
            raise FormatError(info.name, "empty file: no JSON objects")
        yield batch
