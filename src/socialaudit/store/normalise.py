"""From parsed batches to staging rows: pseudonyms, @-mentions and hashtags.

This is the one place where consumer handles are replaced by pseudonyms, before anything
is written to disk.  A handle stays readable if the registry (or an earlier import, or
the source itself) says it belongs to a brand.

Everything is column-wise: authors are pseudonymised with Arrow (one keyed hash per
distinct consumer of a batch), and mentions and hashtags are found by one regular
expression scan over the batch's texts joined together, the matches mapped back to their
rows with NumPy.  Python never loops over rows here.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..model import CHANNELS, INGEST_POST_SCHEMA, POST_SCHEMA, AccountRecord, PostRecord, normalise_channel, records_to_batch
from ..privacy import Pseudonymiser

#: @handle as Twitter, Instagram, TikTok, YouTube write them (also ".@handle", the public-reply
#: convention); not the domain of an e-mail address.  The pattern starts with the literal so
#: that the regex engine can skip ahead to each ``@``; the look-behind then checks the
#: character before it.
MENTION = re.compile(r"@(?<![\w@]@)([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
#: #hashtag in any script; not an HTML entity (``&#39;``), not a number (``#1``).
HASHTAG = re.compile(r"#(?<![\w#&]#)(\w{1,100})")
_ROW_SEPARATOR = "\x00"  # never inside a match: both patterns need word characters

STRING_LIST = pa.list_(pa.string())

#: Staging rows: the columns of ``posts`` an import provides (not the derived ones, not
#: ``source``), plus the import order, the author's handle and whether it was hidden.
_NOT_STAGED = ("company_id", "author_role", "conversation_id", "source")
STAGING_POST_SCHEMA = pa.schema(
    [pa.field("seq", pa.int64()), pa.field("handle", pa.string()), pa.field("pseudonymised", pa.bool_())]
    + [f.with_nullable(True) for f in POST_SCHEMA if f.name not in _NOT_STAGED]
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


def find_all(pattern: re.Pattern, text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Every match of ``pattern``'s first group in a text column, and the row of each match.

    One ``finditer`` over the texts joined by a separator; match positions are mapped to
    rows with ``searchsorted`` over the row start offsets.
    """
    texts = text.to_pylist()
    lengths = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    joined = _ROW_SEPARATOR.join(t or "" for t in texts)
    positions, values = [], []
    for match in pattern.finditer(joined):
        positions.append(match.start())
        values.append(match.group(1))
    rows = np.searchsorted(starts, np.asarray(positions, dtype=np.int64), side="right") - 1
    return pa.array(values, pa.string()), rows


def to_lists(values: pa.Array, rows: np.ndarray, n: int) -> pa.Array:
    """A list column of ``n`` rows from values and their (sorted) row numbers."""
    counts = np.bincount(rows, minlength=n) if len(rows) else np.zeros(n, dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


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

    def _brand_keys(self) -> pa.Array:
        return pa.array([f"{c}\x1f{h}" for c, h in self.brands], pa.string())

    def _is_known_brand(self, channel: pa.Array, value: pa.Array, keys: pa.Array) -> pa.Array:
        key = pc.binary_join_element_wise(channel, pc.utf8_lower(value), "\x1f")
        return pc.fill_null(pc.is_in(key, value_set=keys), False)

    def _learn_brands(self, channel: pa.Array, account_id: pa.Array, handle: pa.Array, role: pa.Array) -> None:
        hinted = pc.fill_null(pc.equal(role, "brand"), False)
        if not pc.any(hinted).as_py():
            return
        for column in (account_id, handle):
            pairs = pa.Table.from_arrays([pc.filter(channel, hinted), pc.utf8_lower(pc.filter(column, hinted))],
                                         names=["c", "h"]).group_by(["c", "h"]).aggregate([])
            self.brands.update((c, h) for c, h in zip(pairs["c"].to_pylist(), pairs["h"].to_pylist())
                               if h is not None)

    def _pseudonymise_column(self, column: pa.Array, mask: pa.Array) -> pa.Array:
        """Replace the values where ``mask`` holds by their pseudonyms (one hash per distinct value)."""
        pseudo = self.pseudonymise
        assert pseudo is not None
        values = pc.unique(pc.drop_null(pc.filter(column, mask)))
        if len(values) == 0:
            return column
        hidden = pa.array(pseudo.many(values.to_pylist()), pa.string())
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
        keys = self._brand_keys()

        if self.pseudonymise is not None and n:
            is_brand = pc.or_(pc.fill_null(pc.equal(role, "brand"), False),
                              pc.or_(self._is_known_brand(channel, account_id, keys),
                                     self._is_known_brand(channel, handle, keys)))
            mask = pc.and_(pc.invert(is_brand), pc.or_(pc.is_valid(account_id), pc.is_valid(handle)))
            account_id = self._pseudonymise_column(account_id, mask)
            handle = self._pseudonymise_column(handle, mask)
        else:
            mask = pa.array([False] * n, pa.bool_())

        mentions = self._mentions(channel, col["text"], keys)
        hashtags = self._hashtags(col["text"])
        start = self.seq
        self.seq += n
        columns = {
            **col,
            "seq": pa.array(range(start, start + n), pa.int64()),
            "channel": channel,
            "account_id": account_id,
            "handle": handle,
            "pseudonymised": mask,
            "platform_conversation_id": col["conversation_id"],
            "source_company": col["company"],
            "source_line": col["line"],
            "source_item": col["item"],
            "mentions": mentions,
            "hashtags": hashtags,
        }
        return pa.Table.from_arrays([columns[f.name] for f in STAGING_POST_SCHEMA], schema=STAGING_POST_SCHEMA)

    def _mentions(self, channel: pa.Array, text: pa.Array, keys: pa.Array) -> pa.Array:
        """@-mentioned handles, lower-case; consumers' pseudonymised like their accounts."""
        values, rows = find_all(MENTION, text)
        values = pc.utf8_lower(values)
        if self.pseudonymise is not None and len(values):
            row_channel = pc.take(channel, pa.array(rows))
            values = self._pseudonymise_column(values, pc.invert(self._is_known_brand(row_channel, values, keys)))
        return to_lists(values, rows, len(text))

    def _hashtags(self, text: pa.Array) -> pa.Array:
        values, rows = find_all(HASHTAG, text)
        keep = pc.invert(pc.match_substring_regex(values, r"^[0-9]+$")) if len(values) else pa.array([], pa.bool_())
        return to_lists(pc.utf8_lower(pc.filter(values, keep)), rows[keep.to_numpy(zero_copy_only=False)], len(text))

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
