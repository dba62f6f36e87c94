"""The audit on Apache Spark: the same Ibis expressions, on PySpark, over Parquet tables.

``socialaudit export`` writes the store's tables as Parquet; :func:`spark_backend` registers
``posts``, ``accounts`` and ``companies`` from such a folder (or from a user's own Parquet
tables with the same columns) in a Spark session, and :func:`~socialaudit.metrics.audit.run_audit_on`
computes the audit there.  Local mode by default; on a cluster, set ``SOCIALAUDIT_SPARK_MASTER``
or pass the cluster's session to :func:`spark_backend`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SocialAuditError

TABLES = ("posts", "accounts", "companies")
OPTIONAL = ("enrichments",)  # the classifiers' readings, when the store had them


def local_session(cores: int = 2):
    """A Spark session with UTC as its time zone (timestamps must not shift): local mode with
    ``cores`` cores, or the master named by ``SOCIALAUDIT_SPARK_MASTER`` (``spark://host:7077``,
    ``yarn``, ``k8s://...``)."""
    import os

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SocialAuditError("the Spark engine needs PySpark: pip install 'socialaudit[spark]' "
                               "(and Java 17)") from None
    master = os.environ.get("SOCIALAUDIT_SPARK_MASTER") or f"local[{cores}]"
    return (SparkSession.builder.master(master).appName("socialaudit")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
            .config("spark.driver.memory", "2g")
            .getOrCreate())


def spark_backend(parquet_dir: Path, session=None):
    """An Ibis PySpark backend with the audit's tables read from ``parquet_dir``."""
    import ibis

    missing = [t for t in TABLES if not (parquet_dir / f"{t}.parquet").exists()]
    if missing:
        raise SocialAuditError(f"{parquet_dir}: no {', '.join(t + '.parquet' for t in missing)} "
                               "(write them with `socialaudit export --db DB --out DIR`)")
    session = session or local_session()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    backend = ibis.pyspark.connect(session)
    for table in TABLES + OPTIONAL:
        path = parquet_dir / f"{table}.parquet"
        if path.exists():
            backend.read_parquet(str(path), table_name=table)
    return backend


def spark_rule(parquet_dir: Path):
    """The actionable rule the store would use: the classifiers' readings when the export has
    them (the model that read the most posts), else the cue rule."""
    from collections import Counter

    import pyarrow.parquet as pq

    from .actionable import CueRule, EnrichedRule

    path = parquet_dir / "enrichments.parquet"
    if path.exists():
        models = Counter(pq.read_table(path, columns=["model"]).column("model").to_pylist())
        if models:
            best = max(models.items(), key=lambda kv: (kv[1], kv[0]))[0]
            return EnrichedRule(best)
    return CueRule()
