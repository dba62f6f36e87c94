"""Study A's findings recomputed on a cohort: shares of companies with bootstrap intervals.

Each finding is a yes/no property of a company (from its ``all`` row); the cohort figure
is the share of companies with it, with a percentile bootstrap interval over companies
(resampled with replacement, seeded), set beside the figure Study A published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class FindingSpec:
    key: str
    statement: str
    study_share: float
    relation: str  # how Study A phrased it: "=" (about) or "<" (fewer than)


STUDY_A_FINDINGS = (
    FindingSpec("broadcast_only", "only publish their own content (broadcast only)", 0.95, "="),
    FindingSpec("no_cross_channel_influencers", "do not follow influencers across channels", 0.96, "="),
    FindingSpec("effective_storytelling", "use storytelling effectively", 0.06, "="),
    FindingSpec("regular_across_channels", "interact regularly with consumers across channels", 0.02, "="),
    FindingSpec("ever_responded", "have ever answered a question or interacted with consumer content", 0.40, "<"),
)


@dataclass
class Finding:
    key: str
    statement: str
    n: int
    count: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    wilson_low: float | None
    wilson_high: float | None
    study_share: float
    relation: str

    def as_row(self) -> dict:
        return asdict(self)


def bootstrap_share(flags: np.ndarray, samples: int, confidence: float, rng: np.random.Generator
                    ) -> tuple[float | None, float | None, float | None]:
    """Share of True in ``flags`` and its percentile bootstrap interval."""
    n = len(flags)
    if n == 0:
        return None, None, None
    values = flags.astype(float)
    means = values[rng.integers(0, n, size=(samples, n))].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(values.mean()), float(low), float(high)


def wilson_interval(count: int, n: int, confidence: float) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion.

    Reported beside the bootstrap interval because a percentile bootstrap of a share of
    0 or 1 collapses to a single point, which would claim certainty that a small cohort
    cannot give.
    """
    if n == 0:
        return None, None
    from scipy.stats import norm

    z = norm.ppf(1 - (1 - confidence) / 2)
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def cohort_findings(company_flags: dict[str, np.ndarray], samples: int, confidence: float, seed: int
                    ) -> list[Finding]:
    """``company_flags`` maps each finding key to one boolean per company."""
    rng = np.random.default_rng(seed)
    out = []
    for spec in STUDY_A_FINDINGS:
        flags = np.asarray(company_flags[spec.key], dtype=bool)
        share, low, high = bootstrap_share(flags, samples, confidence, rng)
        w_low, w_high = wilson_interval(int(flags.sum()), len(flags), confidence)
        out.append(Finding(spec.key, spec.statement, len(flags), int(flags.sum()), share, low, high,
                           w_low, w_high, spec.study_share, spec.relation))
    return out
