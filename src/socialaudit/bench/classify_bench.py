"""Classifier throughput per core and peak memory, against VADER alone on the same posts.

The posts are real: the bundled TWCS sample's texts (English customer-care tweets), repeated
to the requested count, plus the German GermEval documents when ../shared is beside the
checkout.  Each task runs in a fresh process pinned to one thread (``OMP_NUM_THREADS=1`` and
friends), so "posts/s" is per core.  VADER's ``polarity_scores`` is the baseline: the
lexicon most tools reach for, and one of the stages of the fast model.
"""

from __future__ import annotations

import csv
import os
import platform
import statistics
from pathlib import Path

from .ingest_bench import measure

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "twcs_sample" / "twcs_head.csv"
GERMAN = Path(__file__).resolve().parents[4] / "shared" / "data" / "germeval2017" / "dev.csv"
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def write_texts(path: Path, posts: int) -> int:
    """``posts`` real texts, one per row of a one-column CSV; returns how many are German."""
    texts: list[str] = []
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        texts += [r["text"] for r in csv.DictReader(f) if r.get("inbound") == "True" and r["text"].strip()]
    german: list[str] = []
    if GERMAN.exists():
        with GERMAN.open(encoding="utf-8", newline="") as f:
            german = [r["text"] for r in csv.DictReader(f) if r["text"].strip() not in ("", "null")]
    pool = texts + german
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text"])
        for i in range(posts):
            writer.writerow([pool[i % len(pool)]])
    return sum(1 for i in range(posts) if i % len(pool) >= len(texts))


def run(posts: int, workdir: Path, repeats: int = 3, variants: tuple[str, ...] = ("fast",), log=print) -> list[dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"texts_{posts}.csv"
    german = write_texts(path, posts)
    log(f"{posts:,} real posts ({german:,} German) in {path}")
    tasks = ["vader", *(f"classify-{v}" for v in variants)]
    results: dict[str, list] = {t: [] for t in tasks}
    for i in range(repeats):
        for task in tasks:
            m = measure(task, path, workdir / "unused.duckdb", env=ONE_THREAD)  # per core, in the worker only
            log(f"  run {i + 1}/{repeats} {task}: {m.seconds:.2f} s, peak {m.peak_rss_mb:.0f} MB")
            results[task].append(m)
    summary = []
    for task, ms in results.items():
        seconds = statistics.median(m.seconds for m in ms)
        summary.append({"task": "VADER alone (baseline)" if task == "vader" else f"socialaudit {task}",
                        "posts": ms[0].rows, "german": german, "seconds": seconds, "posts_per_s": ms[0].rows / seconds,
                        "peak_rss_mb": max(m.peak_rss_mb for m in ms)})
    base = summary[0]["seconds"]
    for s in summary:
        s["time_vs_vader"] = s["seconds"] / base
    return summary


def markdown(summary: list[dict], repeats: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; one thread "
        f"per task; median of {repeats} runs, peak RSS the largest of them.",
        "",
        "| task | posts (German) | seconds | posts/s per core | time vs VADER | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in summary:
        lines.append(f"| {s['task']} | {s['posts']:,} ({s['german']:,}) | {s['seconds']:.2f} | "
                     f"{s['posts_per_s']:,.0f} | {s['time_vs_vader']:.1f}x | {s['peak_rss_mb']:.0f} |")
    return "\n".join(lines)
