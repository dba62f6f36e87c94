"""Reading posts: language, sentiment, complaint, question, product feedback, praise.

Bundles of format 2 (``socialaudit-nlp-fast-v2``, ``-accurate-v2``) have one head per task and
language (``question:en`` … ``sentiment:de``; every language but German is read by the English
heads).  Each head is a logistic regression over named feature blocks — hashed n-grams with the
language's IDF weights, readable cue features, VADER-lexicon features (English) and, in the
accurate variant, multilingual sentence embeddings — with a calibration of its probability and
its own decision threshold, both chosen on the labelled ``dev`` split.  Every label comes with
its probability; a post may carry several intents.

Format 1 (``socialaudit-nlp-fast-v1``, the previous default) is kept loadable as ``fast-v1`` so
that older readings can be reproduced and the model card can show it beside the new one: its
language heads score complaint and sentiment, and its intent heads read cues and those scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .bundle import ModelBundle
from .features import hashed_counts, lexicon_features, use_available, use_embeddings
from .language import identify
from .text import cue_features, normalise

FAST = "socialaudit-nlp-fast-v2"
ACCURATE = "socialaudit-nlp-accurate-v2"
PREVIOUS = "socialaudit-nlp-fast-v1"
VARIANTS = {"fast": FAST, "accurate": ACCURATE, "fast-v1": PREVIOUS}
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
    thresholds: dict[str, np.ndarray | float]  # each intent -> (n,) (per post's language) or one value

    def flags(self, intent: str) -> np.ndarray:
        return self.intent_prob[intent] >= self.thresholds[intent]

    def take(self, rows: np.ndarray) -> Predictions:
        """The predictions of ``rows`` (in that order; rows may repeat)."""
        def pick(x):
            return x[rows] if isinstance(x, np.ndarray) else x

        return Predictions([self.lang[i] for i in rows], self.lang_prob[rows], [self.sentiment[i] for i in rows],
                           self.sentiment_prob[rows], {k: v[rows] for k, v in self.intent_prob.items()},
                           {k: pick(v) for k, v in self.thresholds.items()})

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

            raise SocialAuditError(f"unknown model variant '{variant}' ({', '.join(VARIANTS)})")
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

    @property
    def format(self) -> int:
        return int(self.bundle.meta.get("format", 1))

    def predict_distinct(self, texts: list[str | None]) -> Predictions:
        """:meth:`predict`, reading each distinct text once (a reading depends on the text alone, so
        this is exact; replies such as "DM sent" or retweets repeat)."""
        index: dict[str, int] = {}
        rows = np.fromiter((index.setdefault(t or "", len(index)) for t in texts), dtype=np.int64, count=len(texts))
        if len(index) == len(texts):
            return self.predict(texts)
        return self.predict(list(index)).take(rows)

    def predict(self, texts: list[str | None]) -> Predictions:
        raw = [t or "" for t in texts]
        langs, lang_prob = identify(raw)
        if self.format == 1:
            return self._predict_v1(raw, langs, lang_prob)
        n = len(raw)
        intent_prob = {k: np.zeros(n, dtype=np.float32) for k in INTENTS}
        thresholds = {k: np.zeros(n, dtype=np.float32) for k in INTENTS}
        sentiment_prob = np.zeros((n, len(SENTIMENTS)), dtype=np.float32)
        german = np.array([lang == "de" for lang in langs], dtype=bool)
        for lang, rows in (("de", np.flatnonzero(german)), ("en", np.flatnonzero(~german))):
            if not len(rows):
                continue
            blocks = BlockCache(self, [raw[i] for i in rows], lang)
            for task in INTENTS:
                head = self.bundle.heads[f"{task}:{lang}"]
                intent_prob[task][rows] = head.predict_proba(blocks.design(head.blocks))[:, 1]
                thresholds[task][rows] = head.threshold
            head = self.bundle.heads[f"sentiment:{lang}"]
            sentiment_prob[rows] = head.predict_proba(blocks.design(head.blocks))
        sentiment = [SENTIMENTS[i] for i in sentiment_prob.argmax(axis=1)]
        return Predictions(langs, lang_prob, sentiment, sentiment_prob, intent_prob, thresholds)

    def _predict_v1(self, raw: list[str], langs: list[str], lang_prob: np.ndarray) -> Predictions:
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


class BlockCache:
    """The feature blocks of one language's posts, each computed once for all heads that read it."""

    def __init__(self, classifier: Classifier, raw: list[str], lang: str):
        self.classifier, self.raw, self.lang = classifier, raw, lang
        self.normalised = [normalise(t) for t in raw]
        self._counts: sp.csr_matrix | None = None
        self._blocks: dict[str, sp.csr_matrix] = {}
        self._designs: dict[tuple[str, ...], sp.csr_matrix] = {}

    def block(self, name: str) -> sp.csr_matrix:
        if name not in self._blocks:
            if name.startswith("ngrams:"):
                if self._counts is None:
                    self._counts = hashed_counts(self.normalised)
                self._blocks[name] = self.classifier.block(name, self.raw, self.normalised, counts=self._counts)
            else:
                self._blocks[name] = self.classifier.block(name, self.raw, self.normalised)
        return self._blocks[name]

    def design(self, blocks: list[str]) -> sp.csr_matrix:
        """The blocks side by side (built once for all heads that read the same blocks)."""
        key = tuple(blocks)
        if key not in self._designs:
            self._designs[key] = sp.hstack([self.block(b) for b in blocks]).tocsr()
        return self._designs[key]
