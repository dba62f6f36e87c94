"""The command line: exit statuses, messages without tracebacks, list outputs, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY, write
from typer.testing import CliRunner

from socialaudit.cli import app

runner = CliRunner()
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROW = "1,acme,False,Tue Oct 31 22:10:47 +0000 2017,hello,,\n"
BAD = "x,acme,False,Tue Oct 31 22:10:47 +0000 2017,bad id,,\n"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_ingest_reports_counts_and_exits_0_with_quarantined_rows(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write(tmp_path / "t.csv", HEADER + ROW + BAD)
    result = run("ingest", f, "--db", db)
    assert result.exit_code == 0, result.output
    assert "quarantined" in result.output and "t.csv:3: non-numeric id 'x' in tweet_id" in result.output
    strict = run("ingest", f, "--db", db, "--strict")
    assert strict.exit_code == 1


def test_wrong_format_is_one_line_and_exit_2(tmp_path):
    f = write(tmp_path / "other.csv", "a,b,c\n1,2,3\n")
    result = run("ingest", f, "--format", "twcs", "--db", tmp_path / "s.duckdb")
    assert result.exit_code == 2
    assert "other.csv: not a TWCS file: missing column(s) tweet_id, author_id" in result.output
    assert "Traceback" not in result.output
    auto = run("ingest", f, "--db", tmp_path / "s.duckdb")
    assert auto.exit_code == 2 and "format not recognised" in auto.output
    missing = run("ingest", tmp_path / "nope.csv", "--db", tmp_path / "s.duckdb")
    assert missing.exit_code == 2 and "no such file" in missing.output
    unknown = run("ingest", f, "--format", "myspace", "--db", tmp_path / "s.duckdb")
    assert unknown.exit_code == 2 and "unknown format 'myspace'" in unknown.output


def test_bad_registry_names_file_and_line(tmp_path):
    reg = write(tmp_path / "r.yaml", "companies:\n  - id: a\n    name: A\n    timezone: Mars/Base\n")
    result = run("ingest", write(tmp_path / "t.csv", HEADER + ROW), "--db", tmp_path / "s.duckdb", "--registry", reg)
    assert result.exit_code == 2
    assert f"{reg}:4 (companies[0].timezone): unknown time zone 'Mars/Base'" in result.output


def test_quarantine_lists_file_line_reason_raw(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write(tmp_path / "t.csv", HEADER + ROW + BAD)
    run("ingest", f, "--db", db)
    result = run("quarantine", "--db", db, "--output", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows == [{"source": str(f.resolve()), "line": 3, "item": "", "reason": "non-numeric id 'x' in tweet_id",
                     "raw": BAD.strip()}]
    table = run("quarantine", "--db", db, "--source", f)
    assert "non-numeric id" in table.output and "1 quarantined row" in table.output
    none = run("quarantine", "--db", db, "--source", tmp_path / "other.csv", "--output", "csv")
    assert none.stdout.strip() == "source,line,item,reason,raw"


def test_imports_log_and_companies(tmp_path):
    db = tmp_path / "s.duckdb"
    run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY)
    run("ingest", write(tmp_path / "x.csv", "nope\n"), "--db", db, "--format", "twcs")
    log = json.loads(run("imports", "--db", db, "-o", "json").stdout)
    assert [(r["format"], r["status"], r["imported"]) for r in log] == [("twcs", "done", 5000), ("twcs", "failed", 0)]
    companies = json.loads(run("companies", "--db", db, "-o", "json").stdout)
    chipotle = next(c for c in companies if c["company"] == "chipotle")
    assert (chipotle["industry"], chipotle["accounts"]) == ("restaurants", "twitter:ChipotleTweets")


def test_reading_a_store_that_does_not_exist(tmp_path):
    result = run("quarantine", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "no such store" in result.output


def test_a_store_in_use_is_reported_not_a_traceback(tmp_path):
    db = tmp_path / "s.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "socialaudit", "ingest", str(BUNDLED_SAMPLE), "--db", str(db)],
                                capture_output=True, text=True, env={**os.environ, "SOCIALAUDIT_LOCK_WAIT": "2"})
        assert time.monotonic() - started >= 2  # waited for the lock before giving up
        assert result.returncode == 2
        assert "in use by another process" in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.kill()


def command_names():
    return [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", [*command_names(), "bench ingest", "bench audit"])
def test_every_command_has_help(command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_formats_and_industries_list_everything():
    from socialaudit.industries import INDUSTRIES
    from socialaudit.ingest import FORMATS

    formats = run("formats").output
    assert all(name in formats for name in FORMATS)
    industries = run("industries").output
    assert all(i in industries for i in INDUSTRIES)


def test_demo_writes_the_report_and_prints_where(tmp_path):
    start = time.perf_counter()
    result = run("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    report = tmp_path / "demo" / "report.html"
    assert report.exists() and str(report.resolve()) in result.output.replace("\n", "")
    html = report.read_text()
    assert "Chipotle Mexican Grill" in html and "5,000" in html
    assert time.perf_counter() - start < 300
