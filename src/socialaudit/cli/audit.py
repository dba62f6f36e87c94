"""``socialaudit audit``: every metric, Study A's findings and the industry ranking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import SocialAuditError
from ..metrics.audit import AuditResult, run_audit, write_audit
from ..metrics.config import AuditConfig
from ..metrics.ranking import LEVELS
from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, console, err_console, escape, handle_errors


def _parse_params(params: list[str]) -> dict[str, str]:
    out = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise SocialAuditError(f"--param {item!r}: expected NAME=VALUE (see `socialaudit audit --help`)")
        out[name.strip().replace("-", "_")] = value.strip()
    return out


PARAM_HELP = "Any audit parameter as NAME=VALUE (repeatable): " + ", ".join(AuditConfig.model_fields) + \
             ". See docs/metrics.md."


#: The audit's parameters as options, shared by `audit` and `report` (same names, same help).
ConfigOption = Annotated[Path | None, typer.Option(help="YAML file of audit parameters.")]
SinceOption = Annotated[dt.datetime | None, typer.Option(help="Audit inbound posts from this time (UTC).")]
UntilOption = Annotated[dt.datetime | None, typer.Option(help="... until this time (UTC, exclusive).")]
WindowOption = Annotated[float | None, typer.Option(help="Response window in days (default 7).")]
LevelOption = Annotated[str, typer.Option(help=f"Rank industries by {', '.join(LEVELS)}.")]
BootstrapOption = Annotated[int | None, typer.Option(help="Bootstrap resamples (default 2000).")]
SeedOption = Annotated[int | None, typer.Option(help="Random seed of the bootstrap.")]
ParamOption = Annotated[list[str] | None, typer.Option(help=PARAM_HELP)]


def audit_config(config: Path | None, since: dt.datetime | None, until: dt.datetime | None,
                 window_days: float | None, industry_level: str, bootstrap: int | None, seed: int | None,
                 param: list[str] | None) -> AuditConfig:
    """The AuditConfig the options describe (file, then named flags and --param on top)."""
    if industry_level not in LEVELS:
        raise SocialAuditError(f"--industry-level must be one of {', '.join(LEVELS)}")
    overrides = _parse_params(param or [])
    overrides.update({k: v for k, v in {"since": since, "until": until, "response_window_days": window_days,
                                         "bootstrap_samples": bootstrap, "seed": seed}.items() if v is not None})
    return AuditConfig.load(config, **overrides)


@handle_errors
def audit(
    db: DbOption = DEFAULT_DB_PATH,
    out: Annotated[Path, typer.Option(help="Folder for companies.parquet, responses.parquet, findings.csv, "
                                           "industries.csv and summary.json.")] = Path("audit"),
    config: ConfigOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    window_days: WindowOption = None,
    industry_level: LevelOption = "study-a",
    bootstrap: BootstrapOption = None,
    seed: SeedOption = None,
    param: ParamOption = None,
    engine: Annotated[str, typer.Option(help="duckdb (the store) or spark (PySpark, `socialaudit[spark]`).")]
    = "duckdb",
    parquet: Annotated[str | None, typer.Option(help="With --engine spark: a folder (or a URI: s3a://, abfss://, "
                                                     "hdfs://) of Parquet tables from `socialaudit export`; "
                                                     "default: export --db to OUT/parquet first.")]
    = None,
) -> None:
    """Audit the companies in the store: answering, speed, broadcasting, interaction,
    influencers, storytelling, an engagement score, Study A's findings and the industry ranking.

    Writes the tables to OUT and prints the findings and the ranking.
    """
    cfg = audit_config(config, since, until, window_days, industry_level, bootstrap, seed, param)
    if engine == "spark":
        result = _audit_on_spark(db, parquet, out, cfg, industry_level)
    elif engine == "duckdb":
        with Store(db, read_only=True) as store:
            result = run_audit(store.con, cfg, level=industry_level)
    else:
        raise SocialAuditError("--engine must be duckdb or spark")
    files = write_audit(result, out)
    print_audit(result)
    err_console.print("wrote " + ", ".join(escape(f) for f in files))


def _audit_on_spark(db: Path, parquet: str | None, out: Path, cfg: AuditConfig, level: str) -> AuditResult:
    """The same audit on Spark (see metrics.spark.local_session for which session)."""
    from ..metrics.audit import run_audit_on
    from ..metrics.spark import spark_backend, spark_rule

    if parquet is None:
        from ..store.export import export_parquet

        parquet = str(out / "parquet")
        with Store(db, read_only=True) as store:
            export_parquet(store.con, Path(parquet), ("posts", "accounts", "companies", "enrichments"))
        err_console.print(f"exported the store to {escape(parquet)} for Spark")
    backend = spark_backend(parquet)
    return run_audit_on(backend, cfg, spark_rule(backend), level)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def print_audit(result: AuditResult) -> None:
    """The findings table and the industry ranking, as Rich tables."""
    n = len(result.company_rows())
    table = Table(title=f"Study A's findings on this cohort ({n} companies)", title_justify="left")
    for name in ("companies that ...", "cohort", "95% CI (bootstrap)", "Wilson", "Study A"):
        table.add_column(name, justify="left" if name.startswith("comp") else "right")
    for f in result.findings:
        study = ("< " if f.relation == "<" else "") + _pct(f.study_share)
        table.add_row(escape(f.statement), f"{_pct(f.share)} ({f.count}/{f.n})", f"{_pct(f.ci_low)}–{_pct(f.ci_high)}",
                      f"{_pct(f.wilson_low)}–{_pct(f.wilson_high)}", study)
    console.print(table)

    r = result.ranking
    ranking = Table(title=f"Industries by engagement score ({r.level}; mean of company scores, 0-100)",
                    title_justify="left")
    for name in ("rank", "industry", "companies", "score", "95% CI", "rank 95% CI", "P(this rank)", "Study A rank"):
        ranking.add_column(name, justify="left" if name == "industry" else "right")
    for i in r.industries:
        if i.rank is None:
            ranking.add_row("–", escape(i.industry), str(i.companies), f"{i.mean_score:.1f}", "–", "–",
                            escape(i.note), str(i.study_a_rank or "–"))
            continue
        ranking.add_row(str(i.rank), escape(i.industry), str(i.companies), f"{i.mean_score:.1f}",
                        f"{i.ci_low:.1f}–{i.ci_high:.1f}", f"{i.rank_ci_low}–{i.rank_ci_high}",
                        f"{i.rank_probabilities[i.rank - 1]:.0%}", str(i.study_a_rank or "–"))
    console.print(ranking)
    if r.spearman is not None:
        ci = f" (95% CI {r.spearman_ci[0]:.2f} to {r.spearman_ci[1]:.2f})" if r.spearman_ci else ""
        console.print(f"Rank correlation with Study A's order over {len(r.compared)} industries: "
                      f"Spearman {r.spearman:.2f}{ci}, Kendall {r.kendall:.2f}.")
    elif r.level == "study-a":
        console.print("Too few of Study A's industries in this cohort for a rank correlation.")
