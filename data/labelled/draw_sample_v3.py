"""Draw the third labelling round (v3): more of the posts the dev split showed were scarce.

Run from the repository root after ``merge_labels.py`` (standard library only):

    python data/labelled/draw_sample_v3.py [--shared ../shared/data] [--out build/annotation3]

The v2 model's cross-validation on dev (no test post read) left product feedback and German
complaints short of what routing needs; more labelled posts of the same kinds are the surest fix.
Drawn, leaving out every post and text of the v1 and v2 rows of ``intent_labels.csv``: tweets to care accounts
of the complaints corpus (single tweets, many industries; texts not shipped), consumer tweets to
SpotifyCares (rich in product feedback), and the remaining GermEval documents below 1,000
characters.  Same columns, same split rule (by conversation) and same batch format as v2.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_sample_v2 import (  # noqa: E402
    LICENCES,
    read_complaints,
    read_germeval,
    read_spotify,
    split_of,
    write_sample,
)

SEED = 20261207
N = {"complaints": 1500, "spotify": 2500, "germeval": 1000}
N_BATCHES = 7
HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("build/annotation3"))
    args = parser.parse_args()
    rng = random.Random(SEED)
    with (HERE / "intent_labels.csv").open(newline="", encoding="utf-8") as f:
        done = [r for r in csv.DictReader(f) if r["sample"] in ("v1", "v2")]  # v3's own rows came later
    seen_ids = {r["id"] for r in done}
    seen_texts = {r["text"].strip() for r in done if r["text"]}
    sample = []
    for source, reader in (("complaints", read_complaints), ("spotify", read_spotify), ("germeval", read_germeval)):
        pool = []
        for p in reader(args.shared):
            key = p["text"].strip()
            if p["id"] in seen_ids or key in seen_texts or not key:
                continue
            seen_texts.add(key)
            pool.append(p)
        drawn = rng.sample(pool, min(N[source], len(pool)))
        print(f"{source}: {len(pool)} candidates, {len(drawn)} drawn", file=sys.stderr)
        sample += drawn
    for p in sample:
        p["licence"] = LICENCES[p["source"]]
        p["split"] = split_of(p["conversation"])
    write_sample(args.out, "sample_v3.csv", sample, rng, N_BATCHES)
    print(f"wrote {len(sample)} posts in {N_BATCHES} batches to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
