"""What every source format is: a self-describing parser from a byte stream to batches.

A format declares its name, a one-line title and a description (used by ``--help``,
``socialaudit formats`` and the docs), how to recognise its files (``sniff``) and how to
read them (``parse``).  Platform formats read JSON payloads; they subclass
:class:`JsonPayloadFormat` and only say how one payload becomes records.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ..model import AccountRecord, ParsedBatch, PostRecord, Quarantined
from .csvreader import DEFAULT_MAX_FIELD_BYTES
from .files import SourceInfo, printable_raw
from .jsonreader import Payload, read_payloads

DEFAULT_BATCH_SIZE = 50_000


@dataclass(frozen=True)
class IngestOptions:
    """Knobs shared by all formats; each format uses the ones that apply to it."""

    batch_size: int = DEFAULT_BATCH_SIZE
    encoding: str | None = None
    delimiter: str | None = None
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES
    mapping: Any = None  # socialaudit.ingest.mapping.ColumnMapping for generic files
    channel: str | None = None  # default channel for generic files without one


@dataclass(slots=True)
class Sample:
    """The start of a file, as format detection sees it."""

    path: Path
    head: bytes
    text: str
    first_line: str
    json_value: Any = None


class SourceFormat(ABC):
    """A source shape: one subclass per module under :mod:`socialaudit.ingest`."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    channel: ClassVar[str | None] = None

    def sniff(self, sample: Sample) -> bool:
        """True if the sample is certainly of this format (used by ``--format auto``)."""
        return False

    @abstractmethod
    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        """Read the whole stream, yielding batches of about ``options.batch_size`` posts.

        Must raise :class:`~socialaudit.errors.FormatError` if the stream is not of this
        format at all, and quarantine (never raise on) individual bad rows.
        """


def first_object(value: Any) -> dict | None:
    """The payload detection looks at: the value itself, or the first element of an array."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


class RecordError(ValueError):
    """Raised inside a payload parser for one item that cannot become a record."""


@dataclass(slots=True)
class Where:
    """Location of a JSON item: file, line, and JSON path inside the line's document."""

    source: str
    line: int
    path: str

    def child(self, key: str | int) -> Where:
        step = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.path else key)
        return Where(self.source, self.line, self.path + step)

    def quarantine(self, reason: str, value: Any) -> Quarantined:
        try:
            raw = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):
            raw = repr(value)
        return Quarantined(self.source, self.line, reason, printable_raw(raw[:100_000]), item=self.path)


@dataclass(slots=True)
class PayloadResult:
    """What one payload produced."""

    posts: list[PostRecord] = field(default_factory=list)
    accounts: list[AccountRecord] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


