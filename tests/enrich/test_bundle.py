"""Model bundles: plain arrays + JSON, loaded without pickles, identical after a round trip."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from socialaudit.enrich.bundle import LinearHead, ModelBundle
from socialaudit.enrich.features import HashedTfidf, hashed_counts


def test_hashed_tfidf_keeps_buckets_seen_twice_and_scales_rows():
    texts = ["late train again", "late train", "qq"]
    tfidf = HashedTfidf.fit(texts, min_df=2)
    counts = hashed_counts(texts)
    seen_twice = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= 2)
    assert np.array_equal(tfidf.indices, seen_twice)
    X = tfidf.transform(texts)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    assert np.allclose(norms[:2], 1.0) and norms[2] == 0.0  # "qq" shares no bucket with the others


def test_binary_and_multinomial_heads_give_probabilities():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    binary = LinearHead("b", ["no", "yes"], ["x"], np.array([[2.0, -2.0]]), np.array([0.0]))
    p = binary.predict_proba(X)
    assert np.allclose(p.sum(axis=1), 1) and p[0, 1] > 0.8 and p[1, 1] < 0.2
    multi = LinearHead("m", ["a", "b", "c"], ["x"], np.eye(3)[:, :2] * 3, np.zeros(3))
    q = multi.predict_proba(X)
    assert np.allclose(q.sum(axis=1), 1) and q[0].argmax() == 0 and q[1].argmax() == 1


def test_round_trip(tmp_path):
    tfidf = HashedTfidf.fit(["a b", "a c", "a b c"], min_df=1)
    head = LinearHead("complaint:en", ["no", "yes"], ["ngrams:x"], np.ones((1, len(tfidf.indices)), np.float32),
                      np.array([0.5], np.float32), threshold=0.4, calibration=(1.5, -0.25))
    sentiment = LinearHead("sentiment:en", ["negative", "neutral", "positive"], ["ngrams:x"],
                           np.ones((3, len(tfidf.indices)), np.float32), np.zeros(3, np.float32), ovr=True)
    bundle = ModelBundle("tiny", "fast", "0-test", {"x": tfidf}, {"complaint:en": head, "sentiment:en": sentiment},
                         {"vader": 2.0},
                         {"evaluation": {"k": 1}})
    bundle.save(tmp_path)
    loaded = ModelBundle.load("tiny", tmp_path)
    assert loaded.version == "0-test" and loaded.meta == {"evaluation": {"k": 1}}
    assert np.array_equal(loaded.featurizers["x"].indices, tfidf.indices)
    assert loaded.heads["complaint:en"].threshold == 0.4
    assert loaded.heads["complaint:en"].calibration == (1.5, -0.25) and loaded.heads["sentiment:en"].ovr
    assert np.array_equal(loaded.heads["complaint:en"].coef, head.coef)
    with np.load(tmp_path / "tiny.npz", allow_pickle=False) as arrays:  # no object arrays inside
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_calibration_and_one_vs_rest_by_hand():
    X = sp.csr_matrix(np.array([[1.0]]))
    head = LinearHead("b", ["no", "yes"], ["x"], np.array([[2.0]]), np.array([0.0]), calibration=(0.5, -1.0))
    # decision 2.0 -> 0.5 * 2.0 - 1.0 = 0 -> probability 0.5
    assert np.isclose(head.predict_proba(X)[0, 1], 0.5)
    ovr = LinearHead("s", ["a", "b", "c"], ["x"], np.array([[0.0], [0.0], [np.log(3)]]), np.zeros(3), ovr=True)
    # sigmoids 0.5, 0.5, 0.75 -> normalised by 1.75
    assert np.allclose(ovr.predict_proba(X)[0], [0.5 / 1.75, 0.5 / 1.75, 0.75 / 1.75])
