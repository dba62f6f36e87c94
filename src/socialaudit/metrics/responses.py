"""The per-inbound table: was each consumer post answered, by whom, how fast.

Inbound = a consumer post that belongs to a company (a mention, a reply to its post, a
comment on its page), not a plain share of one.  Its response is the **first post by the same company, on the same
channel, in the same conversation, strictly after it and within the response window**.
Replies from another brand, replies before the inbound post, replies after the window and
replies on another channel therefore do not count; each inbound post of a conversation
with several gets its own first response.

The join and the aggregation are Ibis expressions (they run on DuckDB here and on any
Ibis backend); business-hours durations need each company's calendar (time zone, opening
hours, holidays) and are added by :func:`add_business_seconds` on the materialised rows.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .actionable import ActionableRule
from .calendar import BusinessCalendar
from .config import AuditConfig

RESPONSE_COLUMNS = ("post_id", "company", "channel", "responded", "first_response_id", "response_seconds",
                    "business_seconds")


def in_period(posts: ir.Table, config: AuditConfig) -> ir.Table:
    if config.since is not None:
        posts = posts.filter(posts.created_at >= config.since)
    if config.until is not None:
        posts = posts.filter(posts.created_at < config.until)
    return posts


def inbound_posts(posts: ir.Table, rule: ActionableRule, config: AuditConfig) -> ir.Table:
    """Consumer posts addressed to a company, in the audited period, with actionable flags."""
    # A plain share (a retweet, a repin) passes the brand's post on, it is not addressed to it:
    # counting it made a consumer's retweet of "Questions? Ask us!" an unanswered question.
    # Quotes stay: they carry the consumer's own words.
    inbound = in_period(posts, config).filter((posts.author_role == "consumer") & posts.company_id.notnull()
                                              & (posts.kind != "share").fill_null(True))
    return rule.flag(inbound.select("channel", "post_id", "company_id", "conversation_id", "created_at", "text",
                                    "account_id", "kind"))


def responses(posts: ir.Table, inbound: ir.Table, config: AuditConfig) -> ir.Table:
    """One row per inbound post: first response id and time (wall clock), if any."""
    # The columns the result keeps, carried through the aggregation (grouping by them is cheap)
    # instead of joining the inbound rows back, which made the engine scan and flag them twice.
    inbound = inbound.select("channel", "post_id", "company_id", "conversation_id", "created_at", "account_id",
                             "question", "complaint", "product_feedback", "actionable")
    brand = posts.filter(posts.author_role == "brand").select(
        b_channel=posts.channel, b_conversation=posts.conversation_id, b_company=posts.company_id,
        b_post_id=posts.post_id, b_at=posts.created_at)
    window = ibis.interval(seconds=int(round(config.window_seconds)))
    joined = inbound.left_join(
        brand,
        [inbound.channel == brand.b_channel,
         inbound.conversation_id == brand.b_conversation,
         inbound.company_id == brand.b_company,
         brand.b_at > inbound.created_at,
         brand.b_at <= inbound.created_at + window],
    )
    # The first reply by time, ties (two replies in the same second, e.g. a split reply) broken
    # by the smaller post id: ``argmin(b_at)`` alone picked any of the tied ids, differently
    # from run to run on a parallel backend.  The (time, id) key orders lexicographically.
    out = joined.group_by(inbound.columns).aggregate(
        first_response_at=joined.b_at.min(),
        first_response_id=joined.b_post_id.argmin(ibis.struct({"t": joined.b_at, "id": joined.b_post_id})),
    )
    return out.select(
        "post_id", "channel", company=out.company_id, created_at=out.created_at,
        week=out.created_at.truncate("W"), question=out.question, complaint=out.complaint,
        product_feedback=out.product_feedback, actionable=out.actionable, responded=out.first_response_at.notnull(),
        first_response_id=out.first_response_id, first_response_at=out.first_response_at,
        response_seconds=(out.first_response_at.epoch_seconds() - out.created_at.epoch_seconds()).cast("float64"),
        account_id=out.account_id,
    )


def add_business_seconds(table: pa.Table, calendars: dict[str, BusinessCalendar]) -> pa.Table:
    """Append ``business_seconds``: the response time counted in the company's opening hours.

    Rows are grouped by calendar, not by company: companies sharing hours, time zone and
    holidays share a calendar (see :func:`calendars_for`), which then builds its opening
    intervals once over all their rows.
    """
    n = table.num_rows
    result = np.full(n, np.nan)
    if n:
        encoded = pc.dictionary_encode(table.column("company")).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        start = _epoch(table.column("created_at"))
        end = _epoch(table.column("first_response_at"))
        by_calendar: dict[int, tuple[BusinessCalendar, list[int]]] = {}
        for code, company in enumerate(encoded.dictionary.to_pylist()):
            calendar = calendars.get(company)
            if calendar is not None:
                by_calendar.setdefault(id(calendar), (calendar, []))[1].append(code)
        answered = ~np.isnan(end)
        for calendar, company_codes in by_calendar.values():
            rows = np.flatnonzero(np.isin(codes, company_codes) & answered)
            if len(rows):
                result[rows] = calendar.seconds_between(start[rows], end[rows])
    return table.append_column("business_seconds", pa.array(result, mask=np.isnan(result)))


def _epoch(column: pa.ChunkedArray) -> np.ndarray:
    seconds = pc.divide(pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64()), 1_000_000.0)
    return seconds.to_numpy(zero_copy_only=False).astype(np.float64)


def calendars_for(companies: pa.Table) -> dict[str, BusinessCalendar]:
    """A calendar per company from the ``companies`` table (timezone, hours, holidays).

    Companies with the same time zone, hours and holidays share one calendar object, so its
    opening intervals are built once for all of them.
    """
    shared: dict[tuple, BusinessCalendar] = {}
    out = {}
    for row in companies.select(["company_id", "timezone", "business_hours", "holidays"]).to_pylist():
        key = (row["timezone"], row["business_hours"], row["holidays"])
        if key not in shared:
            shared[key] = BusinessCalendar.from_store(*key)
        out[row["company_id"]] = shared[key]
    return out
