"""Facebook Graph API page posts and their comments.

Payloads read (JSON, JSON array or one per line):

* a page of posts from ``GET /{page-id}/posts`` (or ``/feed``, ``/published_posts``):
  ``{"data": [post, ...], "paging": {"cursors": {...}, "next": ...}}``;
* a Page object with such an edge, ``GET /{page-id}?fields=name,posts{...}``:
  ``{"id", "name", "username", "followers_count", "posts"|"feed"|"published_posts": {"data": [...]}}``;
* a bare post (``GET /{post-id}``) or a bare comment;
* a page of comments from ``GET /{object-id}/comments``: ``{"data": [comment, ...], "paging": ...}``.

Fields read, per post: ``id`` (``{page-id}_{post-id}``), ``created_time``, ``message``,
``from{id,name}``, ``permalink_url``, ``shares.count``, ``reactions.summary.total_count``
(else ``likes.summary.total_count``), ``comments.summary.total_count``,
``attachments.data[0].media_type`` (else ``type``), ``status_type`` and the ``comments``
edge; per comment: ``id`` (``{post-id}_{comment-id}``), ``created_time``, ``message``,
``from{id,name}``, ``like_count``, ``comment_count``, ``parent.id``, ``permalink_url``,
``attachment.media_type`` and the ``comments`` edge (its replies).

Who wrote what: a post's id starts with the id of the Page whose feed holds it, so a post
whose ``from.id`` is that Page is the brand's and any other (a visitor post in ``/feed``) is
a consumer's.  A post without ``from`` (not requested, or withheld since 2018 without a Page
token) is attributed to that Page.  A comment by the Page is the brand's; every other
comment is left to the registry (``role_hint`` None), and a comment without ``from`` has no
author.  In a comments page read on its own the post is unknown, so top-level comments
have no parent and no role hint.  Items of a top-level ``data`` list are comments if they
carry a comment-only field (``like_count``, ``comment_count``, ``parent``, ...), else posts.

References: https://developers.facebook.com/docs/graph-api/reference/page/feed,
https://developers.facebook.com/docs/graph-api/reference/post,
https://developers.facebook.com/docs/graph-api/reference/comment,
https://developers.facebook.com/docs/graph-api/reference/object/comments
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import AccountRecord, PostRecord
from .base import ItemParser, JsonPayloadFormat, PayloadResult, RecordError, Where, parse_items, parse_one
from .values import optional_count, optional_id, parse_timestamp, require_id

CHANNEL = "facebook"
#: StoryAttachment ``media_type`` (and ``type`` when media_type is absent) -> canonical media type.
_MEDIA_TYPES = {
    "photo": "image", "cover_photo": "image", "profile_media": "image",
    "video": "video", "video_inline": "video", "video_autoplay": "video",
    "album": "carousel", "link": "link", "share": "link",
}
_STATUS_TYPES = {"added_photos": "image", "added_video": "video"}
#: Fields only a Comment has; a ``data`` item with one of them is read as a comment.
_COMMENT_FIELDS = frozenset({
    "parent", "like_count", "comment_count", "attachment", "can_comment", "can_remove",
    "can_hide", "can_like", "can_reply_privately", "is_hidden", "is_private", "user_likes",
    "object", "private_reply_conversation",
})
#: Fields only a Post has; they overrule the list above.
_POST_FIELDS = frozenset({
    "status_type", "story", "shares", "attachments", "full_picture", "is_published",
    "updated_time", "privacy", "sharedposts",
})
_PAGE_EDGES = ("posts", "feed", "published_posts")
_PAGE_POST_ID = re.compile(r"([0-9]+)_[0-9A-Za-z]+")
_LOOK_AHEAD = 20  # items of a page inspected to recognise it



def _is_item(value: Any) -> bool:
    """A Graph object with ``created_time`` (posts, comments); Instagram uses ``timestamp``."""
    return isinstance(value, dict) and "created_time" in value and "timestamp" not in value


def _is_comment(value: dict) -> bool:
    """Posts and comments share id, message, created_time and from; these fields tell them apart."""
    return _POST_FIELDS.isdisjoint(value) and not _COMMENT_FIELDS.isdisjoint(value)


def _is_empty_page(value: dict) -> bool:
    return value.get("data") == [] and set(value) <= {"data", "paging", "summary"}


def _page_edge(value: dict) -> str | None:
    """The posts edge of a Page object (``posts``, ``feed``...), if it holds Facebook posts."""
    for edge in _PAGE_EDGES:
        data = value.get(edge)
        data = data.get("data") if isinstance(data, dict) else None
        if isinstance(data, list) and (not data or any(_is_item(v) for v in data[:_LOOK_AHEAD])):
            return edge
    return None


@dataclass(frozen=True, slots=True)
class _Thread:
    """What a comment inherits from its post (``post_id`` is None in a comments page read alone)."""

    post_id: str | None
    page_id: str | None


class FacebookFormat(JsonPayloadFormat):
    name = "facebook"
    title = "Facebook Graph API page posts"
    description = ("Pages of posts from the Facebook Graph API (/{page-id}/posts or /feed, with nested "
                   "comments and replies), a Page object with its posts, bare posts, or comment pages; "
                   "JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "data.item"

    def claims(self, value: dict) -> bool:
        # An empty page ({"data": []}) is a valid payload but could be any Graph API edge.
        return not _is_empty_page(value)

    def looks_like(self, value: dict) -> bool:
        data = value.get("data")
        if isinstance(data, list):
            return any(_is_item(v) for v in data[:_LOOK_AHEAD]) or _is_empty_page(value)
        return _is_item(value) or _page_edge(value) is not None

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        authors: dict[str, AccountRecord] = {}
        data = value.get("data")
        edge = None if isinstance(data, list) else _page_edge(value)
        if isinstance(data, list):
            parse_items(data, where.child("data"), _item_parser(authors, None), result)
        elif edge is not None:
            try:
                page = _page(value)
            except RecordError as exc:
                result.quarantined.append(where.quarantine(str(exc), value))
                return result
            authors[page.account_id] = page
            parse_items(value[edge].get("data"), where.child(edge).child("data"),
                        _item_parser(authors, page.account_id), result)
        else:
            parse_one(_item_parser(authors, None), value, where, result)
        result.accounts.extend(authors.values())
        return result


def _item_parser(authors: dict[str, AccountRecord], page_id: str | None) -> ItemParser:
    """``parse_item`` for a ``data`` list: posts, or comments when the page is a comments page."""

    def parse_item(item: Any, at: Where, out: PayloadResult) -> None:
        if isinstance(item, dict) and _is_comment(item):
            _read_comment(item, at, out, authors, _Thread(None, page_id), None, False)
        else:
            _read_post(item, at, out, authors, page_id)

    return parse_item



def _read_post(item: Any, where: Where, out: PayloadResult, authors: dict[str, AccountRecord],
               page_hint: str | None) -> None:
    post, page_id = _post(item, where, page_hint)
    out.posts.append(post)
    _remember(authors, item, page_id)
    thread = _Thread(post.post_id, page_id)

    def parse_comment(comment: Any, at: Where, sink: PayloadResult) -> None:
        _read_comment(comment, at, sink, authors, thread, post.post_id, False)

    parse_items(*_edge(item, "comments", where), parse_comment, out)


def _read_comment(item: Any, where: Where, out: PayloadResult, authors: dict[str, AccountRecord],
                  thread: _Thread, parent: str | None, under_comment: bool) -> None:
    comment = _comment(item, where, thread, parent, under_comment)
    out.posts.append(comment)
    _remember(authors, item, thread.page_id)

    def parse_reply(reply: Any, at: Where, sink: PayloadResult) -> None:
        _read_comment(reply, at, sink, authors, thread, comment.post_id, True)

    parse_items(*_edge(item, "comments", where), parse_reply, out)


def _edge(item: dict, key: str, where: Where) -> tuple[Any, Where]:
    """The items of an edge (``{"data": [...], "paging": ...}``) and their location."""
    edge = item.get(key)
    if isinstance(edge, dict):
        return edge.get("data"), where.child(key).child("data")
    return edge, where.child(key)


def _post(item: Any, where: Where, page_hint: str | None) -> tuple[PostRecord, str | None]:
    if not isinstance(item, dict):
        raise RecordError(f"expected a post object, found {type(item).__name__}")
    post_id = require_id(item.get("id"), "id")
    author = _author(item)
    prefix = _PAGE_POST_ID.fullmatch(post_id)
    page_id = page_hint or (prefix.group(1) if prefix else None) or author
    if author is None:
        author = page_id  # the Page's own posts come without `from` unless it was requested
    return PostRecord(
        channel=CHANNEL,
        post_id=post_id,
        created_at=parse_timestamp(item.get("created_time"), "created_time"),
        account_id=author,
        role_hint="brand" if author is None or author == page_id else "consumer",
        kind="post",
        text=item.get("message"),
        conversation_id=post_id,
        likes=_reactions(item),
        shares=optional_count(_obj(item.get("shares")).get("count"), "shares.count"),
        comments=_total(item, "comments"),
        url=item.get("permalink_url"),
        media_type=_media_type(item),
        line=where.line,
        item=where.path,
    ), page_id


def _comment(item: Any, where: Where, thread: _Thread, parent: str | None, under_comment: bool) -> PostRecord:
    if not isinstance(item, dict):
        raise RecordError(f"expected a comment object, found {type(item).__name__}")
    comment_id = require_id(item.get("id"), "id")
    author = _author(item)
    replied_to = optional_id(_obj(item.get("parent")).get("id"), "parent.id")
    is_reply = replied_to is not None or under_comment
    likes = optional_count(item.get("like_count"), "like_count")
    attachment = _obj(item.get("attachment"))
    return PostRecord(
        channel=CHANNEL,
        post_id=comment_id,
        created_at=parse_timestamp(item.get("created_time"), "created_time"),
        account_id=author,
        role_hint="brand" if author is not None and author == thread.page_id else None,
        kind="reply" if is_reply else "comment",
        text=item.get("message"),
        parent_id=replied_to or parent,
        conversation_id=thread.post_id,
        likes=likes if likes is not None else _reactions(item),
        comments=optional_count(item.get("comment_count"), "comment_count"),
        url=item.get("permalink_url"),
        media_type=_attachment_type(attachment) if attachment else "text",
        line=where.line,
        item=where.path,
    )


def _page(value: dict) -> AccountRecord:
    """The Page object around a posts edge: the brand, with its audience size."""
    followers = value.get("followers_count")
    return AccountRecord(
        channel=CHANNEL,
        account_id=require_id(value.get("id"), "id"),
        handle=value.get("username"),
        display_name=value.get("name"),
        followers=optional_count(followers if followers is not None else value.get("fan_count"),
                                 "followers_count"),
        role_hint="brand",
    )


def _author(item: dict) -> str | None:
    author = item.get("from")
    if author is None:
        return None
    if not isinstance(author, dict):
        raise RecordError(f"expected an object in from, found {type(author).__name__}")
    return optional_id(author.get("id"), "from.id")


def _remember(authors: dict[str, AccountRecord], item: dict, page_id: str | None) -> None:
    """Keep one account per author id; ``from.name`` is a display name, never a handle."""
    author_id = _author(item)
    if author_id is None:
        return
    known = authors.setdefault(author_id, AccountRecord(channel=CHANNEL, account_id=author_id))
    if known.display_name is None:
        known.display_name = item["from"].get("name")
    if author_id == page_id:
        known.role_hint = "brand"


def _reactions(item: dict) -> int | None:
    """All reactions if counted, else likes (crawls from before the 2016 reactions edge)."""
    total = _total(item, "reactions")
    return total if total is not None else _total(item, "likes")


def _total(item: dict, edge: str) -> int | None:
    """``{edge}.summary.total_count``, present when the edge was requested with ``summary(true)``."""
    summary = _obj(_obj(item.get(edge)).get("summary"))
    return optional_count(summary.get("total_count"), f"{edge}.summary.total_count")


def _media_type(post: dict) -> str:
    attachments = _obj(post.get("attachments")).get("data")
    if isinstance(attachments, list) and attachments and isinstance(attachments[0], dict):
        return _attachment_type(attachments[0])
    return _STATUS_TYPES.get(post.get("status_type"), "text")  # type: ignore[arg-type]


def _attachment_type(attachment: dict) -> str:
    kind = attachment.get("media_type") or attachment.get("type")
    return _MEDIA_TYPES.get(kind, "other") if isinstance(kind, str) else "other"


def _obj(value: Any) -> dict:
    """``value`` if it is a JSON object, else empty: optional sub-objects never raise."""
    return value if isinstance(value, dict) else {}
