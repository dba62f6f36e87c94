"""The shipped bundle's hand-labelled figures are what it does now on the test half, and the
model card shows the figures stored in the bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import REPO

from socialaudit.enrich.bundle import MODELS_DIR
from socialaudit.enrich.card import headline_rows, render_card
from socialaudit.enrich.classifier import FAST, Classifier

LABELLED = REPO / "data" / "labelled" / "intent_labels.csv"


@pytest.fixture(scope="module")
def meta():
    return json.loads((Path(str(MODELS_DIR)) / f"{FAST}.json").read_text(encoding="utf-8"))


def test_shipped_figures_are_reproduced_on_the_test_half(meta):
    lab = pd.read_csv(LABELLED, keep_default_na=False)
    test = lab[lab.split == "test"]
    predictions = Classifier.load("fast").predict(test.text.tolist())
    stored = meta["evaluation"]["hand_labelled"]
    for name in ("question", "complaint", "product_feedback", "praise"):
        flags = predictions.flags(name)
        for lang in ("en", "de"):
            rows = (test.lang == lang).to_numpy()
            y = test[name].astype(int).to_numpy()[rows]
            tp = int(np.sum(flags[rows] & (y == 1)))
            assert int(np.sum(flags[rows])) == stored[f"{name}_{lang}"]["predicted"], (name, lang)
            assert tp == round(stored[f"{name}_{lang}"]["recall"] * stored[f"{name}_{lang}"]["positives"]), (name, lang)


def test_targets_the_card_reports(meta):
    cv = meta["evaluation"]["cross_validation"]
    assert cv["complaint_en"]["value"] >= 0.80  # the target (paper: 0.79)
    assert cv["sentiment_de"]["value"] > cv["sentiment_de"]["majority_baseline"]
    # English sentiment misses the 0.66 (see the card); it must stay far above chance (0.333)
    assert 0.55 < cv["sentiment_en"]["value"] < 0.80


def test_card_shows_the_stored_figures():
    card = (Path(str(MODELS_DIR)) / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert card == render_card(Path(str(MODELS_DIR)))  # regenerated whenever a bundle changes
    meta = json.loads((Path(str(MODELS_DIR)) / f"{FAST}.json").read_text(encoding="utf-8"))
    for row in headline_rows(meta["evaluation"]):
        assert row[3] in card
