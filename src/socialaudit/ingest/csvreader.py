"""A CSV record reader that survives real exports: one bad row costs one row.

Python's C ``csv`` module does the parsing; this module adds what it lacks for dirty input:

* the physical line where each record starts (records may span lines inside quotes);
* bare CR inside unquoted fields (TWCS has them) kept as data, not an error;
* NUL bytes, undecodable bytes and oversized fields or lines refused per row, with memory
  bounded however long a line is;
* **resynchronisation**: a record that breaks (an unclosed quote swallowing the next lines,
  ``"`` followed by garbage, the wrong number of fields over several lines) is quarantined
  by its *first* line only, and reading restarts at its second line, so the good rows that
  a broken quote swallowed are read again and kept.

Two paths share one line source.  The **fast path** hands a block of about a megabyte of
lines to ``csv.reader`` at C speed; a block with anything unusual in it (a bare CR, a NUL,
an undecodable byte, an over-long line, a CSV error, a wrong field count) is pushed back
and read by the **careful path** line by line, which then hands over again.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..model import Quarantined
from .files import has_undecodable, printable_raw

DEFAULT_MAX_FIELD_BYTES = 1 << 20  # 1 MiB: far above any post, small enough to stop a runaway quote
BLOCK_CHARS = 1 << 20
_CR_STAND_IN = "\ue000"  # private-use character standing in for a bare CR while csv parses


@dataclass(slots=True)
class CsvRecord:
    line: int
    fields: list[str]
    raw_lines: list[str]

    @property
    def raw(self) -> str:
        return printable_raw("".join(self.raw_lines).rstrip("\r\n"))


class _Overlong(str):
    """The kept start of a line longer than the cap; ``dropped`` characters were skipped."""

    dropped: int = 0


class _LineSource:
    """Lines of a text stream that end at LF only, read a block at a time, with push-back.

    ``line_no`` is the number of the last line handed out.
    """

    def __init__(self, stream: io.TextIOBase, max_line: int):
        self._stream = stream
        self._max_line = max_line
        self._pending: deque[str] = deque()
        self._carry = ""
        self._skipping = 0  # > 0 while skipping the rest of an over-long line
        self.eof = False
        self.line_no = 0

    def _read_lines(self) -> list[str]:
        """About one block of new complete lines (the last line of the file may lack LF)."""
        while not self.eof:
            chunk = self._stream.read(BLOCK_CHARS)
            if not chunk:
                self.eof = True
                rest, self._carry = self._carry, ""
                if self._skipping:
                    return [self._finish_overlong(rest)]
                return [rest] if rest else []
            if self._skipping:
                cut = chunk.find("\n")
                if cut < 0:
                    self._skipping += len(chunk)
                    continue
                self._skipping += cut
                line = self._finish_overlong(self._carry)
                self._carry = ""
                chunk = chunk[cut + 1:]
                lines = [line]
            else:
                lines = []
            lines += io.StringIO(self._carry + chunk, newline="\n").readlines()
            self._carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
            if len(self._carry) > self._max_line:
                self._carry, self._skipping = self._carry[: self._max_line], len(self._carry) - self._max_line
            if lines and max(map(len, lines)) > self._max_line:
                lines = [self._cap(line) for line in lines]
            if lines:
                return lines
        return []

    def _cap(self, line: str) -> str:
        if len(line) <= self._max_line:
            return line
        capped = _Overlong(line[: self._max_line])
        capped.dropped = len(line) - self._max_line
        return capped

    def _finish_overlong(self, kept: str) -> _Overlong:
        line = _Overlong(kept)
        line.dropped = self._skipping
        self._skipping = 0
        return line

    def block(self, more: bool = False) -> list[str]:
        """The pushed-back lines, or new ones; with ``more``, pushed-back lines plus new ones."""
        lines = list(self._pending)
        self._pending.clear()
        if not lines or more:
            lines += self._read_lines()
        self.line_no += len(lines)
        return lines

    def line(self) -> str:
        if not self._pending:
            self._pending.extend(self._read_lines())
            if not self._pending:
                raise StopIteration
        self.line_no += 1
        return self._pending.popleft()

    def push_back(self, lines: list[str]) -> None:
        self._pending.extendleft(reversed(lines))
        self.line_no -= len(lines)


class _LineFeed:
    """Feeds the careful path's ``csv.reader`` line by line, noting what each record contains."""

    __slots__ = ("_source", "record_lines", "has_cr", "has_nul", "has_bad_bytes", "dropped_chars")

    def __init__(self, source: _LineSource):
        self._source = source
        self.start_record()

    def start_record(self) -> None:
        self.record_lines: list[str] = []
        self.has_cr = False
        self.has_nul = False
        self.has_bad_bytes = False
        self.dropped_chars = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        line = self._source.line()
        self.record_lines.append(line)
        if isinstance(line, _Overlong):
            self.dropped_chars += line.dropped
        if "\r" in line:
            body, end = (line[:-2], "\r\n") if line.endswith("\r\n") else (
                (line[:-1], "\n") if line.endswith("\n") else (line, ""))
            if "\r" in body:
                self.has_cr = True
                line = body.replace("\r", _CR_STAND_IN) + end
        if "\x00" in line:
            self.has_nul = True
        if has_undecodable(line):
            self.has_bad_bytes = True
        return line


