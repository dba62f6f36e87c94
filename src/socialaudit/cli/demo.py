"""``socialaudit demo``: an audit of the bundled real TWCS sample, end to end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..enrich.classifier import Classifier
from ..enrich.store import enrich_store
from ..errors import SocialAuditError
from ..loop.assess import assess
from ..loop.inbox import inbox_items, record_read, route_store
from ..loop.profile import DEPARTMENT_NAMES
from ..loop.profiles import load_profiles, save_profiles
from ..loop.reads import department_summary
from ..loop.routing import load_rules
from ..metrics.audit import run_audit, write_audit
from ..metrics.config import AuditConfig
from ..report.summary import write_summary
from ..store import Store, import_file
from ..store.overview import store_overview
from .audit import print_audit
from .common import console, escape, file_progress, handle_errors
from .ingest import load_into, print_reports
from .maturity import print_studyb

SAMPLE = Path("twcs_sample/twcs_head.csv")
REGISTRY = Path("registries/customer_care_brands.yaml")
EXAMPLE_PROFILES = Path("examples/profiles_example.yaml")
DEMO_READS = 5


def _demonstrate_reads(con) -> int:
    """Open the newest few R&D items as user 'demo', so that the read-tracking figures show
    something; said so in the output (no one else has read anything in a fresh store)."""
    ids = [i["item_id"] for i in inbox_items(con, "rnd", limit=DEMO_READS)]
    if ids:
        record_read(con, ids, "opened", "demo", department="rnd")
    return len(ids)


def find_data_dir() -> Path:
    """The repository's ``data/`` folder: $SOCIALAUDIT_DATA, or found above the cwd or the package."""
    env = os.environ.get("SOCIALAUDIT_DATA")
    candidates = [Path(env)] if env else []
    for start in (Path.cwd(), Path(__file__).resolve()):
        candidates.extend(p / "data" for p in (start, *start.parents))
    for candidate in candidates:
        if (candidate / SAMPLE).exists() and (candidate / REGISTRY).exists():
            return candidate
    raise SocialAuditError("cannot find the bundled sample (data/twcs_sample/twcs_head.csv); run the demo "
                           "from the socialaudit repository or set SOCIALAUDIT_DATA to its data/ folder")


@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo store and report.")] = Path("socialaudit-demo"),
    data: Annotated[Path | None, typer.Option(help="The repository's data/ folder (default: found).")] = None,
) -> None:
    """Audit the bundled real sample (5,000 customer-care tweets, 76 brands) and write the report.

    Builds a fresh store in OUT, loads the company registry, imports the sample, classifies
    the consumer posts (language, intents, sentiment), routes them to department inboxes,
    audits it (OUT/audit/), assesses Study B on the example profiles (data/examples/) and
    writes OUT/report.html.
    """
    data_dir = data or find_data_dir()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "socialaudit.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    sample = data_dir / SAMPLE
    with Store(db) as store:
        load_into(store, data_dir / REGISTRY, pseudonymise=True)
        with file_progress(sample, f"importing {sample.name}") as progress:
            report = import_file(store, sample, "twcs", progress=progress)
        print_reports([report], db)
        overview = store_overview(store.con)
        enriched = enrich_store(store.con, Classifier.load("fast"))
        routing = route_store(store.con, load_rules())
        demo_reads = _demonstrate_reads(store.con)
        result = run_audit(store.con, AuditConfig())
        write_audit(result, out / "audit")
        profiles = load_profiles(data_dir / EXAMPLE_PROFILES)
        save_profiles(store.con, profiles)
        assessment = assess(store.con, result, profiles)
        html = write_summary(store.con, out / "report.html", title="socialaudit demo: TWCS customer-care sample",
                             audit=result)
    table = Table(title="The sample", title_justify="left", show_header=False)
    table.add_row("companies", f"{overview.companies} ({overview.registered_companies} from the registry)")
    table.add_row("posts", f"{overview.posts:,} ({overview.consumer_posts:,} consumer, {overview.brand_posts:,} brand)")
    table.add_row("conversations", f"{overview.conversations:,}")
    table.add_row("period", f"{overview.first_post} to {overview.last_post}")
    table.add_row("classified", f"{enriched.enriched:,} consumer posts with {enriched.model} "
                                f"({enriched.seconds:.1f} s); actionable inbound = {result.rule}")
    console.print(table)
    print_audit(result)
    loop = Table(title="The feedback loop: routed consumer posts per department inbox", title_justify="left")
    for name in ("department", "items", "opened", "read share", "companies reading regularly"):
        loop.add_column(name, justify="left" if name == "department" else "right")
    for d in department_summary(assessment.reads):
        loop.add_row(DEPARTMENT_NAMES[d["department"]], f"{d['routed']:,}", f"{d['opened']:,}",
                     "–" if d["opened_share"] is None else f"{100 * d['opened_share']:.1f}%",
                     str(d["companies_reading_regularly"]))
    console.print(loop)
    console.print(f"({routing.added:,} inbox items from {routing.candidates:,} classified consumer posts; to show "
                  f"read tracking the demo opened {demo_reads} R&D items as user 'demo'. Read an inbox with "
                  f"`socialaudit inbox --department rnd --db {escape(db)}`.)")
    console.print(f"Example profiles (illustrative numbers, not the companies' own): "
                  f"{escape(data_dir / EXAMPLE_PROFILES)}")
    print_studyb(assessment)
    console.print(f"Audit tables in {escape((out / 'audit').resolve())} (companies.parquet, responses.parquet, "
                  "findings.csv, industries.csv, summary.json)")
    console.print(f"Report written to [bold]{escape(html.resolve())}[/]")
    console.print(f"Store: {escape(db.resolve())} (explore with `socialaudit companies --db {escape(db)}`)")
