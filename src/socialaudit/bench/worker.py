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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


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


TASKS = {"baseline": baseline_read_csv, "socialaudit": socialaudit_ingest}


def main(argv: list[str]) -> None:
    task, path, db = argv[0], Path(argv[1]), Path(argv[2])
    start = time.perf_counter()
    rows = TASKS[task](path, db)
    seconds = time.perf_counter() - start
    print(json.dumps({"task": task, "rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}))


if __name__ == "__main__":
    main(sys.argv[1:])