def sniff_delimiter(header_line: str, candidates: str = ",;\t|") -> str:
    """The candidate occurring most often outside quotes in the header line (comma on a tie)."""
    outside = []
    in_quotes = False
    for ch in header_line:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            outside.append(ch)
    text = "".join(outside)
    best = max(candidates, key=lambda c: (text.count(c), c == ","))
    return best if text.count(best) else ","


@dataclass(frozen=True, slots=True)
class _Options:
    source: str
    delimiter: str
    expected_fields: int | None
    max_field_bytes: int
    encoding: str

    def reader(self, lines: Iterable[str]):
        return csv.reader(lines, delimiter=self.delimiter, quotechar='"', doublequote=True, strict=True)


def read_records(
    lines: io.TextIOBase | Iterable[str],
    source: str,
    *,
    delimiter: str = ",",
    expected_fields: int | None = None,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    encoding: str = "utf-8",
) -> Iterator[CsvRecord | Quarantined | None]:
    """Yield each record, a :class:`Quarantined` for each broken one, ``None`` per blank line.

    ``lines`` is a text stream opened with ``newline="\\n"`` (or any iterable of lines, for
    tests).  ``expected_fields`` (usually the header's width) turns a wrong field count into
    a quarantined row.
    """
    if not hasattr(lines, "read"):
        lines = io.StringIO("".join(lines), newline="\n")
    csv.field_size_limit(max_field_bytes)
    opts = _Options(source, delimiter, expected_fields, max_field_bytes, encoding)
    src = _LineSource(lines, 2 * max_field_bytes)  # type: ignore[arg-type]
    more = False
    while True:
        block = src.block(more)
        if not block:
            return
        more = False
        first = src.line_no - len(block) + 1
        last = src.line_no
        if _unusual(block):
            src.push_back(block)
            yield from _careful(src, opts, last)
            continue
        reader = opts.reader(block)
        done = 0  # lines of the block used by the records read so far
        try:
            for fields in reader:
                start, done = done, reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    yield None
                elif expected_fields is not None and len(fields) != expected_fields:
                    src.push_back(block[start:])
                    yield from _careful(src, opts, last)
                    break
                else:
                    yield CsvRecord(first + start, fields, block[start:done])
        except csv.Error as exc:
            rest = block[done:]
            src.push_back(rest)
            if "unexpected end of data" in str(exc) and not src.eof:
                more = True  # the block ends inside a quoted field: read on before judging
            else:
                yield from _careful(src, opts, last)


def _unusual(block: list[str]) -> bool:
    """Anything the fast path must not see: bare CR, NUL, undecodable bytes, over-long lines."""
    text = "".join(block)
    if "\x00" in text or has_undecodable(text):
        return True
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    return any(type(line) is _Overlong for line in block)


