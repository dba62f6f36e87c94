"""``socialaudit audit``: files, printed tables, parameters and their errors."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
from helpers import BUNDLED_SAMPLE, REGISTRY, write
from typer.testing import CliRunner

from socialaudit.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_audit_writes_its_files_and_prints_findings_and_ranking(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY).exit_code == 0
    out = tmp_path / "audit"
    result = run("audit", "--db", db, "--out", out, "--bootstrap", 200, "--param", "regular_week_share=0.5")
    assert result.exit_code == 0, result.output
    assert "Study A's findings on this cohort (74 companies)" in result.output
    assert "Industries by engagement score" in result.output
    companies = pq.read_table(out / "companies.parquet")
    assert set(companies.column("channel").to_pylist()) == {"twitter", "all"}
    responses = pq.read_table(out / "responses.parquet")
    assert responses.column_names[:7] == ["post_id", "company", "channel", "responded", "first_response_id",
                                          "response_seconds", "business_seconds"]
    assert responses.num_rows == 2778  # every consumer post of the sample belongs to a company
    with open(out / "findings.csv") as fh:
        assert [r["key"] for r in csv.DictReader(fh)] == ["broadcast_only", "no_cross_channel_influencers",
                                                          "effective_storytelling", "regular_across_channels",
                                                          "ever_responded"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["regular_week_share"] == 0.5 and summary["config"]["bootstrap_samples"] == 200


def test_period_and_config_file(tmp_path):
    db = tmp_path / "s.duckdb"
    run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY)
    cfg = write(tmp_path / "audit.yaml", "response_window_days: 1\nbootstrap_samples: 100\n")
    out = tmp_path / "a"
    result = run("audit", "--db", db, "--out", out, "--config", cfg, "--since", "2017-11-01", "--until",
                 "2017-12-01")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["response_window_days"] == 1 and summary["config"]["since"].startswith("2017-11-01")
    created = pq.read_table(out / "responses.parquet").column("created_at").to_pylist()
    assert created and all(c.year == 2017 and c.month == 11 for c in created)


def test_bad_parameters_are_clear_errors(tmp_path):
    db = tmp_path / "s.duckdb"
    run("ingest", BUNDLED_SAMPLE, "--db", db)
    bad = run("audit", "--db", db, "--out", tmp_path / "a", "--param", "window=3")
    assert bad.exit_code == 2 and "unknown parameter 'window'" in bad.output
    bad = run("audit", "--db", db, "--out", tmp_path / "a", "--param", "broadcast_only_share=1.5")
    assert bad.exit_code == 2 and "broadcast_only_share" in bad.output
    bad = run("audit", "--db", db, "--out", tmp_path / "a", "--param", "nonsense")
    assert bad.exit_code == 2 and "expected NAME=VALUE" in bad.output
    cfg = write(tmp_path / "c.yaml", "score_weights: {beauty: 1}\n")
    bad = run("audit", "--db", db, "--out", tmp_path / "a", "--config", cfg)
    assert bad.exit_code == 2 and "unknown score components" in bad.output
    bad = run("audit", "--db", db, "--out", tmp_path / "a", "--industry-level", "galaxy")
    assert bad.exit_code == 2
