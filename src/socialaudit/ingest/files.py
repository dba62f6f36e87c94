"""Opening source files: gzip by magic bytes, encoding sniffing, byte progress, file hash.

Every parser reads through :func:`open_source`, so compressed input, progress bars and the
SHA-256 recorded in the import log work the same way for every format.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from ..errors import FormatError

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 256 * 1024

#: Errors a damaged compressed stream can raise.  :func:`open_source` decompresses with its
#: own reader, which turns damage into a clean end of stream (``SourceInfo.damage``), so
#: parsers keep every row before it; these remain for streams opened otherwise.
TRUNCATION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)

ProgressCallback = Callable[[int], None]


class _MeteredReader(io.RawIOBase):
    """Counts and hashes the raw bytes read from the file on disk (before decompression)."""

    def __init__(self, raw: BinaryIO, progress: ProgressCallback | None):
        self._raw = raw
        self._progress = progress
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        if n:
            self.sha256.update(memoryview(buffer)[:n])
            self.bytes_read += n
            if self._progress is not None:
                self._progress(self.bytes_read)
        return n or 0

    def drain(self) -> None:
        """Read whatever the parser left unread so that the hash covers the whole file."""
        while True:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                return
            self.sha256.update(chunk)
            self.bytes_read += len(chunk)


class _GzipReader(io.RawIOBase):
    """Gzip decompression that ends cleanly at a truncated or corrupt stream.

    Python's ``GzipFile`` raises on a cut-off file and loses what it had decompressed in
    that read; this reader returns every byte it could decompress, then end of stream, and
    records what went wrong in ``damage``.  Concatenated gzip members are read in turn.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._out = b""
        self._done = False
        self.damage = ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._out and not self._done:
            self._fill()
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _fill(self) -> None:
        if self._decomp.eof:  # a member ended; what follows may be another member
            data = self._decomp.unused_data or self._raw.read(1 << 16)
            if not data.strip(b"\x00"):  # the end, or zero padding
                self._done = True
                return
            self._decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            data = self._decomp.unconsumed_tail or self._raw.read(1 << 16)
            if not data:
                self.damage = "the compressed stream ends early (file truncated)"
                self._done = True
                return
        try:
            self._out = self._decomp.decompress(data, 1 << 20)
        except zlib.error as exc:
            self.damage = f"corrupt compressed data ({exc})"
            self._done = True


@dataclass
class SourceInfo:
    """What the import log records about a file once it has been read."""

    path: Path
    name: str
    size: int
    compressed: bool
    sha256: str = ""
    encoding: str = ""
    _meter: _MeteredReader | None = field(default=None, repr=False)
    _gzip: _GzipReader | None = field(default=None, repr=False)

    @property
    def damage(self) -> str:
        """Why a compressed file ended early ('' if it did not): rows before that were read."""
        return self._gzip.damage if self._gzip is not None else ""

    def finish(self) -> None:
        if self._meter is not None:
            self._meter.drain()
            self.sha256 = self._meter.sha256.hexdigest()


def source_name(path: Path) -> str:
    """The name under which rows of a file are recorded: its absolute path."""
    return str(path.resolve())


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


@contextmanager
def open_source(path: Path, progress: ProgressCallback | None = None) -> Iterator[tuple[BinaryIO, SourceInfo]]:
    """Open ``path`` for binary reading, decompressing gzip transparently.

    Yields the (decompressed) stream and a :class:`SourceInfo` whose ``sha256`` is filled in
    by :meth:`SourceInfo.finish` after parsing.
    """
    if not path.exists():
        raise FormatError(str(path), "no such file")
    if path.is_dir():
        raise FormatError(str(path), "is a directory, not a file")
    compressed = is_gzip(path)
    raw = open(path, "rb")
    meter = _MeteredReader(raw, progress)
    info = SourceInfo(path=path, name=source_name(path), size=path.stat().st_size,
                      compressed=compressed, _meter=meter)
    buffered = io.BufferedReader(meter, buffer_size=1 << 20)
    stream: BinaryIO = buffered
    if compressed:
        info._gzip = _GzipReader(buffered)
        stream = io.BufferedReader(info._gzip, buffer_size=1 << 20)  # type: ignore[assignment]
    try:
        yield stream, info
    finally:
        raw.close()


def peek(path: Path, n: int = SNIFF_BYTES) -> bytes:
    """The first ``n`` decompressed bytes of a file (for format and encoding sniffing)."""
    with open(path, "rb") as fh:
        if fh.read(2) == GZIP_MAGIC:
            fh.seek(0)
            try:
                with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                    return gz.read(n)
            except TRUNCATION_ERRORS:
                fh.seek(0)
                return _read_damaged_gzip_head(fh.read(), n)
        fh.seek(0)
        return fh.read(n)


def _read_damaged_gzip_head(data: bytes, n: int) -> bytes:
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return decomp.decompress(data, n)
    except zlib.error:
        return b""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def sniff_encoding(head: bytes) -> str:
    """Guess a text encoding from the first bytes of a file.

    UTF-8 wins whenever the sample holds valid multi-byte UTF-8 or is pure ASCII, even if a
    few bytes are invalid: those rows are quarantined rather than the whole file being
    misread as Latin-1.  Only a sample with invalid bytes and no UTF-8 at all is handed
    to charset-normalizer (Windows-1252, Latin-1, ...).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0:4:2] == b"\x00\x00" and head[1] != 0:
        return "utf-16-be"
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - head.decode("utf-8", errors="ignore").count("\ufffd")
    if bad <= 1:  # at most a character cut off at the end of the sample
        return "utf-8"
    has_multibyte = any(ord(c) > 127 and c != "\ufffd" for c in text)
    if has_multibyte:
        return "utf-8"
    best = from_bytes(head).best()
    return best.encoding if best is not None else "cp1252"


_LONE_SURROGATE = re.compile("[\udc80-\udcff]")


def has_undecodable(text: str) -> bool:
    """True if ``text`` holds bytes that were not valid in the file's encoding.

    Files are decoded with ``surrogateescape`` so that one bad byte costs one row, not the file.
    """
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def printable_raw(text: str) -> str:
    """A row's raw text in a form the store can hold: invalid bytes as ``\\xNN``, NUL as ``\\x00``."""
    if has_undecodable(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.replace("\x00", "\\x00")


def text_lines(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    """Decode a binary stream into lines that end only at LF.

    A bare CR is data (TWCS texts contain some), never a record end; ``\\r\\n`` stays at the
    end of the line and is handled by the CSV reader.
    """
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="\n")
