"""Enriching a large store: the default model with worker processes, against the previous default
model read the way ``socialaudit enrich`` read it before (one process), on the same store in the
same run.

The store is the pipeline benchmark's synthetic cohort (``socialaudit bench generate``): its consumer
posts are a handful of templates, so the number of distinct texts is reported beside the figures.
``enrich`` reads each distinct text of a batch once, which on this store leaves almost nothing to
classify; "every post read" shows what the classifiers cost when every text is different (real
posts repeat far less than these; the per-core figure on real text is ``socialaudit bench classify``).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from .generate import generate
from .pipeline_bench import _stage

TASKS = (("enrich-previous", "previous model (fast-v1), one process, every post read — enrich before this change"),
         ("enrich-fast-every", "fast (v2), worker processes, every post read"),
         ("enrich-fast", "fast (v2), worker processes, each distinct text once (default)"))


def _reset(db: Path) -> tuple[int, int]:
    from ..store import Store

    with Store(db) as store:
        store.con.execute("DELETE FROM enrichments")
        store.con.execute("CHECKPOINT")
        return store.con.execute("SELECT count(*), count(DISTINCT text) FROM posts WHERE author_role = 'consumer'"
                                 ).fetchone()


def run(posts: int, workdir: Path, log=print) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"synthetic_posts_{posts}.csv"
    if not data.exists():
        log(f"generating about {posts:,} synthetic posts (performance data only)")
        generate(workdir, posts, "csv")
    db = workdir / f"enrich_{posts}.duckdb"
    if not db.exists():
        log("importing them (once; the store is kept for later runs)")
        _stage("pipeline-ingest", data, db)
    results = []
    consumer = distinct = 0
    for task, name in TASKS:
        consumer, distinct = _reset(db)
        m = _stage(task, db, db)
        log(f"  {name}: {m.rows:,} posts in {m.seconds:.1f} s, peak {m.peak_rss_mb:.0f} MB")
        results.append({"task": name, "posts": m.rows, "seconds": m.seconds, "peak_rss_mb": m.peak_rss_mb})
    base = results[0]["seconds"]
    for r in results:
        r["speed_vs_previous"] = base / r["seconds"] if r["seconds"] else None
    return {"posts": posts, "consumer_posts": consumer, "distinct_texts": distinct, "results": results}


def markdown(summary: dict) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{summary['posts']:,}-post synthetic cohort, {summary['consumer_posts']:,} consumer posts "
             f"({summary['distinct_texts']:,} distinct texts); each task in a fresh process on the same store.",
             "", "| task | posts | seconds | posts/s | speed vs previous | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in summary["results"]:
        lines.append(f"| {r['task']} | {r['posts']:,} | {r['seconds']:.1f} | {r['posts'] / r['seconds']:,.0f} | "
                     f"{r['speed_vs_previous']:.1f}x | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)
