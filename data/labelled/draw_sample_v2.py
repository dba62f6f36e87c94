"""Draw the second, larger labelling sample (v2) and its annotation batches.

Run from the repository root (standard library only; reads, never modifies, ../shared/data):

    python data/labelled/draw_sample_v2.py [--shared ../shared/data] [--out build/annotation]

Writes ``OUT/sample_v2.csv`` (every drawn post with its text and provenance) and
``OUT/batch_NN.csv`` (the same posts shuffled into annotation batches, id and text only), plus
``OUT/second_pass.csv``: a stratified subset for the independent second labelling.

What is drawn (posts already in the first sample, ``intent_labels_v1.csv``, are left out, and
so is any text already drawn, so that no text is labelled twice):

* ``twcs``      consumer tweets of the TWCS excerpt: every first turn (no parent) and a random
                part of the later turns, 77 brands;
* ``spotify``   consumer tweets to SpotifyCares (TWCS), later turns inside conversations;
* ``ibm``       every consumer turn (``client`` and ``client1``) of the IBM customer-care dev
                conversations: first and later turns, 24 brands;
* ``complaints`` tweets to customer-service accounts of the ACL 2019 complaints corpus (its text
                carries no licence, so the committed labels keep only the tweet id: the loader
                reads the text from ../shared/data/complaints/train.csv);
* ``germeval``  Deutsche Bahn documents of GermEval 2017 dev (relevant or not, below 1,000
                characters, not "null").

Every post carries its ``conversation`` (the unit of the dev/test split, so that a reply never sits
in another split than the post it answers), ``turn`` (first / later / single), ``brand`` and the
source's licence.  ``split`` is ``test`` when the first 8 hex digits of
``sha256("socialaudit-intent-split-v2:" + conversation)`` taken as an integer end, modulo 10, in
0, 1 or 2 (30 %), else ``dev``; it never depends on the other posts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261206
N_TWCS_LATER = 480
N_SPOTIFY = 600
N_COMPLAINTS = 1000
N_GERMEVAL = 1450
MAX_GERMEVAL_CHARS = 1000
N_BATCHES = 7
SECOND_PASS = {"twcs": 110, "spotify": 50, "ibm": 60, "complaints": 80, "germeval": 150}
CR_PLACEHOLDER = "\ue000"

LICENCES = {
    "twcs": "CC BY-NC-SA 4.0",
    "spotify": "CC BY-NC-SA 4.0",
    "ibm": "Apache-2.0",
    "complaints": "none stated (research corpus; text not shipped)",
    "germeval": "CC BY-NC 4.0",
}
HERE = Path(__file__).resolve().parent
MENTION = re.compile(r"@(\w+)")


def split_of(conversation: str) -> str:
    digest = hashlib.sha256(f"socialaudit-intent-split-v2:{conversation}".encode()).hexdigest()
    return "test" if int(digest[:8], 16) % 10 < 3 else "dev"


def _tweet_id(value: str) -> str:
    return str(int(float(value))) if value else ""


def _roots(rows: list[dict]) -> dict[str, str]:
    """tweet id -> the topmost ancestor reachable inside ``rows`` (or the first missing parent)."""
    parent = {r["tweet_id"]: _tweet_id(r["in_response_to_tweet_id"]) for r in rows}
    out = {}
    for tid in parent:
        seen, cur = set(), tid
        while parent.get(cur) and parent[cur] not in seen:
            seen.add(cur)
            if parent[cur] not in parent:
                cur = parent[cur]
                break
            cur = parent[cur]
        out[tid] = cur
    return out


def read_twcs(shared: Path) -> list[dict]:
    with (shared / "twcs_sample" / "twcs_head.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["tweet_id"]: r for r in rows}
    roots = _roots(rows)

    def brand(r: dict) -> str:
        for rid in r["response_tweet_id"].split(","):
            if rid in by_id and by_id[rid]["inbound"] == "False":
                return by_id[rid]["author_id"]
        p = by_id.get(_tweet_id(r["in_response_to_tweet_id"]))
        if p and p["inbound"] == "False":
            return p["author_id"]
        m = MENTION.search(r["text"])
        return m.group(1) if m else ""

    return [{"id": f"twcs:{r['tweet_id']}", "source": "twcs", "lang": "en", "text": r["text"],
             "conversation": f"twcs:{roots[r['tweet_id']]}", "brand": brand(r),
             "turn": "later" if r["in_response_to_tweet_id"] else "first"}
            for r in rows if r["inbound"] == "True"]


def read_spotify(shared: Path) -> list[dict]:
    raw = (shared / "twcs_spotify_inbound" / "support_requests.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw.replace("\r", CR_PLACEHOLDER), newline="")))
    if len(rows) != 15096:
        sys.exit(f"expected 15,096 Spotify rows, got {len(rows)}")
    roots = _roots(rows)
    return [{"id": f"spotify:{r['tweet_id']}", "source": "spotify", "lang": "en",
             "text": r["text"].replace(CR_PLACEHOLDER, "\r"), "conversation": f"twcs:{roots[r['tweet_id']]}",
             "brand": "SpotifyCares", "turn": "later"} for r in rows]


def read_ibm(shared: Path) -> list[dict]:
    conversations = json.loads((shared / "ibm_customer_care" / "dev.json").read_text(encoding="utf-8"))
    out = []
    for conv in conversations:
        head = conv["dialogHeader"]
        consumer_turns = 0
        for turn in conv["dialogContent"]:
            if "agent" in turn:
                continue
            out.append({"id": f"ibm:{turn['tweet_ID']}", "source": "ibm", "lang": "en", "text": turn["message"],
                        "conversation": f"ibm:{head['sessionID']}", "brand": head["company"],
                        "turn": "first" if consumer_turns == 0 and "client" in turn else "later"})
            consumer_turns += 1
    return out


def read_complaints(shared: Path) -> list[dict]:
    with (shared / "complaints" / "train.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        m = MENTION.search(r["text"])
        out.append({"id": f"complaints:{r['tweet_id']}", "source": "complaints", "lang": "en", "text": r["text"],
                    "conversation": f"complaints:{r['tweet_id']}", "brand": (m.group(1) if m else r["domain"]),
                    "turn": "single"})
    return out


def read_germeval(shared: Path) -> list[dict]:
    with (shared / "germeval2017" / "dev.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 2584:
        sys.exit(f"expected 2,584 GermEval dev rows, got {len(rows)}")
    return [{"id": f"germeval:{n}", "source": "germeval", "lang": "de", "text": r["text"],
             "conversation": f"germeval:{n}", "brand": "DeutscheBahn", "turn": "single"}
            for n, r in enumerate(rows) if r["text"] != "null" and len(r["text"]) < MAX_GERMEVAL_CHARS]


FIELDS = ["id", "source", "licence", "lang", "brand", "conversation", "turn", "split", "text"]


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    """Every field quoted: a text whose only special characters are bare CRs survives a round trip."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", extrasaction="ignore", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def write_sample(out: Path, name: str, sample: list[dict], rng: random.Random, n_batches: int) -> None:
    """The drawn posts with their provenance, and the same posts shuffled into annotation batches."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / name, sample, FIELDS)
    shuffled = sample[:]
    rng.shuffle(shuffled)
    for b in range(n_batches):
        write_csv(out / f"batch_{b + 1:02d}.csv", shuffled[b::n_batches], ["id", "text"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("build/annotation"))
    args = parser.parse_args()
    rng = random.Random(SEED)
    with (HERE / "intent_labels_v1.csv").open(newline="", encoding="utf-8") as f:
        v1 = list(csv.DictReader(f))
    seen_ids = {r["id"] for r in v1}
    seen_texts = {r["text"].strip() for r in v1}

    def fresh(posts: list[dict]) -> list[dict]:
        pool = []
        for p in posts:
            key = p["text"].strip()
            if p["id"] in seen_ids or key in seen_texts or not key:
                continue
            seen_texts.add(key)
            pool.append(p)
        return pool

    sample: list[dict] = []
    twcs = fresh(read_twcs(args.shared))
    first = [p for p in twcs if p["turn"] == "first"]
    later = [p for p in twcs if p["turn"] == "later"]
    sample += first + rng.sample(later, N_TWCS_LATER)
    sample += rng.sample(fresh(read_spotify(args.shared)), N_SPOTIFY)
    sample += fresh(read_ibm(args.shared))
    sample += rng.sample(fresh(read_complaints(args.shared)), N_COMPLAINTS)
    sample += rng.sample(fresh(read_germeval(args.shared)), N_GERMEVAL)
    for p in sample:
        p["licence"] = LICENCES[p["source"]]
        p["split"] = split_of(p["conversation"])

    write_sample(args.out, "sample_v2.csv", sample, rng, N_BATCHES)
    second = []
    for source, n in SECOND_PASS.items():
        second += rng.sample([p for p in sample if p["source"] == source], n)
    rng.shuffle(second)
    write_csv(args.out / "second_pass.csv", second, ["id", "text"])
    counts: dict[tuple[str, str], int] = {}
    for p in sample:
        counts[p["source"], p["split"]] = counts.get((p["source"], p["split"]), 0) + 1
    for key in sorted(counts):
        print(f"{key[0]:<11} {key[1]:<4} {counts[key]:>5}", file=sys.stderr)
    print(f"wrote {len(sample)} posts, {N_BATCHES} batches and {len(second)} second-pass posts to {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
