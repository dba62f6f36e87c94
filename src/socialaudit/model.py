"""The canonical model: every source is turned into these records, every later stage reads them.

One module holds the vocabulary (channels, roles, kinds), the typed records that cross the
ingest -> store boundary, and the PyArrow schemas of the store tables, so that a column
name or type is decided in exactly one place.  Timestamps are always UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

UTC = dt.timezone.utc

#: Channels named in the two studies.  Sources may carry other channel names (a generic
#: CSV export of a forum, say); those are kept as given, lower-cased.
CHANNELS = (
    "twitter",
    "facebook",
    "instagram",
    "youtube",
    "pinterest",
    "linkedin",
    "xing",
    "blog",
    "app",
)

#: Spellings users and exports use for the same channel.
CHANNEL_ALIASES = {
    "x": "twitter",
    "tw": "twitter",
    "fb": "facebook",
    "ig": "instagram",
    "yt": "youtube",
    "li": "linkedin",
}

Role = Literal["brand", "consumer"]
ROLES = ("brand", "consumer")

#: What a post is in its conversation.  ``quote`` (a share with a comment of its own) is kept
#: apart from ``share`` because Study A counts quoting consumer content as interaction.
KINDS = ("post", "reply", "comment", "mention", "share", "quote")

MEDIA_TYPES = ("text", "image", "video", "carousel", "link", "audio", "other")


def normalise_channel(value: str) -> str:
    """Lower-case a channel name and map common aliases (``x`` -> ``twitter``)."""
    name = value.strip().lower()
    return CHANNEL_ALIASES.get(name, name)


@dataclass(slots=True)
class PostRecord:
    """One post as a parser read it, before the store resolves roles, threads and companies.

    ``role_hint`` is what the source itself says about the author (TWCS ``inbound``, a page
    commenting on its own post); the registry may still declare the author a brand.
    ``line`` and ``item`` locate the record in its file for tracing and quarantine.
    """

    channel: str
    post_id: str
    created_at: dt.datetime
    account_id: str | None = None
    handle: str | None = None
    role_hint: Role | None = None
    kind: str = "post"
    text: str | None = None
    parent_id: str | None = None
    ref_id: str | None = None
    conversation_id: str | None = None
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    views: int | None = None
    url: str | None = None
    media_type: str | None = None
    lang: str | None = None
    company: str | None = None
    line: int = 0
    item: str = ""


@dataclass(slots=True)
class AccountRecord:
    """An author as a source describes it (X ``includes.users``, a page, a channel)."""

    channel: str
    account_id: str
    handle: str | None = None
    display_name: str | None = None
    followers: int | None = None
    verified: bool | None = None
    role_hint: Role | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A row or item that could not be read, kept with where it came from and why."""

    source: str
    line: int
    reason: str
    raw: str
    item: str = ""


@dataclass(slots=True)
class ParsedBatch:
    """What a parser hands to the store per batch: canonical posts, authors, refused rows.

    ``posts`` is either a list of :class:`PostRecord` or an Arrow batch already in
    :data:`INGEST_POST_SCHEMA` (the fast path of the CSV parsers).
    """

    posts: list[PostRecord] | pa.RecordBatch = field(default_factory=list)
    accounts: list[AccountRecord] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    rows_read: int = 0
    blank_lines: int = 0

    @property
    def post_count(self) -> int:
        posts = self.posts
        return posts.num_rows if isinstance(posts, pa.RecordBatch) else len(posts)


TIMESTAMP = pa.timestamp("us", tz="UTC")

#: Posts as parsers deliver them (one column per :class:`PostRecord` field).
INGEST_POST_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("created_at", TIMESTAMP, nullable=False),
        pa.field("account_id", pa.string()),
        pa.field("handle", pa.string()),
        pa.field("role_hint", pa.string()),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("ref_id", pa.string()),
        pa.field("conversation_id", pa.string()),
        pa.field("likes", pa.int64()),
        pa.field("shares", pa.int64()),
        pa.field("comments", pa.int64()),
        pa.field("views", pa.int64()),
        pa.field("url", pa.string()),
        pa.field("media_type", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("company", pa.string()),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("item", pa.string(), nullable=False),
    ]
)