class JsonPayloadFormat(SourceFormat):
    """A format whose files hold API responses (pages) or bare items, as JSON or JSONL."""

    #: ijson prefixes of the items of one page, to rescue items from a cut-off document.
    salvage_prefix: ClassVar[str | tuple[str, ...]] = ()

    def sniff(self, sample: Sample) -> bool:
        value = first_object(sample.json_value)
        return value is not None and self.looks_like(value) and self.claims(value)

    def claims(self, value: dict) -> bool:
        """Whether a payload that :meth:`looks_like` this format is *certainly* of it.

        ``looks_like`` accepts what the format can read (an empty Graph API page is a valid
        Facebook payload); detection also needs certainty (that page could be any edge).
        """
        return True

    @abstractmethod
    def looks_like(self, value: dict) -> bool:
        """True if a decoded payload (page or item) has this format's shape."""

    @abstractmethod
    def parse_payload(self, value: Any, where: Where) -> PayloadResult:
        """Turn one payload into records; bad items go to ``quarantined`` with their path."""

    def parse(self, stream: BinaryIO, info: SourceInfo, options: IngestOptions) -> Iterator[ParsedBatch]:
        batch = ParsedBatch()
        recognised = False
        for payload in read_payloads(stream, info.name, self.salvage_prefix, encoding=info.encoding or None):
            if isinstance(payload, Quarantined):
                batch.quarantined.append(payload)
                continue
            batch.rows_read += 1
            result = self.parse_value(payload, info.name)
            if result.posts or result.accounts:
                recognised = True
            batch.posts.extend(result.posts)  # type: ignore[union-attr]
            batch.accounts.extend(result.accounts)
            batch.quarantined.extend(result.quarantined)
            if len(batch.posts) >= options.batch_size:
                yield batch
                batch = ParsedBatch()
        if not recognised and batch.rows_read and not batch.posts:
            self._refuse_if_foreign(batch, info)
        yield batch

    def parse_value(self, payload: Payload, source: str) -> PayloadResult:
        """One decoded payload (from a file, or a page ``socialaudit sync`` fetched) as records."""
        where = Where(source, payload.line, payload.item)
        value = payload.value
        if not isinstance(value, dict):
            return PayloadResult(quarantined=[where.quarantine(
                f"expected a JSON object ({self.title}), found {type(value).__name__}", value)])
        if not self.looks_like(value) and not value.get("_salvaged"):
            return PayloadResult(quarantined=[where.quarantine(
                f"not a {self.title} payload (keys: {', '.join(sorted(value)[:8])})", value)])
        result = self.parse_payload(value, where)
        _refuse_mistyped(result, source)
        return result

    def _refuse_if_foreign(self, batch: ParsedBatch, info: SourceInfo) -> None:
        """A file where no payload had this format's shape is the wrong format, not bad rows."""
        from ..errors import FormatError

        if batch.quarantined and all(q.reason.startswith(("not a ", "expected a JSON object"))
                                     for q in batch.quarantined):
            raise FormatError(info.name, f"not {self.title}: {batch.quarantined[0].reason}")


ItemParser = Callable[[Any, Where, PayloadResult], None]


def parse_one(parse_item: ItemParser, item: Any, where: Where, result: PayloadResult) -> None:
    """Apply ``parse_item(item, where, result)``, quarantining the item if it cannot be read.

    ``parse_item`` appends to ``result`` and raises :class:`RecordError` (or ``KeyError``,
    ``TypeError``, ``ValueError``) for an item it cannot read.  Used for a bare item that is
    the whole payload, and by :func:`parse_items` for each element of a list.
    """
    try:
        parse_item(item, where, result)
    except RecordError as exc:
        result.quarantined.append(where.quarantine(str(exc), item))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        result.quarantined.append(where.quarantine(f"malformed item: {type(exc).__name__}: {exc}", item))


_TEXT_FIELDS = ("post_id", "account_id", "handle", "role_hint", "kind", "text", "parent_id", "ref_id",
                "conversation_id", "url", "media_type", "lang", "company")
_COUNT_FIELDS = ("likes", "shares", "comments", "views")


def _refuse_mistyped(result: PayloadResult, source: str) -> None:
    """Last guard before Arrow: a record with a non-text value where text belongs (a parser
    that passed an API object through) is quarantined alone instead of failing the batch."""
    kept = []
    for post in result.posts:
        bad = [f for f in _TEXT_FIELDS if not isinstance(getattr(post, f), (str, type(None)))]
        bad += [f for f in _COUNT_FIELDS
                if not isinstance(getattr(post, f), (int, type(None))) or isinstance(getattr(post, f), bool)]
        if bad:
            result.quarantined.append(Where(source, post.line, post.item).quarantine(
                f"unexpected value type in {', '.join(bad)}", {f: getattr(post, f) for f in bad}))
        else:
            kept.append(post)
    result.posts = kept


def parse_items(items: Any, where: Where, parse_item: ItemParser, result: PayloadResult) -> None:
    """Apply :func:`parse_one` to each element of a list: one bad item never costs its siblings."""
    if items is None:
        return
    if not isinstance(items, list):
        result.quarantined.append(where.quarantine(f"expected a list, found {type(items).__name__}", items))
        return
    for index, item in enumerate(items):
        parse_one(parse_item, item, where.child(index), result)
