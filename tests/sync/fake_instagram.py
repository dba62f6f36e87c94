"""A fake Instagram Graph API (the endpoints socialaudit.sync.instagram calls), as documented.

Data: one brand (@acmecoffee, IG user id 17841405309211844, linked to the Facebook Page
104729384756123) with ``media`` media of its own, newest first; under each, ``comments``
consumer comments, every ``brand_reply_every``-th of them answered by the brand, and under the
second-newest media one long thread of ``thread_replies`` replies (so that the expanded
``replies`` edge has more than one page and ``/{comment-id}/replies`` is needed).

Answers follow the Graph API reference: ``GET /v21.0/{page-id}?fields=instagram_business_account``,
``GET /v21.0/{ig-user-id}/media``, ``GET /v21.0/{ig-media-id}/comments``, ``GET
/v21.0/{ig-comment-id}/replies``; only the ``fields`` asked for are returned (with field
expansion ``replies.limit(n){...}`` and ``media{id}``), absent values are left out; cursor
paging ``{"data": [...], "paging": {"cursors": {"before", "after"}, "next", "previous"}}``
with absolute ``next`` links that repeat the query, access token included, as Graph does;
``limit`` (default 25) and ``after``/``before``.  The token travels as ``access_token``; a bad
or expired one gets Graph's ``OAuthException`` code 190 with HTTP 400.  Every answer carries
``X-App-Usage`` and ``X-Business-Use-Case-Usage``.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sync.fakeserver import FakeApi, Reply, Request

VERSION = "v21.0"
BRAND, BRAND_ID, BRAND_IGSID = "acmecoffee", "17841405309211844", "7010293847561203"
PAGE_ID = "104729384756123"
DEFAULT_LIMIT = 25
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def graph_error(message: str, code: int, subcode: int | None = None, kind: str = "OAuthException",
                transient: bool | None = None) -> dict:
    error: dict = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error["fbtrace_id"] = "AZx7Qk1mFq3bT9vLhP0Yc2e"
    return {"error": error}


def expired_token_body() -> dict:
    return graph_error("Error validating access token: Session has expired on Friday, 07-Jun-24 09:00:00 PDT. "
                       "The current time is Saturday, 08-Jun-24 10:12:45 PDT.", 190, 463)


def rate_limit_body() -> dict:
    return graph_error("There have been too many calls to this Instagram account. Wait a bit and try again. For "
                       "more info, please refer to https://developers.facebook.com/docs/graph-api/overview/"
                       "rate-limiting.", 80002, transient=True)


def usage_headers(regain_minutes: int = 0, calls: int = 3) -> dict[str, str]:
    """Graph's usage headers (percentages of the windows; minutes until access returns)."""
    return {"X-App-Usage": json.dumps({"call_count": calls, "total_cputime": 1, "total_time": 2}),
            "X-Business-Use-Case-Usage": json.dumps({BRAND_ID: [{
                "type": "instagram", "call_count": calls, "total_cputime": 1, "total_time": 2,
                "estimated_time_to_regain_access": regain_minutes}]})}


def parse_fields(text: str) -> dict[str, tuple[dict | None, int | None]]:
    """Graph's ``fields`` syntax: ``a,b{c,d},e.limit(5){f}`` → name → (subfields, limit)."""
    pos = 0

    def parse_list() -> dict:
        nonlocal pos
        out: dict = {}
        while pos < len(text) and text[pos] != "}":
            match = re.compile(r"\s*([A-Za-z_]+)((?:\.[a-z_]+\([^)]*\))*)").match(text, pos)
            if not match:
                raise ValueError(f"bad fields syntax at {pos}: {text!r}")
            pos = match.end()
            limit = re.search(r"\.limit\((\d+)\)", match.group(2))
            sub = None
            if pos < len(text) and text[pos] == "{":
                pos += 1
                sub = parse_list()
                pos += 1  # the closing brace
            out[match.group(1)] = (sub, int(limit.group(1)) if limit else None)
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return out

    return parse_list()


