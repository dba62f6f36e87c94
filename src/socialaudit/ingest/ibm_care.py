"""IBM customer-care conversations (Conversational Document Prediction data, EMNLP 2020).

A JSON array of conversations between a consumer and a brand's care account::

    {"dialogHeader": {"company": "AmazonHelp", "sessionID": "...", ...},
     "dialogContent": [{"client": "handle", "datetime": "2020-02-25T17:40:50.000Z",
                        "message": "...", "tweet_ID": "..."}, ...],
     "agentURL": {"tweet_ID": "...", "url_utterance": "...", "url": "...", ...}}

Each turn has one speaker key: ``client`` / ``client1`` (consumers) or ``agent`` (a brand
account).  The brand's final reply (``agentURL``) has no timestamp; its time follows from
its tweet id, a Twitter snowflake.  The data gives no reply links, so each turn is taken
to answer the turn before it; ``sessionID`` is the conversation id, and the posts of a
conversation belong to its ``company`` (a consumer may @-mention another brand first),
except agent turns from another brand's account.
"""

from __future__ import annotations

from typing import Any

from ..model import PostRecord
from .base import JsonPayloadFormat, PayloadResult, RecordError, Where
from .values import numeric_id, optional_object, optional_text, parse_timestamp, require_id, snowflake_time

CHANNEL = "twitter"
SPEAKERS = {"client": "consumer", "client1": "consumer", "agent": "brand"}


class IbmCareFormat(JsonPayloadFormat):
    name = "ibm-care"
    title = "IBM customer-care conversations JSON"
    description = ("JSON array of {dialogHeader, dialogContent[{client|client1|agent, datetime, message, "
                   "tweet_ID}], agentURL} conversations (Ganhotra et al., EMNLP 2020).")
    channel = CHANNEL

    def looks_like(self, value: dict) -> bool:
        return "dialogContent" in value and "dialogHeader" in value

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        try:
            header = optional_object(value.get("dialogHeader"), "dialogHeader")
            company = require_id(header.get("company"), "dialogHeader.company")
            session = require_id(header.get("sessionID"), "dialogHeader.sessionID")
            turns = value.get("dialogContent")
            if not isinstance(turns, list) or not turns:
                raise RecordError("dialogContent is missing or empty")
        except RecordError as exc:
            result.quarantined.append(where.quarantine(str(exc), value))
            return result

        previous: str | None = None
        for index, turn in enumerate(turns):
            at = where.child("dialogContent").child(index)
            try:
                post = _turn(turn, previous, session, company, at)
            except RecordError as exc:
                result.quarantined.append(at.quarantine(str(exc), turn))
                continue
            result.posts.append(post)
            previous = post.post_id

        final = value.get("agentURL")
        if final is not None:
            at = where.child("agentURL")
            try:
                if not isinstance(final, dict):
                    raise RecordError("agentURL is not an object")
                tweet_id = numeric_id(str(final.get("tweet_ID") or ""), "agentURL.tweet_ID")
                result.posts.append(PostRecord(
                    channel=CHANNEL, post_id=tweet_id, created_at=snowflake_time(tweet_id),
                    account_id=company, handle=company, role_hint="brand", kind="reply",
                    text=optional_text(final.get("url_utterance"), "agentURL.url_utterance"),
                    parent_id=previous, conversation_id=session, company=company,
                    url=f"https://twitter.com/{company}/status/{tweet_id}", media_type="link",
                    line=at.line, item=at.path))
            except RecordError as exc:
                result.quarantined.append(at.quarantine(str(exc), final))
        return result


def _turn(turn: Any, previous: str | None, session: str, company: str, where: Where) -> PostRecord:
    if not isinstance(turn, dict):
        raise RecordError("turn is not an object")
    speakers = [k for k in SPEAKERS if k in turn]
    if len(speakers) != 1:
        raise RecordError(f"a turn needs exactly one speaker key (client, client1 or agent), found {len(speakers)}")
    key = speakers[0]
    role = SPEAKERS[key]
    handle = require_id(turn.get(key), key)
    tweet_id = numeric_id(str(turn.get("tweet_ID") or ""), "tweet_ID")
    return PostRecord(
        channel=CHANNEL,
        post_id=tweet_id,
        created_at=parse_timestamp(turn.get("datetime"), "datetime"),
        account_id=handle,
        handle=handle,
        role_hint=role,
        kind="reply" if previous else ("mention" if role == "consumer" else "post"),
        text=optional_text(turn.get("message"), "message"),
        parent_id=previous,
        conversation_id=session,
        # an agent turn from another brand's account belongs to that brand, not to this one
        company=company if role == "consumer" or handle.lower() == company.lower() else None,
        url=f"https://twitter.com/{handle}/status/{tweet_id}",
        line=where.line,
        item=where.path,
    )
