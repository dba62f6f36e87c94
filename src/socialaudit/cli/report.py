"""``socialaudit report``: the full audit as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import SocialAuditError
from ..report.full import DEFAULT_TITLE, write_report
from ..store import Store
from .audit import (
    BootstrapOption,
    ConfigOption,
    LevelOption,
    ParamOption,
    SeedOption,
    SinceOption,
    UntilOption,
    WindowOption,
    audit_config,
)
from .common import DEFAULT_DB_PATH, DbOption, console, escape, handle_errors


@handle_errors
def report(
    db: DbOption = DEFAULT_DB_PATH,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    title: Annotated[str, typer.Option(help="Title of the report.")] = DEFAULT_TITLE,
    config: ConfigOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    window_days: WindowOption = None,
    industry_level: LevelOption = "study-a",
    bootstrap: BootstrapOption = None,
    seed: SeedOption = None,
    param: ParamOption = None,
) -> None:
    """Write the audit report: one HTML file that opens offline, with charts.

    Sections: cohort overview, Study A's findings, the industry ranking, company scorecards,
    response times and SLA buckets, unanswered questions, storytelling, influencers, feedback
    routing and read shares, ROI and maturity (when the store holds profiles).  The store is
    only read; the audit is run with the same parameters as `socialaudit audit`.
    """
    cfg = audit_config(config, since, until, window_days, industry_level, bootstrap, seed, param)
    if out.exists() and out.is_dir():
        raise SocialAuditError(f"{out}: is a directory; give the HTML file to write (--out report.html)")
    with Store(db, read_only=True) as store:
        try:
            path = write_report(store.con, out, title=title, config=cfg, level=industry_level)
        except OSError as exc:
            raise SocialAuditError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    console.print(f"Report written to {escape(path.resolve())}")
