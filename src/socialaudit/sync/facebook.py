"""Facebook Graph API: a brand Page's own posts and the comments (with replies) under them.

Endpoints (Graph ``v21.0`` on ``graph.facebook.com``; ``channels.facebook.options.api_version``
changes the version):

* ``GET /{page-username}?fields=id,name,username`` — the Page's id, when the sync config has
  none for the registry handle (a Page username or id works as the node in the path;
  https://developers.facebook.com/docs/graph-api/reference/page);
* ``GET /{page-id}/posts`` — the Page's own posts, newest first, with ``since`` (a Unix time)
  and ``limit`` (at most 100), cursor-paged (``after``; the last page has no ``paging.next``):
  https://developers.facebook.com/docs/graph-api/reference/page/feed (``/posts``,
  ``/published_posts`` and ``/feed`` share that reference; ``options.posts_edge`` picks one),
  fields of https://developers.facebook.com/docs/graph-api/reference/post — reactions and
  comments are read as counts only (``reactions.limit(0).summary(true)``);
* ``GET /{post-id}?fields=id,created_time,from,comments.filter(stream).order(chronological)
  .limit(n).after(cursor){...}`` — one page of a post's comments *and* their replies
  (``filter=stream`` lists both, a reply with its ``parent``), read through field expansion
  (https://developers.facebook.com/docs/graph-api/guides/field-expansion,
  https://developers.facebook.com/docs/graph-api/reference/object/comments,
  https://developers.facebook.com/docs/graph-api/reference/comment).  The comments come nested
  in their post, so the ingest module knows which post they answer: a comments page read on its
  own (``GET /{post-id}/comments``) does not say, and its top-level comments would be orphans.

Cursor paging: https://developers.facebook.com/docs/graph-api/results.  The token goes in the
``access_token`` query parameter; Graph repeats it in ``paging.next`` links, so the feeds keep
only the ``after`` cursor (or the ``next`` link without the token, when an edge pages by time
with ``until`` and ``__paging_token`` instead of cursors) and the pages they hand on have those
links redacted.

Incremental: the posts feed remembers the newest ``created_time`` it stored and asks for posts
``since`` the second after it the next time (two posts of one Page in the same second, one of
them not yet visible to the previous run, would be missed; re-reading the newest post instead
would make every run store a page).  Comments are re-read for every brand post of the last ``comments_days`` days
(:class:`~socialaudit.sync.base.PerPostFeed`).

Errors (https://developers.facebook.com/docs/graph-api/guides/error-handling): code ``190``
(expired, revoked or invalid token, any subcode, HTTP 400 or 401), 102 and 104 stop the
channel; code 10 and 200-299 are missing permissions; rate limits — codes 4, 17, 32, 613 and the
business-use-case family 80000-80014 (Pages: 80001), sent with HTTP 400 or 403 rather than 429
— are waited out for the ``estimated_time_to_regain_access`` (minutes) of
``X-Business-Use-Case-Usage``, ``X-Page-Usage`` or ``X-App-Usage``
(https://developers.facebook.com/docs/graph-api/overview/rate-limiting), else
``options.rate_limit_wait`` seconds (300); code 100 / subcode 33 on a post means it was deleted
(it is skipped), and 803 on the lookup means there is no such Page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigError
from .base import Connector, Feed, Page, PerPostFeed, Target
from .graph import DEFAULT_RATE_WAIT, GRAPH_VERSION, ObjectGone, read_graph_error, scrub_paging
from .http import RequestFailed, Verdict

#: What the ingest module reads of a post (counts through summaries, no reaction or comment list).
POST_FIELDS = ("id,created_time,message,permalink_url,from,status_type,shares,attachments{media_type,type},"
               "reactions.limit(0).summary(true),comments.limit(0).summary(true)")
#: What it reads of a comment; ``parent`` makes a reply of a ``filter(stream)`` list.
COMMENT_FIELDS = ("id,created_time,message,from,parent{id},like_count,comment_count,permalink_url,"
                  "attachment{media_type,type}")
POSTS_PAGE, COMMENTS_PAGE = 100, 100
POSTS_EDGES = ("posts", "published_posts", "feed")
#: Query parameters of a ``paging.next`` link that are credentials (the client adds its own).
_SECRET_QUERY = frozenset({"access_token", "appsecret_proof"})


def _unix(created_time: Any) -> int | None:
    """Graph's ``2025-06-02T08:01:00+0000`` as a Unix time (``None`` if it is not one)."""
    if not isinstance(created_time, str):
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return int(datetime.strptime(created_time, pattern).timestamp())
        except ValueError:
            continue
    return None


