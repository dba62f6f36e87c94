"""``socialaudit route``, ``inbox``, ``roi`` and ``maturity`` on the bundled sample."""

from __future__ import annotations

import csv

import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY, REPO, write
from typer.testing import CliRunner

from socialaudit.cli import app

runner = CliRunner()
EXAMPLE = REPO / "data" / "examples" / "profiles_example.yaml"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("loop") / "s.duckdb"
    assert run("ingest", BUNDLED_SAMPLE, "--db", path, "--registry", REGISTRY).exit_code == 0
    assert run("enrich", "--db", path).exit_code == 0
    return path


def test_route_inbox_show_ack_stats(db):
    result = run("route", "--db", db, "--output", "csv")
    assert result.exit_code == 0, result.output
    counts = {r["department"]: int(r["items"]) for r in csv.DictReader(result.stdout.splitlines()[-6:])}
    assert set(counts) == {"rnd", "product", "service", "sales", "marketing"} and all(counts.values())
    listing = run("inbox", "--department", "rnd", "--db", db, "--output", "csv", "--limit", "3")
    assert listing.exit_code == 0, listing.output
    items = list(csv.DictReader(listing.stdout.splitlines()))
    assert len(items) == 3 and all(i["state"] == "new" for i in items)
    first = items[0]["item"]
    shown = run("inbox", "show", first, "--department", "rnd", "--user", "ada", "--db", db)
    assert shown.exit_code == 0 and items[0]["text"][:20] in shown.output
    assert run("inbox", "ack", first, "--department", "rnd", "--user", "ada", "--db", db).exit_code == 0
    again = list(csv.DictReader(run("inbox", "--department", "rnd", "--db", db, "--output", "csv", "--limit", "3")
                                .stdout.splitlines()))
    assert again[0]["state"] == "acknowledged"
    stats = run("inbox", "stats", "--db", db, "--output", "csv")
    rnd = next(r for r in csv.DictReader(stats.stdout.splitlines()) if r["department"] == "rnd")
    assert int(rnd["opened"]) == 1
    refused = run("inbox", "ack", first, "--department", "sales", "--user", "ada", "--db", db)
    assert refused.exit_code != 0 and "not in the sales inbox" in refused.output
    assert "choose a department" in run("inbox", "--db", db).output


def test_roi_and_maturity_on_the_example_profiles(db, tmp_path):
    run("route", "--db", db)
    result = run("roi", "--profiles", EXAMPLE, "--db", db, "--output", "csv", "--out", tmp_path / "roi.csv")
    assert result.exit_code == 0, result.output
    rows = {r["company_id"]: r for r in csv.DictReader((tmp_path / "roi.csv").open())}
    statuses = {r["status"] for r in rows.values()}
    assert statuses == {"computed", "no ROI"}
    assert any(float(r["roi"]) < 0 for r in rows.values() if r["roi"])
    for r in rows.values():
        if r["status"] == "computed":
            assert float(r["roi_low"]) <= float(r["roi"]) <= float(r["roi_high"])
        else:
            assert r["missing"] and not r["roi"]
    out = tmp_path / "m"
    result = run("maturity", "--profiles", EXAMPLE, "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Study B's findings on this cohort" in result.output
    for name in ("maturity.csv", "roi.csv", "reads.csv", "studyb_findings.csv"):
        assert (out / name).exists()
    classes = [r["class"] for r in csv.DictReader((out / "maturity.csv").open())]
    assert classes.count("leader") >= len(classes) // 4 and classes.count("laggard") >= len(classes) // 4


def test_bad_profiles_are_clear_errors(db, tmp_path):
    bad = write(tmp_path / "p.yaml", "companies:\n  - company_id: delta\n    social_spend: -5\n    colour: red\n")
    result = run("roi", "--profiles", bad, "--db", db)
    assert result.exit_code != 0
    assert "p.yaml" in result.output and "social_spend" in result.output and "colour" in result.output
