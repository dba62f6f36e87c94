"""``socialaudit report``: every section, self-contained, hostile text and names inert, empty stores."""

from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser

import pytest
import typer
from helpers import BUNDLED_SAMPLE, REGISTRY, REPO, write
from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.cli.report import report
from socialaudit.privacy import Pseudonymiser, new_key
from socialaudit.report import charts, sections
from socialaudit.store import Store

runner = CliRunner()

HEADINGS = ("Cohort overview", "Study A's findings on this cohort", "Industry ranking", "Company scorecards",
            "Response times and SLA buckets", "Unanswered questions", "Storytelling", "Influencers",
            "Feedback routing and read shares", "ROI and maturity", "Data quality", "Parameters")
POST_PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NAME_PAYLOAD = "</script><script>alert(3)</script>"
COMPANY = f"Evil {NAME_PAYLOAD} Co"
EXAMPLE_PROFILES = REPO / "data" / "examples" / "profiles_example.yaml"


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def run_report(*args):
    """The report command, through the main app once it is registered there, else on its own."""
    if any((c.name or c.callback.__name__) == "report" for c in app.registered_commands):
        return runner.invoke(app, ["report", *(str(a) for a in args)])
    single = typer.Typer()
    single.command()(report)
    return runner.invoke(single, [str(a) for a in args])


