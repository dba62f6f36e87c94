"""The whole pipeline on a synthetic cohort: ingest, enrich, audit, report — per stage time,
rows/s and peak memory — beside two baselines measured on the same store in the same run: the
same metrics in pandas (:mod:`socialaudit.bench.pandas_audit`), the same metric tables in
hand-written DuckDB SQL (:mod:`socialaudit.bench.sql_floor`: the floor the audit's queries are
measured against) and a raw DuckDB scan of the responses alone.  Run at several sizes, it shows
how time grows with the cohort.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from ..errors import SocialAuditError
from .generate import generate
from .ingest_bench import Measurement

STAGES = ("pipeline-ingest", "pipeline-enrich", "pipeline-audit", "pipeline-report")
BASELINES = ("duckdb-floor", "sql-floor", "pandas-audit")
NAMES = {"pipeline-ingest": "ingest", "pipeline-enrich": "enrich", "pipeline-audit": "audit",
         "pipeline-report": "report", "duckdb-floor": "raw response scan", "sql-floor": "SQL floor",
         "pandas-audit": "pandas audit"}


class BenchError(SocialAuditError):
    """A benchmark stage failed; the message ends with the worker's own error output."""


def _stage(task: str, path: Path, db: Path) -> Measurement:
    out = subprocess.run([sys.executable, "-m", "socialaudit.bench.worker", task, str(path), str(db)],
                         capture_output=True, text=True, env={**os.environ, "SOCIALAUDIT_NO_PROGRESS": "1"})
    if out.returncode:
        raise BenchError(f"{task} on {path} failed (exit {out.returncode}): {out.stderr.strip()[-2000:]}")
    return Measurement(**json.loads(out.stdout.strip().splitlines()[-1]))


def run(sizes: list[int], workdir: Path, pandas: bool = True, log=print,
        pandas_up_to: int = 3_000_000) -> list[dict]:
    """Every stage and baseline at each size; the pandas baseline only up to ``pandas_up_to``
    posts (it holds the whole store in memory: about 7 GB at 3 M posts)."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        data = workdir / f"synthetic_posts_{n}.csv"
        if not data.exists():
            log(f"generating about {n:,} synthetic posts (performance data only)")
            generate(workdir, n, "csv")
        db = workdir / f"pipeline_{n}.duckdb"
        for stale in (db, Path(str(db) + ".wal"), db.with_suffix(".html")):
            stale.unlink(missing_ok=True)
        tasks = STAGES + (BASELINES if pandas and n <= pandas_up_to else BASELINES[:2])
        for task in tasks:
            m = _stage(task, data if task == "pipeline-ingest" else db, db)
            log(f"  {n:,} posts, {NAMES[task]}: {m.seconds:.1f} s, peak {m.peak_rss_mb:.0f} MB")
            results.append({"posts": n, "stage": NAMES[task], "rows": m.rows, "seconds": m.seconds,
                            "peak_rss_mb": m.peak_rss_mb, "phases": m.phases})
    return results


def markdown(results: list[dict]) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; one run "
             "per stage, each in a fresh process.", "",
             "| posts | stage | rows | seconds | rows/s | peak RSS MB |", "|---:|---|---:|---:|---:|---:|"]
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] and r["stage"] in ("ingest", "enrich") else None
        lines.append(f"| {r['posts']:,} | {r['stage']} | {r['rows']:,} | {r['seconds']:.1f} | "
                     f"{'' if rate is None else f'{rate:,.0f}'} | {r['peak_rss_mb']:.0f} |")
    lines.append("")
    for n in sorted({r["posts"] for r in results}):
        by = {r["stage"]: r["seconds"] for r in results if r["posts"] == n}
        parts = [f"{n:,} posts: audit {by['audit']:.1f} s"]
        if "pandas audit" in by:
            parts.append(f"{by['pandas audit'] / by['audit']:.1f}x faster than pandas")
        parts.append(f"{by['audit'] / by['SQL floor']:.1f}x the SQL floor (the same metric tables in hand-written "
                     f"DuckDB SQL), {by['audit'] / by['raw response scan']:.1f}x a raw scan of the responses alone")
        lines.append("- " + ", ".join(parts) + ".")
        phases = next((r["phases"] for r in results if r["posts"] == n and r["stage"] == "audit"), None)
        if phases:
            lines.append("  audit phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + ".")
    return "\n".join(lines)
