"""Ingest throughput and peak memory, against a plain ``duckdb.read_csv`` of the same file.

Both run in fresh processes on the same generated TWCS-format file, alternately, several
times; the report gives the median of each and the ratio.  The baseline only parses and
stores the CSV; socialaudit also validates every row, quarantines bad ones, pseudonymises
consumers, extracts mentions, dedupes against the store and threads conversations.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .synthetic import generate_twcs


@dataclass
class Measurement:
    task: str
    rows: int
    seconds: float
    peak_rss_mb: float
    #: Seconds per phase of the task, where it reports them (the audit: responses, metrics, …).
    phases: dict[str, float] | None = None


def measure(task: str, path: Path, db: Path, env: dict[str, str] | None = None) -> Measurement:
    for stale in (db, Path(str(db) + ".wal")):
        stale.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-m", "socialaudit.bench.worker", task, str(path), str(db)],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "SOCIALAUDIT_NO_PROGRESS": "1", **(env or {})})
    data = json.loads(out.stdout.strip().splitlines()[-1])
    db.unlink(missing_ok=True)
    return Measurement(**data)


def run(rows: int, workdir: Path, repeats: int = 3, log=print) -> list[dict]:
    """Measure both tasks ``repeats`` times on a generated file of ``rows`` rows."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"twcs_synthetic_{rows}.csv"
    if not path.exists():
        log(f"generating {rows:,} synthetic rows in {path} (performance data only)")
        generate_twcs(path, rows)
    results: dict[str, list[Measurement]] = {"baseline": [], "socialaudit": []}
    for i in range(repeats):
        for task in results:
            m = measure(task, path, workdir / f"{task}.duckdb")
            log(f"  run {i + 1}/{repeats} {task}: {m.seconds:.2f} s, peak {m.peak_rss_mb:.0f} MB")
            results[task].append(m)
    size_mb = path.stat().st_size / 1e6
    summary = []
    for task, ms in results.items():
        seconds = statistics.median(m.seconds for m in ms)
        summary.append({"task": task, "rows": ms[0].rows, "file_mb": size_mb, "seconds": seconds,
                        "rows_per_s": ms[0].rows / seconds, "peak_rss_mb": max(m.peak_rss_mb for m in ms)})
    base = summary[0]["seconds"]
    for s in summary:
        s["time_vs_baseline"] = s["seconds"] / base
    return summary


def markdown(summary: list[dict], repeats: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {repeats} runs, peak RSS the largest of them.",
        "",
        "| task | rows | file MB | seconds | rows/s | time vs baseline | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summary:
        lines.append(f"| {s['task']} | {s['rows']:,} | {s['file_mb']:.0f} | {s['seconds']:.2f} | "
                     f"{s['rows_per_s']:,.0f} | {s['time_vs_baseline']:.1f}x | {s['peak_rss_mb']:.0f} |")
    return "\n".join(lines)
