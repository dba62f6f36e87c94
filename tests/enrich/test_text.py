"""Normalisation and cue features: the small, readable signals the intent heads weigh."""

from __future__ import annotations

import numpy as np
import pytest

from socialaudit.enrich.text import CUE_NAMES, cue_features, normalise


def test_normalise_replaces_urls_handles_pseudonyms_and_numbers():
    text = "@AcmeCare my order 12345 https://t.co/xyz is late u_0123456789abcdef"
    assert normalise(text) == "@user my order 0 url is late @user"


def test_normalise_handles_empty_and_none():
    assert normalise(None) == "" and normalise("") == "" and normalise("   ") == ""


def test_normalise_clips_very_long_texts():
    assert len(normalise("a " * 5000)) <= 1000


def cues(text: str) -> dict[str, float]:
    return dict(zip(CUE_NAMES, cue_features([text])[0], strict=False))


@pytest.mark.parametrize(("text", "cue"), [
    ("Where is my parcel?", "qmark_end"),
    ("@acme how do I reset my password", "wh_opening"),
    ("Can you help me with my bill", "aux_opening"),
    ("Kann ich das Ticket umbuchen", "aux_opening"),
    ("please help, my card was charged", "help_request"),
    ("Please add a dark mode to the app", "feature_request"),
    ("the app keeps crashing since the update", "bug_words"),
    ("Danke für die schnelle Hilfe", "thanks"),
    ("You guys are awesome", "praise_words"),
    ("where is it?", "rule_question"),
    ("my order never arrived", "rule_complaint"),
])
def test_each_cue_fires_on_its_example(text, cue):
    assert cues(text)[cue] == 1.0


def test_no_cue_fires_on_a_neutral_statement():
    values = cues("I am on the train to Berlin")
    assert all(values[name] == 0.0 for name in CUE_NAMES if name not in ("negation", "exclaim"))


def test_cue_matrix_shape_and_empty_rows():
    m = cue_features(["", "hello?"])
    assert m.shape == (2, len(CUE_NAMES) + 1)
    assert not m[0].any() and m[1, CUE_NAMES.index("qmark_end")] == 1.0
    assert np.isclose(m[1, -1], np.log1p(6) / 6)
