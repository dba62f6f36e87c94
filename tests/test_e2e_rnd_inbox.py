"""End to end on the bundled sample: with the new default model, the R&D inbox is smaller than with
the previous one, and what it holds is mostly product feedback (by the labels read in data/labelled)."""

from __future__ import annotations

import csv

import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY, REPO

from socialaudit.enrich.classifier import Classifier
from socialaudit.enrich.store import enrich_store
from socialaudit.loop.inbox import inbox_items, route_store
from socialaudit.loop.routing import load_rules
from socialaudit.registry import load_registry
from socialaudit.store import Store, import_file, save_registry


def rnd_inbox(path, variant: str) -> list[dict]:
    with Store(path) as store:
        save_registry(store.con, load_registry(REGISTRY), store.pseudonymiser())
        import_file(store, BUNDLED_SAMPLE, "twcs")
        enrich_store(store.con, Classifier.load(variant))
        route_store(store.con, load_rules())
        return inbox_items(store.con, "rnd", limit=None)


@pytest.fixture(scope="module")
def labels() -> dict[str, int]:
    with (REPO / "data" / "labelled" / "intent_labels.csv").open(newline="", encoding="utf-8") as fh:
        return {r["id"].split(":", 1)[1]: int(r["product_feedback"]) for r in csv.DictReader(fh)
                if r["source"] == "twcs"}


def test_the_rnd_inbox_is_smaller_and_mostly_product_feedback(tmp_path, labels):
    before = rnd_inbox(tmp_path / "v1.duckdb", "fast-v1")
    after = rnd_inbox(tmp_path / "v2.duckdb", "fast")
    assert len(after) < 0.6 * len(before), (len(after), len(before))

    def precision(items):
        judged = [labels[i["post_id"]] for i in items if i["post_id"] in labels]
        return sum(judged) / len(judged), len(judged)

    p_before, _ = precision(before)
    p_after, judged = precision(after)
    assert judged >= 20
    assert p_after >= 0.6 and p_after > p_before + 0.2, (p_after, p_before)
    top = precision(after[:10])[0]  # what an R&D reader sees first (newest first)
    assert top >= 0.6
