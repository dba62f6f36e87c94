"""Which inbound posts are actionable: questions, complaints, product feedback.

"Actionable inbound" decides what counts as unanswered, so the rule is explicit and
swappable.  :class:`CueRule` is a transparent English/German cue list (a question mark that
ends a sentence, interrogative openings, complaint phrases); the classifier stage
provides a learned rule with the same interface.  Every rule returns, per post, three
flags: ``question``, ``complaint`` and ``actionable``.
"""

from __future__ import annotations

from typing import Protocol

import ibis.expr.types as ir

#: "?" ending a sentence, not inside a URL's query string.
QUESTION_MARK = r"\?+(\s|$|[)\]\"'!.,])"
#: Interrogative openings, after any leading @handles (EN, DE): question words, and
#: auxiliaries only with a subject ("do you", "can I", "kann man"), so that "Do not ...",
#: "Will never ..." or "Was ..." (English past tense) are not taken for questions.
QUESTION_OPENING = (
    r"^\s*(\.?@[a-z0-9_.]+\s+)*("
    r"how|why|what|when|where|who|which|whose|any( ?one| ?body)|is there|are there|"
    r"(can|could|would|will|do|does|did|should|shall|is|are|has|have) "
    r"(you|u|i|we|they|someone|somebody|anyone|it|this|that|my|your|there)|"
    r"wie|warum|wieso|weshalb|wann|wo|woher|wohin|wer|welche[rsmn]?|gibt es|"
    r"(kann|kannst|können|könnt|ist|sind|habt|hat|haben|muss|müssen|darf|dürfen|soll|sollte|wird|werde) "
    r"(ich|man|ihr|sie|es|das|mein|meine|jemand)"
    r")\b"
)
COMPLAINT_CUES = (
    r"(not|n't|never) (work|working|arrived|received|delivered|showing|loading|responding|answered)|"
    r"doesn'?t work|does not work|isn'?t working|stopped working|won'?t (work|load|let|open)|"
    r"can'?t (log|sign|access|connect|get|use|find|play|stream|cancel)|cannot|unable to|"
    r"broken|worst|terrible|awful|horrible|pathetic|useless|unacceptable|ridiculous|disgusting|"
    r"disappointed|frustrat|annoy|angry|furious|rude|scam|rip ?off|"
    r"refund|charged (me )?twice|double charged|overcharged|still (waiting|no|not|nothing)|no (response|reply|answer)|"
    r"on hold|delayed|cancel+ed|outage|down again|keeps? (crashing|freezing|dropping)|crash|error|bug|glitch|"
    r"lost my|missing|wrong (order|item|charge)|complain|"
    r"funktioniert (nicht|wieder nicht)|geht (nicht|wieder nicht)|kaputt|beschwerde|schlecht|miserabel|"
    r"versp(ä|ae)t|immer noch|seit (stunden|tagen|wochen)|unversch(ä|ae)mt|entt(ä|ae)uscht|frechheit|"
    r"ausfall|st(ö|oe)rung|fehler|storniert|erstattung|nicht erreichbar|keine antwort|warte"
)


class ActionableRule(Protocol):
    """Flags inbound posts; ``name`` is recorded in the audit summary."""

    name: str

    def flag(self, posts: ir.Table) -> ir.Table:
        """``posts`` plus boolean columns ``question``, ``complaint``, ``actionable``."""


class CueRule:
    """Transparent EN/DE cues: questions and complaints (product feedback needs the classifier)."""

    name = "cues-en-de-v1"

    def flag(self, posts: ir.Table) -> ir.Table:
        text = posts.text.fill_null("").lower()
        question = text.re_search(QUESTION_MARK) | text.re_search(QUESTION_OPENING)
        complaint = text.re_search(COMPLAINT_CUES)
        return posts.mutate(question=question, complaint=complaint, actionable=question | complaint)


def default_rule() -> ActionableRule:
    return CueRule()
