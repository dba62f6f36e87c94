"""Choices the training script makes on dev, on tiny hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from socialaudit.enrich.evaluation import binary_figures, reliability
from socialaudit.enrich.training import OneVsRest, choose_threshold

Y = np.array([1, 1, 1, 1, 0, 1, 0, 0, 0, 0])
P = np.array([0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0.2, 0.1])


def test_best_f1_threshold_by_hand():
    # predicting the top 6 (threshold 0.5): P 5/6, R 5/5, F1 0.909 — better than the top 4 (F1 0.889)
    assert choose_threshold(Y, P, None) == 0.5


def test_routing_precision_takes_the_lowest_threshold_that_reaches_it():
    # precision 1.0 holds down to 0.6 (4 of 4, recall 0.8); 0.55 adds a false alarm (4/5 = 0.8)
    assert choose_threshold(Y, P, 0.95) == 0.6
    assert choose_threshold(Y, P, 0.8) == 0.5  # 5/6 = 0.83 >= 0.8 at 0.5


def test_routing_precision_falls_back_to_best_f1_when_recall_would_be_tiny():
    y = np.array([1, 0, 1, 0, 1, 0, 0, 1])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    # only the top post (recall 0.25) reaches precision 1.0: below min_recall 0.3 -> best F1 instead
    assert choose_threshold(y, p, 1.0, min_recall=0.3) == choose_threshold(y, p, None)


def test_one_vs_rest_stacks_one_head_per_class():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] * 5)
    y = np.array([0, 1, 2, 1] * 5)
    from socialaudit.enrich.training import _fit

    model = _fit(X, y, 1.0)
    assert isinstance(model, OneVsRest) and model.coef_.shape == (3, 2)
    assert model.decision_function(X).shape == (20, 3)


def test_figures_and_reliability_by_hand():
    f = binary_figures(Y, P >= 0.5, groups=np.arange(10), prob=P)
    assert (f["precision"], f["recall"]) == (pytest.approx(5 / 6), 1.0)
    assert f["precision_ci"][0] <= f["precision"] <= f["precision_ci"][1]
    table = reliability(Y, P, bins=2)
    assert table == [{"bin": "0.0-0.5", "n": 4, "predicted": pytest.approx(0.25), "observed": 0.0},
                     {"bin": "0.5-1.0", "n": 6, "predicted": pytest.approx(0.675), "observed": pytest.approx(5 / 6)}]


def test_selection_on_a_tiny_set_stores_what_the_head_needs():
    from socialaudit.enrich.features import HashedTfidf
    from socialaudit.enrich.training import HeadData, Part, TextSet, blocks_for, select_binary, select_multiclass

    texts = [f"my order {i} never arrived, refund please" for i in range(20)] + \
            [f"thanks, the new playlist {i} is great" for i in range(20)]
    ts = TextSet.build("tiny", "en", texts, [f"c{i}" for i in range(40)], use=False)
    rows = np.arange(40)
    y = np.array([1] * 20 + [0] * 20)
    data = HeadData([Part(ts, rows, y)])
    idf = HashedTfidf.fit_counts(ts.counts)
    blocks = blocks_for("en", False)
    chosen = select_binary("complaint", {"labelled": data}, blocks, idf, log=lambda m: None)
    assert chosen["option"] == "labelled" and chosen["dev_oof"]["f1"] == 1.0
    assert len(chosen["calibration"]) == 2 and 0 < chosen["threshold"] < 1
    assert data.design(blocks, idf) is data.design(blocks, idf)  # built once
    three = HeadData([Part(ts, rows, np.array([0, 1, 2, 1] * 10))])
    picked = select_multiclass({"only": three}, blocks, idf, "accuracy", lambda m: None, "sentiment:en")
    assert picked["option"] == "only" and "threshold" not in picked


def test_a_threshold_near_one_keeps_the_posts_it_was_chosen_for():
    y = np.array([1, 1, 0, 0])
    p = np.array([0.99997683, 0.99997683, 1.2e-05, 1.2e-05])
    t = choose_threshold(y, p, None)
    assert (p >= t).sum() == 2
