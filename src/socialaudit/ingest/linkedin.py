"""LinkedIn Community Management API payloads: an organization's posts and their comments.

Pages read: the Posts API, ``GET /rest/posts?q=author&author=urn:li:organization:{id}``
(``{"elements": [post], "paging": {"start", "count", "links", "total"}}``), and the
Comments API, ``GET /rest/socialActions/{post or comment URN}/comments`` (the same
``elements``/``paging`` page, of comments); also bare post or comment objects, one per line.

Mapping and ids:

* A post keeps its URN as id (``urn:li:share:...`` or ``urn:li:ugcPost:...``).  A post by an
  organization (``urn:li:organization:``/``urn:li:organizationBrand:``) is the brand's; a
  reshare (``reshareContext.parent``) is a ``share`` of the parent, or a ``quote`` when the
  reshare adds commentary of its own (the model's distinction between the two).  Posts that
  are not published (``lifecycleState`` ``DRAFT``, ``PUBLISH_REQUESTED``,
  ``PUBLISH_FAILED``) are quarantined: nobody saw them.  The time is ``publishedAt``, else
  ``createdAt`` (epoch milliseconds).  ``commentary`` is "little text": its hashtag and
  mention templates and backslash escapes are decoded to plain text.
* A comment's id is its comment URN (``commentUrn``, else ``$URN``, else built from
  ``object`` and ``id`` as ``urn:li:comment:({object},{id})``), because that is how a reply
  names its parent (``parentComment``) and so a reply links to the comment it answers.  A
  top-level comment is a ``comment`` on ``object``; a reply is a ``reply`` to
  ``parentComment``; both are in the conversation of ``object``, the post commented on.
  LinkedIn may name that post by its activity (``urn:li:activity:...``) rather than by the
  share/ugcPost URN the Posts API returns; such comments still form one conversation, but
  it is not joined to the post's.
* A comment by a person is nobody's in particular (the store decides, from the registry);
  a comment by an organization is a brand's (the post's author answering, or another
  company), so an organization's URN is never pseudonymised, whatever the import order.

Fields read, per post: ``id, author, commentary, createdAt, publishedAt, lifecycleState,
reshareContext.parent, content.{media.id, multiImage, carousel, article, poll,
celebration}``; per comment: ``commentUrn, $URN, id, object, parentComment, actor,
created.time, message.text, content[].type, likesSummary.totalLikes,
commentsSummary.aggregatedTotalComments``.  The Posts API returns no engagement counts.
References: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api,
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
"""

from __future__ import annotations

import re
from typing import Any

from ..model import PostRecord
from .base import JsonPayloadFormat, PayloadResult, RecordError, Where, parse_items, parse_one
from .values import optional_count, optional_id, optional_object, optional_text, parse_timestamp, require_id

CHANNEL = "linkedin"
FEED_URL = "https://www.linkedin.com/feed/update/"
_BRAND_URNS = ("urn:li:organization:", "urn:li:organizationBrand:")
_PUBLISHED = frozenset({"PUBLISHED", "PUBLISHED_EDITED"})
_POST_KEYS = frozenset({"commentary", "lifecycleState", "visibility", "distribution", "reshareContext",
                        "isReshareDisabledByAuthor"})
_COMMENT_KEYS = frozenset({"object", "$URN", "commentUrn", "parentComment"})
_LITTLE_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
_LITTLE_MENTION = re.compile(r"@\[([^\]]*)\]\((urn:li:[^)]*)\)")
_LITTLE_ESCAPE = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


def _is_post(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"].startswith("urn:li:")
            and "author" in value and not _POST_KEYS.isdisjoint(value))


def _is_comment(value: Any) -> bool:
    return (isinstance(value, dict) and "actor" in value and "message" in value
            and not _COMMENT_KEYS.isdisjoint(value))


class LinkedInFormat(JsonPayloadFormat):
    name = "linkedin"
    title = "LinkedIn posts and comments payloads"
    description = ("Pages from the LinkedIn Posts API (q=author) and Comments API (socialActions/.../comments) "
                   "as {elements, paging}, or bare posts/comments; JSON, JSON array or one payload per line.")
    channel = CHANNEL
    salvage_prefix = "elements.item"

    def looks_like(self, value: dict) -> bool:
        if "elements" in value:
            elements = value["elements"]
            if not isinstance(elements, list) or not elements:
                return "paging" in value
            return any(_is_post(e) or _is_comment(e) for e in elements[:5])
        return _is_post(value) or _is_comment(value)

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        result = PayloadResult()
        if "elements" in value:
            parse_items(value.get("elements"), where.child("elements"), _parse_element, result)
        else:
            parse_one(_parse_element, value, where, result)
        return result


