"""The EN/DE cue rule that decides which inbound posts are actionable (question / complaint)."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest

from socialaudit.metrics.actionable import CueRule, default_rule

CASES = [
    # text, question, complaint
    ("where is my order?", True, False),
    ("@acmecare how do I cancel", True, False),  # interrogative opening after a handle, no "?"
    (".@acmecare why is it late", True, False),
    ("hello?", True, False),
    ("is this thing on?)", True, False),  # "?" before a closing bracket
    ("see https://x.com/a?b=1 nice", False, False),  # "?" inside a URL is no question
    ("@acmecare is the worst", False, True),  # "is" after a handle is a statement
    ("my parcel is broken", False, True),
    ("my order never arrived", False, True),
    ("I was charged twice", False, True),
    ("the app keeps crashing", False, True),
    ("love you guys", False, False),
    ("thanks, great service", False, False),
    ("Wo ist mein Paket", True, False),
    ("Gibt es das auch in Blau", True, False),
    ("Die App funktioniert nicht", False, True),
    ("Ich warte seit Tagen", False, True),
    ("Zug schon wieder verspätet", False, True),
    ("Danke!", False, False),
    (None, False, False),
    ("", False, False),
]


def flagged(texts):
    table = ibis.memtable(pa.table({"text": pa.array(texts, pa.string())}))
    return CueRule().flag(table).to_pyarrow().to_pylist()


@pytest.mark.parametrize("text, question, complaint", CASES)
def test_cues(text, question, complaint):
    row = flagged([text])[0]
    assert (row["question"], row["complaint"]) == (question, complaint)
    assert row["actionable"] == (question or complaint)


def test_default_rule_is_named():
    assert default_rule().name == "cues-en-de-v1"
