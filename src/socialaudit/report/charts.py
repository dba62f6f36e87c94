"""Plotly charts for the HTML report, embedded so that data can never become script.

Why this shape:

* A report is one file that opens offline, so plotly.js is inlined once per file
  (:func:`plotly_js`) and each figure is a ``<div>`` plus its JSON in a
  ``<script type="application/json">`` block, drawn by one fixed script (:data:`BOOT_JS`).
  No executable script ever contains data, so the report's Content-Security-Policy can
  allow exactly two scripts by hash (:func:`script_hash`).
* Labels are data (company names come from registries and sources).  Plotly.js renders a
  subset of HTML in labels (``<b>``, ``<a href>``), so every label is HTML-escaped first
  (:func:`label`; plotly.js turns the entities back into text), and the figure JSON is
  escaped again for the script element (``<``, ``>``, ``&`` and the line separators become
  ``\\uXXXX``), so ``</script>`` in a name cannot close the element.
* Builders are small pure functions from plain rows to a ``go.Figure`` (or ``None`` when
  there is nothing to draw); :func:`embed` turns a figure into its HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.io.json import to_json_plotly

ACCENT, STUDY, MUTED, BUSINESS = "#2454a6", "#b3b9c6", "#8a93a6", "#d08a1e"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
FONT = dict(family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size=12, color="#1d2433")

#: Draws every figure of the page from its JSON block (fixed text: its hash goes in the CSP).
BOOT_JS = """(function () {
  var blocks = document.querySelectorAll('script[type="application/json"].plotly-figure');
  for (var i = 0; i < blocks.length; i++) {
    var fig = JSON.parse(blocks[i].textContent);
    var target = document.getElementById(blocks[i].getAttribute("data-target"));
    if (target && window.Plotly) { window.Plotly.newPlot(target, fig.data, fig.layout, fig.config); }
  }
})();"""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js as shipped in the ``plotly`` wheel (no network, no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def script_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def label(value: object) -> str:
    """A data string as a plotly label: escaped, so plotly.js shows it as text, not markup."""
    return html.escape("" if value is None else str(value), quote=False)


def script_json(obj_json: str) -> str:
    """JSON text made safe inside a ``<script>`` element (no ``<``, ``>``, ``&`` left)."""
    for char, escaped in _JSON_ESCAPES.items():
        obj_json = obj_json.replace(char, escaped)
    return obj_json


def embed(fig: go.Figure | None, name: str) -> Markup | None:
    """The figure as a ``<div>`` and its JSON data block; ``name`` makes the element ids."""
    if fig is None:
        return None
    ident = "chart-" + "".join(c if c.isalnum() or c == "-" else "-" for c in name)
    figure = fig.to_plotly_json()
    data = script_json(to_json_plotly({"data": figure["data"], "layout": figure["layout"], "config": CONFIG}))
    height = int(fig.layout.height or 420)
    return Markup(f'<div class="chart" id="{ident}" style="height:{height}px"></div>\n'
                  f'<script type="application/json" class="plotly-figure" data-target="{ident}">{data}</script>')


def _layout(fig: go.Figure, title: str, height: int = 420, **extra) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=14)), height=height, font=FONT,
                      template="plotly_white", margin=dict(l=10, r=10, t=50, b=40), legend=dict(orientation="h",
                      y=-0.15), **extra)
    return fig


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * x


def findings_figure(findings: Sequence[dict]) -> go.Figure | None:
    """Study A's findings: the cohort's share with its Wilson 95 % interval beside the study's figure.

    Rows need ``statement``, ``share``, ``wilson_low``, ``wilson_high``, ``study_share``,
    ``count`` and ``n``.  Wilson, not the bootstrap, because a share of 0 or 1 has a
    bootstrap interval of width zero, which would look like certainty."""
    rows = [f for f in findings if f.get("share") is not None]
    if not rows:
        return None
    names = [_wrap(label(f["statement"])) for f in rows]
    share = [_pct(f["share"]) for f in rows]
    fig = go.Figure()
    fig.add_bar(y=names, x=share, orientation="h", name="this cohort (95% Wilson interval)", marker_color=ACCENT,
                error_x=dict(type="data", symmetric=False, color="#1d2433",
                             array=[_pct(f["wilson_high"]) - s for f, s in zip(rows, share)],
                             arrayminus=[s - _pct(f["wilson_low"]) for f, s in zip(rows, share)]),
                customdata=[[f["count"], f["n"]] for f in rows],
                hovertemplate="%{x:.0f}% (%{customdata[0]} of %{customdata[1]} companies)<extra></extra>")
    fig.add_bar(y=names, x=[_pct(f["study_share"]) for f in rows], orientation="h", name="Study A",
                marker_color=STUDY, hovertemplate="Study A: %{x:.0f}%<extra></extra>")
    fig.update_xaxes(range=[0, 105], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Share of companies, this cohort vs Study A", height=120 + 70 * len(rows), barmode="group")


def _wrap(text: str, width: int = 38) -> str:
    """Long (escaped) statements on several lines: plotly labels break only at ``<br>``."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def ranking_figure(industries: Sequence[dict]) -> go.Figure | None:
    """Mean engagement score per industry with its bootstrap 95 % interval (unranked ones grey, no bar)."""
    if not industries:
        return None
    ranked = [i for i in industries if i.get("rank") is not None]
    other = [i for i in industries if i.get("rank") is None]
    fig = go.Figure()
    if ranked:
        fig.add_scatter(
            y=[label(f"{i['rank']}. {i['industry']}") for i in ranked], x=[i["mean_score"] for i in ranked],
            mode="markers", name="mean score (95% bootstrap interval)", marker=dict(color=ACCENT, size=10),
            error_x=dict(type="data", symmetric=False, color=ACCENT,
                         array=[i["ci_high"] - i["mean_score"] for i in ranked],
                         arrayminus=[i["mean_score"] - i["ci_low"] for i in ranked]),
            customdata=[[i["companies"], i["study_a_rank"] or "–"] for i in ranked],
            hovertemplate="%{x:.1f} (%{customdata[0]} companies; Study A rank %{customdata[1]})<extra></extra>")
    if other:
        fig.add_scatter(y=[label(f"– {i['industry']}") for i in other], x=[i["mean_score"] for i in other],
                        mode="markers", name="too few companies to rank", marker=dict(color=MUTED, size=8,
                                                                                       symbol="circle-open"),
                        customdata=[[i["companies"]] for i in other],
                        hovertemplate="%{x:.1f} (%{customdata[0]} companies; not ranked)<extra></extra>")
    fig.update_xaxes(title="engagement score (0–100)", range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Industries by mean engagement score", height=140 + 36 * len(industries))


def rank_probability_figure(industries: Sequence[dict]) -> go.Figure | None:
    """Heat map: probability of every rank for every ranked industry (from the bootstrap)."""
    ranked = [i for i in industries if i.get("rank") is not None and i.get("rank_probabilities")]
    if len(ranked) < 2:
        return None
    k = len(ranked[0]["rank_probabilities"])
    fig = go.Figure(go.Heatmap(
        z=[[100 * p for p in i["rank_probabilities"]] for i in ranked], x=[str(r) for r in range(1, k + 1)],
        y=[label(i["industry"]) for i in ranked], colorscale="Blues", zmin=0, zmax=100,
        texttemplate="%{z:.0f}%", colorbar=dict(title="P(rank)", ticksuffix="%"),
        hovertemplate="%{y}: rank %{x} with probability %{z:.0f}%<extra></extra>"))
    fig.update_xaxes(title="rank", type="category")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Probability of each rank (bootstrap over companies)", height=140 + 36 * len(ranked))


def company_scores_figure(companies: Sequence[dict]) -> go.Figure | None:
    """Every company's engagement score, best first (rows: ``name``, ``engagement_score``, ``industry``)."""
    rows = sorted((c for c in companies if c.get("engagement_score") is not None),
                  key=lambda c: -c["engagement_score"])
    if not rows:
        return None
    fig = go.Figure(go.Bar(y=[label(c["name"]) for c in rows], x=[c["engagement_score"] for c in rows],
                           orientation="h", marker_color=ACCENT, customdata=[[label(c.get("industry"))] for c in rows],
                           hovertemplate="%{y}: %{x:.1f} (%{customdata[0]})<extra></extra>"))
    fig.update_xaxes(title="engagement score (0–100)", range=[0, 100])
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    return _layout(fig, "Engagement score per company", height=120 + 16 * len(rows))


def log_bins(hours: Sequence[float], per_decade: int = 5) -> np.ndarray:
    """Bin edges, evenly spaced on a log scale, from one minute to past the longest time."""
    low = 1 / 60
    high = max(max(hours, default=1.0), 1.0)
    decades = math.log10(high / low)
    return low * 10 ** (np.arange(0, math.ceil(decades * per_decade) + 1) / per_decade)


def response_time_figure(wall_seconds: Sequence[float], business_seconds: Sequence[float]) -> go.Figure | None:
    """Histogram of response times on a log scale, wall clock and business hours.

    Bins are log-spaced (a linear histogram crowds every quick answer into one bar); times
    under a minute are counted in the first bin.  The bars are drawn on a linear axis of
    log10(hours) with readable ticks, so every bar spans exactly its bin."""
    wall = [s / 3600 for s in wall_seconds if s is not None]
    business = [s / 3600 for s in business_seconds if s is not None]
    if not wall:
        return None
    edges = log_bins(wall + business)
    logs = np.log10(edges)
    fig = go.Figure()
    for name, values, color in (("wall clock", wall, ACCENT), ("business hours", business, BUSINESS)):
        if not values:
            continue
        counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
        fig.add_bar(x=(logs[:-1] + logs[1:]) / 2, y=counts, width=np.diff(logs), name=name, marker_color=color,
                    opacity=0.6, customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                    hovertemplate=name + ": %{y} answers in %{customdata[0]:.2g}–%{customdata[1]:.2g} h"
                                         "<extra></extra>")
    ticks = [(1 / 60, "1 min"), (10 / 60, "10 min"), (1, "1 h"), (4, "4 h"), (24, "1 d"), (168, "1 wk"),
             (720, "30 d")]
    shown = [(h, t) for h, t in ticks if edges[0] <= h <= edges[-1]]
    fig.update_xaxes(title="time to the first response (log scale)", tickvals=[math.log10(h) for h, _ in shown],
                     ticktext=[t for _, t in shown], range=[logs[0], logs[-1]])
    fig.update_yaxes(title="answered inbound posts")
    return _layout(fig, "Response times", barmode="overlay")


def sla_figure(buckets: Sequence[dict]) -> go.Figure | None:
    """Share of answered posts per SLA bucket (rows: ``bucket``, ``wall``, ``business`` shares)."""
    if not buckets or all(b["wall"] is None for b in buckets):
        return None
    fig = go.Figure()
    for key, name, color in (("wall", "wall clock", ACCENT), ("business", "business hours", BUSINESS)):
        fig.add_bar(x=[label(b["bucket"]) for b in buckets], y=[_pct(b[key]) for b in buckets], name=name,
                    marker_color=color, texttemplate="%{y:.0f}%", textposition="outside",
                    hovertemplate=name + ", %{x}: %{y:.1f}%<extra></extra>")
    fig.update_yaxes(ticksuffix="%", title="answered inbound posts", rangemode="tozero")
    return _layout(fig, "Answered within … (SLA buckets)", barmode="group")


def read_share_figure(departments: Sequence[dict]) -> go.Figure | None:
    """Share of routed items opened and acknowledged, per department (rows from ``department_summary``
    with a display ``name``)."""
    rows = [d for d in departments if d.get("routed")]
    if not rows:
        return None
    fig = go.Figure()
    for key, name, color in (("opened_share", "opened", ACCENT), ("acknowledged_share", "acknowledged", BUSINESS)):
        fig.add_bar(x=[label(d["name"]) for d in rows], y=[_pct(d.get(key)) for d in rows], name=name,
                    marker_color=color, customdata=[[d["routed"]] for d in rows], texttemplate="%{y:.0f}%",
                    textposition="outside", hovertemplate=name + ": %{y:.1f}% of %{customdata[0]} items<extra></extra>")
    fig.update_yaxes(ticksuffix="%", range=[0, 110], title="routed items")
    return _layout(fig, "Read shares of routed feedback per department", barmode="group")
