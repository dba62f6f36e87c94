"""X (Twitter) API v2 tweet payloads.

A page is ``{"data": [tweet, ...], "includes": {"users": [...], "tweets": [...],
"media": [...]}, "meta": {...}}`` as returned by search, timelines and lookups
(``data`` is one object for a single-tweet lookup).  Tweets in ``includes.tweets`` (the
tweets that ``data`` replies to, quotes or retweets) are read as posts too: they are often
the brand tweets a consumer answers, and threads need them.  Files may also hold bare
tweet objects, one per line.

Fields read, per tweet: ``id, text (note_tweet.text for long posts, whose text is cut),
author_id, created_at, conversation_id, lang, referenced_tweets[type=replied_to|quoted|
retweeted], public_metrics, entities.mentions, entities.urls, attachments.media_keys``; per
user: ``id, username, name, verified, public_metrics.followers_count``.
Reference: https://docs.x.com/x-api/fundamentals/data-dictionary
"""

from __future__ import annotations

from typing import Any

from ..model import AccountRecord, PostRecord
from .base import (
    JsonPayloadFormat,
    PayloadResult,
    RecordError,
    Where,
    parse_items,
    parse_one,
)
from .values import (optional_bool, optional_count, optional_id, optional_object, optional_text, parse_timestamp, require_id, snowflake_time)

CHANNEL = "twitter"
_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "video"}


#: Fields of the generic JSON Lines layout that no X tweet has: an object with one of these
#: is a generic post (which also has id, text and created_at), not a bare tweet.
_GENERIC_FIELDS = frozenset({"channel", "author", "parent_id", "company", "author_role", "kind"})


