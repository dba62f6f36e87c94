"""Reading JSON sources as a stream of payloads, whatever their layout.

Platform data arrives as API responses saved one per line (JSONL), as a JSON array of
responses or of items, or as one pretty-printed response.  :func:`read_payloads` turns all
three into :class:`Payload` values located by line and JSON path, quarantining what cannot
be read: a broken line costs that line; a document cut off mid-way keeps every complete
item before the cut; absurd nesting is refused instead of crashing the interpreter (or
exhausting memory); bytes that are not UTF-8 cost the line or array element holding them.

Files with a UTF-16 or UTF-32 byte-order mark (or in another encoding the caller names)
are re-encoded to UTF-8 on the fly; a damaged ``.gz`` keeps what was read before the
damage.  A file that is not JSON at all raises :class:`~socialaudit.errors.FormatError`.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson
from ijson.common import ObjectBuilder

from ..errors import FormatError
from ..model import Quarantined
from .files import TRUNCATION_ERRORS, has_undecodable, printable_raw

MAX_JSON_LINE = 64 << 20  # one API page per line; 64 MiB is far above any real page
MAX_DEPTH = 64  # API responses nest < 10 levels; deeper is hostile or broken input
RAW_TAIL = 4000  # characters of a cut-off document kept in quarantine
RAW_MAX = 100_000  # characters of a refused line or element kept in quarantine
CHUNK = 1 << 16

BAD_BYTES = "bytes that are not valid UTF-8 (is the file in another encoding?)"
TOO_DEEP = f"JSON nested deeper than {MAX_DEPTH} levels"
LONE_SURROGATE = "a lone UTF-16 surrogate escape (half of a \\uXXXX pair) in a string"

#: Invalid bytes of the array path are carried through ijson as these private-use characters
#: (U+F0080..U+F00FF for bytes 0x80..0xFF), so that the element holding them is refused alone.
_STAND_IN_BASE = 0xF0000
_STAND_IN = re.compile("[\U000f0080-\U000f00ff]")
_ESCAPED = re.compile("[\udc80-\udcff]")
_LONE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE = re.compile("[\ud800-\udfff]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if _LONE.search(node):
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _decode(text: str) -> tuple[Any, str | None, bool]:
    """Parse one JSON text: (value, problem, complete).

    ``complete`` says the text is one whole JSON value, even if it is refused (too deep,
    invalid bytes, a lone surrogate): that is what tells JSON Lines from a document.
    """
    try:
        value = json.loads(text)
    except RecursionError:  # whole only if it ends like a whole value (a cut one does not)
        return None, TOO_DEEP, text.rstrip()[-1:] in ("}", "]")
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"
        if has_undecodable(text):
            problem = f"{BAD_BYTES}; {problem}"
        return None, problem, False
    if has_undecodable(text):
        return None, BAD_BYTES, True
    if json_depth_exceeds(value):
        return None, TOO_DEEP, True
    if _LONE_ESCAPE.search(text) and _has_lone_surrogate(value):
        return None, LONE_SURROGATE, True
    return value, None, True


class _Guard(io.RawIOBase):
    """Ends the stream cleanly where a damaged compressed file ends, remembering the error,
    so that every reader keeps what came before the damage."""

    def __init__(self, raw: BinaryIO):
        self._read = getattr(raw, "read1", raw.read)
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.error is not None:
            return 0
        try:
            data = self._read(len(buffer))
        except TRUNCATION_ERRORS as exc:
            self.error = exc
            return 0
        n = len(data)
        buffer[:n] = data
        return n


class _Recoder(io.RawIOBase):
    """A UTF-8 byte stream from a stream in ``encoding``.

    With ``stand_ins`` (UTF-8 input), invalid bytes become private-use stand-ins instead
    of breaking the JSON parser; ``replaced`` counts them.  Other encodings replace
    undecodable units with U+FFFD.
    """

    def __init__(self, raw: BinaryIO, encoding: str, stand_ins: bool = False):
        self._read = getattr(raw, "read1", raw.read)
        self._decoder = codecs.getincrementaldecoder(encoding)("surrogateescape" if stand_ins else "replace")
        self._stand_ins = stand_ins
        self._pending = b""
        self._done = False
        self.replaced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            chunk = self._read(CHUNK)
            text = self._decoder.decode(chunk, final=not chunk)
            self._done = not chunk
            if self._stand_ins and has_undecodable(text):
                self.replaced += len(_ESCAPED.findall(text))
                text = _ESCAPED.sub(lambda m: chr(_STAND_IN_BASE + ord(m.group()) - 0xDC00), text)
            self._pending = text.encode("utf-8", "surrogatepass")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _restore_bytes(text: str) -> str:
    """Stand-ins back to the bytes they replaced, shown as ``\\xNN``."""
    return printable_raw(_STAND_IN.sub(lambda m: chr(ord(m.group()) - _STAND_IN_BASE + 0xDC00), text))


def _to_utf8(stream: io.BufferedReader, encoding: str | None = None) -> io.BufferedReader:
    """Drop a UTF-8 byte-order mark; re-encode UTF-16/32 (with a BOM) to UTF-8, or any
    other ``encoding`` the file was found (or declared) to be in."""
    head = stream.peek(4)[:4]
    for bom, name in _BOMS:
        if head.startswith(bom):
            if name == "utf-8":
                stream.read(len(bom))
                return stream
            return io.BufferedReader(_Recoder(stream, name), CHUNK)  # type: ignore[arg-type]
    try:
        name = codecs.lookup(encoding).name if encoding else "utf-8"
    except LookupError:
        name = "utf-8"
    if name in ("utf-8", "utf-8-sig", "ascii"):
        return stream
    return io.BufferedReader(_Recoder(stream, name), CHUNK)  # type: ignore[arg-type]


def _skip_space(stream: io.BufferedReader) -> tuple[bytes, int]:
    """Consume leading white space; return the first significant byte and the lines skipped."""
    newlines = 0
    while True:
        head = stream.peek(1)
        if not head:
            return b"", newlines
        stripped = head.lstrip(b" \t\r\n")
        skip = len(head) - len(stripped)
        newlines += head.count(b"\n", 0, skip)
        stream.read(skip)
        if stripped:
            return stripped[:1], newlines


def read_payloads(stream: BinaryIO, source: str, salvage_prefix: str | tuple[str, ...] = (),
                  encoding: str | None = None) -> Iterator[Payload | Quarantined]:
    """Yield payloads from a JSON, JSON-array or JSONL stream (see module docstring).

    ``salvage_prefix`` names the ijson prefixes of the items inside one payload (``data.item``
    for Graph API pages, ``media.data.item`` for an Instagram account) used to rescue
    complete items from a cut-off document; the first prefix that yields items is used.
    ``encoding`` is the file's encoding if it is known not to be UTF-8 (a byte-order mark
    wins over it).

    Raises :class:`~socialaudit.errors.FormatError` if the stream is not JSON at all.
    """
    prefixes = (salvage_prefix,) if isinstance(salvage_prefix, str) else tuple(salvage_prefix)
    guard = _Guard(stream)
    buffered = _to_utf8(io.BufferedReader(guard, CHUNK), encoding)  # type: ignore[arg-type]
    first, skipped = _skip_space(buffered)
    if first == b"[":
        yield from _read_array(buffered, source, guard)
        return
    yield from _read_text(buffered, source, prefixes, guard, first_line=skipped + 1)


def _truncation_note(guard: _Guard, source: str, line: int) -> Iterator[Quarantined]:
    if guard.error is not None:
        yield Quarantined(source, line, f"file truncated: the compressed stream ends early ({guard.error}); "
                                        "everything before it was kept", "")


def _overlong(line: str) -> bool:
    return len(line) >= MAX_JSON_LINE and not line.endswith("\n")


def _is_whole_container(line: str) -> bool:
    """True if the line is one whole JSON object or array (possibly refused for its content)."""
    if _overlong(line) or line.lstrip()[:1] not in ("{", "["):
        return False
    return _decode(line)[2]


def _line_result(source: str, line_no: int, line: str) -> Payload | Quarantined:
    value, problem, _ = _decode(line)
    if problem is None:
        return Payload(line_no, "", value)
    return Quarantined(source, line_no, problem, printable_raw(line.rstrip("\r\n")[:RAW_MAX]))


def _read_text(stream: io.BufferedReader, source: str, prefixes: tuple[str, ...], guard: _Guard,
               first_line: int) -> Iterator[Payload | Quarantined]:
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="\n")
    parts: list[str] = []
    line_no = first_line - 1

    def next_nonblank() -> tuple[int, str] | None:
        nonlocal line_no
        while True:
            line = text.readline(MAX_JSON_LINE)
            if not line:
                return None
            parts.append(line)
            line_no += 1
            if line.strip():
                return line_no, line

    got = next_nonblank()
    if got is None:
        yield from _truncation_note(guard, source, line_no + 1)
        return
    n1, l1 = got
    if not _overlong(l1):
        _, problem, complete = _decode(l1)
        if complete:  # a whole JSON value on the first line: JSON Lines
            yield _line_result(source, n1, l1)
            yield from _read_jsonl(text, source, n1 + 1, guard)
            return
        # JSON Lines whose first line is broken, if the next two lines are whole objects
        # (two in a row never happen in a pretty-printed document: elements end in commas).
        following = [g for g in (next_nonblank(), next_nonblank()) if g is not None]
        if len(following) == 2 and all(_is_whole_container(line) for _, line in following):
            yield Quarantined(source, n1, problem or "", printable_raw(l1.rstrip("\r\n")[:RAW_MAX]))
            for n, line in following:
                yield _line_result(source, n, line)
            yield from _read_jsonl(text, source, following[-1][0] + 1, guard)
            return
    # Not one value per line: a single (pretty-printed) document, or JSON Lines whose first
    # lines are both broken.
    document = "".join(parts) + text.read()
    yield from _read_document(document, source, prefixes, guard, first_line)


def _read_jsonl(text: io.TextIOWrapper, source: str, start_line: int, guard: _Guard
                ) -> Iterator[Payload | Quarantined]:
    line_no = start_line - 1
    while True:
        line = text.readline(MAX_JSON_LINE)
        if not line:
            break
        line_no += 1
        if _overlong(line):
            while True:  # skip the rest of the over-long line
                chunk = text.readline(MAX_JSON_LINE)
                if not chunk or chunk.endswith("\n"):
                    break
            yield Quarantined(source, line_no, f"line longer than {MAX_JSON_LINE:,} characters",
                              printable_raw(line[:RAW_TAIL]))
            continue
        if not line.strip():
            continue
        yield _line_result(source, line_no, line)
    yield from _truncation_note(guard, source, line_no + 1)


def _read_document(document: str, source: str, prefixes: tuple[str, ...], guard: _Guard, first_line: int
                   ) -> Iterator[Payload | Quarantined]:
    stripped = document.lstrip()
    if not stripped:
        yield from _truncation_note(guard, source, first_line)
        return
    start = first_line + document[: len(document) - len(stripped)].count("\n")
    value, problem, complete = _decode(document)
    if problem is None:
        yield Payload(start, "", value)
        yield from _truncation_note(guard, source, start + document.count("\n") + 1)
        return
    if not complete and _looks_like_lines(document):
        line_no = first_line - 1
        for line_no, line in enumerate(_iter_lines(document), first_line):
            if len(line.rstrip("\r\n")) >= MAX_JSON_LINE:
                yield Quarantined(source, line_no, f"line longer than {MAX_JSON_LINE:,} characters",
                                  printable_raw(line[:RAW_TAIL]))
            elif line.strip():
                yield _line_result(source, line_no, line)
        yield from _truncation_note(guard, source, line_no + 1)
        return
    if not complete and stripped[0] not in "{[":
        raise FormatError(source, f"not JSON: the file starts with '{_snippet(stripped)}'")
    if guard.error is not None:
        problem += f"; the file is truncated (the compressed stream ends early: {guard.error})"
    yield from _salvage(document, source, problem, prefixes, start)


def _looks_like_lines(document: str, sample: int = 200) -> bool:
    """True if at least half of the first non-blank lines are whole JSON objects or arrays:
    JSON Lines whose first lines are broken, not a document cut off or damaged."""
    seen = whole = 0
    for line in _iter_lines(document):
        if not line.strip():
            continue
        seen += 1
        whole += _is_whole_container(line)
        if seen == sample:
            break
    return whole > 0 and 2 * whole >= seen


def _iter_lines(document: str) -> Iterator[str]:
    """The lines of a text, split at LF only (a CR or U+2028 inside a string is data)."""
    start = 0
    while start < len(document):
        end = document.find("\n", start)
        end = len(document) if end < 0 else end + 1
        yield document[start:end]
        start = end


def _snippet(text: str, limit: int = 40) -> str:
    first = printable_raw(text.split("\n", 1)[0].rstrip("\r"))
    return first if len(first) <= limit else first[: limit - 1] + "…"


_DEEP = object()  # an item nested deeper than MAX_DEPTH, built no further


def _items(stream: BinaryIO, steps: tuple[str, ...]) -> Iterator[Any]:
    """The values at an ijson-style prefix (``("data", "item")``), in order.

    ``ijson.items`` keeps the prefix string of every open container, which takes memory
    quadratic in the nesting depth (gigabytes for a hostile ``[[[[...``); this walks the
    basic events instead and stops building an item once it nests deeper than
    :data:`MAX_DEPTH` (yielding ``_DEEP`` for it).
    """
    frames: list[list[Any]] = []  # [is_map, path, current key] of the containers around the target
    skip = 0  # depth inside a container that is off the target path
    builder: ObjectBuilder | None = None
    depth = 0
    deep = False
    for event, value in ijson.basic_parse(stream, use_float=True):
        if builder is not None:
            if event == "start_map" or event == "start_array":
                depth += 1
                deep = deep or depth > MAX_DEPTH
            elif event == "end_map" or event == "end_array":
                depth -= 1
            if not deep:
                builder.event(event, value)
            if depth == 0:
                yield _DEEP if deep else builder.value
                builder = None
            continue
        if skip:
            if event == "start_map" or event == "start_array":
                skip += 1
            elif event == "end_map" or event == "end_array":
                skip -= 1
            continue
        if event == "map_key":
            frames[-1][2] = value
            continue
        if event == "end_map" or event == "end_array":
            frames.pop()
            continue
        if frames:
            is_map, path, key = frames[-1]
            path = (*path, key if is_map else "item")
        else:
            path = ()
        opens = event == "start_map" or event == "start_array"
        if path == steps:
            if opens:
                builder, depth, deep = ObjectBuilder(), 1, False
                builder.event(event, value)
            else:
                yield value
        elif opens:
            if len(path) < len(steps) and steps[: len(path)] == path:
                frames.append([event == "start_map", path, None])
            else:
                skip = 1


def _read_array(stream: io.BufferedReader, source: str, guard: _Guard) -> Iterator[Payload | Quarantined]:
    recoder = _Recoder(stream, "utf-8", stand_ins=True)  # type: ignore[arg-type]
    index = -1
    try:
        for index, value in enumerate(_items(io.BufferedReader(recoder, CHUNK), ("item",))):
            item = f"[{index}]"
            if value is _DEEP:
                yield Quarantined(source, 1, TOO_DEEP, "", item=item)
                continue
            if recoder.replaced:
                dumped = json.dumps(value, ensure_ascii=False)
                if _STAND_IN.search(dumped):
                    yield Quarantined(source, 1, BAD_BYTES, _restore_bytes(dumped[: RAW_MAX]), item=item)
                    continue
            yield Payload(1, item, value)
    except (ijson.JSONError, ValueError, RecursionError) as exc:
        cause = (f"the file is truncated (the compressed stream ends early: {guard.error})"
                 if guard.error is not None else f"JSON array cut off or broken ({_one_line(exc)})")
        yield Quarantined(
            source, 1,
            f"{cause} after element [{index}]; the {index + 1} complete element(s) before it were kept",
            "", item=f"[{index + 1}]")
        return
    yield from _truncation_note(guard, source, 2)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _salvage(document: str, source: str, problem: str, prefixes: tuple[str, ...], line: int
             ) -> Iterator[Payload | Quarantined]:
    """Keep the complete items of a broken single document, quarantine the remainder.

    Items holding bytes that are not UTF-8 are refused one by one.
    """
    data = _ESCAPED.sub(lambda m: chr(_STAND_IN_BASE + ord(m.group()) - 0xDC00), document)
    encoded = data.encode("utf-8", "surrogatepass")
    for prefix in prefixes:
        steps = tuple(prefix.split("."))
        items: list[Any] = []
        refused: list[Quarantined] = []
        path = prefix.removesuffix(".item")
        try:
            for index, value in enumerate(_items(io.BytesIO(encoded), steps)):
                where = f"{path}[{index}]"
                if value is _DEEP:
                    refused.append(Quarantined(source, line, TOO_DEEP, "", item=where))
                    continue
                dumped = json.dumps(value, ensure_ascii=False)
                if _STAND_IN.search(dumped):
                    refused.append(Quarantined(source, line, BAD_BYTES, _restore_bytes(dumped[: RAW_MAX]),
                                               item=where))
                elif _LONE.search(dumped):
                    refused.append(Quarantined(source, line, LONE_SURROGATE, printable_raw(dumped[:RAW_TAIL]),
                                               item=where))
                else:
                    items.append(value)
        except Exception:  # noqa: BLE001 - ijson raises several types on broken input
            pass
        if items:
            yield Payload(line, "", _rebuild(prefix, items))
            yield from refused
            problem += f"; kept the {len(items)} complete item(s) of '{path}' before the damage"
            break
    yield Quarantined(source, line, problem, printable_raw(document[-RAW_TAIL:]))


def _rebuild(prefix: str, items: list[Any]) -> dict[str, Any]:
    """``media.data.item`` + items -> ``{"media": {"data": items}, "_salvaged": True}``."""
    keys = prefix.split(".")[:-1]
    value: Any = items
    for key in reversed(keys[1:]):
        value = {key: value}
    return {keys[0]: value, "_salvaged": True}
