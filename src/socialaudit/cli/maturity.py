"""``socialaudit maturity``: maturity index, leaders and laggards, and Study B's findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow.csv as pacsv
import typer
from rich.table import Table

from ..loop.maturity import MaturityWeights
from ..loop.reads import ReadPolicy
from ..loop.studyb import findings_table
from .common import DEFAULT_DB_PATH, DbOption, console, err_console, escape, handle_errors
from .loop_common import ProfilesOption, SurveyOption, assess_store, load_inputs
from .roi import ROI_COLUMNS, roi_row, write_csv


@handle_errors
def maturity(
    profiles: ProfilesOption,
    db: DbOption = DEFAULT_DB_PATH,
    out: Annotated[Path, typer.Option(help="Folder for maturity.csv, roi.csv, reads.csv, studyb_findings.csv.")]
    = Path("maturity"),
    survey: SurveyOption = None,
    quantile: Annotated[float, typer.Option(min=0.05, max=0.5, help="Leaders: top, laggards: bottom quantile.")]
    = 0.25,
    weights: Annotated[str | None, typer.Option(help="Maturity weights as practices,departments,roi,engagement "
                                                      "(default 0.25 each).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the ROI sensitivity analysis.")] = 0,
) -> None:
    """Maturity index (practices, department breadth, ROI, observed engagement), leaders and
    laggards (top and bottom quartile), and Study B's findings on this cohort with the
    study's figures beside them."""
    w = None
    if weights:
        from ..errors import SocialAuditError

        try:
            p, d, r, e = (float(x) for x in weights.split(","))
        except ValueError:
            raise SocialAuditError("--weights: four numbers, practices,departments,roi,engagement") from None
        w = MaturityWeights(practices=p, departments=d, roi=r, engagement=e)
    loaded, reports = load_inputs(profiles, survey)
    result = assess_store(db, loaded, reports, weights=w, quantile=quantile, seed=seed, read_policy=ReadPolicy())
    out.mkdir(parents=True, exist_ok=True)
    mat_rows = []
    for cid, m in sorted(result.maturities.items(), key=lambda kv: (-(kv[1].score or -1), kv[0])):
        mat_rows.append([cid, None if m.score is None else round(m.score, 2), result.classes.get(cid),
                         *(None if m.components.get(c) is None else round(m.components[c], 3)
                           for c in ("practices", "departments", "roi", "engagement")), ",".join(m.used)])
    write_csv(out / "maturity.csv", ["company_id", "maturity", "class", "practices", "departments", "roi",
                                     "engagement", "components_used"], mat_rows)
    write_csv(out / "roi.csv", ROI_COLUMNS, [roi_row(r) for _, r in sorted(result.rois.items())])
    write_csv(out / "reads.csv", ["company_id", "department", "routed", "opened", "acknowledged", "opened_share",
                                  "median_hours_to_open", "weeks", "weeks_with_open", "reads_regularly"],
              [[r[k] for k in ("company_id", "department", "routed", "opened", "acknowledged", "opened_share",
                               "median_hours_to_open", "weeks", "weeks_with_open", "reads_regularly")]
               for r in result.reads])
    pacsv.write_csv(findings_table(result.findings), out / "studyb_findings.csv")
    print_studyb(result)
    err_console.print(f"wrote maturity.csv, roi.csv, reads.csv, studyb_findings.csv to {escape(out)}")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x / 1e6:.1f} M" if abs(x) >= 1e5 else f"{x:.1f}"


def finding_cells(f) -> tuple[str, str, str, str, str]:
    """(cohort, CI, leaders, laggards, Study B) as text, by what the finding measures."""
    if f.measure == "share":
        ci = f"{_pct(f.ci_low)}–{_pct(f.ci_high)}" if f.ci_low is not None else ""
        return _pct(f.value), ci, "", "", _pct(f.study_value)
    if f.measure == "share_difference":
        pp = "–" if f.value is None else f"{100 * f.value:+.0f} pp"
        ci = f"{100 * f.ci_low:+.0f} to {100 * f.ci_high:+.0f} pp" if f.ci_low is not None else ""
        study = (f"{_pct(f.study_leaders)} vs {_pct(f.study_laggards)}" if f.study_leaders is not None
                 else "leaders adopt early")
        return pp, ci, _pct(f.value_leaders), _pct(f.value_laggards), study
    if f.measure == "ratio":
        value = "–" if f.value is None else f"{f.value:.1f}x"
        study = "2x" + (f" ({_num(f.study_leaders)} leaders)" if f.study_leaders is not None else "")
        return value, "", _num(f.value_leaders), _num(f.value_laggards), study
    if f.measure == "mean_difference":
        value = "–" if f.value is None else f"{f.value:+.1f}"
        study = "all departments" if f.study_leaders is not None else "–"
        return value, "", _num(f.value_leaders), _num(f.value_laggards), study
    return _num(f.value), "", "", "", f.note.split(";")[0] if f.note else "–"


def print_studyb(result) -> None:
    classes = list(result.classes.values())
    table = Table(title=f"Study B's findings on this cohort ({len(result.companies)} companies; "
                        f"{classes.count('leader')} leaders, {classes.count('laggard')} laggards)",
                  title_justify="left")
    for name in ("finding", "cohort", "n", "95% CI", "leaders", "laggards", "Study B"):
        table.add_column(name, justify="left" if name in ("finding", "Study B") else "right")
    for f in result.findings:
        value, ci, leaders, laggards, study = finding_cells(f)
        n = str(f.n) if f.n_leaders is None else f"{f.n_leaders}+{f.n_laggards}"
        table.add_row(escape(f.statement), value, n, ci, leaders, laggards, escape(study))
    console.print(table)