def _careful(src: _LineSource, opts: _Options, until: int) -> Iterator[CsvRecord | Quarantined | None]:
    """Read record by record, refusing and resynchronising, up to line ``until``."""
    feed = _LineFeed(src)
    reader = opts.reader(feed)
    max_line = 2 * opts.max_field_bytes
    while src.line_no < until:
        feed.start_record()
        start = src.line_no + 1
        problem: str | None = None
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            fields = None
            problem = _describe_csv_error(exc, opts.max_field_bytes)
        if feed.dropped_chars:
            problem = (f"line longer than {max_line:,} characters; its first {max_line:,} are kept "
                       f"in raw, {feed.dropped_chars:,} more were dropped")
        elif fields is not None:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                if not feed.has_nul and not feed.has_bad_bytes:
                    yield None
                    continue
                problem = "blank line with stray bytes"
            elif feed.has_nul:
                problem = "NUL byte in record"
            elif feed.has_bad_bytes:
                problem = f"bytes that are not valid {opts.encoding}"
            elif opts.expected_fields is not None and len(fields) != opts.expected_fields:
                kind = "missing" if len(fields) < opts.expected_fields else "extra"
                problem = f"{kind} columns: expected {opts.expected_fields} fields, found {len(fields)}"
        if problem is None:
            if feed.has_cr:
                fields = [f.replace(_CR_STAND_IN, "\r") for f in fields]
            yield CsvRecord(start, fields, feed.record_lines)
            continue
        record_lines = feed.record_lines
        if len(record_lines) > 1:
            # The record ran over several lines: blame its first line only and read the rest
            # again, so rows swallowed by an unclosed quote are not lost.
            src.push_back(record_lines[1:])
            problem += " (record spanned several lines; later lines re-read)"
            record_lines = record_lines[:1]
        yield Quarantined(opts.source, start, problem, printable_raw("".join(record_lines).rstrip("\r\n")))


def _describe_csv_error(exc: csv.Error, limit: int) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return f"field larger than the {limit:,}-byte limit (raise it with --max-field-bytes)"
    if "unexpected end of data" in message:
        return "unclosed quote: the file ends inside a quoted field"
    if "expected after" in message:
        return "broken quoting: an unclosed quote, or text after a closing quote"
    return f"unreadable CSV record: {message}"


def read_table(
    lines: io.TextIOBase,
    source: str,
    *,
    delimiter: str | None = None,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    encoding: str = "utf-8",
    damage: Callable[[], str] = lambda: "",
) -> tuple[list[str], str, Iterator[CsvRecord | Quarantined | None]]:
    """A CSV file with a header row: (header names, delimiter, records after the header).

    Blank lines before the header are skipped; the delimiter is sniffed from the header
    unless given; every record must have the header's width (else it is quarantined, with
    resynchronisation); line numbers count from the top of the file.  ``damage`` tells why
    a compressed file ended early: a header cut short by it is no header.
    """
    from ..errors import FormatError

    offset = 0
    header_line = ""
    while not header_line.strip():
        header_line = lines.readline(2 * max_field_bytes)
        offset += 1
        if not header_line:
            if damage():
                raise FormatError(source, f"file truncated before the end of its header row ({damage()})")
            raise FormatError(source, "empty file: no header row")
    if damage() and not header_line.endswith("\n"):
        raise FormatError(source, f"file truncated before the end of its header row ({damage()})")
    delimiter = delimiter or sniff_delimiter(header_line)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:
        raise FormatError(source, f"unreadable header row: {exc}") from exc
    header = [h.strip().lstrip("\ufeff") for h in header]
    records = read_records(lines, source, delimiter=delimiter, expected_fields=len(header),
                           max_field_bytes=max_field_bytes, encoding=encoding)
    return header, delimiter, _shifted(records, offset)


def _shifted(records: Iterator[CsvRecord | Quarantined | None], offset: int
             ) -> Iterator[CsvRecord | Quarantined | None]:
    for record in records:
        if isinstance(record, CsvRecord):
            record.line += offset
        elif isinstance(record, Quarantined):
            record = Quarantined(record.source, record.line + offset, record.reason, record.raw, record.item)
        yield record
