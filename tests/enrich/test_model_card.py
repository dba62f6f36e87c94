"""The shipped bundles' figures are what they do now on the test split, their thresholds and
calibrations are the ones chosen on dev and stored with them, and the card shows the stored figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import REPO, SHARED_DATA

from socialaudit.enrich.bundle import MODELS_DIR
from socialaudit.enrich.card import headline_rows, render_card
from socialaudit.enrich.classifier import FAST, INTENTS, Classifier
from socialaudit.enrich.labelled import load_labelled

LABELLED = REPO / "data" / "labelled" / "intent_labels.csv"


@pytest.fixture(scope="module")
def meta():
    return json.loads((Path(str(MODELS_DIR)) / f"{FAST}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fast():
    return Classifier.load("fast")


def test_thresholds_and_calibration_come_from_the_bundle(fast, meta):
    texts = ["@AcmeCare where is my order?", "Warum fällt der Zug schon wieder aus?"]
    p = fast.predict(texts)
    assert p.lang == ["en", "de"]
    for task in INTENTS:
        for i, lang in enumerate(p.lang):
            stored = meta["heads"][f"{task}:{lang}"]
            assert p.thresholds[task][i] == pytest.approx(stored["threshold"])
            assert stored["threshold"] == meta["evaluation"]["selection"][f"{task}:{lang}"]["threshold"]
            assert stored["calibration"] == list(meta["evaluation"]["selection"][f"{task}:{lang}"]["calibration"])
            assert p.flags(task)[i] == (p.intent_prob[task][i] >= stored["threshold"])


def test_stored_test_figures_are_reproduced(fast, meta):
    if not (SHARED_DATA / "complaints" / "train.csv").exists():
        pytest.skip("../shared/data not available: the complaints corpus' texts are read from it")
    posts = [p for p in load_labelled(LABELLED, SHARED_DATA).posts
             if p.split == "test" and not (p.sample == "v1")]
    stored = meta["evaluation"]["test"]["intents"]
    for lang in ("en", "de"):
        mine = [p for p in posts if p.lang == lang]
        predictions = fast.predict([p.text for p in mine])
        for task in INTENTS:
            y = np.array([p.label(task) for p in mine])
            flags = predictions.flags(task)
            figures = stored[f"{lang}:all"][task]["model"]
            assert int(flags.sum()) == figures["predicted"], (lang, task)
            assert int((flags & (y == 1)).sum()) == round(figures["recall"] * figures["positives"]), (lang, task)


def test_the_model_beats_the_cue_rule_where_the_issue_found_it_did_not(meta):
    en = meta["evaluation"]["test"]["intents"]["en:all"]
    for task in ("question", "complaint", "product_feedback"):
        assert en[task]["model"]["f1"] > en[task]["rule"]["f1"], task
    assert en["macro_f1_3"]["model"]["value"] > en["macro_f1_3"]["previous"]["value"]
    de = meta["evaluation"]["test"]["intents"]["de:all"]
    assert de["question"]["model"]["precision"] > de["question"]["rule"]["precision"]


def test_card_shows_the_stored_figures():
    card = (Path(str(MODELS_DIR)) / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert card == render_card(Path(str(MODELS_DIR)))  # regenerated whenever a bundle changes
    meta = json.loads((Path(str(MODELS_DIR)) / f"{FAST}.json").read_text(encoding="utf-8"))
    for row in headline_rows(meta["evaluation"]):
        assert row[3] in card
