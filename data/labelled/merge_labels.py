"""Build ``intent_labels.csv`` from the first sample (v1) and the annotators' files of the second (v2).

Run from the repository root, after ``draw_sample_v2.py`` and the labelling:

    python data/labelled/merge_labels.py [--shared ../shared/data] [--annotation build/annotation]

v1 rows keep their labels and notes (one annotator, two passes; see GUIDELINES.md) and get the
provenance columns of v2 (conversation, turn, brand, licence) and the v2 split by conversation.
v2 rows take the labels of the annotator of their batch (``labels_NN.csv``); the independent
second labelling (``second_pass_labels.csv``) is written beside, to ``intent_labels_second.csv``.
Texts of the complaints corpus are left out (no licence to ship them; the loader reads them
from the corpus by id).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_sample_v2 import (  # noqa: E402
    LICENCES,
    read_germeval,
    read_ibm,
    read_spotify,
    read_twcs,
    split_of,
)

HERE = Path(__file__).resolve().parent
COLUMNS = ["id", "source", "licence", "lang", "brand", "conversation", "turn", "split", "text",
           "question", "complaint", "product_feedback", "praise", "sentiment", "sample", "annotator", "notes"]
LABELS = ["question", "complaint", "product_feedback", "praise", "sentiment", "notes"]
ANNOTATOR = "AI assistant (Claude), batch {batch}"
#: Drawn but not kept (none: twcs:3399, whose bare carriage returns split it in the first run's
#: unquoted batch file, was labelled by its annotator on its full text).
EXCLUDED: set[str] = set()


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _check(labels: dict[str, dict], ids: list[str], where: Path) -> None:
    missing = [i for i in ids if i not in labels]
    if missing:
        sys.exit(f"{where}: {len(missing)} posts without labels (first: {missing[0]})")
    for i in ids:
        row = labels[i]
        for k in ("question", "complaint", "product_feedback", "praise"):
            if row[k] not in ("0", "1"):
                sys.exit(f"{where}: {i}: {k} = {row[k]!r}")
        if row["sentiment"] not in ("negative", "neutral", "positive"):
            sys.exit(f"{where}: {i}: sentiment = {row['sentiment']!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--annotation", type=Path, default=Path("build/annotation"))
    parser.add_argument("--annotation3", type=Path, default=Path("build/annotation3"),
                        help="the third round (draw_sample_v3.py), if labelled")
    parser.add_argument("--v1", type=Path, default=HERE / "intent_labels_v1.csv")
    parser.add_argument("--partial", action="store_true", help="keep only the posts labelled so far (a trial run)")
    parser.add_argument("--to", type=Path, default=HERE / "intent_labels.csv")
    args = parser.parse_args()

    provenance = {p["id"]: p for reader in (read_twcs, read_spotify, read_ibm, read_germeval)
                  for p in reader(args.shared)}
    out: list[dict] = []
    for row in _read(args.v1):
        p = provenance[row["id"]]
        out.append({**{k: row[k] for k in ("id", "source", "lang", "text", "question", "complaint",
                                             "product_feedback", "praise", "notes")},
                    "licence": LICENCES[row["source"]], "brand": p["brand"], "conversation": p["conversation"],
                    "turn": p["turn"], "split": split_of(p["conversation"]), "sentiment": "", "sample": "v1",
                    "annotator": "AI assistant (Claude), two passes"})

    sample = [{**p, "sample": "v2"} for p in _read(args.annotation / "sample_v2.csv") if p["id"] not in EXCLUDED]
    batches = [(b, "") for b in sorted(args.annotation.glob("batch_[0-9][0-9].csv"))]
    if (args.annotation3 / "sample_v3.csv").exists():
        sample += [{**p, "sample": "v3"} for p in _read(args.annotation3 / "sample_v3.csv")]
        batches += [(b, "v3-") for b in sorted(args.annotation3.glob("batch_[0-9][0-9].csv"))]
    sample_ids = {p["id"] for p in sample}
    for batch, prefix in batches:
        number = prefix + batch.stem.split("_")[1]
        ids = [r["id"] for r in _read(batch) if r["id"] in sample_ids and r["id"] not in EXCLUDED]
        labels_path = batch.with_name(f"labels_{batch.stem.split('_')[1]}.csv")
        labels = {r["id"]: r for r in _read(labels_path)} if labels_path.exists() else {}
        if args.partial:
            ids = [i for i in ids if i in labels]
        _check(labels, ids, labels_path)
        for i in ids:
            provenance[i] = {**labels[i], "annotator": ANNOTATOR.format(batch=number)}
    for p in sample:
        lab = provenance.get(p["id"], {})
        if "annotator" not in lab:  # not labelled (a partial trial run)
            continue
        out.append({**p, **{k: lab[k] for k in LABELS}, "text": "" if p["source"] == "complaints" else p["text"],
                    "annotator": lab["annotator"]})

    with args.to.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(out)
    second_path = args.annotation / "second_pass_labels.csv"
    if second_path.exists() and not args.partial:
        second_ids = [r["id"] for r in _read(args.annotation / "second_pass.csv")]
        second = {r["id"]: r for r in _read(second_path)}
        _check(second, second_ids, second_path)
        with (HERE / "intent_labels_second.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["id", *LABELS, "annotator"], lineterminator="\n")
            w.writeheader()
            for i in second_ids:
                w.writerow({**{k: second[i][k] for k in LABELS}, "id": i,
                            "annotator": "AI assistant (Claude), independent second pass"})
    print(f"wrote {len(out)} labelled posts", file=sys.stderr)


if __name__ == "__main__":
    main()
