"""Industries ranked by their companies' engagement scores, with honest uncertainty.

An industry's figure is the mean score of its companies.  The bootstrap resamples
companies within each industry (with replacement, seeded) and re-ranks the industries in
every resample, which gives a confidence interval for each mean, an interval for each
rank, and the probability of every rank.  Set beside Study A's published order, the
Spearman and Kendall rank correlations say how far the cohort agrees with the study.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import kendalltau, spearmanr

from ..industries import INDUSTRIES, STUDY_A_ORDER, study_group

LEVELS = ("study-a", "study-b", "industry")


def industry_key(industry_id: str | None, level: str) -> str | None:
    if level == "industry":
        return industry_id if industry_id in INDUSTRIES else None
    return study_group(industry_id, "a" if level == "study-a" else "b")


@dataclass
class IndustryRank:
    industry: str
    companies: int
    mean_score: float
    ci_low: float | None
    ci_high: float | None
    rank: int | None
    rank_ci_low: int | None
    rank_ci_high: int | None
    rank_probabilities: list[float]
    study_a_rank: int | None
    note: str = ""

    def as_row(self, ranks: int) -> dict:
        row = {k: v for k, v in self.__dict__.items() if k != "rank_probabilities"}
        for i in range(1, ranks + 1):
            row[f"p_rank_{i}"] = self.rank_probabilities[i - 1] if self.rank_probabilities else None
        return row


@dataclass
class Ranking:
    level: str
    industries: list[IndustryRank]
    spearman: float | None = None
    spearman_p: float | None = None
    kendall: float | None = None
    kendall_p: float | None = None
    spearman_ci: tuple[float, float] | None = None
    compared: list[str] = field(default_factory=list)


def rank_industries(scores: dict[str, list[float]], samples: int, confidence: float, seed: int,
                    level: str = "study-a", min_companies: int = 1) -> Ranking:
    """``scores`` maps each industry to its companies' engagement scores (0-100).

    Industries with fewer than ``min_companies`` companies are listed after the ranked ones,
    without a rank: a single company gives no spread, and a bootstrap would report its
    rank as certain.
    """
    study_rank = {g: i + 1 for i, g in enumerate(STUDY_A_ORDER)}
    few = [IndustryRank(k, len(v), float(np.mean(v)), None, None, None, None, None, [],
                        study_rank.get(k) if level == "study-a" else None,
                        f"fewer than {min_companies} companies: not ranked")
           for k, v in scores.items() if 0 < len(v) < min_companies]
    names = [k for k, v in scores.items() if len(v) >= max(1, min_companies)]
    if not names:
        return Ranking(level, sorted(few, key=lambda r: -r.mean_score))
    rng = np.random.default_rng(seed)
    k = len(names)
    means = np.empty((samples, k))
    for j, name in enumerate(names):
        values = np.asarray(scores[name], dtype=float)
        means[:, j] = values[rng.integers(0, len(values), size=(samples, len(values)))].mean(axis=1)
    # rank 1 = highest mean; ties broken by order, identically in every resample
    ranks = np.argsort(np.argsort(-means, axis=1, kind="stable"), axis=1, kind="stable") + 1
    observed = np.array([np.mean(scores[n]) for n in names])
    observed_rank = np.argsort(np.argsort(-observed, kind="stable"), kind="stable") + 1
    alpha = (1 - confidence) / 2
    rows = []
    for j, name in enumerate(names):
        low, high = np.quantile(means[:, j], [alpha, 1 - alpha])
        r_low, r_high = np.quantile(ranks[:, j], [alpha, 1 - alpha])
        probs = [float(np.mean(ranks[:, j] == r)) for r in range(1, k + 1)]
        rows.append(IndustryRank(name, len(scores[name]), float(observed[j]), float(low), float(high),
                                 int(observed_rank[j]), int(np.floor(r_low)), int(np.ceil(r_high)), probs,
                                 study_rank.get(name) if level == "study-a" else None))
    rows.sort(key=lambda r: r.rank)
    ranking = Ranking(level, rows + sorted(few, key=lambda r: -r.mean_score))
    if level == "study-a":
        _compare_with_study_a(ranking, names, observed, ranks, study_rank, confidence)
    return ranking


def _compare_with_study_a(ranking: Ranking, names: list[str], observed: np.ndarray, ranks: np.ndarray,
                          study_rank: dict[str, int], confidence: float) -> None:
    both = [i for i, n in enumerate(names) if n in study_rank]
    ranking.compared = [names[i] for i in both]
    if len(both) < 3:
        return
    ours = -observed[both]  # higher score = better = lower rank number
    theirs = np.array([study_rank[names[i]] for i in both])
    rho, p = spearmanr(ours, theirs)
    tau, tp = kendalltau(ours, theirs)
    ranking.spearman, ranking.spearman_p = _num(rho), _num(p)
    ranking.kendall, ranking.kendall_p = _num(tau), _num(tp)
    sample_rhos = _spearman_rows(ranks[:, both], theirs)
    if len(sample_rhos):
        alpha = (1 - confidence) / 2
        low, high = np.quantile(sample_rhos, [alpha, 1 - alpha])
        ranking.spearman_ci = (float(low), float(high))


def _spearman_rows(rank_rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Spearman's rho of every row of ``rank_rows`` with ``reference``, vectorised.

    Each row ranks the same industries (re-ranked among themselves); rho is the Pearson
    correlation of the two rank vectors.  One call replaces thousands of ``spearmanr`` calls
    in the bootstrap.
    """
    r = np.argsort(np.argsort(rank_rows, axis=1, kind="stable"), axis=1, kind="stable").astype(float)
    ref = np.argsort(np.argsort(reference, kind="stable"), kind="stable").astype(float)
    r -= r.mean(axis=1, keepdims=True)
    ref -= ref.mean()
    denominator = np.sqrt((r**2).sum(axis=1) * (ref**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (r @ ref) / denominator
    return rho[np.isfinite(rho)]


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
