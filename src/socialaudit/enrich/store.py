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


_WORKER: Classifier | None = None


def default_workers() -> int:
    """One reading process per core, at most four (the writer and DuckDB need a share too)."""
    import os

    return max(1, min(os.cpu_count() or 1, 4))


def _worker_start(bundle_name: str) -> None:
    global _WORKER
    from .bundle import ModelBundle

    _WORKER = Classifier(ModelBundle.load(bundle_name))


def _worker_predict(texts: list[str], distinct: bool = True) -> Predictions:
    assert _WORKER is not None
    return _WORKER.predict_distinct(texts) if distinct else _WORKER.predict(texts)


def enrich_store(con: duckdb.DuckDBPyConnection, classifier: Classifier, *, all_posts: bool = False,
                 batch_size: int = DEFAULT_BATCH, limit: int | None = None,
                 progress: Callable[[int, int], None] | None = None, workers: int = 1,
                 distinct: bool = True) -> EnrichReport:
    """Classify every pending post, ``batch_size`` at a time, one transaction per batch.

    With ``workers`` > 1, batches are read by that many worker processes while this one writes
    the finished batches, in order (the readings are the same: a worker loads the same bundle).
    With ``distinct`` (default), each distinct text of a batch is read once (exact: a reading
    depends on the text alone); ``distinct=False`` reads every post, as enrichment did before.
    """
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

    def batches():
        fetched = 0
        while fetched < todo:
            n = min(batch_size, todo - fetched)
            rows = con.execute("SELECT channel, post_id, text FROM enrich_pending WHERE n > ? AND n <= ? ORDER BY n",
                               [fetched, fetched + n]).fetchall()
            if not rows:
                return
            fetched += n
            yield rows

    try:
        if workers > 1 and todo > batch_size:
            done = _enrich_in_pool(con, classifier, model, batches(), workers, todo, progress, distinct)
        else:
            read = classifier.predict_distinct if distinct else classifier.predict
            for rows in batches():
                done += _read_batch(con, model, rows, read([r[2] for r in rows]))
                if progress:
                    progress(done, todo)
    finally:
        con.execute("DROP TABLE IF EXISTS enrich_pending")
    return EnrichReport(model, done, todo, already, round(time.perf_counter() - started, 2))


def _enrich_in_pool(con, classifier: Classifier, model: str, batches, workers: int, todo: int, progress,
                    distinct: bool = True) -> int:
    """Batches read by worker processes (at most two per worker in flight), written here in order."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    done = 0
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_worker_start,
                             initargs=(classifier.bundle.name,)) as pool:
        in_flight: deque = deque()
        for rows in batches:
            in_flight.append((rows, pool.submit(_worker_predict, [r[2] for r in rows], distinct)))
            while len(in_flight) >= 2 * workers:
                first, future = in_flight.popleft()
                done += _read_batch(con, model, first, future.result())
                if progress:
                    progress(done, todo)
        while in_flight:
            first, future = in_flight.popleft()
            done += _read_batch(con, model, first, future.result())
            if progress:
                progress(done, todo)
    return done


def _read_batch(con: duckdb.DuckDBPyConnection, model: str, rows: list[tuple], predictions: Predictions) -> int:
    """Store one batch's readings in one transaction; the number of posts."""
    channels, post_ids, _ = (list(c) for c in zip(*rows, strict=True))
    table = predictions_table(channels, post_ids, model, predictions, dt.datetime.now(UTC))
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
