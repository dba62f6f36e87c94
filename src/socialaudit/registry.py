"""The company registry: who the audited companies are and which accounts are theirs.

A registry is YAML (see ``docs/registry.md``)::

    companies:
      - id: sprint
        name: Sprint
        industry: telecom
        country: US
        timezone: America/Chicago
        business_hours: {mon-fri: "08:00-20:00", sat-sun: "09:00-17:00"}
        holidays: US
        accounts:
          twitter: [sprintcare]
    people:                      # optional: one person behind accounts on several channels
      - id: jane
        accounts: {twitter: janedoe, instagram: jane.doe}

or CSV with one row per account: ``company_id,name,industry,country,timezone,
business_hours,holidays,channel,handle``.  Errors name the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .hours import hours_to_json, parse_hours
from .industries import INDUSTRIES
from .model import normalise_channel
from .yamlconfig import _format_loc, _message, load_yaml_model

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_HOLIDAYS = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$")
_TIMEZONES: set[str] | None = None


def _known_timezone(name: str) -> bool:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = available_timezones()
    if name in _TIMEZONES or name == "UTC":
        return True
    try:
        ZoneInfo(name)
        return True
    except Exception:  # noqa: BLE001 - zoneinfo raises several types for bad keys
        return False


def _handles(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, (str, int)) or not str(item).strip():
            raise ValueError(f"bad account handle {item!r}")
        out.append(str(item).strip().lstrip("@"))
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompanySpec(_Strict):
    id: str
    name: str = Field(min_length=1)
    industry: str | None = None
    country: str | None = None
    timezone: str = "UTC"
    business_hours: Any = Field(default=None, validate_default=True)
    holidays: str | None = None
    parent: str | None = None
    accounts: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("ids are lower-case letters, digits, '_', '-' or '.', starting with a letter or digit")
        return v

    @field_validator("industry")
    @classmethod
    def _check_industry(cls, v: str | None) -> str | None:
        if v is not None and v not in INDUSTRIES:
            raise ValueError(f"unknown industry '{v}' (known: {', '.join(sorted(INDUSTRIES))})")
        return v

    @field_validator("country")
    @classmethod
    def _check_country(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("country is a two-letter ISO code such as US or GB")
        return v

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, v: str) -> str:
        if not _known_timezone(v):
            raise ValueError(f"unknown time zone '{v}' (an IANA name such as Europe/Berlin)")
        return v

    @field_validator("business_hours")
    @classmethod
    def _check_hours(cls, v: Any) -> str:
        return hours_to_json(parse_hours(v))

    @field_validator("holidays")
    @classmethod
    def _check_holidays(cls, v: str | None) -> str | None:
        if v is not None and not _HOLIDAYS.match(v):
            raise ValueError("holidays is a country code with optional subdivision, e.g. US, GB-ENG, DE-BY")
        return v

    @field_validator("accounts")
    @classmethod
    def _check_accounts(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {normalise_channel(ch): _handles(h) for ch, h in v.items()}


class PersonSpec(_Strict):
    id: str
    accounts: dict[str, Any]

    @field_validator("accounts")
    @classmethod
    def _check_accounts(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {normalise_channel(ch): _handles(h) for ch, h in v.items()}


class RegistrySpec(_Strict):
    version: int = 1
    companies: list[CompanySpec] = Field(default_factory=list)
    people: list[PersonSpec] = Field(default_factory=list)


@dataclass
class Registry:
    """A validated registry, ready to be written to the store."""

    path: str
    companies: list[CompanySpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)

    def brand_handles(self) -> dict[tuple[str, str], str]:
        """(channel, lower-case handle) -> company id."""
        return {(ch, h.lower()): c.id for c in self.companies for ch, hs in c.accounts.items() for h in hs}


def load_registry(path: str | Path) -> Registry:
    path = Path(path)
    if not path.exists():
        raise ConfigError(str(path), None, "no such registry file")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        spec = _spec_from_csv(str(path), text)
    else:
        spec = _spec_from_yaml(str(path), text)
    _check_unique(str(path), spec)
    return Registry(str(path), spec.companies, spec.people)


def _spec_from_yaml(path: str, text: str) -> RegistrySpec:
    return load_yaml_model(path, text, RegistrySpec, "a registry is a mapping with a 'companies' list")


_CSV_COLUMNS = ("company_id", "name", "industry", "country", "timezone", "business_hours", "holidays",
                "parent", "channel", "handle")


def _spec_from_csv(path: str, text: str) -> RegistrySpec:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise ConfigError(path, 1, "empty registry")
    unknown = [c for c in reader.fieldnames if c not in _CSV_COLUMNS]
    if unknown:
        raise ConfigError(path, 1, f"unknown column(s) {', '.join(unknown)} (known: {', '.join(_CSV_COLUMNS)})")
    for required in ("company_id", "name"):
        if required not in reader.fieldnames:
            raise ConfigError(path, 1, f"missing column '{required}'")
    companies: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cid = (row.get("company_id") or "").strip()
        if not cid:
            raise ConfigError(path, line, "empty company_id")
        entry = companies.setdefault(cid, {"id": cid, "accounts": {}})
        lines.setdefault(cid, line)
        for key in ("name", "industry", "country", "timezone", "holidays", "parent"):
            value = (row.get(key) or "").strip()
            if value:
                if key in entry and entry[key] != value:
                    raise ConfigError(path, line, f"company '{cid}' has two different {key} values")
                entry[key] = value
        hours = (row.get("business_hours") or "").strip()
        if hours:
            entry["business_hours"] = _hours_from_csv(path, line, hours)
        channel, handle = (row.get("channel") or "").strip(), (row.get("handle") or "").strip()
        if channel and handle:
            entry["accounts"].setdefault(channel, []).append(handle)
        elif channel or handle:
            raise ConfigError(path, line, "channel and handle go together")
    specs = []
    for cid, entry in companies.items():
        try:
            specs.append(CompanySpec.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(path, f"{lines[cid]} ({cid}.{_format_loc(err['loc'])})", _message(err)) from exc
    return RegistrySpec(companies=specs)


def _hours_from_csv(path: str, line: int, text: str) -> Any:
    """CSV hours: ``24/7`` or ``mon-fri 09:00-17:00; sat 10:00-14:00``."""
    if text.lower() in ("24/7", "always"):
        return text
    spec: dict[str, list[str]] = {}
    for part in text.split(";"):
        bits = part.strip().split()
        if len(bits) != 2:
            raise ConfigError(path, line, f"bad business_hours '{part.strip()}' (expected 'mon-fri 09:00-17:00')")
        spec.setdefault(bits[0], []).append(bits[1])
    return spec


def _check_unique(path: str, spec: RegistrySpec) -> None:
    seen: dict[str, int] = {}
    handles: dict[tuple[str, str], str] = {}
    for i, company in enumerate(spec.companies):
        if company.id in seen:
            raise ConfigError(path, f"companies[{i}].id", f"duplicate company id '{company.id}'")
        seen[company.id] = i
        for channel, hs in company.accounts.items():
            for h in hs:
                key = (channel, h.lower())
                if key in handles and handles[key] != company.id:
                    raise ConfigError(path, f"companies[{i}].accounts.{channel}",
                                      f"account '{h}' is already declared for company '{handles[key]}'")
                handles[key] = company.id
