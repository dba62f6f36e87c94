"""``socialaudit classify``, ``enrich`` and ``models``: columns, errors, escaping of nothing."""

from __future__ import annotations

import csv

from helpers import BUNDLED_SAMPLE, REGISTRY, write
from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.cli.classify import ADDED_COLUMNS

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_classify_adds_the_columns_and_keeps_the_rest(tmp_path):
    source = write(tmp_path / "in.csv", 'id,body\n1,"where is my order?"\n2,"Der Zug ist schon wieder zu spät, '
                                        'eine Frechheit"\n3,\n4,"<script>alert(1)</script>, great app!"\n')
    out = tmp_path / "out.csv"
    result = run("classify", source, "--text-column", "body", "--out", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "body", *ADDED_COLUMNS]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["intent"] == "question" and rows[0]["lang"] == "en"
    assert rows[1]["lang"] == "de" and rows[1]["complaint"] == "true" and rows[1]["sentiment"] == "negative"
    assert rows[2]["lang"] == "und" and rows[2]["intent"] == "other"
    assert rows[3]["body"] == "<script>alert(1)</script>, great app!"  # CSV keeps text as it was
    for r in rows:
        assert r["complaint"] in ("true", "false")
        assert 0 <= float(r["sentiment_prob"]) <= 1 and 0 <= float(r["complaint_prob"]) <= 1


def test_classify_errors_name_the_file_and_the_reason(tmp_path):
    source = write(tmp_path / "in.csv", "id,text\n1,hello\n")
    result = run("classify", source, "--text-column", "message", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0 and "in.csv, line 1: no column 'message'" in result.output
    result = run("classify", tmp_path / "missing.csv", "--out", tmp_path / "o.csv")
    assert result.exit_code != 0 and "missing.csv: cannot read" in result.output
    bad = write(tmp_path / "latin1.csv", b"text\nok\n\xe9t\xe9\n")
    result = run("classify", bad, "--out", tmp_path / "o.csv")
    assert result.exit_code != 0 and "latin1.csv, line" in result.output and "not UTF-8" in result.output
    clash = write(tmp_path / "clash.csv", "text,sentiment\nhi,x\n")
    result = run("classify", clash, "--out", tmp_path / "o.csv")
    assert result.exit_code != 0 and "already has column(s) sentiment" in result.output


def test_enrich_then_audit(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY).exit_code == 0
    result = run("enrich", "--db", db, "--output", "csv")
    assert result.exit_code == 0, result.output
    assert "socialaudit-nlp-fast-v2@" in result.output
    again = run("enrich", "--db", db)
    assert again.exit_code == 0 and "0 posts to read" in again.output
    audit = run("audit", "--db", db, "--out", tmp_path / "audit", "--bootstrap", 100)
    assert audit.exit_code == 0, audit.output
    summary = (tmp_path / "audit" / "summary.json").read_text()
    assert '"actionable_rule": "classifier:socialaudit-nlp-fast-v2@' in summary


def test_models_show_prints_the_figures():
    result = run("models", "show")
    assert result.exit_code == 0, result.output
    assert "complaint (EN)" in result.output and "MODEL_CARD.md" in result.output


def test_short_rows_are_padded_and_overlong_rows_reported(tmp_path):
    source = write(tmp_path / "in.csv", 'id,text,extra\n1,"where is my order?"\n2,"ok",x,surplus\n3,"thanks!",y\n')
    out = tmp_path / "out.csv"
    result = run("classify", source, "--out", out)
    assert result.exit_code == 0, result.output
    assert "in.csv, line 3: 4 fields, the header has 3; row left out" in result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["1", "3"] and rows[0]["extra"] == "" and rows[0]["intent"] == "question"
