"""The company profile: what a company says about its own social-media set-up (Study B).

One :class:`Profile` per company and year, from a profile file (YAML or CSV, see
``docs/profiles.md``) or from the Study B questionnaire (``socialaudit.loop.survey``).
Money is in one currency per cohort (the file says which); percentages are 0–100.  Every
numeric value input may be a single number or an uncertain range ``[low, high]``: the ROI
is then reported as a range from a sensitivity analysis over those inputs.  A field left
out is unknown (``None``), never zero: an ROI that needs it is "not computable".
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The departments feedback is routed to (ids used in files, the CLI and the store).
DEPARTMENTS = ("rnd", "product", "service", "sales", "marketing")
DEPARTMENT_NAMES = {"rnd": "R&D", "product": "product management", "service": "customer service",
                    "sales": "sales", "marketing": "marketing"}
PRACTICES = ("corporate_blog", "mobile_apps", "video_channels", "gamification")

Money = Annotated[float, Field(ge=0, description="an amount of money, not negative")]
Percent = Annotated[float, Field(ge=0, le=100, description="a percentage, 0 to 100")]


class Range(BaseModel):
    """An uncertain input: the ROI sensitivity analysis varies it between ``low`` and ``high``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"range low {self.low} is above high {self.high}")
        return self

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}
_NUMBER = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(k|mn|m|bn|b)?", re.IGNORECASE)


def _number(value, *, percent: bool) -> float:
    """One number: 2500, 1.5M, 2bn (k, M/mn, bn/b scale it; budgets are written that way), 30% for percentages."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if percent:
            text = text.removesuffix("%").strip()
        match = _NUMBER.fullmatch(text)
        if not match:
            raise ValueError(f"expected a number (e.g. 2500 or 1.5M) or a range low..high, got {value!r}")
        number = float(match[1]) * _SCALE[(match[2] or "").lower()]
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _bounds(value, *, percent: bool) -> tuple[float, float]:
    if isinstance(value, Range):
        return value.low, value.high
    if isinstance(value, dict):
        if set(value) != {"low", "high"}:
            raise ValueError("a range is {low: ..., high: ...}")
        value = [value["low"], value["high"]]
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError("a range is [low, high]")
        return _number(value[0], percent=percent), _number(value[1], percent=percent)
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip().removesuffix("%").strip()):
        # "low..high"; "low-high" (a dash after the first character) is accepted too
        text = value.strip()
        dash = text.find("-", 1)
        if ".." in text:
            low, high = text.split("..", 1)
        elif dash > 0:
            low, high = text[:dash], text[dash + 1:]
        else:
            low = high = text
        return _number(low, percent=percent), _number(high, percent=percent)
    v = _number(value, percent=percent)
    return v, v


def _as_range(value, *, percent: bool, name: str) -> Range | None:
    """A number or [low, high] (list, mapping or "low..high"/"low-high" string) -> Range; checks bounds."""
    if value is None or value == "":
        return None
    low, high = _bounds(value, percent=percent)
    if min(low, high) < 0:
        raise ValueError(f"{name} must not be negative (got {min(low, high):g})")
    if low > high:
        raise ValueError(f"range low {low:g} is above high {high:g}")
    if percent and high > 100:
        raise ValueError(f"a percentage must be between 0 and 100 (got {high:g})")
    return Range(low=low, high=high)


MONEY_INPUTS = ("social_spend", "cost_per_fte", "cost_per_contact", "attributed_revenue", "value_per_idea")
PERCENT_INPUTS = ("deflection_pct", "idea_acceptance_pct")
COUNT_INPUTS = ("social_fte",)
UNCERTAIN_INPUTS = MONEY_INPUTS + PERCENT_INPUTS + COUNT_INPUTS


class Profile(BaseModel):
    """A company's Study B profile for one year.  Unknown fields are refused (a typo would
    otherwise silently become a missing input)."""

    model_config = ConfigDict(extra="forbid")

    company_id: str = Field(min_length=1)
    year: int | None = Field(None, ge=1990, le=2100)
    example: bool = Field(False, description="marks illustrative profiles (the demo's), never real data")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every amount")
    source: str | None = Field(None, description="the file the profile was read from (set by the loader)")
    # cost
    social_spend: Range | None = Field(None, description="yearly spend on social media (agencies, ads, tools)")
    social_fte: Range | None = Field(None, description="full-time equivalents working on social media")
    cost_per_fte: Range | None = Field(None, description="loaded yearly cost of one FTE")
    # organisation and practices
    departments: list[Literal["rnd", "product", "service", "sales", "marketing"]] | None = Field(
        None, description="departments taking part in social media")
    corporate_blog: bool | None = None
    mobile_apps: bool | None = None
    video_channels: bool | None = None
    gamification: bool | None = None
    measures_roi: bool | None = Field(None, description="the company computes the ROI of social media")
    realises_business_value: bool | None = Field(
        None, description="social media brings measurable acquisition or after-sales value (self-assessed)")
    # value inputs
    cost_per_contact: Range | None = Field(None, description="cost of one service contact on another channel")
    deflection_pct: Range | None = Field(None, description="share of social service answers that replace a "
                                                           "contact on another channel, 0-100")
    attributed_revenue: Range | None = Field(None, description="yearly revenue attributed to social media")
    value_per_idea: Range | None = Field(None, description="value of one accepted product idea")
    idea_acceptance_pct: Range | None = Field(None, description="share of routed product ideas accepted, 0-100")

    @field_validator(*MONEY_INPUTS, *COUNT_INPUTS, mode="before")
    @classmethod
    def _amount(cls, v, info):
        return _as_range(v, percent=False, name=info.field_name)

    @field_validator(*PERCENT_INPUTS, mode="before")
    @classmethod
    def _percent(cls, v, info):
        return _as_range(v, percent=True, name=info.field_name)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, v):
        return v.strip().upper() if isinstance(v, str) else v

    @field_validator("departments", mode="before")
    @classmethod
    def _departments(cls, v):
        if isinstance(v, str):
            v = [p.strip() for p in v.replace(";", ",").split(",") if p.strip()]
        if isinstance(v, list):
            v = [str(p).strip().lower() for p in v]
            unknown = [p for p in v if p not in DEPARTMENTS]
            if unknown:
                raise ValueError(f"unknown department(s) {', '.join(unknown)} (known: {', '.join(DEPARTMENTS)})")
            v = list(dict.fromkeys(v))
        return v

    def practices(self) -> dict[str, bool | None]:
        return {p: getattr(self, p) for p in PRACTICES}
