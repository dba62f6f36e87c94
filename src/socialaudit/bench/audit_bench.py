"""Audit time and peak memory on a generated cohort, against the same metrics in pandas.

Both run in fresh processes on the same store, alternately; before timing, one run of each
checks that they produce the same numbers (:func:`~socialaudit.bench.pandas_audit.compare`).
"""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from .cohort import generate_cohort
from .ingest_bench import measure


def run(posts: int, workdir: Path, repeats: int = 3, log=print) -> list[dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"cohort_{posts}.duckdb"
    if not db.exists():
        log(f"generating a synthetic cohort of about {posts:,} posts in {db} (performance data only)")
        generate_cohort(db, posts)
    check_equal(db, log)
    results: dict[str, list] = {"pandas-audit": [], "audit": []}
    for i in range(repeats):
        for task in results:
            m = measure(task, db, workdir / "unused.duckdb")
            log(f"  run {i + 1}/{repeats} {task}: {m.seconds:.2f} s, peak {m.peak_rss_mb:.0f} MB")
            results[task].append(m)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        n_posts = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    summary = []
    for task, ms in results.items():
        summary.append({"task": "pandas (baseline)" if task == "pandas-audit" else "socialaudit audit",
                        "posts": n_posts, "seconds": statistics.median(m.seconds for m in ms),
                        "peak_rss_mb": max(m.peak_rss_mb for m in ms)})
    base = summary[0]["seconds"]
    for s in summary:
        s["speed_vs_pandas"] = base / s["seconds"]
    return summary


def check_equal(db: Path, log=print) -> None:
    """Run both once in this process and stop if they disagree."""
    from ..metrics.audit import run_audit
    from ..store import Store
    from .pandas_audit import compare, pandas_audit

    with Store(db, read_only=True) as store:
        problems = compare(run_audit(store.con).companies, pandas_audit(store.con))
    if problems:
        raise RuntimeError("the audit and the pandas baseline disagree: " + "; ".join(problems[:5]))
    log("  checked: the audit and the pandas baseline give the same figures")


def markdown(summary: list[dict], repeats: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {repeats} runs, peak RSS the largest of them.",
        "",
        "| task | posts | seconds | speed vs pandas | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in summary:
        lines.append(f"| {s['task']} | {s['posts']:,} | {s['seconds']:.2f} | {s['speed_vs_pandas']:.1f}x | "
                     f"{s['peak_rss_mb']:.0f} |")
    return "\n".join(lines)
