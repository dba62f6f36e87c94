"""The hand-labelled posts the intent models learn from and are measured on.

``data/labelled/intent_labels.csv`` holds every labelled post with its provenance (source,
licence, brand, conversation, turn), its labels (four binary intents and a sentiment) and its
split.  Texts whose licence does not allow shipping them (the ACL 2019 complaints corpus) are
left empty there and read, by tweet id, from the corpus itself (``../shared/data`` or any
folder given); :func:`load_labelled` says which rows it could not fill.

The split is by **conversation**: a reply never sits in another split than the post it
answers, and the split of a conversation never depends on the other posts
(:func:`split_of`).  Everything chosen — features, regularisation, thresholds — is chosen on
``dev``; ``test`` only gives the model card's figures.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import SocialAuditError

INTENTS = ("question", "complaint", "product_feedback", "praise")
SENTIMENTS = ("negative", "neutral", "positive")
SOURCES = ("twcs", "spotify", "ibm", "complaints", "germeval")
TURNS = ("first", "later", "single")
COLUMNS = ("id", "source", "licence", "lang", "brand", "conversation", "turn", "split", "text",
           *INTENTS, "sentiment", "sample", "annotator", "notes")
#: Sources whose text is not in the repository, and the corpus file that holds it.
TEXT_ELSEWHERE = {"complaints": Path("complaints") / "train.csv"}
TEST_SHARE = 3  # of 10: the share of conversations in ``test``


def split_of(conversation: str) -> str:
    """``test`` for 30 % of conversations, by a stable hash of the conversation id alone."""
    digest = hashlib.sha256(f"socialaudit-intent-split-v2:{conversation}".encode()).hexdigest()
    return "test" if int(digest[:8], 16) % 10 < TEST_SHARE else "dev"


@dataclass(frozen=True)
class LabelledPost:
    id: str
    source: str
    lang: str
    brand: str
    conversation: str
    turn: str
    split: str
    text: str
    question: int
    complaint: int
    product_feedback: int
    praise: int
    sentiment: str | None
    sample: str
    annotator: str
    notes: str

    def label(self, intent: str) -> int:
        return getattr(self, intent)


@dataclass
class LabelledSet:
    posts: list[LabelledPost]
    missing_text: int  # rows whose text lives in a corpus that was not found

    def where(self, **conditions) -> list[LabelledPost]:
        return [p for p in self.posts if all(getattr(p, k) == v for k, v in conditions.items())]


def _flag(value: str, path: Path, line: int, column: str) -> int:
    if value not in ("0", "1"):
        raise SocialAuditError(f"{path}:{line}: {column} must be 0 or 1, not {value!r}")
    return int(value)


def _corpus_texts(shared: Path | None, source: str) -> dict[str, str] | None:
    if shared is None or not (shared / TEXT_ELSEWHERE[source]).is_file():
        return None
    with (shared / TEXT_ELSEWHERE[source]).open(newline="", encoding="utf-8") as fh:
        return {f"{source}:{row['tweet_id']}": row["text"] for row in csv.DictReader(fh)}


def load_labelled(path: Path, shared: Path | None = None) -> LabelledSet:
    """Read and validate the labelled file; fill texts kept elsewhere from ``shared``.

    Every problem is one :class:`SocialAuditError` naming the file, line and column.
    """
    if not path.is_file():
        raise SocialAuditError(f"{path}: missing (the hand-labelled posts of data/labelled)")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SocialAuditError(f"{path}:1: missing column(s) {', '.join(missing)}")
        rows = [(reader.line_num, row) for row in reader]
    elsewhere = {s: _corpus_texts(shared, s) for s in TEXT_ELSEWHERE}
    posts, seen, missing_text = [], set(), 0
    for line, row in rows:
        if row["id"] in seen:
            raise SocialAuditError(f"{path}:{line}: id {row['id']} appears twice")
        seen.add(row["id"])
        for column, allowed in (("source", SOURCES), ("turn", TURNS), ("split", ("dev", "test")),
                                ("lang", ("en", "de"))):
            if row[column] not in allowed:
                raise SocialAuditError(f"{path}:{line}: {column} {row[column]!r} is not one of {', '.join(allowed)}")
        if row["split"] != split_of(row["conversation"]):
            raise SocialAuditError(f"{path}:{line}: split {row['split']} does not follow the conversation's hash")
        sentiment = row["sentiment"] or None
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise SocialAuditError(f"{path}:{line}: sentiment {sentiment!r} is not one of {', '.join(SENTIMENTS)}")
        text = row["text"]
        if row["source"] in TEXT_ELSEWHERE:
            if text:
                raise SocialAuditError(f"{path}:{line}: {row['source']} texts may not be shipped; leave text empty")
            texts = elsewhere[row["source"]]
            if texts is None or row["id"] not in texts:
                missing_text += 1
                continue
            text = texts[row["id"]]
        elif not text.strip():
            raise SocialAuditError(f"{path}:{line}: empty text")
        posts.append(LabelledPost(
            row["id"], row["source"], row["lang"], row["brand"], row["conversation"], row["turn"], row["split"],
            text, *(_flag(row[i], path, line, i) for i in INTENTS), sentiment, row["sample"], row["annotator"],
            row["notes"]))
    return LabelledSet(posts, missing_text)


def cohens_kappa(a: list[int] | list[str], b: list[int] | list[str]) -> float:
    """Cohen's kappa of two labellings of the same items (1.0 = perfect, 0 = chance)."""
    if len(a) != len(b) or not a:
        raise ValueError("two labellings of the same, non-empty items are needed")
    n = len(a)
    labels = sorted(set(a) | set(b), key=str)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((sum(x == k for x in a) / n) * (sum(y == k for y in b) / n) for k in labels)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)
