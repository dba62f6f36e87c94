"""A CSV record reader that survives real exports: one bad row costs one row.

Python's C ``csv`` module does the parsing; this module adds what it lacks for dirty input:

* the physical line where each record starts (records may span lines inside quotes);
* bare CR inside unquoted fields (TWCS has them) kept as data, not an error;
* NUL bytes, undecodable bytes and oversized fields refused per row;
* **resynchronisation**: a record that breaks (an unclosed quote swallowing the next lines,
  ``"`` followed by garbage, the wrong number of fields over several lines) is quarantined
  by its *first* line only, and reading restarts at its second line, so the good rows that
  a broken quote swallowed are read again and kept.
"""

from __future__ import annotations

import csv
from collections import deque
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..model import Quarantined
from .files import has_undecodable, printable_raw

DEFAULT_MAX_FIELD_BYTES = 1 << 20  # 1 MiB: far above any post, small enough to stop a runaway quote
_CR_STAND_IN = "\ue000"  # private-use character standing in for a bare CR while csv parses


@dataclass(slots=True)
class CsvRecord:
    line: int
    fields: list[str]
    raw_lines: list[str]

    @property
    def raw(self) -> str:
        return printable_raw("".join(self.raw_lines).rstrip("\r\n"))


class _LineFeed:
    """Feeds lines to ``csv.reader`` while remembering which lines the current record used.

    Lines are read with a length cap so that a file with no line breaks (or a runaway
    field) never has to fit in memory: the rest of an over-long line is skipped and the
    record is refused.
    """

    __slots__ = ("_readline", "_max_line", "_pending", "line_no", "record_lines",
                 "has_cr", "has_nul", "has_bad_bytes", "dropped_chars")

    def __init__(self, readline: Callable[[int], str], max_line: int):
        self._readline = readline
        self._max_line = max_line
        self._pending: deque[str] = deque()
        self.line_no = 0
        self.start_record()

    def start_record(self) -> None:
        self.record_lines: list[str] = []
        self.has_cr = False
        self.has_nul = False
        self.has_bad_bytes = False
        self.dropped_chars = 0

    def push_back(self, lines: list[str]) -> None:
        self._pending.extendleft(reversed(lines))
        self.line_no -= len(lines)

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self._pending:
            line = self._pending.popleft()
        else:
            line = self._readline(self._max_line)
            if not line:
                raise StopIteration
            if len(line) >= self._max_line and not line.endswith("\n"):
                self._skip_rest_of_line()
        self.line_no += 1
        self.record_lines.append(line)
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

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self._readline(self._max_line)
            self.dropped_chars += len(chunk)
            if not chunk or chunk.endswith("\n"):
                return


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
    if not hasattr(lines, "readline"):
        lines = io.StringIO("".join(lines), newline="\n")
    csv.field_size_limit(max_field_bytes)
    max_line = 2 * max_field_bytes
    feed = _LineFeed(lines.readline, max_line)  # type: ignore[union-attr]
    reader = csv.reader(feed, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    while True:
        feed.start_record()
        start = feed.line_no + 1
        problem: str | None = None
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            fields = None
            problem = _describe_csv_error(exc, max_field_bytes)
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
                problem = f"bytes that are not valid {encoding}"
            elif expected_fields is not None and len(fields) != expected_fields:
                kind = "missing" if len(fields) < expected_fields else "extra"
                problem = f"{kind} columns: expected {expected_fields} fields, found {len(fields)}"
        if problem is None:
            if feed.has_cr:
                fields = [f.replace(_CR_STAND_IN, "\r") for f in fields]
            yield CsvRecord(start, fields, feed.record_lines)
            continue
        record_lines = feed.record_lines
        if len(record_lines) > 1:
            # The record ran over several lines: blame its first line only and read the rest
            # again, so rows swallowed by an unclosed quote are not lost.
            feed.push_back(record_lines[1:])
            problem += " (record spanned several lines; later lines re-read)"
            record_lines = record_lines[:1]
        yield Quarantined(source, start, problem, printable_raw("".join(record_lines).rstrip("\r\n")))


def _describe_csv_error(exc: csv.Error, limit: int) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return f"field larger than the {limit:,}-byte limit (raise it with --max-field-bytes)"
    if "unexpected end of data" in message:
        return "unclosed quote: the file ends inside a quoted field"
    if "expected after" in message:
        return "broken quoting: text after a closing quote"
    return f"unreadable CSV record: {message}"
