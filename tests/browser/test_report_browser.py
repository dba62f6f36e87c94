"""The static report in a real browser: charts draw, nothing injected runs."""

from __future__ import annotations

from browser.conftest import screenshot
from helpers import BUNDLED_SAMPLE, REGISTRY, write
from typer.testing import CliRunner

from socialaudit.cli import app

BRANDS = ["AppleSupport", "AmazonHelp", "Uber_Support", "Delta"]
PAYLOADS = ["<script>alert('post')</script>", "<img src=x onerror=alert('img')>",
            "\"><svg onload=alert('svg')>", "javascript:alert('link')"]


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_report_renders_and_no_payload_executes(tmp_path, page):
    db = tmp_path / "s.duckdb"
    run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY)
    hostile = write(tmp_path / "hostile.csv", "tweet_id,author_id,inbound,created_at,text,response_tweet_id,"
                    "in_response_to_tweet_id\n" + "".join(
                        f'9{i}00001,9{i}0001,True,Sun Dec 31 22:10:4{i} +0000 2017,"@{BRANDS[i]} where is my '
                        f'order? {p.replace(chr(34), chr(34) * 2)}",,\n' for i, p in enumerate(PAYLOADS)))
    run("ingest", hostile, "--db", db, "--format", "twcs")
    run("enrich", "--db", db)
    run("route", "--db", db)
    out = tmp_path / "report.html"
    run("report", "--db", db, "--out", out)
    page.goto(out.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    assert page.locator(".js-plotly-plot").count() >= 4  # the charts were drawn by the inlined plotly.js
    shown = page.locator("text=where is my order?")
    assert shown.count() == len(PAYLOADS)  # the hostile posts are in the report, as text
    assert "<script>alert('post')</script>" in page.inner_text("body")
    screenshot(page, "report")
    assert page.dialogs == [], f"a payload executed: {page.dialogs}"
    assert not page.locator("img[src='x']").count() and not page.locator("svg[onload]").count()
    assert page.errors == []