def _parse_element(element: Any, where: Where, out: PayloadResult) -> None:
    """One element of a page: a comment (``actor``, ``message``) or a post (``author``...)."""
    if not isinstance(element, dict):
        raise RecordError(f"expected a post or comment object, found {type(element).__name__}")
    if "actor" in element or "message" in element:
        out.posts.append(_comment(element, where))
    elif "author" in element or not _POST_KEYS.isdisjoint(element):
        out.posts.append(_post(element, where))
    else:
        raise RecordError("neither a post (id, author, commentary) nor a comment (actor, message, object)")


def _is_brand_urn(urn: str | None) -> bool:
    return urn is not None and urn.startswith(_BRAND_URNS)


def _post(post: dict, where: Where) -> PostRecord:
    """A published post; a reshare is a ``share``, or a ``quote`` if it says something itself."""
    post_id = require_id(post.get("id"), "id")
    state = post.get("lifecycleState")
    if state is not None and state not in _PUBLISHED:
        raise RecordError(f"post {post_id} is not published (lifecycleState {state})")
    author = optional_id(post.get("author"), "author")
    parent = optional_id(optional_object(post.get("reshareContext"), "reshareContext").get("parent"),
                         "reshareContext.parent")
    text = _plain_text(optional_text(post.get("commentary"), "commentary")) or None
    kind = ("quote" if text and text.strip() else "share") if parent else "post"
    stamp, column = (post.get("publishedAt"), "publishedAt") if post.get("publishedAt") is not None \
        else (post.get("createdAt"), "createdAt")
    return PostRecord(
        channel=CHANNEL,
        post_id=post_id,
        created_at=parse_timestamp(stamp, column),
        account_id=author,
        role_hint="brand" if _is_brand_urn(author) else None,
        kind=kind,
        text=text,
        ref_id=parent,
        conversation_id=post_id,
        url=FEED_URL + post_id,
        media_type=_media_type(optional_object(post.get("content"), "content")),
        line=where.line,
        item=where.path,
    )


def _plain_text(commentary: str | None) -> str | None:
    """Posts API ``commentary`` is "little text": undo its templates and escapes.

    ``{hashtag|\\#|Tag}`` becomes ``#Tag`` (so the store finds the hashtag), a mention
    ``@[Name](urn:li:...)`` becomes ``Name`` (it names a URN, not a handle), and
    backslash-escaped reserved characters (``\\(``) become themselves.
    """
    if commentary is None:
        return None
    text = _LITTLE_HASHTAG.sub(lambda m: "#" + m.group(1), commentary)
    text = _LITTLE_MENTION.sub(lambda m: m.group(1), text)
    return _LITTLE_ESCAPE.sub(r"\1", text)


def _media_type(content: dict) -> str:
    """What a post shows, from the one key of its ``content`` union."""
    if not content:
        return "text"
    if "multiImage" in content or "carousel" in content:
        return "carousel"
    if "article" in content:
        return "link"
    media = content.get("media")
    media_id = str(media.get("id") or "") if isinstance(media, dict) else ""
    if media_id.startswith("urn:li:image:"):
        return "image"
    if media_id.startswith("urn:li:video:"):
        return "video"
    return "other"  # documents (urn:li:document:), polls, celebrations


def _comment(comment: dict, where: Where) -> PostRecord:
    """A comment on ``object`` or, with ``parentComment``, a reply to that comment."""
    target = optional_id(comment.get("object"), "object")
    comment_urn = optional_id(comment.get("commentUrn") or comment.get("$URN"), "commentUrn")
    if comment_urn is None:
        number = optional_id(comment.get("id"), "id")
        if number is None or target is None:
            raise RecordError("missing id in commentUrn/$URN (and no id and object to build it from)")
        comment_urn = f"urn:li:comment:({target},{number})"
    actor = optional_id(comment.get("actor"), "actor")
    parent = optional_id(comment.get("parentComment"), "parentComment")
    attached = comment.get("content")
    if attached is not None and not isinstance(attached, list):
        raise RecordError(f"expected a list in content, found {type(attached).__name__}")
    if not attached:
        media_type = "text"
    else:
        media_type = "image" if any(isinstance(a, dict) and a.get("type") == "IMAGE" for a in attached) \
            else "other"
    # An organisation is never a consumer: its comments are a brand's (its own or another
    # company's), and must not be pseudonymised even if its posts were not imported yet.
    return PostRecord(
        channel=CHANNEL,
        post_id=comment_urn,
        created_at=parse_timestamp(optional_object(comment.get("created"), "created").get("time"), "created.time"),
        account_id=actor,
        role_hint="brand" if _is_brand_urn(actor) else None,
        kind="reply" if parent else "comment",
        text=optional_text(optional_object(comment.get("message"), "message").get("text"), "message.text"),
        parent_id=parent or target,
        conversation_id=target,
        likes=optional_count(optional_object(comment.get("likesSummary"), "likesSummary").get("totalLikes"),
                             "likesSummary.totalLikes"),
        comments=optional_count(
            optional_object(comment.get("commentsSummary"), "commentsSummary").get("aggregatedTotalComments"),
            "commentsSummary.aggregatedTotalComments"),
        media_type=media_type,
        line=where.line,
        item=where.path,
    )
