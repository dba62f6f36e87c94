"""YouTube Data API v3 payloads: a channel's videos and the comments on them.

Pages read: ``videos.list`` (``{"kind": "youtube#videoListResponse", "items": [video]}``),
``commentThreads.list`` (``youtube#commentThreadListResponse``: each thread holds its
``snippet.topLevelComment`` and, with ``part=replies``, some of its replies under
``replies.comments``) and ``comments.list`` with ``parentId`` (``youtube#commentListResponse``:
the replies to one top-level comment).  Files may also hold bare ``youtube#video``,
``youtube#commentThread`` or ``youtube#comment`` items, one per line.

Mapping: a video is a post of its channel, which is the brand being audited (the channel's
own uploads are what a company publishes); a top-level comment is a ``comment`` on the
video (parent and conversation = the video id); a reply is a ``reply`` to the top-level
comment (``snippet.parentId``), in the video's conversation.  A comment counts as the
brand's when its author channel (``authorChannelId.value``) is the channel the comments
belong to (``snippet.channelId``): the channel answering on its own video.

Fields read, per video: ``id, snippet.{publishedAt, channelId, channelTitle, title,
description, defaultLanguage}, statistics.{viewCount, likeCount, commentCount}`` (counts
are numeric strings); per comment: ``id, snippet.{authorDisplayName, authorChannelId.value,
channelId, videoId, parentId, textOriginal (else textDisplay), likeCount, publishedAt}``;
per thread: ``snippet.{channelId, videoId, totalReplyCount}``.  A thread's ``replies`` is a
sample, not all replies: fetch the rest with ``comments.list?parentId=...``.
References: https://developers.google.com/youtube/v3/docs/videos,
https://developers.google.com/youtube/v3/docs/commentThreads,
https://developers.google.com/youtube/v3/docs/comments
"""

from __future__ import annotations

from typing import Any

from ..model import AccountRecord, PostRecord
from .base import JsonPayloadFormat, PayloadResult, RecordError, Where, parse_items, parse_one
from .values import optional_count, optional_id, optional_object, optional_text, parse_timestamp, require_id

CHANNEL = "youtube"
WATCH_URL = "https://www.youtube.com/watch?v="

_PAGE_KINDS = {
    "youtube#videoListResponse": "youtube#video",
    "youtube#commentThreadListResponse": "youtube#commentThread",
    "youtube#commentListResponse": "youtube#comment",
}
_ITEM_KINDS = frozenset(_PAGE_KINDS.values())