def _cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"item:{item_id}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    padded = cursor + "=" * (-len(cursor) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)[1]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeInstagram(FakeApi):
    def __init__(self, media: int = 12, comments: int = 4, brand_reply_every: int = 3,
                 thread_replies: int = 7) -> None:
        super().__init__()
        self.now = NOW  # fixed, so that two fakes serve the same data (kill-and-resume compares stores)
        self.media: list[dict] = []  # newest first
        self.comments: dict[str, dict] = {}
        self.top_comments: dict[str, list[str]] = {}  # media id -> comment ids, oldest first
        self.replies: dict[str, list[str]] = {}  # comment id -> reply ids, oldest first
        self.gone: set[str] = set()
        self.n = 0
        for i in range(media):
            created = self.now - timedelta(hours=6 * (media - i) + 6)
            item = self._add_media(f"Fresh from the roastery, batch {i} #coffee", created)
            for j in range(comments):
                comment = self._add_comment(item["id"], f"consumer{(i * 7 + j) % 23}",
                                            f"Is batch {i} available in shop {j}? @{BRAND}",
                                            created + timedelta(minutes=10 * (j + 1)))
                if brand_reply_every and j % brand_reply_every == 0:
                    self._add_comment(item["id"], BRAND, f"@{comment['username']} yes, in every shop!",
                                      created + timedelta(minutes=10 * (j + 1) + 5), parent=comment["id"])
            if i == media - 2 and thread_replies:
                root = self._add_comment(item["id"], "longthread_lou", "The new cups leak, third time now",
                                         created + timedelta(minutes=55))
                for r in range(thread_replies):
                    author = BRAND if r % 2 else f"consumer{r}"
                    self._add_comment(item["id"], author, f"@{'longthread_lou' if author == BRAND else BRAND} "
                                      f"reply {r} on the leaking cups", created + timedelta(minutes=56 + r),
                                      parent=root["id"])

    # -- the data -----------------------------------------------------------------------
    def _next_id(self, base: int) -> str:
        self.n += 1
        return str(base + self.n)

    def _add_media(self, caption: str, created: datetime) -> dict:
        media_id = self._next_id(17_895_695_668_000_000)
        item = {"id": media_id, "caption": caption, "media_type": ("IMAGE", "VIDEO", "CAROUSEL_ALBUM")[self.n % 3],
                "media_product_type": "FEED", "media_url": f"https://scontent.cdninstagram.com/v/{media_id}_n.jpg",
                "permalink": f"https://www.instagram.com/p/C{media_id[-9:]}/", "timestamp": _stamp(created),
                "username": BRAND, "like_count": self.n % 50, "comments_count": 0, "owner": {"id": BRAND_ID}}
        self.media.insert(0, item)
        self.media.sort(key=lambda m: m["timestamp"], reverse=True)
        self.top_comments[media_id] = []
        return item

    def _add_comment(self, media_id: str, username: str, text: str, created: datetime,
                     parent: str | None = None) -> dict:
        comment_id = self._next_id(17_858_893_269_000_000)
        igsid = BRAND_IGSID if username == BRAND else str(6_934_820_471_000_000 + sum(map(ord, username)))
        comment = {"id": comment_id, "text": text, "timestamp": _stamp(created), "username": username,
                   "from": {"id": igsid, "username": username}, "like_count": self.n % 4,
                   "media": {"id": media_id, "media_product_type": "FEED"}}
        if username == BRAND:  # only on the app user's own comments
            comment["user"] = {"id": BRAND_ID}
        if parent:
            comment["parent_id"] = parent
            self.replies[parent].append(comment_id)
        else:
            self.top_comments[media_id].append(comment_id)
        self.replies[comment_id] = []
        self.comments[comment_id] = comment
        next(m for m in self.media if m["id"] == media_id)["comments_count"] += 1
        return comment

    def add_media(self, caption: str, comments: int = 2) -> dict:
        """A new media (with consumer comments) published after a first sync."""
        created = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
        item = self._add_media(caption, created)
        for j in range(comments):
            self._add_comment(item["id"], f"newfan{j}", f"Love it! ({j})", created + timedelta(minutes=j + 1))
        return item

    def add_comment(self, media_id: str, username: str, text: str) -> dict:
        return self._add_comment(media_id, username, text, datetime.now(UTC).replace(microsecond=0)
                                 - timedelta(minutes=5))

    def delete_media(self, media_id: str) -> None:
        self.media = [m for m in self.media if m["id"] != media_id]
        self.gone.add(media_id)

    def expected(self) -> dict[str, int]:
        """Posts per author role that a full sync must store."""
        live = {m["id"] for m in self.media}
        comments = [c for c in self.comments.values() if c["media"]["id"] in live]
        brand = len(self.media) + sum(c["username"] == BRAND for c in comments)
        return {"brand": brand, "consumer": sum(c["username"] != BRAND for c in comments)}

    # -- auth -----------------------------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        return request.arg("access_token") == self.token

    def refuse(self, request: Request) -> Reply:
        if self.expired:
            return Reply(400, expired_token_body(), {"WWW-Authenticate": 'OAuth "Facebook Platform" '
                                                     '"invalid_token" "Error validating access token"'})
        if not request.arg("access_token"):
            return Reply(400, graph_error("An active access token must be used to query information about "
                                          "the current user.", 2500))
        return Reply(400, graph_error("Invalid OAuth access token - Cannot parse access token", 190))

    # -- the API --------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        headers = usage_headers()
        parts = request.path.strip("/").split("/")
        if not parts or parts[0] != VERSION or len(parts) not in (2, 3):
            return Reply(400, graph_error("Unknown path components: " + request.path, 2500), headers)
        try:
            fields = parse_fields(request.arg("fields") or "id")
        except ValueError as exc:
            return Reply(400, graph_error(f"Syntax error {exc}", 2500), headers)
        node, edge = parts[1], parts[2] if len(parts) == 3 else None
        if node == PAGE_ID and edge is None:
            page = {"id": PAGE_ID, "name": "Acme Coffee", "instagram_business_account": {"id": BRAND_ID}}
            return Reply(200, {k: page[k] for k in ("id", *fields) if k in page}, headers)
        if node == BRAND_ID and edge == "media":
            return Reply(200, self._edge(request, self.media, fields, request.path), headers)
        if node in self.top_comments and node not in self.gone and edge == "comments":
            items = [self.comments[c] for c in self.top_comments[node]]
            return Reply(200, self._edge(request, items, fields, request.path), headers)
        if node in self.comments and edge == "replies" and self.comments[node]["media"]["id"] not in self.gone:
            items = [self.comments[c] for c in self.replies[node]]
            return Reply(200, self._edge(request, items, fields, request.path), headers)
        return Reply(400, graph_error(f"Unsupported get request. Object with ID '{node}' does not exist, cannot be "
                                      "loaded due to missing permissions, or does not support this operation. "
                                      "Please read the Graph API documentation at "
                                      "https://developers.facebook.com/docs/graph-api", 100, 33,
                                      "GraphMethodException"), headers)

    def _edge(self, request: Request, items: list[dict], fields: dict, path: str) -> dict:
        limit = int(request.arg("limit") or DEFAULT_LIMIT)
        query = {k: v for k, v in request.query.items() if k not in ("after", "before")}
        return self._page(items, fields, limit, request.arg("after"), request.arg("before"), path, query)

    def _page(self, items: list[dict], fields: dict, limit: int, after: str | None, before: str | None,
              path: str, query: dict) -> dict:
        ids = [i["id"] for i in items]
        start = 0
        if after:
            anchor = _uncursor(after)
            start = ids.index(anchor) + 1 if anchor in ids else len(ids)
        elif before:
            anchor = _uncursor(before)
            start = max(0, (ids.index(anchor) if anchor in ids else 0) - limit)
        chunk = items[start:start + limit]
        body: dict = {"data": [self._project(i, fields) for i in chunk]}
        if chunk:
            paging: dict = {"cursors": {"before": _cursor(chunk[0]["id"]), "after": _cursor(chunk[-1]["id"])}}
            if start + limit < len(items):
                paging["next"] = f"{self.base_url}{path}?{urlencode({**query, 'after': _cursor(chunk[-1]['id'])})}"
            if start > 0:
                paging["previous"] = (f"{self.base_url}{path}?"
                                      f"{urlencode({**query, 'before': _cursor(chunk[0]['id'])})}")
            body["paging"] = paging
        return body

    def _project(self, item: dict, fields: dict) -> dict:
        out: dict = {}
        for name, (sub, limit) in fields.items():
            if name == "replies" and "text" in item:
                replies = [self.comments[r] for r in self.replies[item["id"]]]
                if replies:
                    query = {"access_token": self.token, "fields": _unparse(sub or {"id": (None, None)}),
                             "limit": str(limit or DEFAULT_LIMIT)}
                    out["replies"] = self._page(replies, sub or {"id": (None, None)}, limit or DEFAULT_LIMIT,
                                                None, None, f"/{VERSION}/{item['id']}/replies", query)
            elif name in item:
                value = item[name]
                out[name] = {k: v for k, v in value.items() if k in (sub or {"id": 0}) or k == "id"} \
                    if isinstance(value, dict) and name == "media" else value
        return out


def _unparse(fields: dict) -> str:
    return ",".join(name + (f"{{{_unparse(sub)}}}" if sub else "") for name, (sub, _) in fields.items())
