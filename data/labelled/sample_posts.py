"""Draw the reproducible evaluation sample for question / complaint / feedback / praise labelling.

Run from the repository root:

    python data/labelled/sample_posts.py

Reads (never modifies) the shared corpora and writes data/labelled/intent_sample_unlabelled.csv
with columns id, source, lang, text: 160 posts from each of

* twcs      consumer tweets (inbound == True) in /work/shared/data/twcs_sample/twcs_head.csv
* spotify   consumer tweets to SpotifyCares in /work/shared/data/twcs_spotify_inbound/support_requests.csv
* germeval  Deutsche Bahn documents in /work/shared/data/germeval2017/dev.csv with relevant == true,
            text shorter than 600 characters and text != "null"

Ids: twcs:<tweet_id>, spotify:<tweet_id>, germeval:<n>, where n is the 0-based record number in
dev.csv (header excluded, i.e. the default pandas index of pd.read_csv(dev.csv)).

Exact duplicate texts are excluded: within each pool only the first occurrence (file order) of a
text is a candidate, and a text that is already a candidate in an earlier pool (order twcs, spotify,
germeval) is not a candidate again. twcs_head.csv and the Spotify file overlap (41 tweets are in
both), so this also keeps the two English pools disjoint.

Standard library only; the sample depends only on SEED and the input files.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

SEED = 20240611
PER_SOURCE = 160
MAX_GERMEVAL_CHARS = 600  # keep texts strictly shorter than this

SHARED = Path("/work/shared/data")
TWCS = SHARED / "twcs_sample" / "twcs_head.csv"
SPOTIFY = SHARED / "twcs_spotify_inbound" / "support_requests.csv"
GERMEVAL = SHARED / "germeval2017" / "dev.csv"
OUT = Path("data/labelled/intent_sample_unlabelled.csv")

CR_PLACEHOLDER = "\ue000"  # private-use character, absent from the inputs


def read_twcs() -> list[dict]:
    with TWCS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        {"id": f"twcs:{r['tweet_id']}", "source": "twcs", "lang": "en", "text": r["text"]}
        for r in rows
        if r["inbound"] == "True"
    ]


def read_spotify() -> list[dict]:
    # Some texts hold bare CRs outside quotes; only LF may end a record (see SOURCE.md).
    raw = SPOTIFY.read_bytes().decode("utf-8")
    if CR_PLACEHOLDER in raw:
        sys.exit("placeholder character occurs in the Spotify file")
    reader = csv.DictReader(io.StringIO(raw.replace("\r", CR_PLACEHOLDER), newline=""))
    rows = list(reader)
    if len(rows) != 15096:
        sys.exit(f"expected 15,096 Spotify rows, got {len(rows)}")
    return [
        {
            "id": f"spotify:{r['tweet_id']}",
            "source": "spotify",
            "lang": "en",
            "text": r["text"].replace(CR_PLACEHOLDER, "\r"),
        }
        for r in rows
    ]


def read_germeval() -> list[dict]:
    with GERMEVAL.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 2584:
        sys.exit(f"expected 2,584 GermEval dev rows, got {len(rows)}")
    return [
        {"id": f"germeval:{n}", "source": "germeval", "lang": "de", "text": r["text"]}
        for n, r in enumerate(rows)
        if r["relevant"] == "true" and r["text"] != "null" and len(r["text"]) < MAX_GERMEVAL_CHARS
    ]


def main() -> None:
    rng = random.Random(SEED)
    seen: set[str] = set()
    sample: list[dict] = []
    for reader in (read_twcs, read_spotify, read_germeval):
        pool = []
        for post in reader():
            if post["text"] in seen:
                continue
            seen.add(post["text"])
            pool.append(post)
        drawn = rng.sample(pool, PER_SOURCE)
        drawn.sort(key=lambda p: pool.index(p))  # keep file order inside a source
        print(f"{reader.__name__[5:]}: {len(pool)} candidates, {len(drawn)} drawn", file=sys.stderr)
        sample.extend(drawn)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "source", "lang", "text"], lineterminator="\n")
        w.writeheader()
        w.writerows(sample)
    print(f"wrote {len(sample)} posts to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
