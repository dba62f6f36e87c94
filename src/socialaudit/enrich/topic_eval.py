"""Measuring topic rules by description against keyword rules on the topic-labelled posts.

``data/topics/topics.yaml`` names each topic of three care accounts twice: by a description (what
:class:`socialaudit.enrich.topics.TopicMatcher` reads) and by keywords (the baseline).
``data/topics/topic_labels.csv`` holds 595 posts labelled with their topics by reading.  The
similarity threshold is chosen on the dev split (best macro-F1 over every topic); both rules are
measured on the test split, macro-F1 over the topics of each brand, with 95 % intervals.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml
from scipy.linalg import block_diag
from sklearn.metrics import f1_score

from . import evaluation as ev
from .labelled import split_of
from .topics import DEFAULT_SIMILARITY, TopicMatcher, TopicSpec, keyword_matches

GRID = tuple(np.round(np.arange(0.10, 0.61, 0.02), 2))


def load_topics(folder: Path) -> tuple[dict[str, list[TopicSpec]], list[dict]]:
    config = yaml.safe_load((folder / "topics.yaml").read_text(encoding="utf-8"))
    specs = {brand: [TopicSpec(name, t["description"], (), tuple(t.get("keywords", ()))) for name, t in topics.items()]
             for brand, topics in config["brands"].items()}
    with (folder / "topic_labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for line, row in enumerate(rows, start=2):
        known = {t.name for t in specs.get(row["brand"], [])}
        given = [t for t in row["topics"].split(";") if t]
        unknown = set(given) - known
        if unknown or row["split"] != split_of(row["conversation"]):
            raise ValueError(f"{folder / 'topic_labels.csv'}:{line}: unknown topic(s) {sorted(unknown)} or wrong split")
        row["topic_set"] = set(given)
    return specs, rows


def _macro(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean([f1_score(y[:, j], p[:, j], zero_division=0) for j in range(y.shape[1])]))


def _figure(y: np.ndarray, p: np.ndarray, groups) -> dict:
    return {"value": _macro(y, p), "ci": ev.multi_f1_interval(y, p, groups)}


def measure_topics(folder: Path, log=print) -> dict:
    specs, rows = load_topics(folder)
    matchers = {brand: TopicMatcher(topics) for brand, topics in specs.items()}
    per_brand = {}
    for brand, topics in specs.items():
        mine = [r for r in rows if r["brand"] == brand]
        texts = [r["text"] for r in mine]
        y = np.array([[t.name in r["topic_set"] for t in topics] for r in mine], dtype=int)
        per_brand[brand] = {"y": y, "scores": matchers[brand].scores(texts),  # encoded once, decided per threshold
                            "kw": keyword_matches(topics, texts).astype(int),
                            "split": np.array([r["split"] for r in mine]),
                            "groups": np.array([r["conversation"] for r in mine], dtype=object)}

    for brand, b in per_brand.items():
        b["by_t"] = {t: matchers[brand].decide(*b["scores"], similarity=t).astype(int) for t in GRID}

    def dev_score(t: float) -> float:
        scores = []
        for b in per_brand.values():
            dev = b["split"] == "dev"
            scores.append(_macro(b["y"][dev], b["by_t"][t][dev]))
        return float(np.mean(scores))

    threshold = max(GRID, key=dev_score)
    log(f"  topics: similarity threshold {threshold} chosen on dev (macro-F1 {dev_score(threshold):.3f}); "
        f"the code's default is {DEFAULT_SIMILARITY}")
    out: dict = {"similarity": float(threshold), "brands": {}}
    all_y, all_d, all_k, all_g = [], [], [], []
    for brand, b in per_brand.items():
        test = b["split"] == "test"
        y, d, k, g = b["y"][test], b["by_t"][threshold][test], b["kw"][test], b["groups"][test]
        either = d | k
        out["brands"][brand] = {
            "n": int(test.sum()), "topics": len(specs[brand]),
            "description": _figure(y, d, g), "keywords": _figure(y, k, g), "either": _figure(y, either, g)}
        all_y.append(y)
        all_d.append(d)
        all_k.append(k)
        all_g.append(g)
    # over all brands: macro-F1 over every (brand, topic), posts of other brands count as negatives
    y, d, k = (block_diag(*arrays).astype(int) for arrays in (all_y, all_d, all_k))
    g = np.concatenate(all_g)
    out["all"] = {"n": int(len(y)), "topics": y.shape[1],
                  "description": _figure(y, d, g), "keywords": _figure(y, k, g), "either": _figure(y, d | k, g)}
    return out
