"""The audit on Spark (local mode) equals the audit on DuckDB, table by table, on the real
TWCS sample: same Ibis expressions, two engines."""

from __future__ import annotations

import math
import shutil

import pyarrow as pa
import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY
from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.metrics.actionable import CueRule, EnrichedRule
from socialaudit.metrics.audit import run_audit, run_audit_on
from socialaudit.metrics.config import AuditConfig
from socialaudit.store import Store
from socialaudit.store.export import export_parquet

pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.fail("no Java: `make test` installs Debian's default-jre-headless for the Spark tests")
    from socialaudit.metrics.spark import local_session

    session = local_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spark")
    db = tmp / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(BUNDLED_SAMPLE), "--db", str(db), "--registry", str(REGISTRY)]
                         ).exit_code == 0
    assert runner.invoke(app, ["enrich", "--db", str(db)]).exit_code == 0
    with Store(db, read_only=True) as store:
        export_parquet(store.con, tmp / "parquet")
    return db, tmp / "parquet"


def assert_same_table(a: pa.Table, b: pa.Table, keys: list[str]) -> None:
    assert a.column_names == b.column_names
    assert a.num_rows == b.num_rows
    order = [(k, "ascending") for k in keys]
    a, b = a.sort_by(order), b.sort_by(order)
    for name in a.column_names:
        for x, y in zip(a.column(name).to_pylist(), b.column(name).to_pylist(), strict=True):
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(x) and math.isnan(y)), name
            else:
                assert x == y, (name, x, y)


@pytest.mark.parametrize("rule", ["cues", "classifier"])
def test_every_output_table_is_equal(spark, exported, rule):
    from socialaudit.metrics.spark import spark_backend, spark_rule

    db, parquet = exported
    config = AuditConfig(bootstrap_samples=300)
    backend = spark_backend(parquet, spark)
    chosen = CueRule() if rule == "cues" else spark_rule(backend)
    with Store(db, read_only=True) as store:
        duck = run_audit(store.con, config, rule=chosen)
    if rule == "classifier":
        assert isinstance(chosen, EnrichedRule)
    on_spark = run_audit_on(backend, config, rule=chosen)
    assert_same_table(duck.companies, on_spark.companies, ["company_id", "channel"])
    assert_same_table(duck.responses, on_spark.responses, ["channel", "post_id"])
    assert duck.findings == on_spark.findings
    assert duck.ranking == on_spark.ranking
    assert duck.companies.num_rows == 148 and duck.responses.num_rows == 2778


def test_audit_command_with_the_spark_engine(spark, exported, tmp_path):
    db, parquet = exported
    out = tmp_path / "audit"
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--out", str(out), "--engine", "spark",
                                      "--parquet", str(parquet), "--bootstrap", "100"])
    assert result.exit_code == 0, result.output
    assert "Study A's findings on this cohort (74 companies)" in result.output
    assert (out / "companies.parquet").exists() and (out / "summary.json").exists()
    assert '"actionable_rule": "classifier:' in (out / "summary.json").read_text()


def test_tables_on_any_hadoop_file_system_uri(spark, exported, tmp_path):
    """A URI (here file://; s3a://, abfss://, hdfs:// alike) is read through Spark's file system."""
    from socialaudit.errors import SocialAuditError
    from socialaudit.metrics.spark import spark_backend, spark_rule

    _, parquet = exported
    backend = spark_backend(f"file://{parquet}/", spark)
    assert {"posts", "accounts", "companies", "enrichments"} <= set(backend.list_tables())
    assert isinstance(spark_rule(backend), EnrichedRule)
    with pytest.raises(SocialAuditError, match="no posts.parquet, accounts.parquet, companies.parquet"):
        spark_backend(f"file://{tmp_path}", spark)
