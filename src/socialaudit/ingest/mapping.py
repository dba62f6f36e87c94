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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ConfigError
from ..model import KINDS, MEDIA_TYPES, UTC, AccountRecord, PostRecord, normalise_channel
from .base import RecordError
from .values import (optional_bool, optional_count, optional_id, parse_timestamp, require_id, snippet, zone)

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
        unknown = [k for k in v if k not in ALL_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(ALL_FIELDS)})")
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

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except FileNotFoundError:
            raise ConfigError(str(path), None, "no such mapping file") from None
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
        if self.spec.roles and self.spec.roles.column not in available:
            raise FormatError(source, f"role column '{self.spec.roles.column}' (from the mapping) is missing")
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

        def get(row: Mapping[str, Any], name: str) -> Any:
            if name in found:
                value = row.get(found[name])
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    return value
            return constants.get(name)

        def read(row: Mapping[str, Any], line: int, item: str) -> tuple[PostRecord, AccountRecord | None]:
            col = self.column_for
            channel_value = get(row, "channel") or default_channel
            if not channel_value:
                raise RecordError(f"missing channel in {col('channel')}")
            channel = normalise_channel(str(channel_value))
            author = optional_id(get(row, "author"), col("author"))
            parent = optional_id(get(row, "parent_id"), col("parent_id"))
            if roles:
                raw_role = row.get(roles.column)
                role = role_values.get(str(raw_role).strip().lower()) if raw_role is not None else None
                if role is None:
                    raise RecordError(f"bad role '{snippet(raw_role)}' in {roles.column} "
                                      f"(expected one of {', '.join(role_values)})")
            else:
                role = get(row, "author_role")
                if role is not None:
                    role = str(role).strip().lower()
                    if role not in ("brand", "consumer"):
                        raise RecordError(f"bad author_role '{snippet(role)}' in {col('author_role')} "
                                          "(expected brand or consumer)")
            kind = get(row, "kind")
            if kind is None:
                kind = "reply" if parent else "post"
            else:
                kind = str(kind).strip().lower()
                if kind not in KINDS:
                    raise RecordError(f"bad kind '{snippet(kind)}' in {col('kind')} (one of {', '.join(KINDS)})")
            media_type = get(row, "media_type")
            if media_type is not None:
                media_type = str(media_type).strip().lower()
                if media_type not in MEDIA_TYPES:
                    media_type = "other"
            text = get(row, "text")
            company = get(row, "company")
            handle = get(row, "handle")
            post = PostRecord(
                channel=channel,
                post_id=require_id(get(row, "id"), col("id")),
                created_at=parse_timestamp(get(row, "created_at"), col("created_at"), fmt=fmt, naive_tz=naive_tz),
                account_id=author,
                handle=str(handle) if handle is not None else author,
                role_hint=role,
                kind=kind,
                text=None if text is None else str(text),
                parent_id=parent,
                ref_id=optional_id(get(row, "ref_id"), col("ref_id")),
                conversation_id=optional_id(get(row, "conversation_id"), col("conversation_id")),
                likes=optional_count(get(row, "likes"), col("likes")),
                shares=optional_count(get(row, "shares"), col("shares")),
                comments=optional_count(get(row, "comments"), col("comments")),
                views=optional_count(get(row, "views"), col("views")),
                url=_str(get(row, "url")),
                media_type=media_type,
                lang=_str(get(row, "lang")),
                company=None if company is None else str(company).strip(),
                line=line,
                item=item,
            )
            account = None
            followers, verified = get(row, "followers"), get(row, "verified")
            display = get(row, "display_name")
            if author is not None and (followers is not None or verified is not None or display is not None):
                account = AccountRecord(
                    channel=channel, account_id=author, handle=post.handle,
                    display_name=_str(display),
                    followers=optional_count(followers, col("followers")),
                    verified=optional_bool(verified, col("verified")), role_hint=role)
            return post, account

        return read


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


DEFAULT_MAPPING = ColumnMapping()
