"""Language identification: the batch version gives py3langid's own answers."""

from __future__ import annotations

import csv

import numpy as np
from helpers import BUNDLED_SAMPLE, REPO

from socialaudit.enrich.language import identify, reference_identify

EDGE_CASES = ["", "   ", None, "OK THX", "ok", "😀😀", "https://t.co/x", "Merci beaucoup pour votre aide",
              "¿Dónde está mi pedido?", "Wo bleibt mein Paket?", "a" * 5000, "Zug fällt aus\nwieder mal"]


def test_batch_answers_equal_py3langid_per_text():
    with BUNDLED_SAMPLE.open(encoding="utf-8", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)][:1500]
    with (REPO / "data" / "labelled" / "intent_labels_v1.csv").open(encoding="utf-8", newline="") as fh:
        texts += [r["text"] for r in csv.DictReader(fh)]
    texts += [t or "" for t in EDGE_CASES]
    langs, probs = identify(texts)
    ref_langs, ref_probs = reference_identify(texts)
    assert langs == ref_langs
    assert np.allclose(probs, ref_probs, atol=1e-4)


def test_empty_texts_are_undetermined_and_short_ones_fall_back_to_en_or_de():
    langs, probs = identify(["", " ", "ok", "Danke für die schnelle Antwort!"])
    assert langs[:2] == ["und", "und"] and probs[0] == 0
    assert langs[2] in ("en", "de") and langs[3] == "de"