class Page(HTMLParser):
    """Tags, attributes and the text of every script element of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def executable(self) -> list[str]:
        return [text for attrs, text in self.scripts if attrs.get("type") in (None, "text/javascript")]

    def data_blocks(self) -> list[str]:
        return [text for attrs, text in self.scripts if attrs.get("type") == "application/json"]


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """The bundled sample plus a hostile company and post, enriched, routed, with example profiles."""
    tmp = tmp_path_factory.mktemp("report")
    db = tmp / "s.duckdb"
    evil_registry = write(tmp / "evil.yaml", "version: 1\ncompanies:\n  - id: evil-co\n"
                                             f"    name: {json.dumps(COMPANY)}\n    industry: retail\n"
                                             "    accounts:\n      twitter: evilbrand\n")
    evil_posts = tmp / "evil.csv"
    with evil_posts.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "channel", "author", "created_at", "text", "parent_id", "company"])
        w.writerow(["e1", "twitter", "evilbrand", "2017-12-09T10:00:00Z", "Our new range is in stores now", "", ""])
        w.writerow(["e2", "twitter", "mallory", "2017-12-10T10:00:00Z",
                    f"@evilbrand Where is my refund? Can you help me? {POST_PAYLOAD}", "e1", ""])
    run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY)
    run("ingest", evil_posts, "--db", db, "--registry", evil_registry, "--format", "csv")
    run("enrich", "--db", db)
    run("route", "--db", db)
    run("roi", "--profiles", EXAMPLE_PROFILES, "--db", db)
    run("inbox", "ack", "1", "--user", "ada", "--db", db)
    out = tmp / "out" / "report.html"
    result = run_report("--db", db, "--out", out, "--bootstrap", 200, "--title", "Cohort <b>audit</b>")
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    return out.read_text(encoding="utf-8")


def test_every_section_is_there_with_its_figures(full_report):
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in full_report, heading
    assert "Share of the 75 companies" in full_report  # 74 sample brands + the hostile one
    for name in ("findings", "ranking", "rank-probabilities", "company-scores", "response-times", "sla",
                 "read-shares"):
        assert f'id="chart-{name}"' in full_report, name
    assert "Comcast (Xfinity)" in full_report and "illustrative examples" in full_report  # ROI from the profiles
    assert "no profiles in the store" not in full_report
    assert "Cohort &lt;b&gt;audit&lt;/b&gt;" in full_report  # the title is escaped too


def test_report_is_self_contained(full_report):
    page = Page(full_report)
    for tag, attrs in page.tags:
        assert tag != "link", attrs
        if tag == "script":
            assert "src" not in attrs
        for name in ("src", "href", "action", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#") or name == "data", (tag, attrs)
    assert "<script src=" not in full_report
    executable = page.executable()
    assert executable == [charts.plotly_js(), charts.BOOT_JS]  # plotly.js inlined once, then the boot script
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    assert all(charts.script_hash(s) in csp for s in executable)


def test_hostile_post_text_and_company_name_are_inert(full_report):
    for raw in (POST_PAYLOAD, "<script>alert(1)", "<img src=x", NAME_PAYLOAD, "<script>alert(3)"):
        assert raw not in full_report
    # shown, escaped: the post among the unanswered questions, the name in the scorecards
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in full_report
    assert "Evil &lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt; Co" in full_report
    page = Page(full_report)
    assert not [t for t, _ in page.tags if t == "img"]
    assert not [(t, a) for t, a in page.tags for name in a if name.startswith("on")]
    assert all("alert(" not in s for s in page.executable())
    blocks = page.data_blocks()
    assert len(page.scripts) == 2 + len(blocks)  # no script element came from data
    assert len(blocks) == sum(1 for t, a in page.tags if t == "div" and a.get("class") == "chart")
    labels = []
    for block in blocks:
        assert "<" not in block and ">" not in block
        figure = json.loads(block)
        labels += [y for trace in figure["data"] for y in trace.get("y", []) if isinstance(y, str)]
    assert html.escape(COMPANY, quote=False) in labels  # plotly shows the entities as text, not markup
    # the author is a pseudonym, and so is no consumer handle in the shown text
    assert "mallory" not in full_report
    unanswered = full_report.split('<section id="unanswered">', 1)[1].split("</section>", 1)[0]
    row = re.search(r"<tr><td>Evil .*?</tr>", unanswered, re.S).group(0)
    assert "&lt;script&gt;alert(1)" in row
    assert re.search(r"<code>u_[0-9a-f]{16}</code>", row)


def test_empty_store_gives_a_report_of_no_data_sections(tmp_path):
    db = tmp_path / "empty.duckdb"
    with Store(db):
        pass
    out = tmp_path / "report.html"
    result = run_report("--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in text, heading
    assert text.count('<p class="empty">No data') >= 9
    assert "no profiles in the store" in text
    page = Page(text)
    assert page.scripts == []  # no chart, so no plotly.js either
    assert "script-src 'none'" in text.replace("&#39;", "'")


def test_bad_arguments_are_one_line_errors(tmp_path):
    missing = run_report("--db", tmp_path / "nope.duckdb", "--out", tmp_path / "r.html")
    assert missing.exit_code == 2 and "no such store" in missing.output
    db = tmp_path / "s.duckdb"
    with Store(db):
        pass
    assert run_report("--db", db, "--out", tmp_path, "--bootstrap", 100).exit_code == 2
    assert run_report("--db", db, "--industry-level", "galaxy").exit_code == 2
    assert run_report("--db", db, "--param", "window=3").exit_code == 2


def test_chart_json_cannot_close_its_script_element():
    fig = charts.company_scores_figure([{"name": NAME_PAYLOAD + "<!--", "engagement_score": 50.0, "industry": "x"}])
    block = charts.embed(fig, "t")
    data = block.split('data-target="chart-t">', 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in data and ">" not in data
    assert json.loads(data)["data"][0]["y"] == [html.escape(NAME_PAYLOAD + "<!--", quote=False)]
    assert charts.embed(None, "t") is None


def test_sla_buckets_include_their_upper_bound_and_mentions_are_pseudonymised():
    class Audit:
        class config:
            sla_hours = [1, 4]

        class responses:
            num_rows = 0

    empty = sections.response_times(Audit)
    assert [b["bucket"] for b in empty["buckets"]] == ["0–1 h", "1–4 h", "> 4 h"]
    assert sections._bucket_share([3600.0, 3601.0], 0.0, 3600.0, True) == 0.5
    masked = sections.mask_mentions("@brand thanks @Jane_Doe and @u_0123456789abcdef", "twitter",
                                    {("twitter", "brand")}, None)
    assert masked == "@brand thanks @[consumer] and @u_0123456789abcdef"
    # a store imported with --no-pseudonymise: the report still shows a pseudonym, never the handle
    pseudonym = Pseudonymiser(new_key())
    assert sections._author("JaneDoe", pseudonym) == pseudonym("janedoe") != "JaneDoe"
    assert sections._author("u_0123456789abcdef", pseudonym) == "u_0123456789abcdef"
