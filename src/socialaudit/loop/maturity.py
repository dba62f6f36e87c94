"""The maturity index (0–100) and the leader / laggard split of a cohort (Study B).

Study B compares "leaders" with "laggards"; it does not publish how it drew the line, so
socialaudit uses a documented index from four components, each between 0 and 1:

* **practices**: share of the four practices (corporate blog, mobile apps, video
  channels, gamification) the company has, among those whose answer is known;
* **departments**: departments taking part in social media / 5 (Study B: leaders
  involve all departments);
* **roi**: 1.0 for a positive computed ROI, 0.5 for a computed ROI that is zero or
  negative, or for a company that says it measures ROI but whose ROI socialaudit cannot
  compute; 0.0 for "no ROI" (Study B separates measuring the ROI, which 56 % do, from
  getting a positive one: measuring is half-way);
* **engagement**: the audit's engagement score (0–100) / 100, i.e. what the company is
  *seen* to do, not what it says.

A component whose data is missing is left out and the remaining weights are rescaled (as
in the engagement score), so a company is neither rewarded nor punished for what is not
known; the result records which components were used.

Leaders are the top quartile of the cohort by index, laggards the bottom quartile (see
:func:`classify_cohort` for ties and small cohorts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .profile import DEPARTMENTS, Profile
from .roi import RoiResult

COMPONENTS = ("practices", "departments", "roi", "engagement")
LEADER, LAGGARD, MIDDLE, UNCLASSIFIED = "leader", "laggard", "middle", "unclassified"


class MaturityWeights(BaseModel):
    """Weights of the four components (relative; they need not sum to 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    practices: float = Field(0.25, ge=0)
    departments: float = Field(0.25, ge=0)
    roi: float = Field(0.25, ge=0)
    engagement: float = Field(0.25, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> MaturityWeights:
        if not sum(self.as_dict().values()) > 0:
            raise ValueError("maturity weights must not all be zero")
        return self

    def as_dict(self) -> dict[str, float]:
        return {c: getattr(self, c) for c in COMPONENTS}


@dataclass
class Maturity:
    company_id: str
    score: float | None  # 0-100, None when no component is known
    components: dict[str, float | None]
    used: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)  # the weights applied, rescaled to sum to 1


def roi_component(roi: RoiResult | None, measures_roi: bool | None = None) -> float | None:
    """1 positive ROI, 0.5 computed but not positive (or measured by the company, not computable here), 0 no ROI."""
    if roi is not None and roi.computed:
        return 1.0 if roi.positive else 0.5
    if measures_roi:
        return 0.5
    if roi is not None or measures_roi is False:
        return 0.0
    return None


def components(profile: Profile | None, roi: RoiResult | None, engagement: float | None) -> dict[str, float | None]:
    practices = departments = None
    measures_roi = None
    if profile is not None:
        known = [v for v in profile.practices().values() if v is not None]
        practices = sum(known) / len(known) if known else None
        departments = len(profile.departments) / len(DEPARTMENTS) if profile.departments is not None else None
        measures_roi = profile.measures_roi
    if engagement is not None and not math.isnan(engagement):
        engagement = min(max(engagement / 100.0, 0.0), 1.0)
    else:
        engagement = None
    return {"practices": practices, "departments": departments, "roi": roi_component(roi, measures_roi),
            "engagement": engagement}


def maturity(company_id: str, *, profile: Profile | None = None, roi: RoiResult | None = None,
             engagement: float | None = None, weights: MaturityWeights | None = None) -> Maturity:
    """The maturity index of one company; ``engagement`` is the audit's 0-100 engagement score."""
    weights = weights or MaturityWeights()
    parts = components(profile, roi, engagement)
    w = weights.as_dict()
    used = [c for c in COMPONENTS if parts[c] is not None and w[c] > 0]
    total = sum(w[c] for c in used)
    if not total:
        return Maturity(company_id, None, parts, [], {})
    applied = {c: w[c] / total for c in used}
    return Maturity(company_id, 100.0 * sum(applied[c] * parts[c] for c in used), parts, used, applied)


def classify_cohort(scores: dict[str, float | None], quantile: float = 0.25, min_companies: int = 4
                    ) -> dict[str, str]:
    """Leaders (top ``quantile``), laggards (bottom ``quantile``) and the middle of a cohort.

    With n scored companies, k = max(1, floor(quantile × n)).  A company is a *leader* when
    fewer than k companies score strictly higher, a *laggard* when fewer than k score
    strictly lower ("competition ranking": companies tied at the cut-off share the better
    rank, so equal scores always get the same class and a group may have more than k
    members).  A company that would be both (the cohort is too tied to split) is *middle*.
    Companies without a score, and every company of a cohort with fewer than
    ``min_companies`` scores, are *unclassified*: a quartile of three companies says nothing.
    """
    if not 0 < quantile <= 0.5:
        raise ValueError("quantile must be in (0, 0.5]")
    valid = {c: s for c, s in scores.items() if s is not None and not math.isnan(s)}
    out = {c: UNCLASSIFIED for c in scores}
    n = len(valid)
    if n < max(min_companies, 1):
        return out
    k = max(1, math.floor(quantile * n + 1e-9))
    values = sorted(valid.values())
    for company, s in valid.items():
        higher = sum(1 for v in values if v > s)
        lower = sum(1 for v in values if v < s)
        leader, laggard = higher < k, lower < k
        out[company] = LEADER if leader and not laggard else LAGGARD if laggard and not leader else MIDDLE
    return out
