"""Audit parameters: every threshold of the operational definitions, with the study defaults.

The defaults are the ones in DESIGN.md ("Operational definitions"); a YAML file
(``--config``) or CLI flags change them.  The same object is written into the audit's
``summary.json``, so every figure can be traced to the parameters that produced it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError

DEFAULT_WEIGHTS = {
    "responsiveness": 0.30,
    "speed": 0.20,
    "interaction": 0.15,
    "consistency": 0.15,
    "storytelling": 0.10,
    "influencers": 0.10,
}


class AuditConfig(BaseModel):
    """Parameters of an audit (see docs/metrics.md for what each one means)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    since: dt.datetime | None = Field(None, description="first instant of the audited period (inbound posts)")
    until: dt.datetime | None = Field(None, description="end of the audited period (exclusive)")
    response_window_days: float = Field(7.0, gt=0, description="a brand reply counts within this many days")
    broadcast_only_share: float = Field(0.95, ge=0, le=1, description="own top-level share for 'broadcast only'")
    regular_week_share: float = Field(0.75, ge=0, le=1, description="share of weeks with actionable inbound "
                                                                     "in which the company responds")
    regular_response_rate: float = Field(0.5, ge=0, le=1, description="response rate for 'regular interaction'")
    regular_min_channels: int = Field(2, ge=1, description="channels needed for 'regular across channels'")
    influencer_top_share: float = Field(0.01, gt=0, le=1, description="top share of consumers by followers or "
                                                                       "engagement counted as influencers")
    influencer_min_followers: int = Field(10_000, ge=0, description="followers that make an influencer")
    influencer_min_channels: int = Field(2, ge=2, description="channels for 'follows influencers across channels'")
    storytelling_series_posts: int = Field(3, ge=2, description="posts sharing a tag that make a series")
    storytelling_series_weeks: int = Field(2, ge=1, description="weeks a series must span to be 'not scattered'")
    storytelling_long_form_chars: int = Field(500, ge=1, description="text length that counts as long-form")
    sla_hours: list[float] = Field([1, 4, 8, 24], description="upper bounds of the response-time buckets")
    ranking_min_companies: int = Field(3, ge=1, description="companies an industry needs to be ranked (fewer "
                                                              "are listed, unranked: one company has no spread)")
    bootstrap_samples: int = Field(2000, ge=100, description="bootstrap resamples for confidence intervals")
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    seed: int = Field(20241123, description="random seed of the bootstrap (results are reproducible)")
    score_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS),
                                            description="weights of the engagement score's components")

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return v

    @field_validator("sla_hours")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if not v or any(b <= a for a, b in zip(v, v[1:])) or v[0] <= 0:
            raise ValueError("sla_hours must be positive and increasing, e.g. [1, 4, 8, 24]")
        return v

    @field_validator("score_weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = set(v) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown score components {sorted(unknown)} (known: {', '.join(DEFAULT_WEIGHTS)})")
        if any(w < 0 for w in v.values()) or not sum(v.values()):
            raise ValueError("score weights must be non-negative and not all zero")
        full = {k: float(v.get(k, 0.0)) for k in DEFAULT_WEIGHTS}
        total = sum(full.values())
        return {k: w / total for k, w in full.items()}

    @model_validator(mode="after")
    def _period(self) -> AuditConfig:
        if self.since and self.until and self.until <= self.since:
            raise ValueError("until must be after since")
        return self

    @property
    def window_seconds(self) -> float:
        return self.response_window_days * 86400.0

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: object) -> AuditConfig:
        """Defaults, then the YAML file, then explicit overrides (CLI flags that were given)."""
        data: dict = {}
        if path is not None:
            path = Path(path)
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except FileNotFoundError:
                raise ConfigError(str(path), None, "no such config file") from None
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise ConfigError(str(path), mark.line + 1 if mark else None, f"not valid YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise ConfigError(str(path), 1, "an audit config is a YAML mapping of parameters")
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "config"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown parameter '{err['loc'][-1]}'"
            raise ConfigError(str(path) if path else "audit parameters", where, msg) from exc