class YouTubeFormat(JsonPayloadFormat):
    name = "youtube"
    title = "YouTube Data API v3 payloads"
    description = ("Pages from the YouTube Data API v3 (videos.list, commentThreads.list, comments.list) "
                   "or bare video/commentThread/comment items; JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "items.item"

    def looks_like(self, value: dict) -> bool:
        kind = value.get("kind")
        if kind in _PAGE_KINDS or kind in _ITEM_KINDS:
            return True
        # A page saved with a ``fields`` filter that dropped its own ``kind``.
        items = value.get("items")
        return kind is None and isinstance(items, list) and any(
            isinstance(i, dict) and i.get("kind") in _ITEM_KINDS for i in items[:5])

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        if value.get("kind") in _ITEM_KINDS:
            parse_one(_parse_item, value, where, result)
            return result
        parse_items(value.get("items"), where.child("items"), _parse_item, result)
        return result


def _parse_item(item: Any, where: Where, out: PayloadResult) -> None:
    """One element of ``items``: dispatch on its ``kind``."""
    if not isinstance(item, dict):
        raise RecordError(f"expected a YouTube item object, found {type(item).__name__}")
    kind = item.get("kind")
    if kind == "youtube#video":
        _video(item, where, out)
    elif kind == "youtube#commentThread":
        _thread(item, where, out)
    elif kind == "youtube#comment":
        _comment(item, where, out, video_id=None, channel_id=None)
    else:
        raise RecordError(f"unsupported item kind {kind!r} (expected one of {', '.join(sorted(_ITEM_KINDS))})")


def _video(video: dict, where: Where, out: PayloadResult) -> None:
    video_id = require_id(video.get("id"), "id")
    snippet = optional_object(video.get("snippet"), "snippet")
    stats = optional_object(video.get("statistics"), "statistics")
    channel_id = optional_id(snippet.get("channelId"), "snippet.channelId")
    channel_title = optional_text(snippet.get("channelTitle"), "snippet.channelTitle")
    parts = [t for t in (optional_text(snippet.get("title"), "snippet.title"),
                         optional_text(snippet.get("description"), "snippet.description")) if t]
    out.posts.append(PostRecord(
        channel=CHANNEL,
        post_id=video_id,
        created_at=parse_timestamp(snippet.get("publishedAt"), "snippet.publishedAt"),
        account_id=channel_id,
        role_hint="brand",
        kind="post",
        text="\n\n".join(parts) if parts else None,
        conversation_id=video_id,
        likes=optional_count(stats.get("likeCount"), "statistics.likeCount"),
        comments=optional_count(stats.get("commentCount"), "statistics.commentCount"),
        views=optional_count(stats.get("viewCount"), "statistics.viewCount"),
        url=WATCH_URL + video_id,
        media_type="video",
        lang=optional_text(snippet.get("defaultLanguage"), "snippet.defaultLanguage"),
        line=where.line,
        item=where.path,
    ))
    if channel_id is not None:
        out.accounts.append(AccountRecord(CHANNEL, channel_id, display_name=channel_title, role_hint="brand"))


def _thread(thread: dict, where: Where, out: PayloadResult) -> None:
    """A top-level comment and the replies the thread carries; each is read on its own."""
    snippet = optional_object(thread.get("snippet"), "snippet")
    video_id = optional_id(snippet.get("videoId"), "snippet.videoId")
    channel_id = optional_id(snippet.get("channelId"), "snippet.channelId")
    top = snippet.get("topLevelComment")
    if top is None:
        raise RecordError("missing snippet.topLevelComment")
    replies = optional_count(snippet.get("totalReplyCount"), "snippet.totalReplyCount")
    parse_one(lambda c, at, o: _comment(c, at, o, video_id, channel_id, replies),
             top, where.child("snippet").child("topLevelComment"), out)
    sample = thread.get("replies")
    if sample is not None and not isinstance(sample, dict):  # the top-level comment is kept
        out.quarantined.append(where.child("replies").quarantine(
            f"expected an object in replies, found {type(sample).__name__}", sample))
        return
    parse_items((sample or {}).get("comments"), where.child("replies").child("comments"),
                lambda c, at, o: _comment(c, at, o, video_id, channel_id), out)


def _comment(comment: Any, where: Where, out: PayloadResult, video_id: str | None, channel_id: str | None,
             replies: int | None = None) -> None:
    """A top-level comment (no ``parentId``) or a reply; the thread fills in what it lacks."""
    if not isinstance(comment, dict):
        raise RecordError(f"expected a comment object, found {type(comment).__name__}")
    comment_id = require_id(comment.get("id"), "id")
    snippet = optional_object(comment.get("snippet"), "snippet")
    video_id = optional_id(snippet.get("videoId"), "snippet.videoId") or video_id
    channel_id = optional_id(snippet.get("channelId"), "snippet.channelId") or channel_id
    parent = optional_id(snippet.get("parentId"), "snippet.parentId")
    author = optional_id(optional_object(snippet.get("authorChannelId"), "snippet.authorChannelId").get("value"),
                         "snippet.authorChannelId.value")
    role = "brand" if author is not None and author == channel_id else None
    text = optional_text(snippet.get("textOriginal"), "snippet.textOriginal")
    if text is None:
        text = optional_text(snippet.get("textDisplay"), "snippet.textDisplay")
    name = optional_text(snippet.get("authorDisplayName"), "snippet.authorDisplayName")
    out.posts.append(PostRecord(
        channel=CHANNEL,
        post_id=comment_id,
        created_at=parse_timestamp(snippet.get("publishedAt"), "snippet.publishedAt"),
        account_id=author,
        role_hint=role,
        kind="reply" if parent else "comment",
        text=text,
        parent_id=parent or video_id,
        conversation_id=video_id,
        likes=optional_count(snippet.get("likeCount"), "snippet.likeCount"),
        comments=replies,
        url=f"{WATCH_URL}{video_id}&lc={comment_id}" if video_id else None,
        media_type="text",
        line=where.line,
        item=where.path,
    ))
    if author is not None:
        out.accounts.append(AccountRecord(CHANNEL, author, display_name=name, role_hint=role))
