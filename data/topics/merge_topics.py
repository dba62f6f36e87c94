"""Write ``topic_labels.csv`` from the drawn sample and the annotator's topic labels.

    python data/topics/merge_topics.py [--annotation build/topics] [--partial]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["id", "source", "licence", "brand", "conversation", "split", "text", "topics", "notes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotation", type=Path, default=Path("build/topics"))
    parser.add_argument("--partial", action="store_true", help="keep only the posts labelled so far")
    parser.add_argument("--to", type=Path, default=HERE / "topic_labels.csv")
    args = parser.parse_args()
    with (args.annotation / "topic_sample.csv").open(newline="", encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    with (args.annotation / "topic_labels.csv").open(newline="", encoding="utf-8") as f:
        labels = {r["id"]: r for r in csv.DictReader(f)}
    missing = [p["id"] for p in sample if p["id"] not in labels]
    if missing and not args.partial:
        sys.exit(f"{len(missing)} posts without topic labels (first: {missing[0]})")
    out = [{**p, "topics": labels[p["id"]]["topics"], "notes": labels[p["id"]].get("notes", "")}
           for p in sample if p["id"] in labels]
    with args.to.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL, extrasaction="ignore")
        w.writeheader()
        w.writerows(out)
    print(f"wrote {len(out)} topic-labelled posts to {args.to}", file=sys.stderr)


if __name__ == "__main__":
    main()
