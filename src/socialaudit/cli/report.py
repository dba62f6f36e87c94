"""``socialaudit report``: the full audit as one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..errors import SocialAuditError
from ..metrics.config import AuditConfig
from ..metrics.ranking import LEVELS
from ..report.full import DEFAULT_TITLE, write_report
from ..store import Store
from .audit import PARAM_HELP, _parse_params
from .common import DEFAULT_DB_PATH, DbOption, console, escape, handle_errors


@handle_errors
def report(
    db: DbOption = DEFAULT_DB_PATH,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    title: Annotated[str, typer.Option(help="Title of the report.")] = DEFAULT_TITLE,
    config: Annotated[Path | None, typer.Option(help="YAML file of audit parameters.")] = None,
    since: Annotated[dt.datetime | None, typer.Option(help="Audit inbound posts from this time (UTC).")] = None,
    until: Annotated[dt.datetime | None, typer.Option(help="... until this time (UTC, exclusive).")] = None,
    window_days: Annotated[float | None, typer.Option(help="Response window in days (default 7).")] = None,
    industry_level: Annotated[str, typer.Option(help=f"Rank industries by {', '.join(LEVELS)}.")] = "study-a",
    bootstrap: Annotated[int | None, typer.Option(help="Bootstrap resamples (default 2000).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed of the bootstrap.")] = None,
    param: Annotated[list[str] | None, typer.Option(help=PARAM_HELP)] = None,
) -> None:
    """Write the audit report: one HTML file that opens offline, with charts.

    Sections: cohort overview, Study A's findings, the industry ranking, company scorecards,
    response times and SLA buckets, unanswered questions, storytelling, influencers, feedback
    routing and read shares, ROI and maturity (when the store holds profiles).  The store is
    only read; the audit is run with the same parameters as `socialaudit audit`.
    """
    if industry_level not in LEVELS:
        raise SocialAuditError(f"--industry-level must be one of {', '.join(LEVELS)}")
    overrides = _parse_params(param or [])
    overrides.update({k: v for k, v in {"since": since, "until": until, "response_window_days": window_days,
                                         "bootstrap_samples": bootstrap, "seed": seed}.items() if v is not None})
    cfg = AuditConfig.load(config, **overrides)
    if out.exists() and out.is_dir():
        raise SocialAuditError(f"{out}: is a directory; give the HTML file to write (--out report.html)")
    with Store(db, read_only=True) as store:
        try:
            path = write_report(store.con, out, title=title, config=cfg, level=industry_level)
        except OSError as exc:
            raise SocialAuditError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    console.print(f"Report written to {escape(path.resolve())}")
