"""``enrichments`` in the store: incremental, idempotent, a batch at a time, used by the audit."""

from __future__ import annotations

import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY, dump_tables

from socialaudit.enrich.classifier import Classifier
from socialaudit.enrich.store import enrich_store, pending
from socialaudit.metrics.actionable import CueRule, EnrichedRule, default_rule
from socialaudit.metrics.audit import run_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.registry import load_registry
from socialaudit.store import import_file, save_registry


@pytest.fixture(scope="module")
def fast():
    return Classifier.load("fast")


@pytest.fixture
def sample_store(store):
    save_registry(store.con, load_registry(REGISTRY), store.pseudonymiser())
    import_file(store, BUNDLED_SAMPLE, "twcs")
    return store


def consumer_posts_with_text(con) -> int:
    return con.execute("SELECT count(*) FROM posts WHERE author_role = 'consumer' AND length(trim(text)) > 0"
                       ).fetchone()[0]


def test_enrich_reads_every_consumer_post_once(sample_store, fast):
    con = sample_store.con
    n = consumer_posts_with_text(con)
    assert pending(con, fast.version) == n
    report = enrich_store(con, fast, batch_size=700)
    assert report.enriched == n and pending(con, fast.version) == 0
    rows = con.execute("SELECT count(*), count(DISTINCT post_id), min(model), max(model) FROM enrichments").fetchone()
    assert rows == (n, n, fast.version, fast.version)
    before = dump_tables(con, ("enrichments",))
    again = enrich_store(con, fast)
    assert again.enriched == 0 and dump_tables(con, ("enrichments",)) == before


def test_a_stopped_run_keeps_its_batches_and_the_next_goes_on(sample_store, fast):
    con = sample_store.con
    n = consumer_posts_with_text(con)
    first = enrich_store(con, fast, batch_size=500, limit=1200)
    assert first.enriched == 1200
    assert con.execute("SELECT count(*) FROM enrichments").fetchone()[0] == 1200

    calls = {"n": 0}

    def fail_on_second_batch(done, total):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        enrich_store(con, fast, batch_size=500, progress=fail_on_second_batch)
    assert con.execute("SELECT count(*) FROM enrichments").fetchone()[0] == 2200  # two whole batches
    enrich_store(con, fast)
    assert con.execute("SELECT count(*) FROM enrichments").fetchone()[0] == n


def test_new_model_version_rereads_posts(sample_store, fast):
    con = sample_store.con
    enrich_store(con, fast, limit=100)
    con.execute("UPDATE enrichments SET model = 'older@0'")
    assert pending(con, fast.version) == consumer_posts_with_text(con)
    enrich_store(con, fast, limit=100)
    assert con.execute("SELECT count(*) FROM enrichments WHERE model = ?", [fast.version]).fetchone()[0] == 100


def test_audit_uses_the_readings_when_the_store_has_them(sample_store, fast):
    con = sample_store.con
    assert isinstance(default_rule(con), CueRule)
    config = AuditConfig(bootstrap_samples=100)
    before = run_audit(con, config)
    enrich_store(con, fast)
    rule = default_rule(con)
    assert isinstance(rule, EnrichedRule) and rule.model == fast.version
    after = run_audit(con, config)
    assert after.rule == f"classifier:{fast.version}" and before.rule == "cues-en-de-v1"
    flags = after.responses.select(["question", "complaint", "product_feedback", "actionable"]).to_pylist()
    assert any(r["product_feedback"] for r in flags)
    assert all(r["actionable"] == (r["question"] or r["complaint"] or r["product_feedback"]) for r in flags)
    # the audit's flags are the stored readings, post by post
    stored = dict(con.execute("SELECT post_id, complaint FROM enrichments").fetchall())
    resp = after.responses.select(["post_id", "complaint"]).to_pylist()
    assert all(stored[r["post_id"]] == r["complaint"] for r in resp if r["post_id"] in stored)


def test_brand_posts_only_with_all_posts(sample_store, fast):
    con = sample_store.con
    enrich_store(con, fast)
    assert con.execute("SELECT count(*) FROM enrichments e JOIN posts p USING (channel, post_id) "
                       "WHERE p.author_role = 'brand'").fetchone()[0] == 0
    report = enrich_store(con, fast, all_posts=True)
    assert report.enriched == con.execute("SELECT count(*) FROM posts WHERE author_role <> 'consumer' "
                                          "AND length(trim(text)) > 0").fetchone()[0]


def test_worker_processes_give_the_same_readings(sample_store, fast):
    con = sample_store.con
    enrich_store(con, fast, batch_size=600)
    alone = con.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments ORDER BY ALL").fetchall()
    con.execute("DELETE FROM enrichments")
    report = enrich_store(con, fast, batch_size=600, workers=2)
    assert report.enriched == len(alone)
    assert con.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments ORDER BY ALL").fetchall() == alone


def test_reading_each_distinct_text_once_is_exact(fast):
    texts = ["DM sent", "my app crashes on start", "DM sent", None, "", "Wo bleibt mein Zug?", "DM sent"]
    once, each = fast.predict_distinct(texts), fast.predict(texts)
    assert once.lang == each.lang and once.sentiment == each.sentiment
    for name in once.intent_prob:
        assert (once.intent_prob[name] == each.intent_prob[name]).all()
        assert (once.flags(name) == each.flags(name)).all()


def test_reading_every_post_or_each_distinct_text_gives_the_same_readings(sample_store, fast):
    con = sample_store.con
    enrich_store(con, fast, batch_size=900, distinct=False)
    every = con.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments ORDER BY ALL").fetchall()
    con.execute("DELETE FROM enrichments")
    enrich_store(con, fast, batch_size=900)
    assert con.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments ORDER BY ALL").fetchall() == every
