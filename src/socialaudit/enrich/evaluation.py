"""Measuring a classifier honestly: figures with 95 % intervals, beside the trivial baselines.

Intervals are percentile bootstraps over **conversations** (posts of one conversation are
resampled together, as they were split together), seeded, so a figure and its interval are
reproducible.  The reliability table says whether a probability of 0.8 means 80 %.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support, recall_score, roc_auc_score

SEED = 20261206
RESAMPLES = 1000


def _groups(groups) -> tuple[np.ndarray, int]:
    _, index = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    return index, int(index.max()) + 1 if len(index) else 0


def bootstrap(stat, groups, *arrays, resamples: int = RESAMPLES, seed: int = SEED) -> tuple[float, float]:
    """95 % percentile interval of ``stat(*arrays)`` resampling whole groups (conversations)."""
    index, n_groups = _groups(groups)
    members = [np.flatnonzero(index == g) for g in range(n_groups)]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        rows = np.concatenate([members[g] for g in rng.integers(0, n_groups, n_groups)])
        values.append(stat(*(a[rows] for a in arrays)))
    lo, hi = np.nanpercentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def binary_figures(y, predicted, groups, prob=None) -> dict:
    """Precision, recall and F1 with 95 % intervals (and ranking AUC when probabilities are given)."""
    y = np.asarray(y, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    p, r, f, _ = precision_recall_fscore_support(y, predicted, average="binary", zero_division=0)
    out = {"n": int(len(y)), "positives": int(y.sum()), "predicted": int(predicted.sum()),
           "precision": float(p), "recall": float(r), "f1": float(f)}
    if len(y) and 0 < y.sum() < len(y):
        for name, index in (("precision", 0), ("recall", 1), ("f1", 2)):
            out[f"{name}_ci"] = bootstrap(
                lambda a, b, i=index: precision_recall_fscore_support(a, b, average="binary", zero_division=0)[i],
                groups, y, predicted)
        if prob is not None:
            out["auc"] = float(roc_auc_score(y, prob))
    return out


def multiclass_figures(y, predicted, groups, metric: str) -> dict:
    """Macro recall, macro-F1 or accuracy (= micro-F1) with a 95 % interval."""
    y, predicted = np.asarray(y), np.asarray(predicted)

    def stat(a, b):
        if metric == "macro_recall":
            return recall_score(a, b, average="macro", zero_division=0)
        if metric == "macro_f1":
            return f1_score(a, b, average="macro", zero_division=0)
        return float(np.mean(a == b))

    return {"metric": metric, "value": float(stat(y, predicted)), "ci": bootstrap(stat, groups, y, predicted),
            "n": int(len(y))}


def macro_f1_figures(ys: dict[str, np.ndarray], preds: dict[str, np.ndarray], groups) -> dict:
    """Mean of the binary F1s of several intents, with a joint interval."""
    names = sorted(ys)
    y = np.column_stack([ys[k] for k in names]).astype(int)
    p = np.column_stack([preds[k] for k in names]).astype(int)

    def stat(a, b):
        return float(np.mean([f1_score(a[:, j], b[:, j], zero_division=0) for j in range(a.shape[1])]))

    return {"value": stat(y, p), "ci": bootstrap(stat, groups, y, p), "intents": names, "n": int(len(y))}


def reliability(y, prob, bins: int = 5) -> list[dict]:
    """Per probability bin: posts, mean predicted probability, observed share of positives."""
    y, prob = np.asarray(y, dtype=float), np.asarray(prob, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        rows = (prob >= lo) & ((prob < hi) if hi < 1 else (prob <= hi))
        if rows.any():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(rows.sum()), "predicted": float(prob[rows].mean()),
                        "observed": float(y[rows].mean())})
    return out


def expected_calibration_error(y, prob, bins: int = 10) -> float:
    table = reliability(y, prob, bins)
    n = sum(r["n"] for r in table)
    return float(sum(r["n"] * abs(r["predicted"] - r["observed"]) for r in table) / n) if n else float("nan")
