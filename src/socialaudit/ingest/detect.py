"""``--format auto``: recognising a file's shape from its first bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import ijson
from ijson.common import ObjectBuilder

from .base import Sample
from .files import peek, sniff_encoding
from .jsonreader import MAX_DEPTH

#: Lines of a JSON Lines sample looked at when its first line is broken.
_LINES_LOOKED_AT = 20


def first_json_value(head: bytes, encoding: str = "utf-8") -> Any:
    """The first JSON value of a file (or as much of it as the sample holds).

    For JSON Lines whose first line is broken, the first whole object among the next lines.
    """
    codec = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8", "ascii") else encoding
    text = head.decode(codec, errors="replace").lstrip("\ufeff \t\r\n")
    if not text[:1] in ("{", "["):
        return None
    value = _loads(text)
    if value is not None:
        return value
    lines = text.split("\n", _LINES_LOOKED_AT + 1)[:_LINES_LOOKED_AT]
    value = _loads(lines[0])
    if value is not None:
        return value
    whole = [v for v in (_loads(line) for line in lines[1:] if line.lstrip()[:1] in ("{", "[")) if v is not None]
    if len(whole) >= 2:  # two whole objects on lines of their own: JSON Lines, not a document
        return whole[0]
    return _partial(text)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None


def _partial(text: str) -> Any:
    """What the sample holds of a document longer than the sample, built to ``MAX_DEPTH``.

    ijson's basic events and a depth cap: ``ijson.parse`` keeps a prefix string per open
    container, which for a hostile ``[[[[...`` sample takes gigabytes.
    """
    builder = ObjectBuilder()
    depth = 0
    try:
        for event, value in ijson.basic_parse(io.BytesIO(text.encode("utf-8", "replace")), use_float=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DEPTH:
                    break
            elif event in ("end_map", "end_array"):
                depth -= 1
            builder.event(event, value)
    except Exception:  # noqa: BLE001 - the sample is cut off by design
        pass
    return getattr(builder, "value", None)


def take_sample(path: Path) -> Sample:
    head = peek(path)
    encoding = sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return Sample(path=path, head=head, text=text, first_line=first_line,
                  json_value=first_json_value(head, encoding))
