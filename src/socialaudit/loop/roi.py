"""The return on social media of one company, with a sensitivity analysis (Study B's ROI).

ROI = (value − cost) / cost, per year, where

* cost  = ``social_spend`` + ``social_fte`` × ``cost_per_fte``;
* value = deflected service contacts × ``cost_per_contact``
  (annual observed service answers × ``deflection_pct`` / 100 × ``cost_per_contact``)
  + ``attributed_revenue``
  + annual observed ideas routed × ``idea_acceptance_pct`` / 100 × ``value_per_idea``.

The counts come from what the audit observed (:class:`Observed`), the money and shares from
the company's :class:`~socialaudit.loop.profile.Profile`.  Study B found that 44 % of
companies never compute an ROI, so an ROI that cannot be computed is a finding in itself:
it is reported as status ``"no ROI"`` with the inputs that would make it computable, never
as zero (a zero would read as "breaks even").  A value term whose inputs are all unknown is
left out (the company does not claim that kind of value); a term with only some inputs
known is left out too, but its missing inputs are listed so a report can say the ROI is
incomplete.

Every money, share and FTE input may be a range; the point estimate uses the mid-points,
and a seeded Monte Carlo (uniform within each range) gives the 5th–95th percentile band and
the probability that the ROI is negative.  A one-at-a-time tornado shows which input moves
the ROI most, which is what a company should pin down first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .profile import UNCERTAIN_INPUTS, Profile

NO_ROI = "no ROI"
COMPUTED = "computed"

#: Value terms: name -> (profile inputs, observed count or None).
VALUE_TERMS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "deflected_service_contacts": (("cost_per_contact", "deflection_pct"), "service_answers"),
    "attributed_revenue": (("attributed_revenue",), None),
    "product_ideas": (("value_per_idea", "idea_acceptance_pct"), "ideas_routed"),
}

PERCENTILES = (5.0, 95.0)


@dataclass(frozen=True)
class Observed:
    """What the audit saw a company do on social media over ``period_days``."""

    company_id: str
    period_days: float
    service_answers: int  # consumer questions/complaints the company answered on social
    ideas_routed: int  # product-feedback items routed to R&D / product management

    def __post_init__(self) -> None:
        if not self.period_days > 0:
            raise ValueError(f"period_days must be positive (got {self.period_days})")
        if self.service_answers < 0 or self.ideas_routed < 0:
            raise ValueError("observed counts must not be negative")

    @property
    def annual_factor(self) -> float:
        """Counts are per period; the ROI is per year (the profile's money is yearly)."""
        return 365.0 / self.period_days

    def annual(self, count: str) -> float:
        return getattr(self, count) * self.annual_factor


@dataclass(frozen=True)
class TornadoBar:
    """The ROI with one input at its low and at its high end, the others at their mid-points."""

    input: str
    roi_at_low: float | None
    roi_at_high: float | None

    @property
    def swing(self) -> float:
        if self.roi_at_low is None or self.roi_at_high is None:
            return float("inf")
        return abs(self.roi_at_high - self.roi_at_low)


@dataclass
class RoiResult:
    company_id: str
    status: str  # "computed" | "no ROI"
    cost: float | None
    value: float | None
    roi: float | None
    roi_low: float | None
    roi_high: float | None
    p_negative: float | None
    value_parts: dict[str, float | None]
    missing: list[str]
    tornado: list[TornadoBar] = field(default_factory=list)
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        return self.status == COMPUTED

    @property
    def negative(self) -> bool:
        return self.computed and self.roi is not None and self.roi < 0

    @property
    def positive(self) -> bool:
        return self.computed and self.roi is not None and self.roi > 0

    def as_row(self) -> dict:
        return asdict(self)


def _inputs(profile: Profile) -> dict:
    return {name: getattr(profile, name) for name in UNCERTAIN_INPUTS}


def _evaluate(x: dict, include_fte: bool, terms: list[str], annual: dict[str, float]):
    """Cost, value parts and ROI for input values ``x`` (floats or equal-length arrays)."""
    cost = x["social_spend"] + (x["social_fte"] * x["cost_per_fte"] if include_fte else 0.0)
    parts = {}
    if "deflected_service_contacts" in terms:
        parts["deflected_service_contacts"] = (annual["service_answers"] * x["deflection_pct"] / 100.0
                                               * x["cost_per_contact"])
    if "attributed_revenue" in terms:
        parts["attributed_revenue"] = x["attributed_revenue"]
    if "product_ideas" in terms:
        parts["product_ideas"] = annual["ideas_routed"] * x["idea_acceptance_pct"] / 100.0 * x["value_per_idea"]
    value = sum(parts.values())
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(np.asarray(cost) > 0, (value - cost) / np.where(np.asarray(cost) > 0, cost, 1.0), np.nan)
    return cost, parts, value, roi


def _point_roi(r) -> float | None:
    r = float(r)
    return None if np.isnan(r) else r


def roi(profile: Profile, observed: Observed | None, *, samples: int = 2000, seed: int = 0) -> RoiResult:
    """The ROI of ``profile``'s company given what was ``observed`` (see the module docstring)."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    if observed is not None and observed.company_id != profile.company_id:
        raise ValueError(f"observed counts are for {observed.company_id!r}, the profile for {profile.company_id!r}")
    ranges = _inputs(profile)
    notes: list[str] = []
    missing: list[str] = []

    # cost
    if ranges["social_spend"] is None:
        missing.append("social_spend")
    if ranges["social_fte"] is not None and ranges["cost_per_fte"] is None:
        missing.append("cost_per_fte")
    include_fte = ranges["social_fte"] is not None and ranges["cost_per_fte"] is not None
    if ranges["social_fte"] is None:
        notes.append("staff cost not included: social_fte unknown (cost is spend only)")
    cost_missing = list(missing)
    cost_known = not cost_missing

    # value terms
    terms: list[str] = []
    incomplete: list[str] = []
    needed: list[str] = []
    for term, (names, count) in VALUE_TERMS.items():
        absent = [n for n in names if ranges[n] is None]
        if count is not None and observed is None:
            absent.append(f"observed.{count}")
        needed.extend(absent)
        if not absent:
            terms.append(term)
        elif len(absent) < len(names) + (count is not None and observed is None):
            incomplete.append(term)
            missing.extend(absent)
            notes.append(f"{term} left out: {', '.join(absent)} unknown")
    annual = {c: (observed.annual(c) if observed is not None else 0.0) for c in ("service_answers", "ideas_routed")}
    used = ["social_spend"] + (["social_fte", "cost_per_fte"] if include_fte else [])
    used += [n for t in terms for n in VALUE_TERMS[t][0]]
    mid = {n: (ranges[n].mid if ranges[n] is not None else 0.0) for n in UNCERTAIN_INPUTS}

    def _result(status, cost, value, parts, r, reason=None, **rest) -> RoiResult:
        value_parts = {t: (float(parts[t]) if parts is not None and t in parts else None) for t in VALUE_TERMS}
        return RoiResult(profile.company_id, status, None if cost is None else float(cost),
                         None if value is None else float(value), r, rest.get("low"), rest.get("high"),
                         rest.get("p_negative"), value_parts, list(dict.fromkeys(missing)), rest.get("tornado", []),
                         reason, notes)

    if not terms:
        if not incomplete:
            missing.extend(needed)
        reason = ("no value term can be computed: needs (cost_per_contact and deflection_pct with observed "
                  "service answers) or attributed_revenue or (value_per_idea and idea_acceptance_pct with "
                  "observed ideas routed)")
        if not cost_known:
            reason = "cost unknown and " + reason
        cost = _evaluate(mid, include_fte, [], annual)[0] if cost_known else None
        return _result(NO_ROI, cost, None, None, None, reason)
    cost, parts, value, point = _evaluate(mid, include_fte, terms, annual)
    if not cost_known:
        return _result(NO_ROI, None, value, parts, None, f"cost unknown: {', '.join(cost_missing)} missing")
    if not cost > 0:
        return _result(NO_ROI, cost, value, parts, None, "cost is zero: the ROI (value − cost) / cost is undefined")

    point_roi = _point_roi(point)
    uncertain = [n for n in UNCERTAIN_INPUTS if n in used and ranges[n].low < ranges[n].high]
    if not uncertain:
        low = high = point_roi
        p_negative = float(point_roi < 0)
    else:
        rng = np.random.default_rng(seed)
        draws = {n: (rng.uniform(ranges[n].low, ranges[n].high, samples) if n in uncertain else mid[n])
                 for n in UNCERTAIN_INPUTS}
        rois = np.asarray(_evaluate(draws, include_fte, terms, annual)[3], dtype=float)
        finite = rois[np.isfinite(rois)]
        if len(finite) < len(rois):
            notes.append(f"{len(rois) - len(finite)} of {len(rois)} draws had zero cost and were left out")
        low, high = (float(v) for v in np.percentile(finite, PERCENTILES))
        p_negative = float((finite < 0).mean())
    tornado = []
    for n in uncertain:
        at = [_point_roi(_evaluate({**mid, n: end}, include_fte, terms, annual)[3])
              for end in (ranges[n].low, ranges[n].high)]
        tornado.append(TornadoBar(n, at[0], at[1]))
    tornado.sort(key=lambda t: (-t.swing, t.input))
    return _result(COMPUTED, cost, value, parts, point_roi, low=low, high=high, p_negative=p_negative,
                   tornado=tornado)
