"""Language identification with py3langid's model (langid.py's, bundled in its wheel, BSD).

py3langid walks a byte automaton over one text at a time in Python (~2,000 posts/s here).
:func:`identify` runs the same automaton over a whole batch in lock-step with NumPy (one
step per byte position, all texts at once) and scores with the same naive-Bayes tables, so
its answers are py3langid's (tested equal) at many times the speed.

Short posts ("ok thx", a bare link) carry too little text for a 97-language model; when
its best guess is weaker than :data:`MIN_CONFIDENCE`, the post is assigned to the more
likely of the languages socialaudit has models for (English, German), and its
probability says how sure that is.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

MODEL_LANGUAGES = ("en", "de")
MIN_CONFIDENCE = 0.5
MAX_BYTES = 2000  # a post's first 2,000 bytes say which language it is in


@lru_cache(maxsize=1)
def _model():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    nextmove = np.asarray(ident.tk_nextmove, dtype=np.int64)
    rowbase = np.asarray(ident._rowbase, dtype=np.int64)
    output = np.asarray(ident.tk_output, dtype=np.int64)
    return ident, nextmove, rowbase, output, np.asarray(ident.nb_ptc, dtype=np.float32), \
        np.asarray(ident.nb_pc, dtype=np.float32), list(ident.nb_classes), list(ident._alias_pairs)


def _encode(text: str) -> bytes:
    """py3langid's own encoding of a text (lower-cased if all upper-case, NFC, UTF-8)."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")[:MAX_BYTES]


def raw_scores(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Naive-Bayes scores (n, languages), byte lengths, and whether any feature was seen."""
    _, nextmove, rowbase, output, nb_ptc, nb_pc, classes, _ = _model()
    encoded = [_encode(t) for t in texts]
    n = len(encoded)
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=n)
    width = int(lengths.max()) if n else 0
    data = np.zeros((n, max(width, 1)), dtype=np.int64)
    if n and width:
        flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        rows = np.repeat(np.arange(n), lengths)
        cols = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        data[rows, cols] = flat
    state = np.zeros(n, dtype=np.int64)
    docs, feats = [], []
    order = np.argsort(-lengths, kind="stable")  # longest first: the active texts are a prefix
    sorted_lengths = lengths[order]
    for i in range(width):
        active = int(np.searchsorted(-sorted_lengths, -i, side="left"))  # texts longer than i
        idx = order[:active]
        s = nextmove[rowbase[state[idx]] + data[idx, i]]
        state[idx] = s
        f = output[s]
        hit = f >= 0
        if hit.any():
            docs.append(idx[hit])
            feats.append(f[hit])
    scores = np.tile(nb_pc, (n, 1))
    seen = np.zeros(n, dtype=bool)
    if docs:
        d = np.concatenate(docs)
        f = np.concatenate(feats)
        counts = sp.coo_matrix((np.ones(len(d), dtype=np.float32), (d, f)), shape=(n, nb_ptc.shape[0])).tocsr()
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        scores = np.asarray(counts @ nb_ptc) + nb_pc
        seen = np.diff(counts.indptr) > 0
    return scores.astype(np.float32), lengths, seen


def _probabilities(scores: np.ndarray, lengths: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """py3langid's normalisation: softmax of scores / sqrt(bytes); uniform without features."""
    s = np.where(seen[:, None], scores, 0.0) / np.sqrt(np.maximum(lengths, 1))[:, None]
    s = np.exp(s - s.max(axis=1, keepdims=True))
    return s / s.sum(axis=1, keepdims=True)


def identify(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """ISO 639-1 codes and their probabilities (``und`` for empty texts)."""
    _, _, _, _, _, _, classes, aliases = _model()
    out_langs = ["und"] * len(texts)
    probs = np.zeros(len(texts), dtype=np.float32)
    rows = [i for i, t in enumerate(texts) if t and t.strip()]
    if not rows:
        return out_langs, probs
    scores, lengths, seen = raw_scores([texts[i] for i in rows])
    full = _probabilities(scores, lengths, seen)
    for i, j in aliases:  # fold aliased columns as py3langid does
        full[:, i] += full[:, j]
        full[:, j] = 0.0
    pick = sorted(classes.index(lang) for lang in MODEL_LANGUAGES)  # py3langid's column order (ties)
    names = [classes[i] for i in pick]
    restricted = _probabilities(scores[:, pick], lengths, seen)
    best = full.argmax(axis=1)
    best_p = full[np.arange(len(rows)), best]
    fallback = restricted.argmax(axis=1)
    for k, i in enumerate(rows):
        if best_p[k] < MIN_CONFIDENCE:
            out_langs[i] = names[fallback[k]]
            probs[i] = restricted[k, fallback[k]]
        else:
            out_langs[i] = classes[best[k]]
            probs[i] = best_p[k]
    return out_langs, probs


def reference_identify(texts: list[str]) -> tuple[list[str], list[float]]:
    """The same decision with py3langid's own per-text code (the tests compare the two)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted.set_languages(list(MODEL_LANGUAGES))
    langs, probs = [], []
    for text in texts:
        if not text or not text.strip():
            langs.append("und")
            probs.append(0.0)
            continue
        clipped = _encode(text)
        lang, p = full.classify(clipped)
        if p < MIN_CONFIDENCE:
            lang, p = restricted.classify(clipped)
        langs.append(lang)
        probs.append(p)
    return langs, probs


__all__ = ["MODEL_LANGUAGES", "identify", "reference_identify"]
