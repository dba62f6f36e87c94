"""``socialaudit enrich``: classify the store's posts that have no reading by the current model."""

from __future__ import annotations

from typing import Annotated

import typer

from ..enrich.classifier import Classifier
from ..enrich.store import DEFAULT_BATCH, default_workers, enrich_store, enrichment_summary, pending
from ..store import Store
from .common import (
    DEFAULT_DB_PATH,
    DbOption,
    Output,
    OutputOption,
    console,
    emit,
    err_console,
    escape,
    handle_errors,
    show_progress,
)


@handle_errors
def enrich(
    db: DbOption = DEFAULT_DB_PATH,
    model: Annotated[str, typer.Option(help="fast (default) or accurate (needs socialaudit[nlp-accurate]).")]
    = "fast",
    all_posts: Annotated[bool, typer.Option("--all-posts", help="Also read brand posts (default: consumer "
                                                                 "posts, what the audit and routing use).")]
    = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Posts per transaction.")] = DEFAULT_BATCH,
    limit: Annotated[int | None, typer.Option(min=1, help="Stop after this many posts.")] = None,
    workers: Annotated[int, typer.Option(min=0, help="Processes that read posts (0: one per core, at most 4; "
                                                     "1: in this process).")] = 0,
    output: OutputOption = Output.table,
) -> None:
    """Read the store's posts with the classifiers: language, intents, sentiment.

    Incremental: only posts without a reading by this model are read, in batches of one
    transaction each, so a stopped run keeps what it finished and the next run goes on.
    `socialaudit audit` then counts actionable inbound from these readings.
    """
    classifier = Classifier.load(model)
    workers = workers or default_workers()
    with Store(db) as store:
        todo = pending(store.con, classifier.version, all_posts)
        if limit is not None:
            todo = min(todo, limit)
        err_console.print(f"{todo:,} posts to read with {escape(classifier.version)}")
        if show_progress() and todo:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            with Progress(TextColumn("enriching"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=err_console, transient=True) as bar:
                task = bar.add_task("enrich", total=todo)
                report = enrich_store(store.con, classifier, all_posts=all_posts, batch_size=batch_size,
                                      limit=limit, progress=lambda done, total: bar.update(task, completed=done),
                                      workers=workers)
        else:
            report = enrich_store(store.con, classifier, all_posts=all_posts, batch_size=batch_size, limit=limit,
                                  workers=workers)
        rows = enrichment_summary(store.con)
    rate = f" ({report.enriched / report.seconds:,.0f} posts/s)" if report.seconds and report.enriched else ""
    err_console.print(f"read {report.enriched:,} posts in {report.seconds:.1f} s{rate}")
    emit(["model", "posts", "question", "complaint", "product_feedback", "praise", "negative", "positive",
          "languages"], rows, output, title="readings in the store (shares of posts)")
    console.file.flush()