#: The ``posts`` table of the store.  Derived columns (``author_role``, ``company_id``,
#: ``conversation_id``) are recomputed from the whole store after every import, because a
#: parent, a brand reply or a registry entry may arrive in a later file.
POST_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string()),
        pa.field("company_id", pa.string()),
        pa.field("author_role", pa.string(), nullable=False),
        pa.field("role_hint", pa.string()),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("parent_id", pa.string()),
        pa.field("ref_id", pa.string()),
        pa.field("platform_conversation_id", pa.string()),
        pa.field("conversation_id", pa.string()),
        pa.field("created_at", TIMESTAMP, nullable=False),
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
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("source_item", pa.string(), nullable=False),
    ]
)

#: Columns that make a post what it is: who wrote what, when (and what it shares).  Two
#: rows with the same (channel, post_id) that both have a value here and differ conflict
#: (the second is quarantined).
POST_IDENTITY_COLUMNS = ("account_id", "created_at", "text", "ref_id")
#: Columns that describe a post's context as one source saw it: the parent a data set
#: inferred, the conversation it grouped it in, a URL it built.  Another source may see the
#: same post differently (the IBM data set puts one tweet in two sessions); the first value
#: is kept and gaps are filled, but a difference is no conflict.
POST_CONTEXT_COLUMNS = ("role_hint", "parent_id", "platform_conversation_id", "url", "media_type", "lang",
                        "source_company")
#: Rows that differ only in engagement counts are the same post seen at two times; the store
#: keeps the larger counts.
#: ``kind`` is refined, not compared: a copy read without its parent looks like a
#: top-level post, the same item read in context is a reply.  The more specific kind wins.
KIND_SPECIFICITY = ("post", "mention", "share", "quote", "comment", "reply")
POST_COUNT_COLUMNS = ("likes", "shares", "comments", "views")

ACCOUNT_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("handle", pa.string()),
        pa.field("display_name", pa.string()),
        pa.field("followers", pa.int64()),
        pa.field("verified", pa.bool_()),
        pa.field("role_hint", pa.string()),
        pa.field("pseudonymised", pa.bool_(), nullable=False),
        pa.field("company_id", pa.string()),
        pa.field("identity", pa.string()),
    ]
)

COMPANY_SCHEMA = pa.schema(
    [
        pa.field("company_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("industry", pa.string()),
        pa.field("country", pa.string()),
        pa.field("timezone", pa.string(), nullable=False),
        pa.field("business_hours", pa.string(), nullable=False),
        pa.field("holidays", pa.string()),
        pa.field("parent", pa.string()),
        pa.field("origin", pa.string(), nullable=False),
    ]
)

def _range(name: str) -> list[pa.Field]:
    return [pa.field(f"{name}_low", pa.float64()), pa.field(f"{name}_high", pa.float64())]


#: Study B self-assessment of a company (``socialaudit.loop.profiles``): one row per company.
#: Every uncertain input of :class:`socialaudit.loop.profile.Profile` is a ``<name>_low`` and
#: ``<name>_high`` pair (equal for a single number, both NULL when unknown).
PROFILE_SCHEMA = pa.schema(
    [
        pa.field("company_id", pa.string(), nullable=False),
        pa.field("year", pa.int32()),
        pa.field("example", pa.bool_(), nullable=False),
        pa.field("currency", pa.string()),
        *_range("social_spend"),
        *_range("social_fte"),
        *_range("cost_per_fte"),
        pa.field("departments", pa.list_(pa.string())),
        pa.field("corporate_blog", pa.bool_()),
        pa.field("mobile_apps", pa.bool_()),
        pa.field("video_channels", pa.bool_()),
        pa.field("gamification", pa.bool_()),
        pa.field("measures_roi", pa.bool_()),
        pa.field("realises_business_value", pa.bool_()),
        *_range("cost_per_contact"),
        *_range("deflection_pct"),
        *_range("attributed_revenue"),
        *_range("value_per_idea"),
        *_range("idea_acceptance_pct"),
        pa.field("source", pa.string()),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("item", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw", pa.string(), nullable=False),
        pa.field("format", pa.string()),
    ]
)

#: Accounts a registry declares as a company's own (matched by handle or account id).
BRAND_ACCOUNT_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("handle", pa.string(), nullable=False),
        pa.field("company_id", pa.string(), nullable=False),
    ]
)

#: Declared cross-channel identities (one person or brand behind several accounts).
IDENTITY_LINK_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("handle", pa.string(), nullable=False),
        pa.field("identity", pa.string(), nullable=False),
    ]
)

