"""Instagram Graph API (Instagram API with Facebook Login): a brand's media and their comments.

Endpoints (Graph ``v21.0`` on ``graph.facebook.com``):

* ``GET /{ig-user-id}/media`` — the professional account's media, newest first, cursor-paged
  (``limit``, ``after``; ``paging.next`` is there while more pages exist), at most the 10,000
  most recent (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media);
* ``GET /{ig-media-id}/comments`` — top-level comments of a media, with their replies through
  field expansion (``replies.limit(n){...}``), cursor-paged
  (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments,
  fields: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment);
* ``GET /{ig-comment-id}/replies`` — the rest of a comment's replies when the expanded edge had
  more than one page
  (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/replies);
* ``GET /{page-id}?fields=instagram_business_account`` — the IG user id of the account linked to
  a Facebook Page, only when ``channels.instagram.options.page_ids`` names the Page
  (https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/get-started).

Cursor paging: https://developers.facebook.com/docs/graph-api/results.  The access token is sent
as the ``access_token`` query parameter; Graph's ``paging.next`` links repeat it, so the feeds
keep only the ``after`` cursor and the pages they hand on have those links redacted.

The media edge has no ``since`` filter: a run walks the media newest first and stops at the
newest media stored by the previous run (by id, or by time if that one was deleted), or at the
sync's start date the first time; the last page it reads is handed on with only the media
before that stop.  Comments are re-read for every brand media of the last
``comments_days`` days (:class:`~socialaudit.sync.base.PerPostFeed`); the merge stores each
once.

Errors (https://developers.facebook.com/docs/graph-api/guides/error-handling): code ``190``
(expired, revoked or invalid token, with HTTP 400 or 401) stops the channel; rate limits —
codes 4, 17, 32, 613 and Instagram's 80002, sent with HTTP 400 or 403 — are waited out for
the ``estimated_time_to_regain_access`` of ``X-Business-Use-Case-Usage``
(https://developers.facebook.com/docs/graph-api/overview/rate-limiting); code 100 / subcode 33
(the object does not exist) on a media's comments means it was deleted: it is skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .base import Connector, Feed, Page, PerPostFeed, Target, iso
from .graph import GRAPH_VERSION, ObjectGone, next_after, read_graph_error, scrub_paging
from .http import RequestFailed, Verdict

#: What the ingest module reads of a media (owner is only returned for the app user's own media).
MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,username,like_count,comments_count,owner"
#: What it reads of a comment; ``user`` is only returned on the brand's own comments, ``media``
#: makes a comment read from a comments page a reply to its media.
REPLY_FIELDS = "id,text,timestamp,username,from,user,like_count,parent_id,media{id}"
MEDIA_PAGE, COMMENT_PAGE = 100, 50


def _comment_fields(replies: int) -> str:
    return f"{REPLY_FIELDS},replies.limit({replies}){{{REPLY_FIELDS}}}"


def _items(data: Any) -> list:
    items = data.get("data") if isinstance(data, dict) else None
    return items if isinstance(items, list) else []


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        return None


def _reached(media: Any, stop_id: str | None, floor: datetime) -> bool:
    """Whether a media is the newest one stored by the last run, or older than it (or than
    the sync's start date)."""
    if not isinstance(media, dict):
        return False
    if stop_id is not None and str(media.get("id")) == stop_id:
        return True
    moment = _time(media.get("timestamp"))
    return moment is not None and moment < floor


class MediaFeed(Feed):
    """The brand's media, newest first, down to the newest media of the previous run.

    The page where the walk stops is handed on with only the media newer than that stop in
    its ``data`` (a run with nothing new stores an empty page, which takes no page number).

    State while walking: ``{"after", "top_id", "top_time", "stop_id", "stop_time"}`` (the
    walk's first media, and where it stops); when done: ``{"newest_id", "newest_time"}``.
    """

    name = "media"

    def __init__(self, connector: InstagramConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    @property
    def path(self) -> str:
        return f"/{GRAPH_VERSION}/{self.target.platform_id}/media"

    def _params(self, after: str | None) -> dict[str, Any]:
        return {"fields": MEDIA_FIELDS, "limit": self.connector.page_size(MEDIA_PAGE), "after": after}

    @staticmethod
    def _stop(state: dict) -> tuple[str | None, str | None]:
        if "after" in state:
            return state.get("stop_id"), state.get("stop_time")
        return state.get("newest_id"), state.get("newest_time")

    def fetch(self, state: dict) -> Iterator[Page]:
        stop_id, stop_time = self._stop(state)
        floor = _time(stop_time) or self.connector.context.since
        after = state.get("after")
        top_id, top_time = (state.get("top_id"), state.get("top_time")) if after else (None, None)
        client = self.connector.client
        while True:
            response = client.get(self.path, self._params(after))
            items = _items(response.data)
            if top_id is None and items and isinstance(items[0], dict) and items[0].get("id"):
                top_id, top_time = str(items[0]["id"]), items[0].get("timestamp")
            fresh = list(itertools.takewhile(lambda m: not _reached(m, stop_id, floor), items))
            reached = len(fresh) < len(items)
            after = None if reached else next_after(response.data)
            if after:
                state = {"after": after, "top_id": top_id, "top_time": top_time, "stop_id": stop_id,
                         "stop_time": stop_time}
            elif top_id is not None:
                state = {"newest_id": top_id, "newest_time": top_time}
            else:  # nothing at all: keep the previous stop
                state = {"newest_id": stop_id, "newest_time": stop_time} if stop_id else {}
            payload = {**response.data, "data": fresh} if reached else response.data
            yield Page(scrub_paging(payload, client.redact), state, response.url)
            if not after:
                return

    def describe(self, state: dict) -> str:
        stop_id, stop_time = self._stop(state)
        where = (f"newest first down to media {stop_id} ({stop_time})" if stop_id
                 else f"newest first back to {iso(self.connector.context.since)}")
        after = f" after={state['after']}" if state.get("after") else ""
        return f"GET {self.path} limit={self.connector.page_size(MEDIA_PAGE)}{after}, {where}"


class CommentsFeed(PerPostFeed):
    """Comments (and their replies) under each recent brand media.

    A media's cursor is ``{"comments": after}`` while comment pages remain (``None`` before
    the first) and ``"replies": [[comment_id, after], ...]``, the comments whose expanded
    replies had more pages, read afterwards from ``/{comment-id}/replies``.
    """

    name = "comments"

    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        client = self.connector.client
        size = self.connector.page_size(COMMENT_PAGE)
        state = cursor if isinstance(cursor, dict) else {"comments": None}
        pending = [list(p) for p in state.get("replies", [])]
        while "comments" in state or pending:
            try:
                if "comments" in state:
                    response = client.get(f"/{GRAPH_VERSION}/{post_id}/comments", {
                        "fields": _comment_fields(size), "limit": size, "after": state["comments"]})
                    for comment in _items(response.data):
                        replies = comment.get("replies") if isinstance(comment, dict) else None
                        more = next_after(replies)
                        if more and comment.get("id"):
                            pending.append([str(comment["id"]), more])
                    after = next_after(response.data)
                    state = {"comments": after, "replies": pending} if after else {"replies": pending}
                else:
                    comment_id, after = pending[0]
                    response = client.get(f"/{GRAPH_VERSION}/{comment_id}/replies", {
                        "fields": REPLY_FIELDS, "limit": size, "after": after})
                    more = next_after(response.data)
                    pending = [[comment_id, more], *pending[1:]] if more else pending[1:]
                    state = {"replies": pending}
                payload, url = scrub_paging(response.data, client.redact), response.url
            except ObjectGone as exc:
                # deleted since it was stored: an empty page moves the pass on (a pass that
                # yielded nothing for its last posts would never be marked done)
                if "comments" in state:
                    client.log(f"instagram: media {post_id} is gone, its comments are skipped ({exc.problem})")
                    pending = []
                else:
                    client.log(f"instagram: comment {pending[0][0]} is gone, its other replies are skipped")
                    pending = pending[1:]
                state = {"replies": pending}
                payload, url = {"data": []}, exc.url
            done = "comments" not in state and not pending
            yield payload, None if done else state, url
            if done:
                return

    def first_request(self, post_id: str) -> str:
        return f"GET /{GRAPH_VERSION}/{post_id}/comments limit={self.connector.page_size(COMMENT_PAGE)}"


class InstagramConnector(Connector):
    channel = "instagram"
    format_name = "instagram"
    title = "Instagram Graph API (Instagram API with Facebook Login)"
    default_base_url = "https://graph.facebook.com"
    auth = "query:access_token"
    permissions = ("a Meta app (Business type) using the Instagram API with Facebook Login, and a user access "
                   "token (a long-lived one, or a System User token) of a person who manages the Facebook Page "
                   "linked to the brand's Instagram professional (business or creator) account, with the "
                   "permissions instagram_basic, instagram_manage_comments, pages_show_list and "
                   "pages_read_engagement (plus business_management if the Page role was given through "
                   "Business Manager); the Instagram account's id goes under channels.instagram.accounts")

    def resolve(self, target: Target) -> Target:
        if target.platform_id:
            return target
        page_ids = self.settings.options.get("page_ids") or {}
        page_ids = {str(k).lower().lstrip("@"): str(v) for k, v in page_ids.items()} \
            if isinstance(page_ids, dict) else {}
        page_id = page_ids.get(target.handle.lower().lstrip("@"))
        if not page_id:
            raise RequestFailed(self.channel, "(no request)", (
                f"no Instagram user id for @{target.handle}: the Graph API cannot look one up from a username; "
                f"put it under channels.instagram.accounts in the sync config ({target.handle}: <ig-user-id>), or "
                f"the id of the linked Facebook Page under channels.instagram.options.page_ids"))
        response = self.client.get(f"/{GRAPH_VERSION}/{page_id}", {"fields": "instagram_business_account"})
        linked = response.data.get("instagram_business_account") if isinstance(response.data, dict) else None
        if not isinstance(linked, dict) or not linked.get("id"):
            raise RequestFailed(self.channel, response.url, (
                f"the Facebook Page {page_id} has no Instagram professional account linked (or the token cannot "
                f"see it); put the id of @{target.handle} under channels.instagram.accounts in the sync config"))
        return Target(target.channel, target.handle, target.company_id, str(linked["id"]))

    def feeds(self, target: Target) -> list[Feed]:
        return [MediaFeed(self, target), CommentsFeed(self, target)]

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        return read_graph_error(self.client, response, data, url, token="the access token", permissions=(
            "the token lacks instagram_basic, instagram_manage_comments, pages_show_list or pages_read_engagement"))


CONNECTOR = InstagramConnector
