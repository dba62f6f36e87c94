"""The ``socialaudit`` command line: one module per command, each a thin layer over the library."""

from __future__ import annotations

import typer

from .audit import audit
from .bench import bench_app
from .classify import classify
from .companies import companies
from .demo import demo
from .enrich import enrich
from .export import export
from .formats import formats, industries
from .imports import imports
from .inbox import inbox_app
from .ingest import ingest
from .maturity import maturity
from .models import models_app
from .quarantine import quarantine
from .report import report
from .roi import roi
from .route import route
from .serve import serve
from .sync import sync
from .users import users_app

app = typer.Typer(
    name="socialaudit",
    help="Audit how companies engage their consumers on social media, and route what consumers say "
         "to the departments that should read it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

app.command()(demo)
app.command()(ingest)
app.command()(sync)
app.command()(enrich)
app.command()(audit)
app.command()(report)
app.command()(classify)
app.command()(route)
app.add_typer(inbox_app, name="inbox")
app.command()(roi)
app.command()(maturity)
app.command()(serve)
app.add_typer(users_app, name="users")
app.command()(quarantine)
app.command()(imports)
app.command()(companies)
app.command()(export)
app.command()(formats)
app.command()(industries)
app.add_typer(models_app, name="models")
app.add_typer(bench_app, name="bench")


def main() -> None:
    app()
