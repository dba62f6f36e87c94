"""Reading JSON sources as a stream of payloads, whatever their layout.

Platform data arrives as API responses saved one per line (JSONL), as a JSON array of
responses or of items, or as one pretty-printed response.  :func:`read_payloads` turns all
three into :class:`Payload` values located by line and JSON path, quarantining what cannot
be read: a broken line costs that line; a document cut off mid-way keeps every complete
item before the cut; absurd nesting is refused instead of crashing the interpreter.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson

from ..model import Quarantined
from .files import TRUNCATION_ERRORS, printable_raw

MAX_JSON_LINE = 64 << 20  # one API page per line; 64 MiB is far above any real page
MAX_DEPTH = 64  # API responses nest < 10 levels; deeper is hostile or broken input
RAW_TAIL = 4000  # characters of a cut-off document kept in quarantine


@dataclass(slots=True)
class Payload:
    """One JSON value to hand to a format parser, and where it was found."""

    line: int
    item: str
    value: Any


def json_depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if ``value`` nests deeper than ``limit`` (iterative: safe on hostile input)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return False


def _loads(text: str) -> tuple[Any, str | None]:
    """Parse one JSON text; return (value, None) or (None, reason)."""
    try:
        value = json.loads(text)
    except RecursionError:
        return None, f"JSON nested deeper than {MAX_DEPTH} levels"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if json_depth_exceeds(value):
        return None, f"JSON nested deeper than {MAX_DEPTH} levels"
    return value, None


def _first_char(stream: BinaryIO) -> bytes:
    head = stream.peek(64)  # type: ignore[attr-defined]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1]


def read_payloads(stream: BinaryIO, source: str, salvage_prefix: str | tuple[str, ...] = ()
                  ) -> Iterator[Payload | Quarantined]:
    """Yield payloads from a JSON, JSON-array or JSONL stream (see module docstring).

    ``salvage_prefix`` names the ijson prefixes of the items inside one payload (``data.item``
    for Graph API pages, ``media.data.item`` for an Instagram account) used to rescue
    complete items from a cut-off document; the first prefix that yields items is used.
    """
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    first = _first_char(stream)
    if first == b"[":
        yield from _read_array(stream, source)
        return
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="\n")
    first_line = text_stream.readline(MAX_JSON_LINE)
    value, problem = _loads(first_line) if first_line.strip() else (None, "empty")
    if problem is None:
        yield Payload(1, "", value)
        yield from _read_jsonl(text_stream, source, start_line=2)
        return
    second_line = text_stream.readline(MAX_JSON_LINE)
    second, second_problem = _loads(second_line) if second_line.strip() else (None, "empty")
    if second_problem is None and isinstance(second, (dict, list)):
        # JSONL whose first line is broken: refuse that line only.
        yield Quarantined(source, 1, problem, printable_raw(first_line.rstrip("\r\n")))
        yield Payload(2, "", second)
        yield from _read_jsonl(text_stream, source, start_line=3)
        return
    # Not one value per line: a single (pretty-printed) document.
    rest = text_stream.read()
    document = first_line + second_line + rest
    if not document.strip():
        return
    value, problem = _loads(document)
    if problem is None:
        yield Payload(1, "", value)
        return
    yield from _salvage(document, source, problem, salvage_prefix)


def _read_jsonl(text_stream, source: str, start_line: int) -> Iterator[Payload | Quarantined]:
    line_no = start_line - 1
    while True:
        try:
            line = text_stream.readline(MAX_JSON_LINE)
        except TRUNCATION_ERRORS as exc:
            yield Quarantined(source, line_no + 1, f"file truncated: {exc}", "")
            return
        if not line:
            return
        line_no += 1
        if len(line) >= MAX_JSON_LINE and not line.endswith("\n"):
            while True:  # skip the rest of the over-long line
                chunk = text_stream.readline(MAX_JSON_LINE)
                if not chunk or chunk.endswith("\n"):
                    break
            yield Quarantined(source, line_no, f"line longer than {MAX_JSON_LINE:,} characters",
                              printable_raw(line[:RAW_TAIL]))
            continue
        if not line.strip():
            continue
        value, problem = _loads(line)
        if problem is not None:
            yield Quarantined(source, line_no, problem, printable_raw(line.rstrip("\r\n")))
        else:
            yield Payload(line_no, "", value)


def _read_array(stream: BinaryIO, source: str) -> Iterator[Payload | Quarantined]:
    index = -1
    try:
        for index, value in enumerate(ijson.items(stream, "item", use_float=True)):
            if json_depth_exceeds(value):
                yield Quarantined(source, 1, f"JSON nested deeper than {MAX_DEPTH} levels",
                                  printable_raw(json.dumps(value)[:RAW_TAIL]), item=f"[{index}]")
                continue
            yield Payload(1, f"[{index}]", value)
    except (ijson.JSONError, RecursionError, *TRUNCATION_ERRORS) as exc:
        yield Quarantined(
            source, 1,
            f"JSON array cut off or broken after element [{index}] ({exc}); "
            f"the {index + 1} complete element(s) before it were kept",
            "", item=f"[{index + 1}]")


def _salvage(document: str, source: str, problem: str, prefixes: str | tuple[str, ...]
             ) -> Iterator[Payload | Quarantined]:
    """Keep the complete items of a broken single document, quarantine the remainder."""
    data = document.encode("utf-8", "surrogateescape")
    for prefix in (prefixes,) if isinstance(prefixes, str) else prefixes:
        items: list[Any] = []
        try:
            for value in ijson.items(data, prefix, use_float=True):
                items.append(value)
        except Exception:  # noqa: BLE001 - ijson raises several types on broken input
            pass
        items = [v for v in items if not json_depth_exceeds(v)]
        if items:
            yield Payload(1, "", _rebuild(prefix, items))
            problem += f"; kept the {len(items)} complete item(s) of '{prefix.removesuffix('.item')}' before the damage"
            break
    tail = document[-RAW_TAIL:]
    yield Quarantined(source, 1, problem, printable_raw(tail))


def _rebuild(prefix: str, items: list[Any]) -> dict[str, Any]:
    """``media.data.item`` + items -> ``{"media": {"data": items}, "_salvaged": True}``."""
    keys = prefix.split(".")[:-1]
    value: Any = items
    for key in reversed(keys[1:]):
        value = {key: value}
    return {keys[0]: value, "_salvaged": True}
