"""Synthetic TWCS-format data, for performance runs only.

The text is made from templates and the ids and times are random: the files exercise the
parser, the store and the metrics at scale but say nothing about real engagement.  Every
real-data figure of socialaudit comes from the real samples in ``data/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

BRANDS = ["AcmeHelp", "GlobexCare", "InitechSupport", "UmbrellaCares", "HooliHelp", "StarkAssist",
          "WayneService", "TyrellCare", "CyberdyneHelp", "SoylentCares"]
OPENERS = ["my order never arrived", "why is the app crashing again", "is there an outage in my area?",
           "you charged me twice this month", "thanks for the quick fix!", "how do I reset my password?",
           "the new update broke playlists", "can you add dark mode please", "worst service ever",
           "still waiting for a refund"]
REPLIES = ["Sorry to hear that! Please DM us your order number.", "We're looking into this for you.",
           "Thanks for reaching out, could you tell us more?", "Glad we could help!",
           "Please follow the link to reset: https://example.com/reset"]
FOLLOWUPS = ["done, sent a DM", "still not working", "ok thanks", "any update?", "that didn't help"]
TWITTER_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def generate_twcs(path: Path, rows: int, seed: int = 7) -> Path:
    """Write ``rows`` tweets as conversations: consumer mention, brand reply, follow-ups."""
    rng = random.Random(seed)
    start = dt.datetime(2017, 10, 1, tzinfo=dt.timezone.utc)
    next_id = 1
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
                      "in_response_to_tweet_id"])
        while written < rows:
            brand = rng.choice(BRANDS)
            consumer = str(100000 + rng.randrange(rows // 3 + 10))
            t = start + dt.timedelta(seconds=rng.randrange(60 * 86400))
            turns = min(rows - written, rng.choice([1, 2, 2, 3, 4, 6]))
            ids = list(range(next_id, next_id + turns))
            next_id += turns
            for k, tid in enumerate(ids):
                is_brand = k % 2 == 1
                if k:
                    t += dt.timedelta(seconds=rng.randrange(60, 6 * 3600))
                text = (f"@{consumer} {rng.choice(REPLIES)}" if is_brand else
                        f"@{brand} {rng.choice(OPENERS if k == 0 else FOLLOWUPS)}")
                parent = f"{ids[k - 1]}.0" if k else ""
                child = str(ids[k + 1]) if k + 1 < len(ids) else ""
                out.writerow([tid, brand if is_brand else consumer, "False" if is_brand else "True",
                              t.strftime(TWITTER_TIME), text, child, parent])
            written += turns
    return path
