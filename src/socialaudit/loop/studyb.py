"""Study B ("Mastering Digital Feedback") recomputed on a cohort, beside the study's figures.

One :class:`CompanyLoop` per company gathers what the loop knows about it (profile, ROI,
maturity class, whether R&D and product management read their routed feedback, observed
consumer interactions).  Each finding is computed only over the companies that have the
data: a company with an unknown answer is left out and ``n`` says how many remained, so an
unknown never counts as a "no".  Shares carry a Wilson 95 % interval (a small cohort's share
of 0 or 1 is not certainty); leader-versus-laggard shares carry Newcombe's hybrid score
interval of the difference.  Observed behaviour (read tracking) and self-reports (survey
answers) are kept in separate rows, never mixed into one figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import pyarrow as pa

from ..industries import study_group
from ..metrics.findings import wilson_interval
from .maturity import LAGGARD, LEADER
from .profile import Profile
from .roi import RoiResult


@dataclass
class CompanyLoop:
    company_id: str
    industry: str | None = None
    profile: Profile | None = None
    roi: RoiResult | None = None
    maturity_class: str | None = None  # leader | laggard | middle | unclassified
    maturity_score: float | None = None
    rnd_reads_regularly: bool | None = None  # observed: read tracking of routed feedback
    product_reads_regularly: bool | None = None
    consumer_interactions: int | None = None  # observed inbound + answers
    #: survey answers kept apart from observations; keys used here: ``rnd_reads_regularly``,
    #: ``product_reads_regularly``, ``silos_ineffective``
    self_reports: dict[str, bool | None] = field(default_factory=dict)


@dataclass
class StudyBFinding:
    key: str
    statement: str
    measure: str  # share | ratio | share_difference | mean_difference | industry
    value: float | None
    count: int | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    study_value: float | None = None
    value_leaders: float | None = None
    value_laggards: float | None = None
    n_leaders: int | None = None
    n_laggards: int | None = None
    study_leaders: float | None = None
    study_laggards: float | None = None
    note: str = ""

    def as_row(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k in TABLE_SCHEMA.names}


TABLE_SCHEMA = pa.schema([
    ("key", pa.string()), ("statement", pa.string()), ("value", pa.float64()), ("value_leaders", pa.float64()),
    ("value_laggards", pa.float64()), ("count", pa.int64()), ("n", pa.int64()), ("n_leaders", pa.int64()),
    ("n_laggards", pa.int64()), ("ci_low", pa.float64()), ("ci_high", pa.float64()), ("study_value", pa.float64()),
    ("study_leaders", pa.float64()), ("study_laggards", pa.float64()), ("note", pa.string()),
])


def _mid(r) -> float | None:
    return None if r is None else r.mid


def _profile_attr(name: str) -> Callable[[CompanyLoop], object]:
    return lambda c: getattr(c.profile, name) if c.profile is not None else None


def _excluded_note(excluded: int) -> str:
    return f"{excluded} compan{'y' if excluded == 1 else 'ies'} without the data left out" if excluded else ""


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _share(key: str, statement: str, study: float, flags: list[bool | None], confidence: float,
           note: str = "") -> StudyBFinding:
    known = [bool(f) for f in flags if f is not None]
    n, count = len(known), sum(known)
    low, high = wilson_interval(count, n, confidence)
    return StudyBFinding(key, statement, "share", count / n if n else None, count, n, low, high, study,
                         note=_join(note, _excluded_note(len(flags) - n)))


def _newcombe(c1: int, n1: int, c2: int, n2: int, confidence: float) -> tuple[float | None, float | None]:
    """Newcombe's hybrid score interval for p1 − p2, built from the two Wilson intervals."""
    if not n1 or not n2:
        return None, None
    p1, p2 = c1 / n1, c2 / n2
    l1, u1 = wilson_interval(c1, n1, confidence)
    l2, u2 = wilson_interval(c2, n2, confidence)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def _groups(companies: Sequence[CompanyLoop], get: Callable[[CompanyLoop], object]):
    return ([get(c) for c in companies if c.maturity_class == LEADER],
            [get(c) for c in companies if c.maturity_class == LAGGARD])


def _group_share(key: str, statement: str, companies: Sequence[CompanyLoop], get, study: tuple,
                 confidence: float, note: str = "") -> StudyBFinding:
    raw_lead, raw_lag = _groups(companies, get)
    lead = [bool(v) for v in raw_lead if v is not None]
    lag = [bool(v) for v in raw_lag if v is not None]
    sl = sum(lead) / len(lead) if lead else None
    sg = sum(lag) / len(lag) if lag else None
    value = sl - sg if sl is not None and sg is not None else None
    low, high = _newcombe(sum(lead), len(lead), sum(lag), len(lag), confidence)
    study_l, study_g = study
    study_value = study_l - study_g if study_l is not None and study_g is not None else None
    excluded = len(raw_lead) + len(raw_lag) - len(lead) - len(lag)
    return StudyBFinding(key, statement, "share_difference", value, None, len(lead) + len(lag), low, high,
                         study_value, sl, sg, len(lead), len(lag), study_l, study_g,
                         _join("value is leaders' share − laggards' share", note, _excluded_note(excluded)))


def _group_mean(key: str, statement: str, companies: Sequence[CompanyLoop], get, measure: str,
                study: tuple, study_value: float | None, note: str) -> StudyBFinding:
    lead, lag = ([float(v) for v in g if v is not None] for g in _groups(companies, get))
    ml = sum(lead) / len(lead) if lead else None
    mg = sum(lag) / len(lag) if lag else None
    if ml is None or mg is None:
        value = None
    elif measure == "ratio":
        value = ml / mg if mg > 0 else None
    else:
        value = ml - mg
    all_l, all_g = _groups(companies, lambda c: c)
    excluded = len(all_l) + len(all_g) - len(lead) - len(lag)
    return StudyBFinding(key, statement, measure, value, None, len(lead) + len(lag), None, None, study_value,
                         ml, mg, len(lead), len(lag), study[0], study[1], _join(note, _excluded_note(excluded)))


