"""The full audit report: one self-contained HTML file with every section and its charts.

Why one file: a report is e-mailed, archived and opened offline, so styles, plotly.js and
the figures' data are all inside it and nothing is fetched.  Why it is safe to open: post
text, names and handles come from untrusted sources; the template autoescapes them, charts
carry their data in non-executable JSON blocks (see :mod:`.charts`), and the page's
Content-Security-Policy allows only the two scripts it ships, by hash, so even a mistake
in escaping could not run an injected script.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from markupsafe import Markup

from .. import __version__
from ..metrics.audit import AuditResult, run_audit
from ..metrics.config import AuditConfig
from ..store.overview import company_inventory, quarantine_sample, store_overview
from . import charts, sections
from .render import render

DEFAULT_TITLE = "socialaudit: audit report"


def build_report(con: duckdb.DuckDBPyConnection, *, audit: AuditResult | None = None, title: str = DEFAULT_TITLE,
                 config: AuditConfig | None = None, level: str = "study-a") -> str:
    """The report of the store behind ``con`` as HTML text (the store is only read).

    Without an ``audit``, the audit is run here with ``config`` (default parameters) and
    industries grouped by ``level``.  ROI and maturity appear when the store holds profiles
    (saved by ``socialaudit roi`` / ``maturity``)."""
    audit = audit or run_audit(con, config or AuditConfig(), level=level)
    times = sections.response_times(audit)
    feedback = sections.feedback(con)
    cards = sections.scorecards(audit)
    findings = [f.as_row() for f in audit.findings]
    industries = [vars(i) for i in audit.ranking.industries]
    figures = {
        "findings": charts.findings_figure(findings),
        "ranking": charts.ranking_figure(industries),
        "rank_probabilities": charts.rank_probability_figure(industries),
        "company_scores": charts.company_scores_figure([{**c["overall"], "name": c["name"]} for c in cards]),
        "response_times": charts.response_time_figure(times["wall"], times["business"]),
        "sla": charts.sla_figure(times["buckets"]),
        "read_shares": charts.read_share_figure(feedback["departments"]),
    }
    embedded = {name: charts.embed(fig, name) for name, fig in figures.items()}
    scripts = [charts.plotly_js(), charts.BOOT_JS] if any(embedded.values()) else []
    return render(
        "report.html.j2",
        title=title,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        csp=content_security_policy(scripts),
        scripts=[Markup(s) for s in scripts],  # our own code and the plotly wheel's, never data
        charts=embedded,
        overview=store_overview(con),
        inventory=company_inventory(con),
        quarantine=quarantine_sample(con),
        audit=audit,
        config=audit.config.model_dump(mode="json"),
        cohort=sections.cohort(audit),
        findings=findings,
        ranking=audit.ranking,
        cards=cards,
        times=times,
        unanswered=sections.unanswered_examples(con, audit),
        stories=sections.storytelling(audit),
        influencers=sections.influencers(audit),
        feedback=feedback,
        assessed=sections.roi_maturity(con, audit),
        dur=duration,
        num=number,
        money=money,
        studyb=studyb_cells,
    )


def write_report(con: duckdb.DuckDBPyConnection, out: Path, *, audit: AuditResult | None = None,
                 title: str = DEFAULT_TITLE, config: AuditConfig | None = None, level: str = "study-a") -> Path:
    """Render the report to ``out`` (folders created); returns ``out``."""
    html = build_report(con, audit=audit, title=title, config=config, level=level)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def content_security_policy(scripts: list[str]) -> str:
    """Nothing from the network; inline styles; only the given inline scripts, by hash."""
    script_src = " ".join(charts.script_hash(s) for s in scripts) or "'none'"
    return (f"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; img-src data: blob:; "
            "base-uri 'none'; form-action 'none'")


def duration(seconds: float | None) -> str:
    """Seconds as a short human duration (42 s, 17 min, 3.4 h, 2.1 d)."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def number(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def money(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x / 1e6:,.1f} M" if abs(x) >= 1e5 else f"{x:,.0f}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def studyb_cells(f) -> dict[str, str]:
    """A Study B finding as text cells (cohort, 95 % CI, leaders, laggards, Study B), by what it measures."""
    cells = {"value": "–", "ci": "", "leaders": "", "laggards": "", "study": "–"}
    if f.measure == "share":
        cells.update(value=_pct(f.value), study=_pct(f.study_value),
                     ci=f"{_pct(f.ci_low)}–{_pct(f.ci_high)}" if f.ci_low is not None else "")
    elif f.measure == "share_difference":
        cells.update(value="–" if f.value is None else f"{100 * f.value:+.0f} pp",
                     ci=f"{100 * f.ci_low:+.0f} to {100 * f.ci_high:+.0f} pp" if f.ci_low is not None else "",
                     leaders=_pct(f.value_leaders), laggards=_pct(f.value_laggards),
                     study=(f"{_pct(f.study_leaders)} vs {_pct(f.study_laggards)}" if f.study_leaders is not None
                            else "leaders adopt early"))
    elif f.measure == "ratio":
        cells.update(value="–" if f.value is None else f"{f.value:.1f}×", leaders=money(f.value_leaders),
                     laggards=money(f.value_laggards), study="2×" + (f" (leaders {money(f.study_leaders)})"
                                                                        if f.study_leaders is not None else ""))
    elif f.measure == "mean_difference":
        cells.update(value="–" if f.value is None else f"{f.value:+.1f}", leaders=number(f.value_leaders),
                     laggards=number(f.value_laggards),
                     study="all departments" if f.study_leaders is not None else "–")
    else:
        cells.update(value=number(f.value), study=f.note.split(";")[0] if f.note else "–")
    return cells