def _shown_time(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without_secrets(url: str) -> str:
    """A ``paging.next`` link without its token (it is stored in the cursor)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _SECRET_QUERY]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _paging(edge: Any) -> tuple[str | None, str | None]:
    """``(after cursor, next link)`` of an edge that has a next page; ``(None, None)`` at its end
    (Graph's rule: no ``paging.next``, no more data)."""
    paging = edge.get("paging") if isinstance(edge, dict) else None
    if not isinstance(paging, dict) or not isinstance(paging.get("next"), str) or not paging["next"]:
        return None, None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return (after if isinstance(after, str) and after else None), paging["next"]


class PostsFeed(Feed):
    """The Page's posts from a Unix time on, newest first.  State while walking: ``{"since",
    "after" or "next", "newest"}``; when done: ``{"since": newest created_time stored + 1 s}``
    (``since`` is inclusive: the newest post is not read again, so a run with nothing new
    gets an empty page)."""

    name = "posts"

    def __init__(self, connector: FacebookConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    @property
    def path(self) -> str:
        return f"/{self.connector.version}/{self.target.platform_id}/{self.connector.posts_edge}"

    def _since(self, state: dict) -> int:
        since = state.get("since")
        return int(since) if isinstance(since, (int, float)) else int(self.connector.context.since.timestamp())

    def _params(self, state: dict) -> dict[str, Any]:
        return {"fields": POST_FIELDS, "limit": self.connector.page_size(POSTS_PAGE), "since": self._since(state),
                "after": state.get("after")}

    def fetch(self, state: dict) -> Iterator[Page]:
        since = self._since(state)
        newest = state.get("newest")
        seen: set[str] = set()
        stored = bool(state.get("after") or state.get("next"))  # a cursor of an earlier run
        while True:
            try:
                response = self._get(state)
            except RequestFailed as exc:
                if exc.status != 400 or not stored:
                    raise
                # Graph no longer takes the stored cursor (they are not meant to last): walk again from `since`
                self.connector.client.log(f"facebook: the stored posts cursor was refused ({exc.problem}); "
                                          "reading the posts again from the start of the walk")
                state, stored = {"since": since}, False
                continue
            stored = False
            payload = self.connector.scrub(response.data)
            data = payload.get("data") if isinstance(payload, dict) else None
            for item in data if isinstance(data, list) else []:
                created = _unix(item.get("created_time")) if isinstance(item, dict) else None
                if created is not None and (newest is None or created > newest):
                    newest = created
            after, link = _paging(payload)
            # a cursor or link seen before in this walk would loop: treat it as the end
            step = after or (_without_secrets(link) if link else None)
            if step is not None and step in seen:
                after = link = step = None
            if step is not None:
                seen.add(step)
                state = {"since": since, **({"after": after} if after else {"next": _without_secrets(link)}),
                         **({"newest": newest} if newest is not None else {})}
            else:  # next time: what is newer than the newest post stored
                state = {"since": newest + 1 if newest is not None else since}
            yield Page(payload, state, response.url)
            if step is None:
                return

    def _get(self, state: dict):
        if state.get("next"):
            # the link's query as params: httpx would drop it when the client adds the token
            link = urlsplit(state["next"])
            return self.connector.client.get(urlunsplit(link._replace(query="")),
                                             dict(parse_qsl(link.query, keep_blank_values=True)))
        return self.connector.client.get(self.path, self._params(state))

    def describe(self, state: dict) -> str:
        if state.get("next"):
            return f"GET {self.connector.client.redact(state['next'])}"
        params = self._params(state)
        shown = f"since={params['since']} ({_shown_time(params['since'])}) limit={params['limit']}"
        return f"GET {self.path} {shown}" + (f" after={params['after']}" if params.get("after") else "")


class CommentsFeed(PerPostFeed):
    """Comments and replies under each brand post of the last ``comments_days`` days."""

    name = "comments"

    def _fields(self, cursor: str | None) -> str:
        size = self.connector.page_size(COMMENTS_PAGE)
        after = f".after({cursor})" if cursor else ""
        return (f"id,created_time,from,comments.filter(stream).order(chronological).limit({size}){after}"
                f"{{{COMMENT_FIELDS}}}")

    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        connector = self.connector
        path = f"/{connector.version}/{post_id}"
        seen: set[str] = set()
        stored = cursor is not None  # a cursor of an earlier run
        while True:
            try:
                response = connector.client.get(path, {"fields": self._fields(cursor)})
            except ObjectGone as exc:
                # deleted since it was stored: an empty page, so the pass records that it moved on
                connector.client.log(f"facebook: post {post_id} is gone ({exc.problem}); skipped")
                yield {"data": []}, None, exc.url
                return
            except RequestFailed as exc:
                if exc.status != 400 or not stored:
                    raise
                # Graph no longer takes the stored cursor: this post's comments again from the first
                connector.client.log(f"facebook: the stored comments cursor of post {post_id} was refused "
                                     f"({exc.problem}); reading its comments again from the first")
                cursor, stored = None, False
                continue
            stored = False
            payload = connector.scrub(response.data)
            after, _ = _paging(payload.get("comments") if isinstance(payload, dict) else None)
            if after in seen:
                after = None
            if after:
                seen.add(after)
            yield payload, after, response.url
            if not after:
                return
            cursor = after

    def first_request(self, post_id: str) -> str:
        return f"GET /{self.connector.version}/{post_id} fields={self._fields(None)}"


class FacebookConnector(Connector):
    channel = "facebook"
    format_name = "facebook"
    title = "Facebook Graph API (Pages)"
    default_base_url = "https://graph.facebook.com"
    auth = "query:access_token"
    permissions = ("a Meta app (Business type) and a Page access token of the brand's Page, obtained by a person "
                   "with a task on the Page (e.g. from GET /me/accounts with a long-lived user token, which gives a "
                   "Page token that does not expire), with the permissions pages_show_list (to list the Page and "
                   "get its token), pages_read_engagement (the Page's posts, reactions and comment counts) and "
                   "pages_read_user_content (comments and replies by visitors, with their ids); an app in Live mode "
                   "needs App Review for the last two, in Development mode the token of an app admin or developer "
                   "who manages the Page works")

    def __init__(self, client, settings, context) -> None:
        super().__init__(client, settings, context)
        options = settings.options
        self.version = str(options.get("api_version") or GRAPH_VERSION).strip("/")
        self.posts_edge = str(options.get("posts_edge") or "posts")
        if self.posts_edge not in POSTS_EDGES:
            raise ConfigError("the sync config", "channels.facebook.options.posts_edge",
                              f"must be one of {', '.join(POSTS_EDGES)}, not {self.posts_edge!r}")
        self.rate_limit_wait = float(options.get("rate_limit_wait", DEFAULT_RATE_WAIT))

    def resolve(self, target: Target) -> Target:
        if target.platform_id:
            return target
        try:
            response = self.client.get(f"/{self.version}/{target.handle}", {"fields": "id,name,username"})
        except ObjectGone as exc:
            raise RequestFailed(self.channel, exc.url, f"Graph knows no Page '{target.handle}' ({exc.problem}); "
                                "check the registry handle, or put the Page id under channels.facebook.accounts "
                                "in the sync config", exc.status) from None
        data = response.data if isinstance(response.data, dict) else {}
        if not data.get("id"):
            raise RequestFailed(self.channel, response.url, f"no Page id for '{target.handle}' in the answer; put "
                                "the Page id under channels.facebook.accounts in the sync config")
        return Target(target.channel, target.handle, target.company_id, str(data["id"]))

    def feeds(self, target: Target) -> list[Feed]:
        return [PostsFeed(self, target), CommentsFeed(self, target)]

    def scrub(self, payload: Any) -> Any:
        """``payload`` with the token redacted from its ``paging`` links (Graph repeats it there)."""
        return scrub_paging(payload, self.client.redact)

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        return read_graph_error(self.client, response, data, url, token="the Page access token",
                                rate_wait=self.rate_limit_wait, permissions=(
                                    "the Page access token lacks pages_read_engagement, pages_read_user_content or "
                                    "pages_show_list, or its user has no task on the Page"))


CONNECTOR = FacebookConnector
