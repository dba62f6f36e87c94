"""Enriching the store: classify the posts that have no reading by the current model yet.

Incremental and kill-safe by construction: each batch of posts is classified and written in
its own transaction, and a post counts as done only once its row for the current model is
in ``enrichments``.  A killed run keeps the batches it finished; the next run picks up the
rest.  A new model version re-reads every post (``INSERT OR REPLACE`` over the old row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..model import ENRICHMENT_SCHEMA, UTC
from .classifier import Classifier, Predictions

DEFAULT_BATCH = 5000
#: Consumer posts are what the audit and the routing read; ``all_posts`` adds the rest.
CONSUMER_ONLY = "author_role = 'consumer'"
INTENT_COLUMNS = ("question", "complaint", "product_feedback", "praise")


@dataclass
class EnrichReport:
    model: str
    enriched: int
    pending_before: int
    already: int
    seconds: float


def _pending_sql(where: str) -> str:
    return f"""
        FROM posts p
        WHERE {where} AND p.text IS NOT NULL AND length(trim(p.text)) > 0
          AND NOT EXISTS (SELECT 1 FROM enrichments e
                          WHERE e.channel = p.channel AND e.post_id = p.post_id AND e.model = $model)"""


def pending(con: duckdb.DuckDBPyConnection, model: str, all_posts: bool = False) -> int:
    """How many posts have no reading by ``model`` yet."""
    where = "TRUE" if all_posts else CONSUMER_ONLY
    return con.execute(f"SELECT count(*) {_pending_sql(where)}", {"model": model}).fetchone()[0]


def predictions_table(channels: list[str], post_ids: list[str], model: str, p: Predictions,
                      at: dt.datetime) -> pa.Table:
    """The ``enrichments`` rows for one batch of predictions."""
    intent, intent_prob = p.primary_intent()
    best = p.sentiment_prob.max(axis=1) if len(channels) else p.sentiment_prob[:, 0]
    columns = {
        "channel": channels, "post_id": post_ids, "model": [model] * len(channels), "lang": p.lang,
        "lang_prob": p.lang_prob.astype(float), "intent": intent, "intent_prob": intent_prob.astype(float),
    }
    for name in INTENT_COLUMNS:
        columns[name] = p.flags(name)
        columns[f"{name}_prob"] = p.intent_prob[name].astype(float)
    columns["sentiment"] = p.sentiment
    columns["sentiment_prob"] = best.astype(float)
    columns["enriched_at"] = [at] * len(channels)
    return pa.Table.from_pydict(columns, schema=ENRICHMENT_SCHEMA)


def enrich_store(con: duckdb.DuckDBPyConnection, classifier: Classifier, *, all_posts: bool = False,
                 batch_size: int = DEFAULT_BATCH, limit: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> EnrichReport:
    """Classify every pending post, ``batch_size`` at a time, one transaction per batch."""
    import time

    started = time.perf_counter()
    model = classifier.version
    where = "TRUE" if all_posts else CONSUMER_ONLY
    todo = pending(con, model, all_posts)
    if limit is not None:
        todo = min(todo, limit)
    already = con.execute("SELECT count(*) FROM enrichments WHERE model = ?", [model]).fetchone()[0]
    # The pending posts are found once (one anti-join) and numbered; each batch then reads a
    # range of that list.  Re-running the anti-join per batch scanned the whole store for every
    # batch, which made enrichment grow with the square of the store's size.
    # Numbered after the LIMIT, so the numbers run 1..todo (numbered before it, any todo rows were kept).
    con.execute(f"CREATE OR REPLACE TEMP TABLE enrich_pending AS SELECT row_number() OVER () AS n, * FROM "
                f"(SELECT p.channel, p.post_id, p.text {_pending_sql(where)} LIMIT {todo})", {"model": model})
    done = 0
    try:
        while done < todo:
            n = min(batch_size, todo - done)
            rows = con.execute("SELECT channel, post_id, text FROM enrich_pending WHERE n > ? AND n <= ? ORDER BY n",
                               [done, done + n]).fetchall()
            if not rows:
                break
            done += _read_batch(con, classifier, model, rows)
            if progress:
                progress(done, todo)
    finally:
        con.execute("DROP TABLE IF EXISTS enrich_pending")
    return EnrichReport(model, done, todo, already, round(time.perf_counter() - started, 2))


def _read_batch(con: duckdb.DuckDBPyConnection, classifier: Classifier, model: str, rows: list[tuple]) -> int:
    """Classify one batch and store its readings in one transaction; the number of posts."""
    channels, post_ids, texts = (list(c) for c in zip(*rows, strict=True))
    table = predictions_table(channels, post_ids, model, classifier.predict(texts), dt.datetime.now(UTC))
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("enrich_batch", table)
        con.execute("INSERT OR REPLACE INTO enrichments SELECT * FROM enrich_batch")
        con.unregister("enrich_batch")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def enrichment_summary(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per model: posts read, and the share of each intent and sentiment."""
    return con.execute("""
        SELECT model, count(*) AS posts,
               round(avg(question::INT), 3) AS question, round(avg(complaint::INT), 3) AS complaint,
               round(avg(product_feedback::INT), 3) AS product_feedback, round(avg(praise::INT), 3) AS praise,
               round(avg((sentiment = 'negative')::INT), 3) AS negative,
               round(avg((sentiment = 'positive')::INT), 3) AS positive,
               string_agg(DISTINCT lang, ',' ORDER BY lang) FILTER (WHERE lang IN ('en', 'de')) AS main_langs
        FROM enrichments GROUP BY model ORDER BY model""").fetchall()
