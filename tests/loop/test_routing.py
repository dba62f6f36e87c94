"""Routing rules: loading with clear errors, and which post goes to which department."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest
from helpers import write

from socialaudit.errors import ConfigError
from socialaudit.loop.routing import keyword_pattern, load_rules, routed

POSTS = [
    # post_id, text, intents, sentiment, channel, lang
    ("1", "Please add a sleep timer to the app", ["product_feedback"], "neutral", "twitter", "en"),
    ("2", "Where is my parcel?", ["question"], "neutral", "twitter", "en"),
    ("3", "The app crashes on login, worst app ever", ["complaint"], "negative", "facebook", "en"),
    ("4", "Love the new design, thanks!", ["praise"], "positive", "instagram", "en"),
    ("5", "How much is the family plan?", ["question"], "neutral", "twitter", "en"),
    ("6", "Nice weather today", [], "positive", "twitter", "en"),
    ("7", "Warum ist die App so langsam?", ["question", "complaint"], "negative", "twitter", "de"),
]


def candidates():
    cols = {"channel": [], "post_id": [], "company_id": [], "text": [], "lang": [], "sentiment": [],
            "question": [], "complaint": [], "product_feedback": [], "praise": []}
    for pid, text, intents, sentiment, channel, lang in POSTS:
        cols["channel"].append(channel)
        cols["post_id"].append(pid)
        cols["company_id"].append("acme")
        cols["text"].append(text)
        cols["lang"].append(lang)
        cols["sentiment"].append(sentiment)
        for k in ("question", "complaint", "product_feedback", "praise"):
            cols[k].append(k in intents)
    return ibis.memtable(pa.table(cols))


def routes(config) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in routed(candidates(), config).to_pyarrow().to_pylist():
        out.setdefault(r["post_id"], set()).add(r["department"])
    return out


def test_default_rules_route_each_post_where_it_belongs():
    got = routes(load_rules())
    assert got["1"] == {"rnd", "product"}  # product feedback
    assert got["2"] == {"service"}
    assert got["3"] == {"service", "product", "marketing"}  # app complaint, public and angry ("worst")
    assert got["4"] == {"marketing"}
    assert got["5"] == {"service", "sales"}  # a question about a plan
    assert "6" not in got  # nothing actionable
    assert got["7"] == {"service", "product"}  # German: "App" names the mobile app


def test_custom_rules_conditions_and_rule_names(tmp_path):
    rules = write(tmp_path / "r.yaml", """
rules:
  - name: german to service
    when: {language: de}
    route: service
  - name: facebook complaints
    when: {channel: facebook, intent: complaint}
    route: [marketing, service]
""")
    config = load_rules(rules)
    table = routed(candidates(), config).to_pyarrow().to_pylist()
    by_key = {(r["post_id"], r["department"]): r["rules"] for r in table}
    assert by_key == {("7", "service"): "german to service", ("3", "marketing"): "facebook complaints",
                      ("3", "service"): "facebook complaints"}


def test_keyword_pattern_matches_whole_words_and_phrases():
    import re

    rx = re.compile(keyword_pattern(["app", "never again"]))
    assert rx.search("the app is down") and rx.search("app") and rx.search("never  again!")
    assert not rx.search("happy") and not rx.search("apple")


@pytest.mark.parametrize(("text", "where", "reason"), [
    ("rules:\n  - name: x\n    route: [legal]\n", "3 (rules[0].route[0])", "Input should be"),
    ("rules:\n  - name: x\n    when: {mood: angry}\n    route: rnd\n", "3 (rules[0].when.mood)", "unknown field 'mood'"),
    ("rules:\n  - name: x\n    when: {product: [tv]}\n    route: rnd\n", "", "unknown product 'tv'"),
    ("rules: []\n", "1 (rules)", "at least 1"),
    ("rules:\n  - name: x\n    route: [rnd\n", "", "not valid YAML"),
])
def test_bad_rules_name_file_line_and_reason(tmp_path, text, where, reason):
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    message = str(info.value)
    assert "bad.yaml" in message and reason in message and where in message


def test_missing_rules_file(tmp_path):
    with pytest.raises(ConfigError, match="no such routing rules file"):
        load_rules(tmp_path / "nope.yaml")