def _industries(companies: Sequence[CompanyLoop]) -> list[StudyBFinding]:
    """Most and least active industry by consumer interactions per company (Study B groups where mapped)."""
    per: dict[str, list[int]] = {}
    known = [c for c in companies if c.industry and c.consumer_interactions is not None]
    for c in known:
        per.setdefault(study_group(c.industry, "b") or c.industry, []).append(c.consumer_interactions)
    means = sorted(((sum(v) / len(v), name) for name, v in per.items()), key=lambda t: (-t[0], t[1]))
    excluded = _excluded_note(len(companies) - len(known))
    out = []
    for key, label, pick, study_name in (("most_active_industry", "most", 0, "media & entertainment"),
                                         ("least_active_industry", "least", -1, "insurance")):
        if len(means) < 2:
            out.append(StudyBFinding(key, f"industry interacting {label} with consumers (per company)", "industry",
                                     None, None, len(known), note=_join("needs at least 2 industries", excluded)))
            continue
        mean, name = means[pick]
        tied = [m for m in means if m[0] == mean]
        note = _join(f"study: {study_name}", "tied with " + ", ".join(t[1] for t in tied if t[1] != name)
                     if len(tied) > 1 else "", excluded)
        out.append(StudyBFinding(key, f"industry interacting {label} with consumers: {name}", "industry", mean,
                                 len(per[name]), len(known), note=note))
    return out


def studyb_findings(companies: Sequence[CompanyLoop], *, confidence: float = 0.95) -> list[StudyBFinding]:
    """Study B's findings on ``companies``, each beside the study's published figure."""
    fte = [(_mid(c.profile.social_fte) >= 1) if c.profile is not None and c.profile.social_fte is not None else None
           for c in companies]
    rois = [c.roi for c in companies]
    computed = [r for r in rois if r is not None and r.computed]
    out = [
        _share("fte_at_least_one", "have at least one full-time social-media role", 0.64, fte, confidence,
               "from the profile's social_fte (mid-point of a range)"),
        _share("realises_business_value", "turn social media into business value (acquisition, after-sales)",
               0.10, [_profile_attr("realises_business_value")(c) for c in companies], confidence,
               "self-assessed in the profile"),
        _share("rnd_reads_regularly", "R&D departments regularly read consumer comments", 0.27,
               [c.rnd_reads_regularly for c in companies], confidence, "observed: read tracking"),
        _share("product_reads_regularly", "product-management departments regularly read consumer comments", 0.37,
               [c.product_reads_regularly for c in companies], confidence, "observed: read tracking"),
        _share("no_roi", "do not compute the ROI of social media", 0.44,
               [None if r is None else not r.computed for r in rois], confidence,
               "ROI not computable from the profile"),
        _share("negative_roi", "get a negative ROI, of those computing it", 0.18, [r.negative for r in computed],
               confidence),
    ]
    self_reported = [
        ("rnd_reads_regularly", "R&D departments regularly read consumer comments", 0.27),
        ("product_reads_regularly", "product-management departments regularly read consumer comments", 0.37),
        ("silos_ineffective", "find the marketing / service / sales silos owning social media ineffective", 0.58),
    ]
    measures = [_profile_attr("measures_roi")(c) for c in companies]
    if any(m is not None for m in measures):
        out.append(_share("no_roi_self_reported", "say they never compute the ROI of social media", 0.44,
                          [None if m is None else not m for m in measures], confidence, "self-reported"))
    for key, statement, study in self_reported:
        answers = [c.self_reports.get(key) for c in companies]
        if any(a is not None for a in answers):
            out.append(_share(f"{key}_self_reported", statement, study, answers, confidence, "self-reported"))

    spend = _profile_attr("social_spend")
    out.append(_group_mean("leaders_spend_ratio", "leaders spend more on social media than laggards", companies,
                           lambda c: _mid(spend(c)), "ratio", (28e6, None), 2.0,
                           "value is leaders' mean spend / laggards' mean spend; study: leaders $28 M a year"))
    out.append(_group_share("leaders_positive_roi", "get a positive ROI", companies,
                            lambda c: None if c.roi is None else c.roi.positive, (0.62, 0.17), confidence,
                            "no ROI counts as not positive"))
    for key, statement, study in (("corporate_blog", "run a corporate blog", (0.81, 0.50)),
                                  ("mobile_apps", "offer mobile apps", (0.77, 0.49)),
                                  ("video_channels", "run video channels", (0.61, 0.34)),
                                  ("gamification", "use gamification", (None, None))):
        note = "study: leaders adopt gamification early (no shares published)" if key == "gamification" else ""
        out.append(_group_share(f"leaders_{key}", statement, companies, _profile_attr(key), study, confidence, note))
    depts = _profile_attr("departments")
    out.append(_group_mean("leaders_departments", "departments taking part in social media (mean number)", companies,
                           lambda c: None if depts(c) is None else len(depts(c)), "mean_difference", (5.0, None),
                           None, "value is leaders' mean − laggards' mean; study: leaders involve all departments"))
    out.extend(_industries(companies))
    return out


def findings_table(findings: Sequence[StudyBFinding]) -> pa.Table:
    """The findings as an Arrow table with stable columns (see :data:`TABLE_SCHEMA`)."""
    return pa.Table.from_pylist([f.as_row() for f in findings], schema=TABLE_SCHEMA)
