"""Routing rules: which department should read which consumer post.

Rules are data (YAML, see ``default_routing.yaml`` and ``docs/loop.md``), checked on load
with file, line and field in every error.  Each rule becomes one Ibis predicate over the
posts joined with their classifier readings, so routing a store of millions of posts is a
handful of set-oriented queries, and the same rules run on any Ibis backend.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Literal

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..enrich.topics import keyword_pattern
from ..errors import ConfigError
from ..yamlconfig import load_yaml_model
from .profile import DEPARTMENTS

INTENTS = ("question", "complaint", "product_feedback", "praise")
SENTIMENTS = ("negative", "neutral", "positive")
DEFAULT_RULES = files("socialaudit.loop").joinpath("default_routing.yaml")

Department = Literal["rnd", "product", "service", "sales", "marketing"]


def _listify(v):
    if v is None:
        return None
    return [v] if isinstance(v, str) else v


class Condition(BaseModel):
    """All given conditions must hold; a list holds when any of its values does."""

    model_config = ConfigDict(extra="forbid")
    intent: list[Literal["question", "complaint", "product_feedback", "praise"]] | None = None
    keywords: list[str] | None = None
    product: list[str] | None = None
    channel: list[str] | None = None
    language: list[str] | None = None
    sentiment: list[Literal["negative", "neutral", "positive"]] | None = None
    company: list[str] | None = None
    topic: list[str] | None = None

    _lists = field_validator("*", mode="before")(classmethod(lambda cls, v: _listify(v)))

    @field_validator("keywords")
    @classmethod
    def _no_empty_keywords(cls, v):
        if v is not None and any(not k.strip() for k in v):
            raise ValueError("empty keyword")
        return v


class TopicConfig(BaseModel):
    """A topic named by a short description and/or example posts (matched by meaning, with the
    shipped sentence encoder) and/or keywords (whole words or phrases).  A post is about the topic
    when either matches."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    similarity: float | None = Field(default=None, ge=-1, le=1)

    @model_validator(mode="after")
    def _something_to_match(self) -> TopicConfig:
        if not (self.description.strip() or self.examples or self.keywords):
            raise ValueError("a topic needs a description, examples or keywords")
        return self

    def spec(self, name: str):
        from ..enrich.topics import TopicSpec

        return TopicSpec(name, self.description.strip(), tuple(self.examples), tuple(self.keywords), self.similarity)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    when: Condition = Field(default_factory=Condition)
    route: list[Department] = Field(min_length=1)

    _route = field_validator("route", mode="before")(classmethod(lambda cls, v: _listify(v)))


class RoutingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    products: dict[str, list[str]] = Field(default_factory=dict)
    topics: dict[str, TopicConfig] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_products(self) -> RoutingConfig:
        for i, rule in enumerate(self.rules):
            for product in rule.when.product or []:
                if product not in self.products:
                    known = ", ".join(self.products) or "none defined"
                    raise ValueError(f"rules[{i}] ('{rule.name}'): unknown product '{product}' (products: {known})")
            for topic in rule.when.topic or []:
                if topic not in self.topics:
                    known = ", ".join(self.topics) or "none defined"
                    raise ValueError(f"rules[{i}] ('{rule.name}'): unknown topic '{topic}' (topics: {known})")
        names = [r.name for r in self.rules]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"rule names must be unique: {', '.join(sorted(dup))}")
        return self


def load_rules(path: str | Path | None = None) -> RoutingConfig:
    """The rules in ``path``, or socialaudit's defaults."""
    source = Path(str(DEFAULT_RULES)) if path is None else Path(path)
    if not source.exists():
        raise ConfigError(str(source), None, "no such routing rules file")
    return load_yaml_model(str(source), source.read_text(encoding="utf-8-sig"), RoutingConfig,
                           "routing rules are a mapping with a 'rules' list")


def topic_column(name: str) -> str:
    """The candidates' column that says whether a post is about topic ``name``."""
    return "topic__" + re.sub(r"\W", "_", name)


def used_topics(config: RoutingConfig) -> list[str]:
    """The topics some rule names, in the order the config defines them."""
    named = {t for rule in config.rules for t in (rule.when.topic or [])}
    return [t for t in config.topics if t in named]


def rule_predicate(rule: Rule, t: ir.Table, products: dict[str, list[str]]) -> ir.BooleanValue:
    """The rule's condition over ``t`` (columns: channel, company_id, text, lang, sentiment, the
    intent flags and, for topics, :func:`topic_column`)."""
    w = rule.when
    cond: ir.BooleanValue = ibis.literal(True)
    if w.intent:
        any_intent = ibis.literal(False)
        for name in w.intent:
            any_intent = any_intent | t[name].fill_null(False)
        cond = cond & any_intent
    text = t.text.fill_null("").lower()
    if w.keywords:
        cond = cond & text.re_search(keyword_pattern(w.keywords))
    if w.product:
        cond = cond & text.re_search(keyword_pattern([k for p in w.product for k in products[p]]))
    if w.channel:
        cond = cond & t.channel.isin([c.lower() for c in w.channel])
    if w.language:
        cond = cond & t.lang.isin([x.lower() for x in w.language])
    if w.sentiment:
        cond = cond & t.sentiment.isin(w.sentiment)
    if w.company:
        cond = cond & t.company_id.isin(w.company)
    if w.topic:
        any_topic = ibis.literal(False)
        for name in w.topic:
            any_topic = any_topic | t[topic_column(name)].fill_null(False)
        cond = cond & any_topic
    return cond


def routed(candidates: ir.Table, config: RoutingConfig) -> ir.Table:
    """(channel, post_id, company_id, department, rules): one row per post and department, with
    the names of every rule that sent it there."""
    parts = []
    for rule in config.rules:
        hit = candidates.filter(rule_predicate(rule, candidates, config.products))
        for department in rule.route:
            parts.append(hit.select("channel", "post_id", "company_id", department=ibis.literal(department),
                                    rule=ibis.literal(rule.name)))
    union = parts[0] if len(parts) == 1 else ibis.union(*parts)
    return union.group_by(["channel", "post_id", "company_id", "department"]).aggregate(
        rules=union.rule.collect().sort().join("; "))


__all__ = ["DEPARTMENTS", "Condition", "Rule", "RoutingConfig", "TopicConfig", "load_rules", "routed",
           "topic_column", "used_topics"]
