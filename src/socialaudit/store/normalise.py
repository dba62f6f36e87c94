"""From parsed batches to staging rows: pseudonyms, @-mentions and hashtags.

This is the one place where consumer handles are replaced by pseudonyms, before anything
is written to disk.  A handle stays readable if the registry (or an earlier import, or
the source itself) says it belongs to a brand.
"""

from __future__ import annotations

import re

import pyarrow as pa

from ..model import INGEST_POST_SCHEMA, AccountRecord, PostRecord, normalise_channel, records_to_batch
from ..privacy import Pseudonymiser

#: @handle as Twitter, Instagram, TikTok, YouTube write them; not the domain of an e-mail.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
HASHTAG = re.compile(r"(?<![\w#&])#(\w{1,100})")

STAGING_POST_SCHEMA = pa.schema(
    [
        pa.field("seq", pa.int64()),
        pa.field("channel", pa.string()),
        pa.field("post_id", pa.string()),
        pa.field("account_id", pa.string()),
        pa.field("handle", pa.string()),
        pa.field("pseudonymised", pa.bool_()),
        pa.field("role_hint", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("ref_id", pa.string()),
        pa.field("platform_conversation_id", pa.string()),
        pa.field("created_at", pa.timestamp("us", tz="UTC")),
        pa.field("text", pa.string()),
        pa.field("likes", pa.int64()),
        pa.field("shares", pa.int64()),
        pa.field("comments", pa.int64()),
        pa.field("views", pa.int64()),
        pa.field("url", pa.string()),
        pa.field("media_type", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("mentions", pa.list_(pa.string())),
        pa.field("hashtags", pa.list_(pa.string())),
        pa.field("source_company", pa.string()),
        pa.field("source_line", pa.int64()),
        pa.field("source_item", pa.string()),
    ]
)

STAGING_ACCOUNT_SCHEMA = pa.schema(
    [
        pa.field("seq", pa.int64()),
        pa.field("channel", pa.string()),
        pa.field("account_id", pa.string()),
        pa.field("handle", pa.string()),
        pa.field("display_name", pa.string()),
        pa.field("followers", pa.int64()),
        pa.field("verified", pa.bool_()),
        pa.field("role_hint", pa.string()),
        pa.field("pseudonymised", pa.bool_()),
    ]
)


class Normaliser:
    """Applies pseudonymisation and extracts mentions/hashtags, batch by batch.

    ``brands`` holds (channel, lower-case handle or id) of every known brand account and
    grows as batches reveal brand authors, so a consumer's @-mention of a brand that
    answered earlier in the file stays readable.
    """

    def __init__(self, brands: set[tuple[str, str]], pseudonymise: Pseudonymiser | None):
        self.brands = brands
        self.pseudonymise = pseudonymise
        self.seq = 0

    def _is_brand(self, channel: str, account_id: str | None, handle: str | None, role_hint: str | None) -> bool:
        if role_hint == "brand":
            return True
        brands = self.brands
        return ((account_id is not None and (channel, account_id.lower()) in brands)
                or (handle is not None and (channel, handle.lower()) in brands))

    def posts(self, posts: list[PostRecord] | pa.RecordBatch) -> pa.Table:
        batch = posts if isinstance(posts, pa.RecordBatch) else records_to_batch(posts)
        n = batch.num_rows
        col = {name: batch.column(name) for name in INGEST_POST_SCHEMA.names}
        channels = [normalise_channel(c) for c in col["channel"].to_pylist()] if n else []
        account_ids = col["account_id"].to_pylist()
        handles = col["handle"].to_pylist()
        roles = col["role_hint"].to_pylist()
        texts = col["text"].to_pylist()

        for ch, aid, h, r in zip(channels, account_ids, handles, roles):
            if r == "brand":
                if aid is not None:
                    self.brands.add((ch, aid.lower()))
                if h is not None:
                    self.brands.add((ch, h.lower()))

        pseudo = self.pseudonymise
        hidden = [False] * n
        if pseudo is not None:
            for i in range(n):
                aid, h = account_ids[i], handles[i]
                if (aid is not None or h is not None) and not self._is_brand(channels[i], aid, h, roles[i]):
                    account_ids[i] = pseudo(aid) if aid is not None else None
                    handles[i] = pseudo(h) if h is not None else None
                    hidden[i] = True

        mentions: list[list[str] | None] = []
        hashtags: list[list[str] | None] = []
        brands = self.brands
        for ch, text in zip(channels, texts):
            if text and "@" in text:
                found = []
                for m in MENTION.findall(text):
                    low = m.lower()
                    found.append(low if pseudo is None or (ch, low) in brands else pseudo(low))
                mentions.append(found)
            else:
                mentions.append([])
            if text and "#" in text:
                hashtags.append([t.lower() for t in HASHTAG.findall(text) if not t.isdigit()])
            else:
                hashtags.append([])

        start = self.seq
        self.seq += n
        return pa.Table.from_arrays(
            [
                pa.array(range(start, start + n), pa.int64()),
                pa.array(channels, pa.string()),
                col["post_id"],
                pa.array(account_ids, pa.string()),
                pa.array(handles, pa.string()),
                pa.array(hidden, pa.bool_()),
                col["role_hint"],
                col["kind"],
                col["parent_id"],
                col["ref_id"],
                col["conversation_id"],
                col["created_at"],
                col["text"],
                col["likes"],
                col["shares"],
                col["comments"],
                col["views"],
                col["url"],
                col["media_type"],
                col["lang"],
                pa.array(mentions, pa.list_(pa.string())),
                pa.array(hashtags, pa.list_(pa.string())),
                col["company"],
                col["line"],
                col["item"],
            ],
            schema=STAGING_POST_SCHEMA,
        )

    def accounts(self, accounts: list[AccountRecord]) -> pa.Table:
        rows = []
        pseudo = self.pseudonymise
        for a in accounts:
            channel = normalise_channel(a.channel)
            if a.role_hint == "brand":
                self.brands.add((channel, a.account_id.lower()))
                if a.handle:
                    self.brands.add((channel, a.handle.lower()))
            hide = pseudo is not None and not self._is_brand(channel, a.account_id, a.handle, a.role_hint)
            rows.append((
                self.seq, channel,
                pseudo(a.account_id) if hide else a.account_id,
                (pseudo(a.handle) if hide and a.handle else a.handle),
                None if hide else a.display_name,
                a.followers, a.verified, a.role_hint, hide,
            ))
            self.seq += 1
        columns = list(zip(*rows)) if rows else [[] for _ in STAGING_ACCOUNT_SCHEMA]
        return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, STAGING_ACCOUNT_SCHEMA)],
                                    schema=STAGING_ACCOUNT_SCHEMA)
