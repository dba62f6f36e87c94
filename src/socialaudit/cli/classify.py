"""``socialaudit classify``: read a CSV of posts, write it back with what the classifiers read."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..enrich.classifier import INTENTS, Classifier, Predictions
from ..errors import SocialAuditError
from .common import err_console, escape, handle_errors, show_progress

#: Columns added to every row, in this order (a public interface: scripts read them).
ADDED_COLUMNS = ("lang", "lang_prob", "intent", "intent_prob", "intents", "complaint", "complaint_prob",
                 "question_prob", "product_feedback_prob", "praise_prob", "sentiment", "sentiment_prob")
BATCH = 2000


def prediction_rows(p: Predictions) -> list[list[str]]:
    """The added columns for each text, as CSV strings (probabilities with 4 decimals)."""
    intent, intent_prob = p.primary_intent()
    flags = {k: p.flags(k) for k in INTENTS}
    rows = []
    for i in range(len(p.lang)):
        s = p.sentiment_prob[i]
        rows.append([
            p.lang[i], f"{p.lang_prob[i]:.4f}", intent[i], f"{intent_prob[i]:.4f}",
            ";".join(k for k in INTENTS if flags[k][i]),
            "true" if flags["complaint"][i] else "false", f"{p.intent_prob['complaint'][i]:.4f}",
            f"{p.intent_prob['question'][i]:.4f}", f"{p.intent_prob['product_feedback'][i]:.4f}",
            f"{p.intent_prob['praise'][i]:.4f}", p.sentiment[i], f"{s.max():.4f}",
        ])
    return rows


def classify_csv(source: Path, target: Path, text_column: str, classifier: Classifier,
                 progress=None, skipped: list[str] | None = None) -> int:
    """Copy ``source`` to ``target`` with :data:`ADDED_COLUMNS`; returns the number of rows.

    A row with fewer fields than the header is padded with empty fields; a row with more
    cannot be aligned with its columns and is left out, with its line and reason in ``skipped``.
    """
    try:
        handle = source.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SocialAuditError(f"{source}: cannot read ({exc.strerror})") from exc
    count = 0
    with handle, target.open("w", encoding="utf-8", newline="") as out:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise SocialAuditError(f"{source}: empty file, expected a header row with '{text_column}'") from None
        except UnicodeDecodeError as exc:
            raise SocialAuditError(f"{source}, line 1: not UTF-8 ({exc.reason})") from None
        if text_column not in header:
            raise SocialAuditError(f"{source}, line 1: no column '{text_column}' (columns: {', '.join(header)}); "
                                   "choose one with --text-column")
        clash = [c for c in ADDED_COLUMNS if c in header]
        if clash:
            raise SocialAuditError(f"{source}, line 1: already has column(s) {', '.join(clash)} that classify "
                                   "adds; rename them first")
        index = header.index(text_column)
        writer = csv.writer(out)
        writer.writerow([*header, *ADDED_COLUMNS])
        batch: list[list[str]] = []

        def flush() -> None:
            texts = [row[index] if index < len(row) else "" for row in batch]
            for row, added in zip(batch, prediction_rows(classifier.predict(texts)), strict=True):
                writer.writerow([*row, *added])
            batch.clear()

        try:
            for row in reader:
                if len(row) > len(header):
                    if skipped is not None:
                        skipped.append(f"{source}, line {reader.line_num}: {len(row)} fields, the header has "
                                       f"{len(header)}; row left out")
                    continue
                batch.append(row + [""] * (len(header) - len(row)))
                count += 1
                if len(batch) >= BATCH:
                    flush()
                    if progress:
                        progress(count)
        except UnicodeDecodeError as exc:
            raise SocialAuditError(f"{source}, line {reader.line_num + 1}: not UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise SocialAuditError(f"{source}, line {reader.line_num}: {exc}") from None
        if batch:
            flush()
    return count


@handle_errors
def classify(
    input: Annotated[Path, typer.Argument(help="CSV file with a header row (UTF-8).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Where to write the CSV with the added columns.")],
    text_column: Annotated[str, typer.Option(help="The column holding the post text.")] = "text",
    model: Annotated[str, typer.Option(help="fast (default) or accurate (needs socialaudit[nlp-accurate]).")]
    = "fast",
) -> None:
    """Classify every row of a CSV: language, intent (question, complaint, product feedback,
    praise, other), complaint yes/no and sentiment, each with its probability.

    Adds the columns lang, lang_prob, intent, intent_prob, intents (all intents above their
    threshold, ';'-separated), complaint (true/false), complaint_prob, question_prob,
    product_feedback_prob, praise_prob, sentiment, sentiment_prob.  Offline: the models ship
    with the package; see `socialaudit models show`.
    """
    if out.resolve() == input.resolve():
        raise SocialAuditError("--out must not be the input file")
    classifier = Classifier.load(model)
    skipped: list[str] = []
    if show_progress():
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("classifying", total=None)
            rows = classify_csv(input, out, text_column, classifier, lambda n: bar.update(task, completed=n), skipped)
    else:
        rows = classify_csv(input, out, text_column, classifier, skipped=skipped)
    for problem in skipped[:20]:
        err_console.print(f"[yellow]skipped:[/] {escape(problem)}")
    if len(skipped) > 20:
        err_console.print(f"[yellow]skipped:[/] ... and {len(skipped) - 20:,} more rows")
    err_console.print(f"classified {rows:,} rows with {escape(classifier.version)} → {escape(out)}"
                      + (f"; {len(skipped):,} rows left out" if skipped else ""))
    sys.stdout.flush()
