"""Instagram Graph API media and their comments.

Payloads read (JSON, JSON array or one per line):

* a page of media from ``GET /{ig-user-id}/media``: ``{"data": [media, ...], "paging": {...}}``;
* the account with its media, ``GET /{ig-user-id}?fields=username,followers_count,media{...}``:
  ``{"id", "username", "followers_count", "media_count", "media": {"data": [...]}}``, also
  wrapped as ``{"business_discovery": {...}, "id"}`` (another business's account, read
  through ``business_discovery.username(...)``);
* a bare media object (``GET /{ig-media-id}``) or a bare comment;
* a page of comments from ``GET /{ig-media-id}/comments`` or ``/{ig-comment-id}/replies``.

Fields read, per media: ``id, timestamp, caption, media_type, username, owner.id,
like_count, comments_count, permalink`` and the ``comments`` edge; per comment: ``id,
timestamp, text, username, from{id,username}, user.id, like_count, parent_id, media.id``
and the ``replies`` edge; per account: ``id, username, name, followers_count``.

Media are the brand's (the API only returns media of professional accounts that the app
user manages or discovers).  A comment is the brand's if its ``username`` is the media's,
or if it carries ``user`` (returned only when the app user wrote the comment); its account
is ``user.id``, else ``from.id`` (an Instagram-scoped id), else the username.  A comment
read without its media (a comments page) has the media as parent only if ``media.id`` was
requested.  Items of a top-level ``data`` list are comments if they carry a comment-only
field (``text``, ``parent_id``, ``replies``...) and no media-only field.

References: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/business_discovery
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import AccountRecord, PostRecord
from .base import ItemParser, JsonPayloadFormat, PayloadResult, RecordError, Where, parse_items, parse_one
from .values import optional_count, optional_id, parse_timestamp, require_id

CHANNEL = "instagram"
_MEDIA_TYPES = {"IMAGE": "image", "VIDEO": "video", "REELS": "video", "CAROUSEL_ALBUM": "carousel"}
_MEDIA_FIELDS = frozenset({
    "caption", "media_type", "media_product_type", "media_url", "permalink", "shortcode",
    "thumbnail_url", "comments_count", "children", "owner", "is_comment_enabled",
    "is_shared_to_feed", "legacy_instagram_media_id",
})
_COMMENT_FIELDS = frozenset({"text", "hidden", "parent_id", "replies", "from", "media", "user",
                             "legacy_instagram_comment_id"})
_ACCOUNT_FIELDS = frozenset({"media_count", "follows_count", "ig_id"})
_LOOK_AHEAD = 20  # items of a page inspected to recognise it



def _is_media(value: Any) -> bool:
    return (isinstance(value, dict) and "timestamp" in value and "created_time" not in value
            and not _MEDIA_FIELDS.isdisjoint(value))


def _is_comment(value: Any) -> bool:
    return (isinstance(value, dict) and "timestamp" in value and "created_time" not in value
            and _MEDIA_FIELDS.isdisjoint(value) and not _COMMENT_FIELDS.isdisjoint(value))


def _is_empty_page(value: dict) -> bool:
    return value.get("data") == [] and set(value) <= {"data", "paging"}


def _account_object(value: dict) -> dict | None:
    """The IG User in a payload (itself, or its ``business_discovery``), if it is one."""
    if isinstance(value.get("business_discovery"), dict):
        return value["business_discovery"]
    account = value
    media = account.get("media")
    data = media.get("data") if isinstance(media, dict) else None
    if isinstance(data, list) and (not data or any(_is_media(v) for v in data[:_LOOK_AHEAD])):
        return account
    return account if not _ACCOUNT_FIELDS.isdisjoint(account) else None


@dataclass(frozen=True, slots=True)
class _Owner:
    """The account whose media a payload holds, when the payload names it."""

    account_id: str | None
    username: str | None


@dataclass(frozen=True, slots=True)
class _Thread:
    """What a comment inherits from its media (all None in a bare comments page)."""

    media_id: str | None
    username: str | None


class InstagramFormat(JsonPayloadFormat):
    name = "instagram"
    title = "Instagram Graph API media"
    description = ("Pages of media from the Instagram Graph API (/{ig-user-id}/media, with nested comments "
                   "and replies), the account object with its media (also via business_discovery), bare "
                   "media, or comment pages; JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "data.item"

    def claims(self, value: dict) -> bool:
        # An empty page ({"data": []}) is a valid payload but could be any Graph API edge.
        return not _is_empty_page(value)

    def looks_like(self, value: dict) -> bool:
        data = value.get("data")
        if isinstance(data, list):
            return (any(_is_media(v) or _is_comment(v) for v in data[:_LOOK_AHEAD])
                    or _is_empty_page(value))
        return _is_media(value) or _is_comment(value) or _account_object(value) is not None

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        owners: dict[str, AccountRecord] = {}
        data = value.get("data")
        bare = _is_media(value) or _is_comment(value)  # checked first: ig_id is no proof of an account
        account = None if isinstance(data, list) or bare else _account_object(value)
        if isinstance(data, list):
            parse_items(data, where.child("data"), _item_parser(owners, _Owner(None, None)), result)
        elif account is not None:
            at = where.child("business_discovery") if account is not value else where
            try:
                brand = _account(account)
            except RecordError as exc:
                result.quarantined.append(at.quarantine(str(exc), account))
                return result
            owners[brand.account_id] = brand
            owner = _Owner(brand.account_id, brand.handle)
            parse_items(*_edge(account, "media", at), _item_parser(owners, owner), result)
        else:
            parse_one(_item_parser(owners, _Owner(None, None)), value, where, result)
        result.accounts.extend(owners.values())
        return result


def _item_parser(owners: dict[str, AccountRecord], owner: _Owner) -> ItemParser:
    """``parse_item`` for a ``data`` list: media, or comments when the page is a comments page."""

    def parse_item(item: Any, at: Where, out: PayloadResult) -> None:
        if _is_comment(item):
            _read_comment(item, at, out, _Thread(None, None), None, False)
        else:
            _read_media(item, at, out, owners, owner)

    return parse_item



def _read_media(item: Any, where: Where, out: PayloadResult, owners: dict[str, AccountRecord],
                owner: _Owner) -> None:
    media = _media(item, where, owner)
    out.posts.append(media)
    if media.account_id is not None and media.account_id not in owners:
        owners[media.account_id] = AccountRecord(channel=CHANNEL, account_id=media.account_id,
                                                 handle=media.handle, role_hint="brand")
    thread = _Thread(media.post_id, media.handle)

    def parse_comment(comment: Any, at: Where, sink: PayloadResult) -> None:
        _read_comment(comment, at, sink, thread, media.post_id, False)

    parse_items(*_edge(item, "comments", where), parse_comment, out)


def _read_comment(item: Any, where: Where, out: PayloadResult, thread: _Thread, parent: str | None,
                  under_comment: bool) -> None:
    comment = _comment(item, where, thread, parent, under_comment)
    out.posts.append(comment)

    def parse_reply(reply: Any, at: Where, sink: PayloadResult) -> None:
        _read_comment(reply, at, sink, thread, comment.post_id, True)

    parse_items(*_edge(item, "replies", where), parse_reply, out)


def _edge(item: dict, key: str, where: Where) -> tuple[Any, Where]:
    """The items of an edge (``{"data": [...], "paging": ...}``) and their location."""
    edge = item.get(key)
    if isinstance(edge, dict):
        return edge.get("data"), where.child(key).child("data")
    return edge, where.child(key)


def _media(item: Any, where: Where, owner: _Owner) -> PostRecord:
    if not isinstance(item, dict):
        raise RecordError(f"expected a media object, found {type(item).__name__}")
    media_id = require_id(item.get("id"), "id")
    username = item.get("username") or owner.username
    account = optional_id(_object(item, "owner").get("id"), "owner.id") or owner.account_id or username
    kind = item.get("media_type")
    return PostRecord(
        channel=CHANNEL,
        post_id=media_id,
        created_at=parse_timestamp(item.get("timestamp"), "timestamp"),
        account_id=account,
        handle=username,
        role_hint="brand",
        kind="post",
        text=item.get("caption"),
        conversation_id=media_id,
        likes=optional_count(item.get("like_count"), "like_count"),
        comments=optional_count(item.get("comments_count"), "comments_count"),
        url=item.get("permalink"),
        media_type=None if kind is None else _MEDIA_TYPES.get(kind, "other"),
        line=where.line,
        item=where.path,
    )


def _comment(item: Any, where: Where, thread: _Thread, parent: str | None, under_comment: bool) -> PostRecord:
    if not isinstance(item, dict):
        raise RecordError(f"expected a comment object, found {type(item).__name__}")
    comment_id = require_id(item.get("id"), "id")
    sender = _object(item, "from")
    username = item.get("username") or sender.get("username")
    own = optional_id(_object(item, "user").get("id"), "user.id")
    replied_to = optional_id(item.get("parent_id"), "parent_id")
    media_id = thread.media_id or optional_id(_object(item, "media").get("id"), "media.id")
    is_brand = own is not None or (
        isinstance(username, str) and isinstance(thread.username, str)
        and username.lower() == thread.username.lower())
    return PostRecord(
        channel=CHANNEL,
        post_id=comment_id,
        created_at=parse_timestamp(item.get("timestamp"), "timestamp"),
        account_id=own or optional_id(sender.get("id"), "from.id") or username,
        handle=username,
        role_hint="brand" if is_brand else None,
        kind="reply" if replied_to is not None or under_comment else "comment",
        text=item.get("text"),
        parent_id=replied_to or parent or media_id,
        conversation_id=media_id,
        likes=optional_count(item.get("like_count"), "like_count"),
        media_type="text",
        line=where.line,
        item=where.path,
    )


def _account(account: dict) -> AccountRecord:
    return AccountRecord(
        channel=CHANNEL,
        account_id=require_id(account.get("id"), "id"),
        handle=account.get("username"),
        display_name=account.get("name"),
        followers=optional_count(account.get("followers_count"), "followers_count"),
        role_hint="brand",
    )


def _object(item: dict, key: str) -> dict:
    """A sub-object such as ``owner`` or ``from``: absent is empty, anything but an object is refused."""
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"expected an object in {key}, found {type(value).__name__}")
    return value
