"""Generic files: which source column holds which canonical field, and reading a row.

By default a generic CSV/JSONL/Parquet file has the columns ``id, channel, author,
created_at, text, parent_id, company`` (plus any optional field below under its own
name).  Other layouts are described by a YAML mapping (``--mapping FILE``)::

    columns:              # canonical field: column in the file
      id: tweet_id
      author: user_name
      created_at: date
      text: body
      parent_id: in_reply_to
      company: brand
    constants:            # the same value for every row
      channel: facebook
    timestamp_format: "%d.%m.%Y %H:%M"   # strptime format; default ISO 8601 or epoch
    timezone: Europe/Berlin              # for timestamps without an offset; default UTC
    roles:                               # read author_role from a column
      column: inbound
      brand: ["False"]
      consumer: ["True"]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError
from ..model import KINDS, MEDIA_TYPES, UTC, AccountRecord, ParsedBatch, PostRecord, Quarantined, normalise_channel
from .base import RecordError
from .values import (
    optional_bool,
    optional_count,
    optional_id,
    parse_timestamp,
    require_id,
    snippet,
    zone,
)

#: Integers from 2**53 on cannot all be held exactly by a float: a float id that large has
#: already lost its last digits (pandas turns an id column with gaps into floats).
_EXACT_FLOAT = 2 ** 53

REQUIRED_FIELDS = ("id", "channel", "created_at")
DEFAULT_FIELDS = ("id", "channel", "author", "created_at", "text", "parent_id", "company")
OPTIONAL_FIELDS = ("author_role", "kind", "handle", "conversation_id", "ref_id", "likes", "shares", "comments",
                   "views", "url", "media_type", "lang", "followers", "verified", "display_name")
ALL_FIELDS = DEFAULT_FIELDS + OPTIONAL_FIELDS


class RoleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str
    brand: list[str] = Field(default_factory=lambda: ["brand"])
    consumer: list[str] = Field(default_factory=lambda: ["consumer"])

    @field_validator("column")
    @classmethod
    def _column(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the role column name is empty")
        return v

    @field_validator("brand", "consumer", mode="before")
    @classmethod
    def _values(cls, v: Any) -> Any:
        # YAML reads an unquoted False, 0 or no as a bool or a number; they mean the text.
        values = v if isinstance(v, list) else [v]
        return [str(x) if isinstance(x, (bool, int, float)) else x for x in values]

    @model_validator(mode="after")
    def _disjoint(self) -> RoleSpec:
        both = {b.strip().lower() for b in self.brand} & {c.strip().lower() for c in self.consumer}
        if both:
            raise ValueError(f"value(s) {', '.join(sorted(both))} listed both as brand and as consumer")
        return self


class MappingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    timestamp_format: str | None = None
    timezone: str = "UTC"
    roles: RoleSpec | None = None

    @field_validator("columns", "constants")
    @classmethod
    def _known_fields(cls, v: dict) -> dict:
        unknown = [str(k) for k in v if k not in ALL_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(ALL_FIELDS)})")
        return v

    @field_validator("columns")
    @classmethod
    def _column_names(cls, v: dict[str, str]) -> dict[str, str]:
        empty = [k for k, column in v.items() if not column.strip()]
        if empty:
            raise ValueError(f"empty column name for {', '.join(empty)}")
        return v

    @field_validator("timestamp_format")
    @classmethod
    def _format(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if "%" not in v:
            raise ValueError(f"'{v}' has no strptime directives (such as %Y-%m-%d %H:%M)")
        try:  # a format that cannot read what it writes would refuse every row
            dt.datetime.strptime(dt.datetime(2001, 2, 3, 4, 5, 6, 7000, tzinfo=UTC).strftime(v), v)
        except ValueError as exc:
            raise ValueError(f"'{v}' is not a usable strptime format: {exc}") from exc
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            zone(v)
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"unknown time zone '{v}'") from exc
        return v


class ColumnMapping:
    """A validated mapping; ``DEFAULT`` reads the default column names."""

    def __init__(self, spec: MappingSpec | None = None, path: str | None = None):
        self.spec = spec or MappingSpec()
        self.path = path
        self.naive_tz: dt.tzinfo = UTC if self.spec.timezone == "UTC" else zone(self.spec.timezone)
        self._check_constants()

    def _check_constants(self) -> None:
        """A constant holds for every row, so a bad one is the mapping's error, not the rows'."""
        spec = self.spec
        for name, value in spec.constants.items():
            where = f"constants.{name}"
            if value is None:
                raise ConfigError(self.path or "mapping", where, "a constant needs a value")
            if isinstance(value, (dict, list)):
                raise ConfigError(self.path or "mapping", where,
                                  f"a constant is one value, not a {'list' if isinstance(value, list) else 'mapping'}")
            try:
                if name == "id":
                    raise RecordError("every row would have the same id")
                if name == "author_role" and str(value).strip().lower() not in ("brand", "consumer"):
                    raise RecordError(f"'{value}' is not brand or consumer")
                if name == "kind" and str(value).strip().lower() not in KINDS:
                    raise RecordError(f"'{value}' is not one of {', '.join(KINDS)}")
                if name in ("likes", "shares", "comments", "views", "followers"):
                    optional_count(value, where)
                if name == "verified":
                    optional_bool(value, where)
                if name == "created_at":
                    parse_timestamp(value, where, fmt=spec.timestamp_format, naive_tz=self.naive_tz)
            except RecordError as exc:
                raise ConfigError(self.path or "mapping", where, str(exc)) from None

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except FileNotFoundError:
            raise ConfigError(str(path), None, "no such mapping file") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(str(path), None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise ConfigError(str(path), None, f"cannot read the mapping file: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(str(path), mark.line + 1 if mark else None, f"not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(str(path), 1, "a mapping file is a YAML mapping with 'columns'")
        try:
            return cls(MappingSpec.model_validate(data), str(path))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown setting '{err['loc'][-1]}'"
            raise ConfigError(str(path), where, msg) from exc

    def column_for(self, name: str) -> str:
        return self.spec.columns.get(name, name)

    def resolve(self, available: list[str], source: str, default_channel: str | None) -> dict[str, str]:
        """canonical field -> source column, for the fields this file provides.

        Raises :class:`~socialaudit.errors.FormatError` naming what is missing.
        """
        from ..errors import FormatError

        lower = {c.strip().lower(): c for c in available}
        found: dict[str, str] = {}
        for name in ALL_FIELDS:
            column = self.column_for(name)
            if column in available:
                found[name] = column
            elif column.lower() in lower:
                found[name] = lower[column.lower()]
        roles = self.spec.roles
        if roles:
            column = roles.column if roles.column in available else lower.get(roles.column.strip().lower())
            if column is None:
                raise FormatError(source, f"role column '{roles.column}' (from the mapping) is missing")
            found["author_role"] = column
        missing = [n for n in REQUIRED_FIELDS if n not in found and n not in self.spec.constants
                   and not (n == "channel" and default_channel)]
        if missing:
            wanted = ", ".join(f"{n} (column '{self.column_for(n)}')" for n in missing)
            have = ", ".join(available[:12]) or "nothing"
            hint = "" if self.path else "; describe other layouts with --mapping FILE.yaml"
            raise FormatError(source, f"missing required column(s) {wanted}; the file has: {have}{hint}")
        return found

    def reader(self, found: dict[str, str], default_channel: str | None
               ) -> Callable[[Mapping[str, Any], int, str], tuple[PostRecord, AccountRecord | None]]:
        """A function turning one row (column -> value) into records; raises RecordError."""
        spec = self.spec
        constants = spec.constants
        fmt, naive_tz = spec.timestamp_format, self.naive_tz
        roles = spec.roles
        role_values = ({v.strip().lower(): "brand" for v in roles.brand}
                       | {v.strip().lower(): "consumer" for v in roles.consumer}) if roles else {}
        role_column = found.get("author_role", roles.column) if roles else None

        def get(row: Mapping[str, Any], name: str) -> Any:
            if name in found:
                value = row.get(found[name])
                if not _missing(value):
                    return value
            return constants.get(name)

        def read(row: Mapping[str, Any], line: int, item: str) -> tuple[PostRecord, AccountRecord | None]:
            col = self.column_for
            channel_value = _text(get(row, "channel"), col("channel")) or default_channel
            if not channel_value or not channel_value.strip():
                raise RecordError(f"missing channel in {col('channel')}")
            channel = normalise_channel(channel_value)
            author = _id(get(row, "author"), col("author"))
            parent = _id(get(row, "parent_id"), col("parent_id"))
            if roles:
                raw_role = row.get(role_column)
                if _missing(raw_role):
                    raise RecordError(f"missing role in {role_column} (expected one of {', '.join(role_values)})")
                role = role_values.get(str(raw_role).strip().lower())
                if role is None:
                    raise RecordError(f"bad role '{snippet(raw_role)}' in {role_column} "
                                      f"(expected one of {', '.join(role_values)})")
            else:
                role = _text(get(row, "author_role"), col("author_role"))
                if role is not None:
                    role = role.strip().lower()
                    if role not in ("brand", "consumer"):
                        raise RecordError(f"bad author_role '{snippet(role)}' in {col('author_role')} "
                                          "(expected brand or consumer)")
            kind = _text(get(row, "kind"), col("kind"))
            if kind is None:
                kind = "reply" if parent else "post"
            else:
                kind = kind.strip().lower()
                if kind not in KINDS:
                    raise RecordError(f"bad kind '{snippet(kind)}' in {col('kind')} (one of {', '.join(KINDS)})")
            media_type = _text(get(row, "media_type"), col("media_type"))
            if media_type is not None:
                media_type = media_type.strip().lower()
                media_type = media_type if media_type in MEDIA_TYPES else _MEDIA_ALIASES.get(media_type, "other")
            company = _text(get(row, "company"), col("company"))
            handle = _text(get(row, "handle"), col("handle"))
            post = PostRecord(
                channel=channel,
                post_id=_id(get(row, "id"), col("id"), required=True),  # type: ignore[arg-type]
                created_at=parse_timestamp(get(row, "created_at"), col("created_at"), fmt=fmt, naive_tz=naive_tz),
                account_id=author,
                handle=handle if handle is not None else author,
                role_hint=role,
                kind=kind,
                text=_text(get(row, "text"), col("text")),
                parent_id=parent,
                ref_id=_id(get(row, "ref_id"), col("ref_id")),
                conversation_id=_id(get(row, "conversation_id"), col("conversation_id")),
                likes=optional_count(get(row, "likes"), col("likes")),
                shares=optional_count(get(row, "shares"), col("shares")),
                comments=optional_count(get(row, "comments"), col("comments")),
                views=optional_count(get(row, "views"), col("views")),
                url=_text(get(row, "url"), col("url")),
                media_type=media_type,
                lang=_text(get(row, "lang"), col("lang")),
                company=None if company is None else company.strip(),
                line=line,
                item=item,
            )
            account = None
            followers, verified = get(row, "followers"), get(row, "verified")
            display = _text(get(row, "display_name"), col("display_name"))
            if author is not None and (followers is not None or verified is not None or display is not None):
                account = AccountRecord(
                    channel=channel, account_id=author, handle=post.handle,
                    display_name=display,
                    followers=optional_count(followers, col("followers")),
                    verified=optional_bool(verified, col("verified")), role_hint=role)
            return post, account

        return read


#: Media type words exports use for the canonical ones.
_MEDIA_ALIASES = {"photo": "image", "picture": "image", "img": "image", "gif": "video", "animated_gif": "video",
                  "album": "carousel", "url": "link", "status": "text"}


def _missing(value: Any) -> bool:
    """An empty cell: null, blank text, or a float NaN (how pandas writes a gap)."""
    return (value is None or (isinstance(value, str) and not value.strip())
            or (isinstance(value, float) and math.isnan(value)))


def _text(value: Any, column: str) -> str | None:
    """A text field: strings as they are, numbers and dates as text; objects are refused
    (a nested JSON object is not a text, and its Python repr must not be stored as one)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError(f"bytes that are not valid UTF-8 in {column}") from None
    if isinstance(value, (dict, list, tuple, set)):
        kind = "an object" if isinstance(value, dict) else "a list"
        raise RecordError(f"expected text in {column}, found {kind}")
    return str(value)


def _id(value: Any, column: str, *, required: bool = False) -> str | None:
    if isinstance(value, bytes):
        value = _text(value, column)
    if isinstance(value, float) and value.is_integer() and abs(value) >= _EXACT_FLOAT:
        raise RecordError(f"id {value:.0f} in {column} is a floating-point number too large to be exact "
                          "(its last digits are lost; keep ids as text or integers)")
    return require_id(value, column) if required else optional_id(value, column)


DEFAULT_MAPPING = ColumnMapping()


RowReader = Callable[[Mapping[str, Any], int, str], tuple[PostRecord, AccountRecord | None]]


def read_row_into(batch: ParsedBatch, read: RowReader, row: Mapping[str, Any], line: int, item: str,
                  refuse: Callable[[str], Quarantined]) -> None:
    """Read one generic row into ``batch``; a bad row becomes ``refuse(reason)`` in its quarantine.

    The one loop body of the generic CSV, JSONL and Parquet formats.
    """
    batch.rows_read += 1
    try:
        post, account = read(row, line, item)
    except RecordError as exc:
        batch.quarantined.append(refuse(str(exc)))
        return
    batch.posts.append(post)  # type: ignore[union-attr]
    if account is not None:
        batch.accounts.append(account)
