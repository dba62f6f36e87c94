"""Which inbound posts are actionable: questions, complaints, product feedback.

"Actionable inbound" decides what counts as unanswered, so the rule is explicit and
swappable.  :class:`CueRule` is a transparent English/German cue list (a question mark that
ends a sentence, interrogative openings, complaint phrases); the classifier stage
provides a learned rule with the same interface.  Every rule returns, per post, three
flags: ``question``, ``complaint`` and ``actionable``.
"""

from __future__ import annotations

from typing import Protocol

import ibis
import ibis.expr.types as ir

from ..enrich.text import COMPLAINT_CUES, QUESTION_MARK, QUESTION_OPENING


class ActionableRule(Protocol):
    """Flags inbound posts; ``name`` is recorded in the audit summary."""

    name: str

    def flag(self, posts: ir.Table) -> ir.Table:
        """``posts`` plus boolean columns ``question``, ``complaint``, ``product_feedback``, ``actionable``."""


def cue_question(text: ir.StringValue) -> ir.BooleanValue:
    """A question mark that ends a sentence, or an interrogative opening (EN/DE)."""
    text = text.fill_null("").lower()
    return text.re_search(QUESTION_MARK) | text.re_search(QUESTION_OPENING)


def cue_complaint(text: ir.StringValue) -> ir.BooleanValue:
    """A complaint phrase (EN/DE)."""
    return text.fill_null("").lower().re_search(COMPLAINT_CUES)


class CueRule:
    """Transparent EN/DE cues: questions and complaints (product feedback needs the classifier)."""

    name = "cues-en-de-v1"

    def flag(self, posts: ir.Table) -> ir.Table:
        question, complaint = cue_question(posts.text), cue_complaint(posts.text)
        return posts.mutate(question=question, complaint=complaint, product_feedback=ibis.literal(False),
                            actionable=question | complaint)


class EnrichedRule:
    """The classifiers' reading (``socialaudit enrich``): question, complaint and product
    feedback flags from the ``enrichments`` table; posts the classifiers have not read yet
    fall back to :class:`CueRule`, so a half-enriched store still gives a whole audit.

    The cues sit inside the fallback (``COALESCE(reading, cue)``), so the engine runs the
    regular expressions only on posts without a reading, not on every inbound post.
    """

    def __init__(self, model: str):
        self.model = model
        self.name = f"classifier:{model}"

    def flag(self, posts: ir.Table) -> ir.Table:
        enrichments = posts.get_backend().table("enrichments")
        read = enrichments.filter(enrichments.model == self.model).select(
            e_channel=enrichments.channel, e_post_id=enrichments.post_id, e_question=enrichments.question,
            e_complaint=enrichments.complaint, e_feedback=enrichments.product_feedback)
        joined = posts.left_join(read, [posts.channel == read.e_channel, posts.post_id == read.e_post_id])
        question = joined.e_question.fill_null(cue_question(joined.text))
        complaint = joined.e_complaint.fill_null(cue_complaint(joined.text))
        feedback = joined.e_feedback.fill_null(False)
        return joined.mutate(question=question, complaint=complaint, product_feedback=feedback,
                             actionable=question | complaint | feedback).drop(
            "e_channel", "e_post_id", "e_question", "e_complaint", "e_feedback")


def reading_model(con) -> str | None:
    """The model whose readings the audit and the routing use: the one that read the most posts
    (on a tie, the later name, so a re-enrichment by a new version takes over), or ``None``."""
    try:
        row = con.execute("SELECT model FROM enrichments GROUP BY model ORDER BY count(*) DESC, model DESC "
                          "LIMIT 1").fetchone()
    except Exception:  # a store from before the enrichments table: no reading to use
        return None
    return row[0] if row else None


def default_rule(con=None) -> ActionableRule:
    """The classifiers' reading when the store has one (:func:`reading_model`), else the cue rule."""
    model = reading_model(con) if con is not None else None
    return EnrichedRule(model) if model else CueRule()
