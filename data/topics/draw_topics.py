"""Draw the topic-labelled set: 200 consumer posts to each of three care accounts.

Run from the repository root (standard library only; reads ../shared/data):

    python data/topics/draw_topics.py [--shared ../shared/data] [--out build/topics]

SpotifyCares from the SpotifyCares extract; AppleSupport and AmazonHelp from the TWCS excerpt's
consumer tweets answered by them, topped up with the IBM dev conversations' consumer turns to the
same accounts.  Split by conversation, as the intent labels (30 % test).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labelled"))
from draw_sample_v2 import LICENCES, read_ibm, read_spotify, read_twcs, split_of, write_csv  # noqa: E402

SEED = 20261208
PER_BRAND = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("build/topics"))
    args = parser.parse_args()
    rng = random.Random(SEED)
    twcs, ibm = read_twcs(args.shared), read_ibm(args.shared)
    pools = {"SpotifyCares": [read_spotify(args.shared)], "AppleSupport": [twcs, ibm], "AmazonHelp": [twcs, ibm]}
    sample = []
    for brand, sources in pools.items():
        seen, drawn = set(), []
        for posts in sources:
            pool = [p for p in posts if p["brand"] == brand and p["text"].strip() not in seen]
            seen |= {p["text"].strip() for p in pool}
            take = rng.sample(pool, min(PER_BRAND - len(drawn), len(pool)))
            drawn += take
        sample += drawn
        print(f"{brand}: {len(drawn)}", file=sys.stderr)
    for p in sample:
        p["licence"] = LICENCES[p["source"]]
        p["split"] = split_of(p["conversation"])
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "topic_sample.csv", sample,
              ["id", "source", "licence", "brand", "conversation", "split", "text"])
    print(f"wrote {len(sample)} posts to {args.out / 'topic_sample.csv'}", file=sys.stderr)


if __name__ == "__main__":
    main()
