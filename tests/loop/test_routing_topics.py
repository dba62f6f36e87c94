"""Routing rules that name a topic by its description, and the readings routing uses."""

from __future__ import annotations

import pytest
from helpers import write
from loop.loopstore import add_post

from socialaudit.enrich.topics import TopicMatcher, TopicSpec, clean, keyword_matches
from socialaudit.errors import ConfigError
from socialaudit.loop.inbox import inbox_items, route_store
from socialaudit.loop.routing import load_rules

RULES = """
version: 1
topics:
  playback:
    description: "music stops, skips or will not play"
  billing:
    description: "charged twice, refund for a payment, subscription price"
  delivery:
    keywords: [parcel, delivery]
rules:
  - name: playback problems to R&D
    when: {topic: playback}
    route: [rnd]
  - name: money to sales
    when: {topic: [billing, delivery]}
    route: [sales]
"""

POSTS = {
    "p1": "@SpotifyCares every song stops after 10 seconds and the next one will not start",
    "p2": "@SpotifyCares I was charged twice for Premium this month, I want my money back",
    "p3": "@AcmeHelp where is my parcel? Delivery was due yesterday",
    "p4": "@SpotifyCares thanks, that worked!",
    "p5": "@SpotifyCares die Musik bricht ständig ab und spielt nicht weiter",  # German: by meaning, not words
}


@pytest.fixture
def con(store):
    for pid, text in POSTS.items():
        add_post(store.con, pid, text, intents=("complaint",))
    return store.con


def test_rules_by_description_route_by_meaning(con, tmp_path):
    config = load_rules(write(tmp_path / "rules.yaml", RULES))
    route_store(con, config)
    rnd = {i["post_id"] for i in inbox_items(con, "rnd")}
    sales = {i["post_id"] for i in inbox_items(con, "sales")}
    assert rnd == {"p1", "p5"}
    assert sales == {"p2", "p3"}  # p2 by description, p3 by keywords


def test_unknown_topic_and_empty_topic_are_config_errors(tmp_path):
    bad = RULES.replace("when: {topic: playback}", "when: {topic: plaback}")
    with pytest.raises(ConfigError, match="unknown topic 'plaback'"):
        load_rules(write(tmp_path / "bad.yaml", bad))
    empty = "version: 1\ntopics: {x: {}}\nrules: [{name: r, when: {topic: x}, route: [rnd]}]\n"
    with pytest.raises(ConfigError, match="description, examples or keywords"):
        load_rules(write(tmp_path / "empty.yaml", empty))


def test_matcher_with_a_fake_encoder_follows_its_three_conditions():
    # 2-d "embeddings": topic a = (1, 0), topic b = (0, 1); the no-topic replies all map to (-1, 0).
    vectors = {"about a": (1.0, 0.0), "about b": (0.0, 1.0)}

    def encoder(texts):
        import numpy as np

        return np.array([vectors.get(t, (0.8, 0.6) if t == "mostly a" else (-1.0, 0.0)) for t in texts])

    matcher = TopicMatcher([TopicSpec("a", "about a"), TopicSpec("b", "about b")], encoder=encoder)
    flags = matcher.matches(["about a", "mostly a", "something else"])
    # "mostly a": similarity 0.8 to a and 0.6 to b; b is more than the margin (0.1) below a
    assert flags.tolist() == [[True, False], [True, False], [False, False]]


def test_keyword_rule_and_cleaning():
    topics = [TopicSpec("d", keywords=("parcel", "on hold"))]
    assert keyword_matches(topics, ["My PARCEL is late", "parcels", "on   hold for ages"]).ravel().tolist() == [
        True, False, True]
    assert clean("@AcmeHelp see https://t.co/x now") == "see now"
