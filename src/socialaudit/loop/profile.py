"""The company profile: what a company says about its own social-media set-up (Study B).

One :class:`Profile` per company and year, from a profile file (YAML or CSV, see
``docs/profiles.md``) or from the Study B questionnaire (``socialaudit.loop.survey``).
Money is in one currency per cohort (the file says which); percentages are 0–100.  Every
numeric value input may be a single number or an uncertain range ``[low, high]``: the ROI
is then reported as a range from a sensitivity analysis over those inputs.  A field left
out is unknown (``None``), never zero: an ROI that needs it is "not computable".
"""

from __future__ import annotations

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


def _as_range(value, *, percent: bool, name: str) -> Range | None:
    """A number or [low, high] (list or "low-high"/"low..high" string) -> Range; checks bounds."""
    if value is None or value == "":
        return None
    if isinstance(value, Range):
        r = value
    elif isinstance(value, dict):
        r = Range(**value)
    elif isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError("a range is [low, high]")
        r = Range(low=float(value[0]), high=float(value[1]))
    elif isinstance(value, str) and (".." in value or (value.count("-") == 1 and not value.startswith("-"))):
        low, high = value.replace("..", "-").split("-")
        r = Range(low=float(low), high=float(high))
    else:
        v = float(value)
        r = Range(low=v, high=v)
    if r.low < 0:
        raise ValueError(f"{'percentage' if percent else 'amount'} must not be negative (got {r.low:g})")
    if percent and r.high > 100:
        raise ValueError(f"a percentage must be between 0 and 100 (got {r.high:g})")
    return r


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
