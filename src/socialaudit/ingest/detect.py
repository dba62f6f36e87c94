"""``--format auto``: recognising a file's shape from its first bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ijson
from ijson.common import ObjectBuilder

from .base import Sample
from .files import peek, sniff_encoding


def first_json_value(head: bytes) -> Any:
    """The first JSON value of a file (or as much of it as the sample holds)."""
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if not text[:1] in ("{", "["):
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        pass
    first_line = text.split("\n", 1)[0]
    try:
        return json.loads(first_line)
    except (json.JSONDecodeError, RecursionError):
        pass
    # A document longer than the sample: build what the sample holds.
    builder = ObjectBuilder()
    try:
        for _prefix, event, value in ijson.parse(text.encode("utf-8"), use_float=True):
            builder.event(event, value)
    except Exception:  # noqa: BLE001 - the sample is cut off by design
        pass
    return getattr(builder, "value", None)


def take_sample(path: Path) -> Sample:
    head = peek(path)
    encoding = sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return Sample(path=path, head=head, text=text, first_line=first_line, json_value=first_json_value(head))