#: What the classifiers read in a post (``socialaudit enrich``): one row per post and model.
#: ``intent`` is the most probable intent above its threshold (or ``other``); the boolean
#: columns are the multi-label flags, each with its probability.
ENRICHMENT_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("lang", pa.string(), nullable=False),
        pa.field("lang_prob", pa.float64()),
        pa.field("intent", pa.string(), nullable=False),
        pa.field("intent_prob", pa.float64()),
        pa.field("question", pa.bool_(), nullable=False),
        pa.field("question_prob", pa.float64()),
        pa.field("complaint", pa.bool_(), nullable=False),
        pa.field("complaint_prob", pa.float64()),
        pa.field("product_feedback", pa.bool_(), nullable=False),
        pa.field("product_feedback_prob", pa.float64()),
        pa.field("praise", pa.bool_(), nullable=False),
        pa.field("praise_prob", pa.float64()),
        pa.field("sentiment", pa.string(), nullable=False),
        pa.field("sentiment_prob", pa.float64()),
        pa.field("enriched_at", TIMESTAMP, nullable=False),
    ]
)

#: A consumer post routed to a department (``socialaudit route``): one row per post and
#: department; ``item_id`` is the short number people use in the inbox.
ROUTED_ITEM_SCHEMA = pa.schema(
    [
        pa.field("item_id", pa.int64(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("company_id", pa.string()),
        pa.field("department", pa.string(), nullable=False),
        pa.field("rules", pa.string(), nullable=False),
        pa.field("intent", pa.string()),
        pa.field("posted_at", TIMESTAMP, nullable=False),
        pa.field("routed_at", TIMESTAMP, nullable=False),
    ]
)

#: Read tracking: who opened or acknowledged a routed item, and when (first time per person).
ITEM_READ_SCHEMA = pa.schema(
    [
        pa.field("item_id", pa.int64(), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("user_name", pa.string(), nullable=False),
        pa.field("read_at", TIMESTAMP, nullable=False),
    ]
)

#: Where ``socialaudit sync`` stopped, per channel, brand account and feed (a JSON object whose
#: fields each connector defines: a since-id, a page token, a pass over recent posts...).  It is
#: written in the same transaction as the posts it covers, so a killed sync resumes exactly there.
SYNC_CURSOR_SCHEMA = pa.schema(
    [
        pa.field("channel", pa.string(), nullable=False),
        pa.field("account", pa.string(), nullable=False),
        pa.field("feed", pa.string(), nullable=False),
        pa.field("state", pa.string(), nullable=False),
        pa.field("pages", pa.int64(), nullable=False),
        pa.field("updated_at", TIMESTAMP, nullable=False),
    ]
)

#: One row per import run, including runs that were interrupted.
IMPORT_SCHEMA = pa.schema(
    [
        pa.field("import_id", pa.int64(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("format", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("started_at", TIMESTAMP, nullable=False),
        pa.field("finished_at", TIMESTAMP),
        pa.field("rows_read", pa.int64()),
        pa.field("imported", pa.int64()),
        pa.field("updated", pa.int64()),
        pa.field("skipped", pa.int64()),
        pa.field("quarantined", pa.int64()),
        pa.field("blank_lines", pa.int64()),
        pa.field("bytes", pa.int64()),
        pa.field("sha256", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("pseudonymised", pa.bool_()),
        pa.field("version", pa.string()),
        pa.field("message", pa.string()),
    ]
)

_RECORD_FIELDS = tuple(f.name for f in INGEST_POST_SCHEMA)


def records_to_batch(records: list[PostRecord]) -> pa.RecordBatch:
    """Columnarise parsed records into :data:`INGEST_POST_SCHEMA`."""
    columns = {name: [getattr(r, name) for r in records] for name in _RECORD_FIELDS}
    return pa.RecordBatch.from_pydict(columns, schema=INGEST_POST_SCHEMA)


def quarantined_to_table(rows: list[Quarantined], fmt: str | None = None) -> pa.Table:
    return pa.Table.from_pydict(
        {
            "source": [q.source for q in rows],
            "line": [q.line for q in rows],
            "item": [q.item for q in rows],
            "reason": [q.reason for q in rows],
            "raw": [q.raw for q in rows],
            "format": [fmt] * len(rows),
        },
        schema=QUARANTINE_SCHEMA,
    )
