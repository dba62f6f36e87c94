"""Pinterest API v5 payloads: a brand's pins and its account.

Pages read: ``GET /v5/pins`` and ``GET /v5/boards/{board_id}/pins`` (``{"items": [pin],
"bookmark": "..."}``, ``bookmark`` being the cursor of the next page), single pins
(``GET /v5/pins/{pin_id}``) and the account (``GET /v5/user_account``); one payload per
line or a JSON array of them.

Pins are the audited brand's own content (its pins, on its boards): each is a ``post`` of
the board owner, or a ``share`` of ``parent_pin_id`` when the pin was saved from another
pin.  The account is keyed by ``username`` (pins name their owner only by
``board_owner.username``), so pins and ``user_account`` meet on the same id.

Pinterest API v5 has no endpoint that lists the comments on a pin, so there are no
consumer comments to read: Pinterest data shows what a brand publishes, not how it answers.

Fields read, per pin: ``id, created_at, title, description, board_owner.username,
parent_pin_id, media.media_type`` (``image``, ``video``; ``multiple_images``,
``multiple_videos``, ``multiple_mixed`` are carousels) and, when requested with
``pin_metrics=true``, ``pin_metrics.lifetime_metrics.{reaction, comment, impression}`` as
likes, comments and views (the ``90d`` window is not read: it is not a lifetime count).
``created_at`` is ISO 8601, sometimes without an offset; such times are read as UTC.
The private ``note`` is never read.  Per account: ``username, business_name,
follower_count``.  Reference: https://developers.pinterest.com/docs/api/v5/pins-list,
https://developers.pinterest.com/docs/api/v5/user_account-get,
https://github.com/pinterest/api-description (OpenAPI ``Pin``, ``Account``).
"""

from __future__ import annotations

from typing import Any

from ..model import AccountRecord, PostRecord
from .base import JsonPayloadFormat, PayloadResult, RecordError, Where, parse_items, parse_one
from .values import optional_count, optional_id, optional_object, optional_text, parse_timestamp, require_id

CHANNEL = "pinterest"
PIN_URL = "https://www.pinterest.com/pin/{}/"
_MEDIA_TYPES = {
    "image": "image",
    "video": "video",
    "multiple_images": "carousel",
    "multiple_videos": "carousel",
    "multiple_mixed": "carousel",
}
#: Keys only a Pinterest pin has (the Graph API and X have none of them).
_PIN_KEYS = frozenset({"board_id", "board_owner", "board_section_id", "parent_pin_id", "pin_metrics",
                       "dominant_color", "creative_type"})
#: Keys only a Pinterest ``user_account`` has (Instagram says ``followers_count``).
_ACCOUNT_KEYS = frozenset({"follower_count", "board_count", "monthly_views", "account_type"})


def _is_pin(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and not _PIN_KEYS.isdisjoint(value)


def _is_account(value: Any) -> bool:
    return isinstance(value, dict) and "username" in value and not _ACCOUNT_KEYS.isdisjoint(value)


class PinterestFormat(JsonPayloadFormat):
    name = "pinterest"
    title = "Pinterest API v5 payloads"
    description = ("Pages of pins from the Pinterest API v5 ({items, bookmark}), single pins or the "
                   "user_account object; JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "items.item"

    def looks_like(self, value: dict) -> bool:
        if "items" in value and "kind" not in value:  # YouTube pages say their kind
            items = value["items"]
            if not isinstance(items, list) or not items:
                return "bookmark" in value
            # ``bookmark`` ends a page, so a sample cut mid-page may lack it: the pins tell.
            return any(_is_pin(i) for i in items[:5])
        return _is_pin(value) or _is_account(value)

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        if "items" in value:
            parse_items(value.get("items"), where.child("items"), _parse_pin, result)
        elif _is_account(value):
            parse_one(_parse_account, value, where, result)
        else:
            parse_one(_parse_pin, value, where, result)
        return result


def _parse_pin(pin: Any, where: Where, out: PayloadResult) -> None:
    """One pin: a post (or a share of the pin it was saved from) of its board's owner."""
    if not isinstance(pin, dict):
        raise RecordError(f"expected a pin object, found {type(pin).__name__}")
    pin_id = require_id(pin.get("id"), "id")
    owner = optional_object(pin.get("board_owner"), "board_owner")
    username = optional_id(owner.get("username"), "board_owner.username")
    parent = optional_id(pin.get("parent_pin_id"), "parent_pin_id")
    media = optional_object(pin.get("media"), "media")
    media_type = media.get("media_type")
    metrics = optional_object(optional_object(pin.get("pin_metrics"), "pin_metrics").get("lifetime_metrics"),
                      "pin_metrics.lifetime_metrics")
    parts = [t for t in (optional_text(pin.get("title"), "title"), optional_text(pin.get("description"), "description"))
             if t]
    out.posts.append(PostRecord(
        channel=CHANNEL,
        post_id=pin_id,
        created_at=parse_timestamp(pin.get("created_at"), "created_at"),
        account_id=username,
        handle=username,
        role_hint="brand",
        kind="share" if parent else "post",
        text="\n\n".join(parts) if parts else None,
        ref_id=parent,
        conversation_id=pin_id,
        likes=optional_count(metrics.get("reaction"), "pin_metrics.lifetime_metrics.reaction"),
        comments=optional_count(metrics.get("comment"), "pin_metrics.lifetime_metrics.comment"),
        views=optional_count(metrics.get("impression"), "pin_metrics.lifetime_metrics.impression"),
        url=PIN_URL.format(pin_id),
        media_type=_MEDIA_TYPES.get(media_type, "other") if media_type else None,
        line=where.line,
        item=where.path,
    ))
    if username is not None:
        out.accounts.append(AccountRecord(CHANNEL, username, handle=username, role_hint="brand"))


def _parse_account(account: dict, where: Where, out: PayloadResult) -> None:
    """``GET /v5/user_account``: the token's own account, i.e. the brand."""
    username = require_id(account.get("username"), "username")
    out.accounts.append(AccountRecord(
        channel=CHANNEL,
        account_id=username,
        handle=username,
        display_name=optional_text(account.get("business_name"), "business_name") or None,
        followers=optional_count(account.get("follower_count"), "follower_count"),
        role_hint="brand",
    ))
