"""From parsed batches to staging rows: pseudonyms, @-mentions and hashtags.

This is the one place where consumer handles are replaced by pseudonyms, before anything
is written to disk.  A handle stays readable if the registry (or an earlier import, or
the source itself) says it belongs to a brand.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from ..model import CHANNELS, INGEST_POST_SCHEMA, AccountRecord, PostRecord, normalise_channel, records_to_batch
from ..privacy import Pseudonymiser

#: @handle as Twitter, Instagram, TikTok, YouTube write them (also ".@handle", the public-reply
#: convention); not the domain of an e-mail address.
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
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
    answered earlier in the file stays readable.  Pseudonyms are computed once per
    distinct consumer of a batch (Arrow ``unique``/``take``), not once per row.
    """

    def __init__(self, brands: set[tuple[str, str]], pseudonymise: Pseudonymiser | None):
        self.brands = brands
        self.pseudonymise = pseudonymise
        self.seq = 0

    def _brand_set(self, channel: str) -> set[str]:
        return {h for ch, h in self.brands if ch == channel}

    def _is_brand(self, channel: str, account_id: str | None, handle: str | None, role_hint: str | None) -> bool:
        if role_hint == "brand":
            return True
        brands = self.brands
        return ((account_id is not None and (channel, account_id.lower()) in brands)
                or (handle is not None and (channel, handle.lower()) in brands))

    def _learn_brands(self, channel: pa.Array, account_id: pa.Array, handle: pa.Array, role: pa.Array) -> None:
        hinted = pc.fill_null(pc.equal(role, "brand"), False)
        if not pc.any(hinted).as_py():
            return
        for column in (account_id, handle):
            pairs = pa.Table.from_arrays([pc.filter(channel, hinted), pc.utf8_lower(pc.filter(column, hinted))],
                                         names=["c", "h"]).group_by(["c", "h"]).aggregate([])
            self.brands.update((c, h) for c, h in zip(pairs["c"].to_pylist(), pairs["h"].to_pylist())
                               if h is not None)

    def _consumer_mask(self, channel: pa.Array, account_id: pa.Array, handle: pa.Array, role: pa.Array) -> pa.Array:
        """True where the author is not a known brand (and so must be pseudonymised)."""
        keys = pa.array([f"{c}\x1f{h}" for c, h in self.brands], pa.string())
        is_brand = pc.fill_null(pc.equal(role, "brand"), False)
        for column in (account_id, handle):
            key = pc.binary_join_element_wise(channel, pc.utf8_lower(column), "\x1f")
            is_brand = pc.or_(is_brand, pc.fill_null(pc.is_in(key, value_set=keys), False))
        return pc.invert(is_brand)

    def _pseudonymise_column(self, column: pa.Array, mask: pa.Array) -> pa.Array:
        pseudo = self.pseudonymise
        assert pseudo is not None
        values = pc.unique(pc.drop_null(pc.filter(column, mask)))
        if len(values) == 0:
            return column
        hidden = pa.array([pseudo(v) for v in values.to_pylist()], pa.string())
        replaced = pc.take(hidden, pc.index_in(column, value_set=values))
        return pc.if_else(pc.and_(mask, pc.is_valid(column)), replaced, column)

    def posts(self, posts: list[PostRecord] | pa.RecordBatch) -> pa.Table:
        batch = posts if isinstance(posts, pa.RecordBatch) else records_to_batch(posts)
        n = batch.num_rows
        col = {name: batch.column(name) for name in INGEST_POST_SCHEMA.names}
        channel = col["channel"]
        if n and not pc.all(pc.is_in(channel, value_set=pa.array(CHANNELS))).as_py():
            channel = pa.array([normalise_channel(c) for c in channel.to_pylist()], pa.string())
        account_id, handle, role = col["account_id"], col["handle"], col["role_hint"]
        self._learn_brands(channel, account_id, handle, role)

        if self.pseudonymise is not None and n:
            mask = pc.and_(self._consumer_mask(channel, account_id, handle, role),
                           pc.or_(pc.is_valid(account_id), pc.is_valid(handle)))
            account_id = self._pseudonymise_column(account_id, mask)
            handle = self._pseudonymise_column(handle, mask)
        else:
            mask = pa.array([False] * n, pa.bool_())

        mentions, hashtags = self._mentions_and_hashtags(channel, col["text"])
        start = self.seq
        self.seq += n
        return pa.Table.from_arrays(
            [
                pa.array(range(start, start + n), pa.int64()),
                channel,
                col["post_id"],
                account_id,
                handle,
                mask,
                role,
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
                mentions,
                hashtags,
                col["company"],
                col["line"],
                col["item"],
            ],
            schema=STAGING_POST_SCHEMA,
        )

    def _mentions_and_hashtags(self, channel: pa.Array, text: pa.Array) -> tuple[pa.Array, pa.Array]:
        """@-mentions (lower-case; consumers pseudonymised) and hashtags of each text."""
        n = len(text)
        mentions: list[list[str] | None] = [None] * n
        hashtags: list[list[str] | None] = [None] * n
        pseudo = self.pseudonymise
        brand_sets: dict[str, set[str]] = {}
        texts = text.to_pylist()
        channels = channel.to_pylist()
        find_mentions, find_tags = MENTION.findall, HASHTAG.findall
        for i in pc.indices_nonzero(pc.fill_null(pc.match_substring(text, "@"), False)).to_pylist():
            ch = channels[i]
            brands = brand_sets.get(ch)
            if brands is None:
                brands = brand_sets[ch] = self._brand_set(ch)
            found = [m.lower() for m in find_mentions(texts[i])]
            if pseudo is not None:
                found = [m if m in brands else pseudo(m) for m in found]
            mentions[i] = found
        for i in pc.indices_nonzero(pc.fill_null(pc.match_substring(text, "#"), False)).to_pylist():
            hashtags[i] = [t.lower() for t in find_tags(texts[i]) if not t.isdigit()]
        empty = pa.scalar([], pa.list_(pa.string()))
        return (pc.fill_null(pa.array(mentions, pa.list_(pa.string())), empty),
                pc.fill_null(pa.array(hashtags, pa.list_(pa.string())), empty))
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
