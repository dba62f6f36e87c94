"""``socialaudit bench``: speed and memory against a baseline measured in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..bench import audit_bench, classify_bench, generate, ingest_bench, pipeline_bench, serve_bench
from .common import console, err_console, handle_errors

bench_app = typer.Typer(help="Benchmarks (figures in BENCHMARKS.md); synthetic data, for performance only.",
                        no_args_is_help=True)


@bench_app.command("ingest")
@handle_errors
def ingest(
    rows: Annotated[int, typer.Option(help="Rows of the generated TWCS-format file.", min=1000)] = 1_000_000,
    repeats: Annotated[int, typer.Option(help="Runs of each task (the median is reported).", min=1)] = 3,
    workdir: Annotated[Path, typer.Option(help="Where the generated file and stores go.")] = Path("benchmarks/work"),
) -> None:
    """Ingest throughput (rows/s) and peak memory, against a plain duckdb read_csv of the same file."""
    summary = ingest_bench.run(rows, workdir, repeats, log=lambda m: err_console.print(m, highlight=False))
    console.print(ingest_bench.markdown(summary, repeats), markup=False)


@bench_app.command("audit")
@handle_errors
def audit(
    posts: Annotated[int, typer.Option(help="Posts in the generated cohort.", min=10_000)] = 3_000_000,
    repeats: Annotated[int, typer.Option(help="Runs of each task (the median is reported).", min=1)] = 3,
    workdir: Annotated[Path, typer.Option(help="Where the generated store goes.")] = Path("benchmarks/work"),
) -> None:
    """Audit time and peak memory on a generated cohort, against the same metrics in pandas
    (needs pandas: pip install 'socialaudit[bench]')."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        from ..errors import SocialAuditError

        raise SocialAuditError("the audit benchmark needs pandas for its baseline: "
                               "pip install 'socialaudit[bench]'") from None
    summary = audit_bench.run(posts, workdir, repeats, log=lambda m: err_console.print(m, highlight=False))
    console.print(audit_bench.markdown(summary, repeats), markup=False)


@bench_app.command("classify")
@handle_errors
def classify(
    posts: Annotated[int, typer.Option(help="Real posts to classify (the sample, repeated).", min=1000)] = 50_000,
    repeats: Annotated[int, typer.Option(help="Runs of each task (the median is reported).", min=1)] = 3,
    accurate: Annotated[bool, typer.Option("--accurate", help="Also time the accurate model.")] = False,
    previous: Annotated[bool, typer.Option("--previous", help="Also time the previous default model (fast-v1), "
                                                              "side by side.")] = False,
    workdir: Annotated[Path, typer.Option(help="Where the text file goes.")] = Path("benchmarks/work"),
) -> None:
    """Classifier throughput per core and peak memory, against VADER alone on the same real posts."""
    variants = ("fast",) + (("fast-v1",) if previous else ()) + (("accurate",) if accurate else ())
    summary = classify_bench.run(posts, workdir, repeats, variants, log=lambda m: err_console.print(m, highlight=False))
    console.print(classify_bench.markdown(summary, repeats), markup=False)


@bench_app.command("enrich")
@handle_errors
def enrich(
    posts: Annotated[int, typer.Option(help="Posts in the generated cohort.", min=10_000)] = 3_000_000,
    workdir: Annotated[Path, typer.Option(help="Where the generated files and the store go.")]
    = Path("benchmarks/work"),
) -> None:
    """Enriching a large store with the default model (worker processes), against the previous model
    read in one process, on the same store in the same run."""
    from ..bench import enrich_bench

    summary = enrich_bench.run(posts, workdir, log=lambda m: err_console.print(m, highlight=False))
    console.print(enrich_bench.markdown(summary), markup=False)


@bench_app.command("serve")
@handle_errors
def serve(
    posts: Annotated[int, typer.Option(help="Posts in the generated cohort.", min=10_000)] = 3_000_000,
    users: Annotated[int, typer.Option(help="Concurrent logged-in users.", min=1)] = 20,
    seconds: Annotated[float, typer.Option(help="Length of each load run.", min=1)] = 30.0,
    think: Annotated[float, typer.Option(help="Seconds each user pauses between requests (0: saturation).",
                                         min=0)] = 1.0,
    workdir: Annotated[Path, typer.Option(help="Where the generated store goes.")] = Path("benchmarks/work"),
) -> None:
    """Dashboard page times (p50/p95) with concurrent users on a large store, against the login page."""
    result = serve_bench.run(posts, workdir, users, seconds, think, log=lambda m: err_console.print(m, highlight=False))
    console.print(serve_bench.markdown(result), markup=False)


@bench_app.command("generate")
@handle_errors
def generate_files(
    posts: Annotated[int, typer.Option(help="About this many posts.", min=1000)] = 3_000_000,
    format: Annotated[str, typer.Option(help="csv (generic, four channels, with a registry) or twcs.")] = "csv",
    out: Annotated[Path, typer.Option(help="Folder for the files.")] = Path("benchmarks/work"),
) -> None:
    """Write a SYNTHETIC cohort as files, for performance runs only (never evidence of findings):
    `socialaudit ingest FILE --registry REGISTRY` reads them like real exports."""
    if format not in generate.FORMATS:
        from ..errors import SocialAuditError

        raise SocialAuditError(f"--format must be one of {', '.join(generate.FORMATS)}")
    result = generate.generate(out, posts, format)
    console.print(f"wrote {result.rows:,} synthetic posts to {result.path}"
                  + (f" and their registry to {result.registry}" if result.registry else ""), markup=False)
    err_console.print(f"(synthetic: see {result.readme})", highlight=False)


@bench_app.command("pipeline")
@handle_errors
def pipeline(
    posts: Annotated[list[int] | None, typer.Option(help="Cohort sizes (repeatable); default 300000 and 3000000.")]
    = None,
    pandas: Annotated[bool, typer.Option(help="Also time the pandas baseline (needs socialaudit[bench]).")] = True,
    pandas_up_to: Annotated[int, typer.Option(help="Largest cohort the pandas baseline runs on (it needs about "
                                              "2.3 GB of memory per million posts).")] = 3_000_000,
    workdir: Annotated[Path, typer.Option(help="Where the generated files and stores go.")] = Path("benchmarks/work"),
) -> None:
    """The whole pipeline (ingest, enrich, audit, report) per stage on synthetic cohorts, with a
    raw DuckDB floor and the pandas audit measured on the same store."""
    sizes = posts or [300_000, 3_000_000]
    results = pipeline_bench.run(sizes, workdir, pandas, log=lambda m: err_console.print(m, highlight=False),
                                 pandas_up_to=pandas_up_to)
    console.print(pipeline_bench.markdown(results), markup=False)