def _is_tweet(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "text" in value and (
        "author_id" in value or "edit_history_tweet_ids" in value or "conversation_id" in value
        or "created_at" in value)


def _list(value: Any, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"expected a list in {name}, found {type(value).__name__}")
    return value


class XV2Format(JsonPayloadFormat):
    name = "x-v2"
    title = "X API v2 tweet payloads"
    description = ("Pages from the X (Twitter) API v2 ({data, includes, meta}) or bare tweet objects; "
                   "JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "data.item"

    def claims(self, value: dict) -> bool:
        # A generic JSON Lines post (id, text, created_at, channel...) is not a bare tweet.
        return "data" in value or not _GENERIC_FIELDS & value.keys()

    def looks_like(self, value: dict) -> bool:
        data = value.get("data")
        meta = value.get("meta")
        empty_page = isinstance(meta, dict) and "result_count" in meta
        if isinstance(data, list):
            return any(_is_tweet(t) for t in data) or (not data and empty_page)
        if isinstance(data, dict):
            return _is_tweet(data)
        if "data" not in value and empty_page:
            return True  # an empty page
        return _is_tweet(value)

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        bare = "data" not in value and _is_tweet(value)
        includes: Any = {} if bare else value.get("includes")
        inc = where.child("includes")
        if includes is not None and not isinstance(includes, dict):
            result.quarantined.append(inc.quarantine(
                f"expected an object in includes, found {type(includes).__name__}", includes))
            includes = None
        includes = includes or {}
        users = {str(u.get("id")): u for u in _objects(includes.get("users"))}
        media = {m.get("media_key"): m for m in _objects(includes.get("media")) if isinstance(m.get("media_key"), str)}

        def parse_tweet(tweet: Any, at: Where, out: PayloadResult) -> None:
            out.posts.append(_tweet(tweet, users, media, at))

        def parse_user(user: Any, at: Where, out: PayloadResult) -> None:
            out.accounts.append(_user(user))

        if bare:
            parse_one(parse_tweet, value, where, result)
            return result
        data = value.get("data")
        if isinstance(data, dict):  # a single-tweet lookup
            parse_one(parse_tweet, data, where.child("data"), result)
        else:
            parse_items(data, where.child("data"), parse_tweet, result)
        parse_items(includes.get("tweets"), inc.child("tweets"), parse_tweet, result)
        parse_items(includes.get("users"), inc.child("users"), parse_user, result)
        return result


def _objects(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _tweet(tweet: Any, users: dict, media: dict, where: Where) -> PostRecord:
    if not isinstance(tweet, dict):
        raise RecordError(f"expected a tweet object, found {type(tweet).__name__}")
    post_id = require_id(tweet.get("id"), "id")
    author = optional_id(tweet.get("author_id"), "author_id")
    user = users.get(author) or {}
    handle = optional_text(user.get("username"), "includes.users.username")
    parent = ref = None
    kind = "post"
    for reference in _list(tweet.get("referenced_tweets"), "referenced_tweets"):
        reference = optional_object(reference, "referenced_tweets[]")
        rtype, rid = reference.get("type"), optional_id(reference.get("id"), "referenced_tweets.id")
        if rtype == "replied_to":
            parent, kind = rid, "reply"
        elif rtype == "quoted":
            ref = rid  # a reply that quotes stays a reply, but keeps what it quotes
            kind = "quote" if kind == "post" else kind
        elif rtype == "retweeted":
            ref, kind = rid, "share"
    entities = optional_object(tweet.get("entities"), "entities")
    mentions = [optional_object(m, "entities.mentions[]") for m in _list(entities.get("mentions"), "entities.mentions")]
    if kind == "post" and any(m.get("id") != author for m in mentions):
        kind = "mention"
    metrics = optional_object(tweet.get("public_metrics"), "public_metrics")
    shares = None
    if "retweet_count" in metrics or "quote_count" in metrics:
        shares = (optional_count(metrics.get("retweet_count"), "public_metrics.retweet_count") or 0) + (
            optional_count(metrics.get("quote_count"), "public_metrics.quote_count") or 0)
    attachments = optional_object(tweet.get("attachments"), "attachments")
    keys = _list(attachments.get("media_keys"), "attachments.media_keys")
    types = [_MEDIA_TYPES.get(((media.get(k) if isinstance(k, str) else None) or {}).get("type"), "other")
             for k in keys]
    if len(types) > 1:
        media_type = "carousel"
    elif types:
        media_type = types[0]
    elif entities.get("urls"):
        media_type = "link"
    else:
        media_type = "text"
    text = optional_text(tweet.get("text"), "text")
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        text = note["text"]  # a long post: "text" holds only its first 280 characters
    return PostRecord(
        channel=CHANNEL,
        post_id=post_id,
        created_at=(parse_timestamp(tweet["created_at"], "created_at") if tweet.get("created_at") is not None
                    else snowflake_time(post_id)),  # tweets requested without the created_at field
        account_id=author,
        handle=handle,
        kind=kind,
        text=text,
        parent_id=parent,
        ref_id=ref,
        conversation_id=optional_id(tweet.get("conversation_id"), "conversation_id"),
        likes=optional_count(metrics.get("like_count"), "public_metrics.like_count"),
        shares=shares,
        comments=optional_count(metrics.get("reply_count"), "public_metrics.reply_count"),
        views=optional_count(metrics.get("impression_count"), "public_metrics.impression_count"),
        url=f"https://x.com/{handle or 'i/web'}/status/{post_id}",
        media_type=media_type,
        lang=optional_text(tweet.get("lang"), "lang"),
        line=where.line,
        item=where.path,
    )


def _user(user: Any) -> AccountRecord:
    if not isinstance(user, dict):
        raise RecordError(f"expected a user object, found {type(user).__name__}")
    metrics = optional_object(user.get("public_metrics"), "public_metrics")
    return AccountRecord(
        channel=CHANNEL,
        account_id=require_id(user.get("id"), "id"),
        handle=optional_text(user.get("username"), "username"),
        display_name=optional_text(user.get("name"), "name"),
        followers=optional_count(metrics.get("followers_count"), "public_metrics.followers_count"),
        verified=optional_bool(user.get("verified"), "verified"),
    )
