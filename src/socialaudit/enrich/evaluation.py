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


def resample_weights(groups, resamples: int = RESAMPLES, seed: int = SEED) -> np.ndarray:
    """(resamples, posts): how often each post's conversation was drawn in each bootstrap resample
    (the same as repeating the conversation's posts, without copying them)."""
    _, index = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    n_groups = int(index.max()) + 1 if len(index) else 0
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, n_groups, (resamples, n_groups))
    counts = np.zeros((resamples, n_groups), dtype=np.float64)
    np.add.at(counts, (np.repeat(np.arange(resamples), n_groups), drawn.ravel()), 1.0)
    return counts[:, index]


def _interval(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.nanpercentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def _prf_counts(W: np.ndarray, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted precision, recall and F1 (one value per row of W); 0 where undefined, as sklearn."""
    y, p = y.astype(bool), p.astype(bool)
    tp, fp, fn = W @ (y & p), W @ (~y & p), W @ (y & ~p)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return precision, recall, f1


def multi_f1_interval(y: np.ndarray, p: np.ndarray, groups) -> tuple[float, float]:
    """95 % interval of the mean F1 over the columns of ``y``/``p`` (posts x labels)."""
    W = resample_weights(groups)
    return _interval(np.mean([_prf_counts(W, y[:, j], p[:, j])[2] for j in range(y.shape[1])], axis=0))


def binary_figures(y, predicted, groups, prob=None) -> dict:
    """Precision, recall and F1 with 95 % intervals (and ranking AUC when probabilities are given)."""
    y = np.asarray(y, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    p, r, f, _ = precision_recall_fscore_support(y, predicted, average="binary", zero_division=0)
    out = {"n": int(len(y)), "positives": int(y.sum()), "predicted": int(predicted.sum()),
           "precision": float(p), "recall": float(r), "f1": float(f)}
    if len(y) and 0 < y.sum() < len(y):
        for name, values in zip(("precision", "recall", "f1"), _prf_counts(resample_weights(groups), y, predicted),
                                strict=True):
            out[f"{name}_ci"] = _interval(values)
        if prob is not None:
            out["auc"] = float(roc_auc_score(y, prob))
    return out


def multiclass_figures(y, predicted, groups, metric: str) -> dict:
    """Macro recall, macro-F1 or accuracy (= micro-F1) with a 95 % interval."""
    y, predicted = np.asarray(y), np.asarray(predicted)
    if metric == "macro_recall":
        value = recall_score(y, predicted, average="macro", zero_division=0)
    elif metric == "macro_f1":
        value = f1_score(y, predicted, average="macro", zero_division=0)
    else:
        value = float(np.mean(y == predicted))
    W = resample_weights(groups)
    if metric == "accuracy":
        values = (W @ (y == predicted)) / W.sum(axis=1)
    else:
        per_class = [_prf_counts(W, y == k, predicted == k)[1 if metric == "macro_recall" else 2]
                     for k in np.unique(y)]
        values = np.mean(per_class, axis=0)
    return {"metric": metric, "value": float(value), "ci": _interval(values), "n": int(len(y))}


def macro_f1_figures(ys: dict[str, np.ndarray], preds: dict[str, np.ndarray], groups) -> dict:
    """Mean of the binary F1s of several intents, with a joint interval."""
    names = sorted(ys)
    y = np.column_stack([ys[k] for k in names]).astype(int)
    p = np.column_stack([preds[k] for k in names]).astype(int)
    value = float(np.mean([f1_score(y[:, j], p[:, j], zero_division=0) for j in range(y.shape[1])]))
    return {"value": value, "ci": multi_f1_interval(y, p, groups), "intents": names, "n": int(len(y))}


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
