"""``socialaudit models``: the shipped classifiers, their figures, and how to reproduce them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import SocialAuditError
from .common import console, err_console, escape, handle_errors

models_app = typer.Typer(help="The shipped classifiers: show their figures, re-evaluate, retrain.",
                         no_args_is_help=True, rich_markup_mode=None)

DataOption = Annotated[Path, typer.Option("--data", help="Folder of the public training corpora "
                                                         "(complaints, tweeteval_sentiment, germeval2017).")]
LabelledOption = Annotated[Path, typer.Option("--labelled", help="The labelled posts (data/labelled/intent_labels.csv; "
                                                                 "the topic-labelled posts are read from data/topics "
                                                                 "beside it).")]
VariantOption = Annotated[str, typer.Option("--model", help="fast (the default model) or accurate.")]
DEFAULT_DATA = Path("../shared/data")
DEFAULT_LABELLED = Path("data/labelled/intent_labels.csv")


def _check_inputs(data: Path, labelled: Path, variant: str = "fast") -> None:
    if variant not in ("fast", "accurate"):
        raise SocialAuditError(f"--model {variant}: only fast and accurate are trained here "
                               "(fast-v1, the previous model, is kept as shipped)")
    for folder in ("complaints", "tweeteval_sentiment", "germeval2017"):
        if not (data / folder).is_dir():
            raise SocialAuditError(f"{data / folder}: missing — the public corpora cannot ship with socialaudit; put "
                                   f"complaints/train.csv, tweeteval_sentiment/val.csv and germeval2017/dev.csv "
                                   f"under --data (see MODEL_CARD.md, 'Data and licences')")
    if not labelled.is_file():
        raise SocialAuditError(f"{labelled}: missing (the labelled posts of data/labelled, in the repository)")


def figures_table(report: dict, title: str) -> Table:
    """The model card's headline figures from an evaluation report."""
    from ..enrich.card import HEADER, headline_rows

    table = Table(title=title, title_justify="left")
    for name in HEADER:
        table.add_column(name)
    for row in headline_rows(report):
        table.add_row(*(escape(str(v)) for v in row))
    return table


@models_app.command("show")
@handle_errors
def show() -> None:
    """The shipped models, their version and the figures of their model card."""
    from ..enrich.bundle import MODELS_DIR
    from ..enrich.classifier import VARIANTS

    for variant, name in VARIANTS.items():
        path = Path(str(MODELS_DIR)) / f"{name}.json"
        if not path.exists():
            console.print(f"{variant}: {name} not shipped")
            continue
        meta = json.loads(path.read_text(encoding="utf-8"))
        if "test" not in meta["evaluation"]:
            console.print(f"{variant}: {name} @ {meta['version']} — the previous default model, kept so older "
                          "readings can be reproduced; its figures stand beside the new ones above")
            continue
        console.print(figures_table(meta["evaluation"], f"{variant}: {name} @ {meta['version']} "
                                                        f"(trained {meta['trained']})"))
    console.print(f"model card: {escape(Path(str(MODELS_DIR)) / 'MODEL_CARD.md')}")


@models_app.command("evaluate")
@handle_errors
def evaluate(
    model: VariantOption = "fast",
    data: DataOption = DEFAULT_DATA,
    labelled: LabelledOption = DEFAULT_LABELLED,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the full report here.")] = None,
) -> None:
    """Re-train in memory and re-measure every figure of the model card (nothing is written
    to the package).  Deterministic: the same data give the same figures."""
    from ..enrich.training import evaluate as run

    _check_inputs(data, labelled, model)
    report = run(data, labelled, model, log=lambda m: err_console.print(escape(m)))
    console.print(figures_table(report, f"{model}: figures reproduced"))
    if json_out:
        json_out.write_text(json.dumps(report, indent=1, default=float) + "\n", encoding="utf-8")
        err_console.print(f"wrote {escape(json_out)}")


@models_app.command("train")
@handle_errors
def train(
    model: VariantOption = "fast",
    data: DataOption = DEFAULT_DATA,
    labelled: LabelledOption = DEFAULT_LABELLED,
    out: Annotated[Path | None, typer.Option(help="Folder for the bundle (default: the package's models "
                                                  "folder, for a release).")] = None,
) -> None:
    """Train a model bundle, measure it, and write it with a regenerated MODEL_CARD.md."""
    from ..enrich.bundle import MODELS_DIR
    from ..enrich.card import write_card
    from ..enrich.training import train_and_evaluate

    _check_inputs(data, labelled, model)
    target = out or Path(str(MODELS_DIR))
    report = train_and_evaluate(data, labelled, model, target, log=lambda m: err_console.print(escape(m)))
    console.print(figures_table(report, f"{model}: trained"))
    err_console.print(f"wrote {escape(write_card(target))}")
