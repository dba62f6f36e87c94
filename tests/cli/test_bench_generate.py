"""``socialaudit bench generate``: synthetic files that the real importers read without a loss."""

from __future__ import annotations

from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.store import Store

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_generic_csv_with_its_registry_imports_and_audits(tmp_path):
    run("bench", "generate", "--posts", 3000, "--out", tmp_path)
    posts = tmp_path / "synthetic_posts_3000.csv"
    registry = tmp_path / "synthetic_registry_3000.yaml"
    assert "SYNTHETIC" in (tmp_path / "README.synthetic.txt").read_text()
    assert registry.read_text().startswith("# SYNTHETIC")
    db = tmp_path / "s.duckdb"
    run("ingest", posts, "--format", "csv", "--db", db, "--registry", registry)
    with Store(db, read_only=True) as store:
        channels = store.con.execute("SELECT count(DISTINCT channel), count(*) FROM posts").fetchone()
        quarantined = store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    lines = sum(1 for _ in posts.open()) - 1
    assert channels == (4, lines) and quarantined == 0
    result = run("audit", "--db", db, "--out", tmp_path / "audit", "--bootstrap", 100)
    assert "Study A's findings on this cohort" in result.output


def test_twcs_file_imports(tmp_path):
    run("bench", "generate", "--posts", 2000, "--format", "twcs", "--out", tmp_path)
    db = tmp_path / "s.duckdb"
    run("ingest", tmp_path / "synthetic_twcs_2000.csv", "--format", "twcs", "--db", db)
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 2000
    bad = runner.invoke(app, ["bench", "generate", "--format", "xml", "--out", str(tmp_path)])
    assert bad.exit_code != 0 and "--format must be one of" in bad.output


def test_pipeline_benchmark_runs_every_stage(tmp_path):
    from socialaudit.bench import pipeline_bench

    results = pipeline_bench.run([3000], tmp_path, pandas=False, log=lambda m: None)
    stages = [r["stage"] for r in results]
    assert stages == ["ingest", "enrich", "audit", "report", "raw response scan", "SQL floor"]
    by = {r["stage"]: r for r in results}
    assert by["ingest"]["rows"] > 2500 and by["enrich"]["rows"] > 0 and by["report"]["rows"] > 0
    assert all(r["seconds"] > 0 and r["peak_rss_mb"] > 0 for r in results)
    text = pipeline_bench.markdown(results)
    assert "x the SQL floor" in text and "audit phases: responses" in text
