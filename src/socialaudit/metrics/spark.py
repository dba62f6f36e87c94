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
    """The Spark session the audit runs in, with UTC as its time zone (timestamps must not shift):

    * the active session, if there is one (a Databricks or EMR notebook, a job that made its own);
    * under ``spark-submit`` (``PYSPARK_GATEWAY_PORT`` is set), a session with spark-submit's
      master and settings;
    * the master named by ``SOCIALAUDIT_SPARK_MASTER`` (``spark://host:7077``, ``yarn``, ``k8s://...``);
    * otherwise local mode with ``cores`` cores.
    """
    import os

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SocialAuditError("the Spark engine needs PySpark: pip install 'socialaudit[spark]' "
                               "(and Java 17)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("socialaudit").config("spark.sql.session.timeZone", "UTC")
    master = os.environ.get("SOCIALAUDIT_SPARK_MASTER")
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not launched by spark-submit: local mode
        builder = (builder.master(f"local[{cores}]").config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
                   .config("spark.driver.memory", "2g"))
    return builder.getOrCreate()


def _is_local(location: str) -> bool:
    return "://" not in location and not location.startswith("dbfs:")


def _exists(session, location: str) -> bool:
    """Whether a file or folder exists, on the local disk or on any storage Spark's Hadoop file
    system reads (``s3a://``, ``abfss://``, ``gs://``, ``hdfs://``, ``dbfs:/``)."""
    if _is_local(location):
        return Path(location).exists()
    jvm = session._jvm
    path = jvm.org.apache.hadoop.fs.Path(location)
    return bool(path.getFileSystem(session._jsc.hadoopConfiguration()).exists(path))


def spark_backend(parquet_dir: str | Path, session=None):
    """An Ibis PySpark backend with the audit's tables read from ``parquet_dir`` (a local folder
    or a URI such as ``s3a://bucket/socialaudit``)."""
    import ibis

    location = str(parquet_dir).rstrip("/")
    if not _is_local(location):
        session = session or local_session()  # remote storage is reached through Spark's file system
    # (a local folder is checked before Spark starts: the JVM takes seconds to come up)
    missing = [t for t in TABLES if not _exists(session, f"{location}/{t}.parquet")]
    if missing:
        raise SocialAuditError(f"{location}: no {', '.join(t + '.parquet' for t in missing)} "
                               "(write them with `socialaudit export --db DB --out DIR`)")
    session = session or local_session()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    backend = ibis.pyspark.connect(session)
    for table in TABLES + OPTIONAL:
        path = f"{location}/{table}.parquet"
        if table in TABLES or _exists(session, path):
            backend.read_parquet(path, table_name=table)
    return backend


def spark_rule(backend):
    """The actionable rule the store would use: the classifiers' readings when the tables have
    them (the model that read the most posts), else the cue rule."""
    from .actionable import CueRule, EnrichedRule

    if "enrichments" in backend.list_tables():
        table = backend.table("enrichments")
        counts = table.group_by("model").aggregate(n=table.count()).to_pyarrow().to_pylist()
        if counts:
            best = max(counts, key=lambda r: (r["n"], r["model"]))["model"]
            return EnrichedRule(best)
    return CueRule()
