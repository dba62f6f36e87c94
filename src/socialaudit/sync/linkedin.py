"""LinkedIn Community Management API: an organization's posts and the comments under them.

Endpoints (all under ``https://api.linkedin.com/rest``, each request with the headers
``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``):

* ``GET /rest/organizations?q=vanityName&vanityName=NAME`` — the organization id of a page
  from its vanity name (the part after ``linkedin.com/company/``), when the config has none
  (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api);
* ``GET /rest/posts?q=author&author=urn:li:organization:ID&sortBy=CREATED&start=&count=`` —
  the organization's posts, newest created first, up to 100 a page
  (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api);
* ``GET /rest/socialActions/{post URN}/comments?start=&count=`` — the comments on a post, and
  ``GET /rest/socialActions/{comment URN}/comments`` — the replies to a comment (URNs in a path
  are URL-encoded)
  (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api).

Pages are ``{"elements": [...], "paging": {"start", "count", "links", "total"}}`` (Rest.li
offset paging: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/pagination);
there is a next page while ``paging.links`` has a ``next`` link or ``start + count < total``.
A posts walk stops at the newest post of the previous walk (its URN and ``createdAt`` are the
feed's cursor), or at the sync's start date the first time; the posts of that last page which
the previous walk stored (or which are older than the start date) are left out of it, as a
server-side filter would, so a run with nothing new stores an empty page.  Comments have no time filter: each
pass re-reads the comments (and replies) of the brand posts of the last ``comments_days``.

Errors (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling):
``{"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN"}`` (tokens last 60
days), ``65601``/``REVOKED_ACCESS_TOKEN``; 403 ``ACCESS_DENIED`` (a missing scope or page
role); 426 ``NONEXISTENT_VERSION`` (the ``LinkedIn-Version`` is sunset).  Rate limits are daily
per app and per member and reset at midnight UTC
(https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits); a 429
(``serviceErrorCode`` 101) carries no reset header, so a throttled request is retried a few
times after growing waits, then the channel stops until after midnight UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from .base import Connector, Feed, Page, PerPostFeed, Target, iso
from .http import AuthError, QuotaExhausted, RequestFailed, Verdict, wait_from_headers

#: The ``LinkedIn-Version`` sent when the config has no ``options.version`` (LinkedIn keeps
#: each monthly version for at least a year).
DEFAULT_VERSION = "202605"
RESTLI_PROTOCOL = "2.0.0"
#: Seconds to wait before retrying a request LinkedIn throttled (HTTP 429 without a reset
#: header); after these the daily quota is taken as used up.
THROTTLE_WAITS = (10.0, 40.0, 160.0)
_ORG = "urn:li:organization:"


def org_urn(value: str) -> str | None:
    """``urn:li:organization:ID`` from an organization id or URN (``None`` if it is neither)."""
    value = value.strip()
    if value.isdigit():
        return _ORG + value
    if value.startswith(("urn:li:organization:", "urn:li:organizationBrand:")) and \
            value.rsplit(":", 1)[1].isdigit():
        return value
    return None


def _elements(data: Any) -> list[dict]:
    elements = data.get("elements") if isinstance(data, dict) else None
    return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []


def _has_next(data: Any, start: int, count: int) -> bool:
    """Whether a Rest.li collection page has a page after it."""
    if not _elements(data):
        return False
    paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
    links = paging.get("links")
    if isinstance(links, list) and any(isinstance(link, dict) and link.get("rel") == "next" for link in links):
        return True
    total = paging.get("total")
    if isinstance(total, int) and not isinstance(total, bool):
        return start + count < total
    return len(data["elements"]) >= count


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class PostsFeed(Feed):
    """The organization's posts, newest created first, down to the newest post already synced.

    State while walking: ``{"start": offset, "stop": {"id", "createdAt"}, "walk_newest": {...}}``
    (no ``stop`` on the first walk, which goes back to the sync's start date); when done:
    ``{"newest": {"id", "createdAt"}}``, where the next walk stops."""

    name = "posts"

    def __init__(self, connector: LinkedInConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    def _params(self, start: int) -> dict[str, Any]:
        author = org_urn(self.target.platform_id or "") or self.target.platform_id
        # ``author`` before ``q``: the order of LinkedIn's own examples (some Rest.li finders need it)
        return {"author": author, "q": "author", "sortBy": "CREATED",
                "start": start, "count": self.connector.page_size(100)}

    def fetch(self, state: dict) -> Iterator[Page]:
        walking = "start" in state
        start = int(state.get("start", 0)) if walking else 0
        stop = state.get("stop") if walking else state.get("newest")
        newest = state.get("walk_newest") if walking else None
        floor = _millis(self.connector.context.since)
        while True:
            params = self._params(start)
            response = self.connector.client.get("/rest/posts", params, headers=self.connector.headers())
            payload, reached = response.data, False
            raw = payload.get("elements") if isinstance(payload, dict) else None
            if isinstance(raw, list):  # leave out what an earlier walk stored (or is older than the start)
                kept = [e for e in raw if not (isinstance(e, dict) and self._known(e, stop, floor))]
                if len(kept) < len(raw):
                    payload, reached = {**payload, "elements": kept}, True
            dated = [p for p in _elements(payload) if isinstance(p.get("id"), str)
                     and isinstance(p.get("createdAt"), int) and not isinstance(p.get("createdAt"), bool)]
            if newest is None and dated:
                top = max(dated, key=lambda p: p["createdAt"])
                newest = {"id": top["id"], "createdAt": top["createdAt"]}
            more = not reached and _has_next(response.data, start, params["count"])
            if more:
                start += params["count"]
                state = {"start": start, **({"stop": stop} if stop else {}),
                         **({"walk_newest": newest} if newest else {})}
            else:
                final = newest or stop
                state = {"newest": final} if final else {}
            yield Page(payload, state, response.url)
            if not more:
                return

    @staticmethod
    def _known(post: dict, stop: dict | None, floor: int) -> bool:
        """Whether the walk has reached what an earlier walk fetched (or the start date)."""
        created = post.get("createdAt")
        created = created if isinstance(created, int) and not isinstance(created, bool) else None
        if stop:
            return post.get("id") == stop.get("id") or (created is not None and created < int(stop["createdAt"]))
        return created is not None and created < floor

    def describe(self, state: dict) -> str:
        walking = "start" in state
        params = self._params(int(state.get("start", 0)) if walking else 0)
        stop = state.get("stop") if walking else state.get("newest")
        if stop:
            until = (f"down to post {stop['id']} "
                     f"({iso(datetime.fromtimestamp(int(stop['createdAt']) / 1000, UTC))})")
        else:
            until = f"back to {iso(self.connector.context.since)}"
        return "GET /rest/posts " + " ".join(f"{k}={v}" for k, v in params.items()) + f"; {until}"


class CommentsFeed(PerPostFeed):
    """Comments under each recent brand post, then the replies to those that have some.

    A post's cursor is ``{"object": URN, "start": offset, "pending": [comment URNs]}``: the
    collection being read (the post, then each comment with replies) and the comments whose
    replies are still to be read."""

    name = "comments"
    connector: LinkedInConnector

    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        current = cursor if isinstance(cursor, dict) else {"object": post_id, "start": 0, "pending": []}
        while True:
            target, start = str(current["object"]), int(current.get("start", 0))
            pending = list(current.get("pending", []))
            count = self.connector.page_size(100)
            response = self.connector.client.get(f"/rest/socialActions/{quote(target, safe='')}/comments",
                                                 {"start": start, "count": count},
                                                 headers=self.connector.headers())
            if target == post_id:  # top-level comments: note those with replies to read afterwards
                for comment in _elements(response.data):
                    urn = comment.get("commentUrn") or comment.get("$URN")
                    if isinstance(urn, str) and _has_replies(comment) and urn not in pending:
                        pending.append(urn)
            if _has_next(response.data, start, count):
                current = {"object": target, "start": start + count, "pending": pending}
            elif pending:
                current = {"object": pending[0], "start": 0, "pending": pending[1:]}
            else:
                current = None
            yield response.data, current, response.url
            if current is None:
                return

    def first_request(self, post_id: str) -> str:
        return f"GET /rest/socialActions/{quote(post_id, safe='')}/comments"


def _has_replies(comment: dict) -> bool:
    summary = comment.get("commentsSummary")
    if not isinstance(summary, dict):
        return False
    counts = [summary.get("aggregatedTotalComments"), summary.get("totalFirstLevelComments")]
    return any(isinstance(n, int) and n > 0 for n in counts)


class LinkedInConnector(Connector):
    channel = "linkedin"
    format_name = "linkedin"
    title = "LinkedIn Community Management API"
    default_base_url = "https://api.linkedin.com"
    auth = "bearer"
    permissions = ("a LinkedIn developer app with the Community Management API product, and a 3-legged OAuth "
                   "access token of a member who is an administrator (ADMINISTRATOR or CONTENT_ADMIN role) of "
                   "the organization's page, with the scope r_organization_social (posts and comments) and, "
                   "only to look an organization id up by its vanity name, rw_organization_admin; access "
                   "tokens last 60 days")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._throttled = 0  # 429s in a row

    def headers(self) -> dict[str, str]:
        version = str(self.settings.options.get("version") or DEFAULT_VERSION)
        return {"LinkedIn-Version": version, "X-Restli-Protocol-Version": RESTLI_PROTOCOL}

    def resolve(self, target: Target) -> Target:
        where = f"channels.linkedin.accounts.{target.handle}"
        if target.platform_id:
            urn = org_urn(target.platform_id)
            if urn is None:
                raise RequestFailed(self.channel, "the sync config", f"{where} is '{target.platform_id}': it must be "
                                    "the organization id (digits) or its URN urn:li:organization:ID")
            return replace(target, platform_id=urn)
        response = self.client.get("/rest/organizations", {"q": "vanityName", "vanityName": target.handle},
                                   headers=self.headers())
        found = [e for e in _elements(response.data) if str(e.get("id", "")).isdigit()]
        if not found:
            raise RequestFailed(self.channel, response.url, f"no LinkedIn organization page with the vanity name "
                                f"'{target.handle}' (check the registry, or put the organization id under {where} "
                                "in the sync config)")
        return replace(target, platform_id=_ORG + str(found[0]["id"]))

    def feeds(self, target: Target) -> list[Feed]:
        return [PostsFeed(self, target), CommentsFeed(self, target)]

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        status = response.status_code
        if status != 429:
            self._throttled = 0
        if status < 400:
            return None
        body = data if isinstance(data, dict) else {}
        code = str(body.get("code") or "")
        service = body.get("serviceErrorCode")
        message = self.client.redact(str(body.get("message") or response.reason_phrase))[:300]
        if status == 401:
            if code == "EXPIRED_ACCESS_TOKEN" or service == 65602:
                problem = ("the access token has expired (LinkedIn tokens last 60 days): authorize the app again "
                           "and set the new token")
            elif code == "REVOKED_ACCESS_TOKEN" or service == 65601:
                problem = "the access token was revoked: authorize the app again and set the new token"
            else:
                problem = (f"the token was refused ({message}): it has expired or been revoked; create a new one "
                           "and set it again")
            return Verdict(AuthError(self.channel, url, problem, status))
        if status == 403:
            return Verdict(AuthError(self.channel, url, f"permission refused ({message}): the token needs the scope "
                                     "r_organization_social from an administrator of the organization's page (and "
                                     "rw_organization_admin for a vanity-name lookup; see docs/sync.md)", status))
        if status == 426 or code in ("NONEXISTENT_VERSION", "VERSION_MISSING", "INVALID_VERSION"):
            version = self.headers()["LinkedIn-Version"]
            error = RequestFailed(self.channel, url, f"LinkedIn refused the API version {version} ({message}); set a "
                                  "current one (YYYYMM) as channels.linkedin.options.version", status)
            error.scope = "channel"
            return Verdict(error)
        if status == 429:
            wait = wait_from_headers(response.headers, self.client.clock())
            if wait is not None:
                return Verdict(retry_after=wait, reason="rate limited (HTTP 429)")
            self._throttled += 1
            if self._throttled <= min(len(THROTTLE_WAITS), self.client.max_retries):
                return Verdict(retry_after=THROTTLE_WAITS[self._throttled - 1],
                               reason=f"throttled by LinkedIn (HTTP 429: {message})")
            self._throttled = 0
            now = datetime.fromtimestamp(self.client.clock(), UTC)
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            return Verdict(QuotaExhausted(self.channel, url, f"LinkedIn's daily request limit is used up ({message}); "
                                          "it resets at midnight UTC: run the sync again after "
                                          f"{midnight:%Y-%m-%d %H:%M} UTC", status))
        return None


CONNECTOR = LinkedInConnector
