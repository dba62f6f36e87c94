"""A tiny hand-made store for the loop's tests: consumer posts with classifier readings."""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # a Monday


def add_post(con, post_id: str, text: str, *, company: str = "acme", role: str = "consumer", channel: str = "twitter",
             at: dt.datetime = T0, intents: tuple[str, ...] = (), sentiment: str = "neutral", lang: str = "en") -> None:
    con.execute("""INSERT INTO posts (channel, post_id, account_id, company_id, author_role, kind, created_at, text,
                                      source, source_line, source_item)
                   VALUES (?, ?, 'u1', ?, ?, 'mention', ?, ?, 'test', 1, '')""",
                [channel, post_id, company, role, at, text])
    flags = {k: k in intents for k in ("question", "complaint", "product_feedback", "praise")}
    con.execute("""INSERT INTO enrichments VALUES (?, ?, 'test@1', ?, 0.99, ?, 0.9, ?, 0.9, ?, 0.9, ?, 0.9, ?, 0.9, ?,
                                                   0.9, ?)""",
                [channel, post_id, lang, intents[0] if intents else "other", flags["question"], flags["complaint"],
                 flags["product_feedback"], flags["praise"], sentiment, at])
