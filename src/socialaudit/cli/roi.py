"""``socialaudit roi``: return on social media per company, with ranges, or "no ROI"."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from ..loop.roi import RoiResult
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, err_console, escape, handle_errors
from .loop_common import ProfilesOption, SurveyOption, assess_store, load_inputs

ROI_COLUMNS = ["company_id", "status", "cost", "value", "roi", "roi_low", "roi_high", "p_negative",
               "deflected_service_contacts", "attributed_revenue", "product_ideas", "missing", "reason"]


def roi_row(r: RoiResult) -> list:
    parts = r.value_parts or {}
    return [r.company_id, r.status, _money(r.cost), _money(r.value), _num(r.roi), _num(r.roi_low), _num(r.roi_high),
            _num(r.p_negative), _money(parts.get("deflected_service_contacts")),
            _money(parts.get("attributed_revenue")), _money(parts.get("product_ideas")), "; ".join(r.missing),
            r.reason or ""]


def _money(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _num(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def write_csv(path: Path, columns: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)


@handle_errors
def roi(
    profiles: ProfilesOption,
    db: DbOption = DEFAULT_DB_PATH,
    survey: SurveyOption = None,
    out: Annotated[Path | None, typer.Option(help="Also write the table as CSV here.")] = None,
    samples: Annotated[int, typer.Option(min=100, help="Draws of the sensitivity analysis.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed of the sensitivity analysis.")] = 0,
    output: OutputOption = Output.table,
) -> None:
    """ROI of social media per company: (value - cost) / cost, with a 5-95 % range over the
    uncertain inputs, from the profiles plus what the store shows (questions and complaints
    answered, product ideas routed).  Missing inputs give "no ROI", never a zero.
    """
    loaded, reports = load_inputs(profiles, survey)
    result = assess_store(db, loaded, reports, samples=samples, seed=seed)
    rows = [roi_row(r) for _, r in sorted(result.rois.items())]
    emit(ROI_COLUMNS, rows, output, title="Return on social media (yearly; ranges: 5th-95th percentile)")
    if out:
        write_csv(out, ROI_COLUMNS, rows)
        err_console.print(f"wrote {escape(out)}")
