"""Reading posts: language, sentiment, complaint, question, product feedback, praise.

Two stages.  The **language heads** (complaint and sentiment, one set for English, one for
German; other languages use the English heads) read hashed n-grams, VADER-lexicon features (English)
and, in the accurate variant, multilingual sentence embeddings.  The **intent heads**
(question, product feedback, praise) read named cue features together with the language
heads' scores, because their training data is a small hand-labelled sample.  Every label
comes with its probability; a post may carry several intents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .bundle import ModelBundle
from .features import hashed_counts, lexicon_features, use_available, use_embeddings
from .language import identify
from .text import cue_features, normalise

FAST = "socialaudit-nlp-fast-v1"
ACCURATE = "socialaudit-nlp-accurate-v1"
VARIANTS = {"fast": FAST, "accurate": ACCURATE}
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "product_feedback", "praise")


@dataclass
class Predictions:
    """Column-wise predictions for a list of texts."""

    lang: list[str]
    lang_prob: np.ndarray
    sentiment: list[str]
    sentiment_prob: np.ndarray  # (n, 3): negative, neutral, positive
    intent_prob: dict[str, np.ndarray]  # each intent -> (n,)
    thresholds: dict[str, float]

    def flags(self, intent: str) -> np.ndarray:
        return self.intent_prob[intent] >= self.thresholds[intent]

    def primary_intent(self) -> tuple[list[str], np.ndarray]:
        """The most probable intent above its threshold, else ``other`` (with 1 - max)."""
        names = list(INTENTS)
        probs = np.column_stack([self.intent_prob[k] for k in names])
        above = np.column_stack([self.flags(k) for k in names])
        masked = np.where(above, probs, -1.0)
        best = masked.argmax(axis=1)
        labels, p = [], np.zeros(len(best), dtype=np.float32)
        for i, b in enumerate(best):
            if masked[i, b] < 0:
                labels.append("other")
                p[i] = 1.0 - probs[i].max() if probs.shape[1] else 1.0
            else:
                labels.append(names[b])
                p[i] = probs[i, b]
        return labels, p


class Classifier:
    """A loaded model bundle and the feature pipeline its heads were trained with."""

    def __init__(self, bundle: ModelBundle):
        self.bundle = bundle
        if "use" in bundle.block_scale and not use_available():
            from ..errors import SocialAuditError

            raise SocialAuditError("the accurate model needs the optional sentence encoder: "
                                   "pip install 'socialaudit[nlp-accurate]'")

    @classmethod
    def load(cls, variant: str = "fast") -> Classifier:
        if variant not in VARIANTS:
            from ..errors import SocialAuditError

            raise SocialAuditError(f"unknown model variant '{variant}' (fast or accurate)")
        return cls(ModelBundle.load(VARIANTS[variant]))

    @property
    def version(self) -> str:
        return f"{self.bundle.name}@{self.bundle.version}"

    # -- features ---------------------------------------------------------------------

    def block(self, name: str, raw: list[str], normalised: list[str], extra: np.ndarray | None = None,
              counts: sp.csr_matrix | None = None):
        scale = self.bundle.block_scale.get(name, 1.0)
        if name.startswith("ngrams:"):
            featurizer = self.bundle.featurizers[name.split(":", 1)[1]]
            return featurizer.transform_counts(counts) if counts is not None else featurizer.transform(normalised)
        if name == "lexicon":
            return sp.csr_matrix(lexicon_features(raw) * scale)
        if name == "use":
            return sp.csr_matrix(use_embeddings(raw) * scale)
        if name == "cues":
            return sp.csr_matrix(cue_features(raw) * scale)
        if name == "scores":
            assert extra is not None
            return sp.csr_matrix(extra * scale)
        raise KeyError(name)

    def design(self, blocks: list[str], raw: list[str], normalised: list[str],
               extra: np.ndarray | None = None) -> sp.csr_matrix:
        return sp.hstack([self.block(b, raw, normalised, extra) for b in blocks]).tocsr()

    # -- prediction -------------------------------------------------------------------

    def language_scores(self, raw: list[str], langs: list[str]) -> np.ndarray:
        """(n, 5): p(complaint), p(negative), p(neutral), p(positive), is German."""
        normalised = [normalise(t) for t in raw]
        out = np.zeros((len(raw), 5), dtype=np.float32)
        german = np.array([lang == "de" for lang in langs], dtype=bool)
        for lang, rows in (("de", np.flatnonzero(german)), ("en", np.flatnonzero(~german))):
            if not len(rows):
                continue
            r = [raw[i] for i in rows]
            n = [normalised[i] for i in rows]
            counts = hashed_counts(n)  # hashed once, weighted by each head's own IDF
            complaint = self.bundle.heads[f"complaint:{lang}"]
            sentiment = self.bundle.heads[f"sentiment:{lang}"]
            cache: dict[str, sp.csr_matrix] = {}

            def design(head, r=r, n=n, cache=cache, counts=counts):
                for b in head.blocks:
                    if b not in cache:
                        cache[b] = self.block(b, r, n, counts=counts)
                return sp.hstack([cache[b] for b in head.blocks]).tocsr()

            out[rows, 0] = complaint.predict_proba(design(complaint))[:, 1]
            out[rows, 1:4] = sentiment.predict_proba(design(sentiment))
        out[:, 4] = german
        return out

    def predict(self, texts: list[str | None]) -> Predictions:
        raw = [t or "" for t in texts]
        langs, lang_prob = identify(raw)
        scores = self.language_scores(raw, langs)
        intent_prob = {"complaint": scores[:, 0]}
        designs: dict[tuple[str, ...], sp.csr_matrix] = {}
        for name in ("question", "product_feedback", "praise"):
            head = self.bundle.heads[name]
            key = tuple(head.blocks)
            if key not in designs:
                designs[key] = self.design(head.blocks, raw, [], scores)
            intent_prob[name] = head.predict_proba(designs[key])[:, 1]
        thresholds = {"complaint": self.bundle.heads["complaint:en"].threshold,
                      **{k: self.bundle.heads[k].threshold for k in ("question", "product_feedback", "praise")}}
        sentiment = [SENTIMENTS[i] for i in scores[:, 1:4].argmax(axis=1)]
        return Predictions(langs, lang_prob, sentiment, scores[:, 1:4], intent_prob, thresholds)
