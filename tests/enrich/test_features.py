"""Feature functions: hashed n-grams are pinned (the shipped weights depend on the exact
buckets), lexicon features follow VADER's valences, negation and boosters."""

from __future__ import annotations

import numpy as np
import pytest

from socialaudit.enrich.features import N_FEATURES, char_ngram_pairs, hashed_counts, lexicon_features


def test_byte_ngram_buckets_are_stable():
    # " ab " has n-grams " a", "ab", "b ", " ab", "ab ", " ab " (2- to 4-grams of 4 bytes); "Zug" 9
    docs, buckets = char_ngram_pairs(["ab", "Zug"])
    assert docs.tolist() == [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1]
    assert buckets.tolist() == [188245, 78485, 137825, 751624, 925418, 658344, 618990, 810854, 797082, 238662,
                                946271, 902205, 652345, 699967, 472300, 629910]
    assert (buckets < N_FEATURES).all()


def test_ngrams_do_not_cross_documents():
    docs, _ = char_ngram_pairs(["a", "b"])  # " a " and " b ": 2 bigrams + 1 trigram each
    assert np.bincount(docs).tolist() == [3, 3]
    assert char_ngram_pairs([])[0].size == 0


def test_hashed_counts_count_repeats_and_are_canonical():
    X = hashed_counts(["ok ok", ""])
    assert X.shape == (2, N_FEATURES) and X[1].nnz == 0
    assert X.has_sorted_indices and X.has_canonical_format
    assert X[0].max() >= 2  # "ok" twice as a word and as byte n-grams


@pytest.mark.parametrize(("text", "expected"), [
    ("not good", [0.0, 1.9 * 0.74 / 4, 0.0, 0.25]),  # "good" (1.9) negated: -0.74x
    ("very good!", [(1.9 + 0.293) / 4, 0.0, 0.25, 0.0]),  # booster adds 0.293
    ("", [0.0, 0.0, 0.0, 0.0]),
])
def test_lexicon_valences(text, expected):
    assert np.allclose(lexicon_features([text])[0, :4], expected, atol=1e-5)


def test_lexicon_but_and_exclamations():
    row = lexicon_features(["I love it but it is bad!!!!!!"])[0]
    assert row[6] == 1.0 and row[7] == 1.0 and row[0] > 0 and row[1] > 0
