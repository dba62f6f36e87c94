"""A fake Facebook Graph API (the endpoints socialaudit.sync.facebook calls), answering as the docs describe.

Data: one Page (``AcmeCoffee``, id 104958162837) with ``posts`` posts of its own; under post
``i``, ``i % 9`` top-level comments by consumers, every third of them answered by the Page and
every sixth followed up by its author (Facebook has two levels: a reply to a reply hangs under
the top-level comment, with that comment as ``parent``).  Timestamps are fixed (from
2025-06-02 08:00 UTC, one minute apart in the order items were made), so two fakes serve
identical data.

What is implemented, after https://developers.facebook.com/docs/graph-api/:

* a versioned path (``/v21.0/...``) and the token in the ``access_token`` query parameter; a
  missing, wrong or expired token gets Graph's ``OAuthException`` body (code 104 or 190, subcode
  463 when expired) with HTTP 400;
* ``GET /{page-id or username}?fields=...`` (the Page node; an unknown alias is error 803);
* ``GET /{page-id}/posts`` (and ``/published_posts``, ``/feed``): newest first, ``since`` /
  ``until`` (Unix times, inclusive), ``limit`` (25 by default, at most 100), cursor paging
  (``paging.cursors.before/after`` pointing at the first and last item, ``paging.next`` — an
  absolute URL that repeats the token — while more items exist), or time paging (``until`` and
  ``__paging_token`` in ``next``, no cursors) with ``time_paging=True``;
* ``GET /{post-id}?fields=...`` with field expansion of the post's edges: ``reactions`` and
  ``comments`` with ``.limit()``, ``.summary(true)``, ``.filter(toplevel|stream)``,
  ``.order(chronological|reverse_chronological)``, ``.after(cursor)`` and ``{subfields}``;
  a post without comments has no ``comments`` key; a deleted post is error 100 / subcode 33, a
  cursor the fake did not make error 100;
* only the requested fields are returned (plus ``id``), and every answer carries the usage
  headers ``X-App-Usage`` and ``X-Business-Use-Case-Usage``.

Rate limits are injected with :meth:`FakeFacebook.rate_limit` (Graph answers them with HTTP 400
or 403 and a code, not 429).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sync.fakeserver import FakeApi, Reply, Request

PAGE_ID, PAGE_USERNAME, PAGE_NAME = "104958162837", "AcmeCoffee", "Acme Coffee"
BASE = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
_VERSION = re.compile(r"v\d+\.\d+")
_FIELD = re.compile(r"(\w+)((?:\.\w+\([^)]*\))*)(?:\{(.*)\})?", re.S)
_MODIFIER = re.compile(r"\.(\w+)\(([^)]*)\)")


def parse_fields(spec: str) -> dict[str, tuple[dict[str, str], str | None]]:
    """Graph's field syntax: ``a,b.limit(2).summary(true){c,d}`` -> ``{name: (modifiers, subfields)}``."""
    parts, depth, current = [], 0, ""
    for char in spec:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    out = {}
    for part in filter(None, (p.strip() for p in parts)):
        match = _FIELD.fullmatch(part)
        if match is None:
            raise ValueError(part)
        out[match.group(1)] = (dict(_MODIFIER.findall(match.group(2) or "")), match.group(3))
    return out


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(item_id: str) -> str:
    return base64.b64encode(f"fake-cursor:{item_id}".encode()).decode()


def _uncursor(cursor: str) -> str | None:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except ValueError:
        return None
    return text.split(":", 1)[1] if text.startswith("fake-cursor:") else None


def graph_error(message: str, code: int, subcode: int | None = None, kind: str = "OAuthException",
                **extra) -> dict:
    error = {"message": message, "type": kind, "code": code, **extra, "fbtrace_id": "AbCdEfGh123_xyz"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class BadCursor(ValueError):
    """A cursor this fake did not make (Graph answers error 100)."""


class FakeFacebook(FakeApi):
    def __init__(self, posts: int = 12, time_paging: bool = False) -> None:
        super().__init__()
        self.time_paging = time_paging
        self.version = "v21.0"
        self.n = 0
        self.posts: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}  # post id -> its comments and replies, in time order
        self.deleted: set[str] = set()
        for i in range(posts):
            post = self.add_post(f"New at Acme this week: roast no. {i}. Who is trying it first?")
            for c in range(i % 9):
                top = self.add_comment(post["id"], f"Is roast {i} also available as decaf? ({c})", 7000 + c)
                if c % 3 == 0:
                    self.add_comment(post["id"], f"Not yet, but our decaf is a close cousin! ({i}/{c})", parent=top)
                if c % 6 == 0:
                    self.add_comment(post["id"], "Thanks, I will try that one", 7000 + c, parent=top)

    # -- data ------------------------------------------------------------------------------
    def _next_time(self) -> tuple[int, datetime]:
        self.n += 1
        return self.n, BASE + timedelta(minutes=self.n)

    def add_post(self, message: str) -> dict:
        n, created = self._next_time()
        object_id = str(10158932610000000 + n)
        post = {"id": f"{PAGE_ID}_{object_id}", "created_time": _stamp(created), "message": message,
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{object_id}",
                "from": {"name": PAGE_NAME, "id": PAGE_ID},
                "status_type": "added_photos" if n % 2 else "mobile_status_update",
                "_shares": n % 4, "_reactions": 10 + n % 50, "_n": n}
        if n % 2:
            post["attachments"] = {"data": [{"media_type": "photo", "type": "photo",
                                             "url": f"https://www.facebook.com/photo/?fbid={object_id}"}]}
        self.posts[post["id"]] = post
        self.comments[post["id"]] = []
        return post

    def add_comment(self, post_id: str, message: str, consumer: int | None = None,
                    parent: dict | None = None) -> dict:
        """A comment on ``post_id`` by consumer number ``consumer`` (the Page when ``None``),
        a reply when ``parent`` (a top-level comment) is given."""
        n, created = self._next_time()
        object_id = post_id.split("_", 1)[1]
        author = ({"name": PAGE_NAME, "id": PAGE_ID} if consumer is None
                  else {"name": f"Consumer {consumer}", "id": str(2178362951000000 + consumer)})
        comment = {"id": f"{object_id}_{10158932700000000 + n}", "created_time": _stamp(created),
                   "message": message, "from": author, "like_count": n % 5, "comment_count": 0,
                   "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{object_id}?comment_id={n}",
                   "_n": n}
        if parent is not None:
            comment["parent"] = {"created_time": parent["created_time"], "from": parent["from"],
                                 "message": parent["message"], "id": parent["id"]}
            parent["comment_count"] += 1
        self.comments[post_id].append(comment)
        return comment

    def all_comments(self) -> list[dict]:
        return [c for post_id, comments in self.comments.items() if post_id not in self.deleted for c in comments]

    def rate_limit(self, path_contains: str, code: int = 80001, status: int = 400, headers: dict | None = None,
                   times: int = 1) -> None:
        """The next matching requests answer with Graph's rate-limit error ``code``."""
        messages = {4: "(#4) Application request limit reached",
                    17: "(#17) User request limit reached",
                    32: "(#32) Page request limit reached",
                    613: "(#613) Calls to this api have exceeded the rate limit.",
                    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. "
                           "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/"
                           "rate-limiting."}
        self.fail(path_contains, status, graph_error(messages[code], code, is_transient=True), headers, times)

    # -- the token -------------------------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        return request.arg("access_token") == self.token

    def refuse(self, request: Request) -> Reply:
        token = request.arg("access_token")
        if not token:
            return Reply(400, graph_error("An access token is required to request this resource.", 104))
        if self.expired:
            message = ("Error validating access token: Session has expired on Sunday, 01-Jun-25 10:00:00 PDT. "
                       "The current time is Monday, 02-Jun-25 01:00:00 PDT.")
            return Reply(400, graph_error(message, 190, 463),
                         {"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_token" "{message}"'})
        return Reply(400, graph_error("Invalid OAuth access token - Cannot parse access token", 190),
                     {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"'})

    # -- the API ---------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        calls = len(self.requests) % 100
        return {"X-App-Usage": json.dumps({"call_count": calls, "total_cputime": 1, "total_time": 1}),
                "X-Business-Use-Case-Usage": json.dumps({PAGE_ID: [
                    {"type": "pages", "call_count": calls, "total_cputime": 1, "total_time": 1,
                     "estimated_time_to_regain_access": 0}]}),
                "facebook-api-version": "v21.0"}

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if not parts or not _VERSION.fullmatch(parts[0]):
            return Reply(400, graph_error(f"Unknown path components: {request.path}", 2500))
        self.version = parts[0]
        try:
            fields = parse_fields(request.arg("fields") or "id")
        except ValueError as exc:
            return Reply(400, graph_error(f"(#100) Syntax error in fields near \"{exc}\"", 100))
        headers = self._headers()
        if len(parts) == 2:
            node = parts[1]
            if node.lower() in (PAGE_USERNAME.lower(), PAGE_ID):
                page = {"id": PAGE_ID, "name": PAGE_NAME, "username": PAGE_USERNAME, "followers_count": 51234,
                        "fan_count": 50877}
                return Reply(200, {k: v for k, v in page.items() if k in fields or k == "id"}, headers)
            if node in self.posts and node not in self.deleted:
                try:
                    return Reply(200, self._post_view(self.posts[node], fields), headers)
                except BadCursor:
                    return Reply(400, graph_error("(#100) The after cursor is invalid", 100), headers)
            if "_" in node or node.isdigit():
                return Reply(400, graph_error(
                    f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
                    "missing permissions, or does not support this operation. Please read the Graph API "
                    "documentation at https://developers.facebook.com/docs/graph-api", 100, 33,
                    kind="GraphMethodException"), headers)
            return Reply(404, graph_error(f"(#803) Some of the aliases you requested do not exist: {node}", 803),
                         headers)
        if len(parts) == 3 and parts[1] == PAGE_ID and parts[2] in ("posts", "published_posts", "feed"):
            return self._posts_page(request, parts[2], fields, headers)
        return Reply(400, graph_error(f"Unknown path components: /{'/'.join(parts[2:])}", 2500), headers)

    def _posts_page(self, request: Request, edge: str, fields, headers: dict) -> Reply:
        try:
            limit = int(request.arg("limit") or 25)
            since = int(request.arg("since")) if request.arg("since") else None
            until = int(request.arg("until")) if request.arg("until") else None
        except ValueError:
            return Reply(400, graph_error("(#100) Invalid parameter", 100), headers)
        if not 0 < limit <= 100:
            return Reply(400, graph_error("(#100) The limit parameter cannot exceed 100", 100), headers)
        chosen = sorted((p for pid, p in self.posts.items() if pid not in self.deleted),
                        key=lambda p: p["_n"], reverse=True)

        def unix(item: dict) -> int:
            return int(datetime.strptime(item["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp())

        chosen = [p for p in chosen if (since is None or unix(p) >= since) and (until is None or unix(p) <= until)]
        token = request.arg("after") or (request.arg("__paging_token") or "").removeprefix("enc_") or None
        start = 0
        if token:
            pointed = _uncursor(token)
            ids = [p["id"] for p in chosen]
            if pointed is None:
                return Reply(400, graph_error("(#100) The after cursor is invalid", 100), headers)
            start = ids.index(pointed) + 1 if pointed in ids else len(ids)
        page = chosen[start:start + limit]
        body: dict = {"data": [self._post_view(p, fields) for p in page]}
        if not page:
            return Reply(200, body, headers)
        more = start + limit < len(chosen)
        query = {"access_token": request.arg("access_token"), "fields": request.arg("fields"), "limit": limit}
        link = f"{self.base_url}/{self.version}/{PAGE_ID}/{edge}?"
        if self.time_paging:
            paging = {"previous": link + urlencode({**query, "since": unix(page[0]), "__previous": 1,
                                                    "__paging_token": "enc_" + _cursor(page[0]["id"])})}
            if more:
                paging["next"] = link + urlencode({**query, **({"since": since} if since is not None else {}),
                                                   "until": unix(page[-1]),
                                                   "__paging_token": "enc_" + _cursor(page[-1]["id"])})
        else:
            paging = {"cursors": {"before": _cursor(page[0]["id"]), "after": _cursor(page[-1]["id"])}}
            if start:
                paging["previous"] = link + urlencode({**query, **({"since": since} if since is not None else {}),
                                                       "before": _cursor(page[0]["id"])})
            if more:
                paging["next"] = link + urlencode({**query, **({"since": since} if since is not None else {}),
                                                   "after": _cursor(page[-1]["id"])})
        body["paging"] = paging
        return Reply(200, body, headers)

    def _post_view(self, post: dict, fields) -> dict:
        out: dict = {"id": post["id"]}
        for name, (modifiers, sub) in fields.items():
            if name == "reactions":
                count = post["_reactions"]
                limit = int(modifiers.get("limit", 25))
                edge: dict = {"data": [{"id": str(2178362951000000 + k), "name": f"Consumer {k}", "type": "LIKE"}
                                       for k in range(min(limit, count))]}
                if modifiers.get("summary") in ("true", "total_count", "1"):
                    edge["summary"] = {"total_count": count, "viewer_reaction": "NONE"}
                out[name] = edge
            elif name == "comments":
                edge = self._comments_edge(post["id"], modifiers, parse_fields(sub) if sub else None)
                if edge is not None:
                    out[name] = edge
            elif name == "shares":
                if post["_shares"]:
                    out[name] = {"count": post["_shares"]}
            elif name in post and not name.startswith("_"):
                out[name] = post[name]
        return out

    def _comments_edge(self, post_id: str, modifiers: dict[str, str], fields) -> dict | None:
        fields = fields or parse_fields("created_time,from,message,id")
        kind = modifiers.get("filter", "toplevel")
        items = [c for c in self.comments[post_id] if kind == "stream" or "parent" not in c]
        order = modifiers.get("order", "chronological")
        if order == "reverse_chronological":
            items = items[::-1]
        limit = int(modifiers.get("limit", 25))
        start = 0
        if modifiers.get("after"):
            pointed = _uncursor(modifiers["after"])
            if pointed is None:
                raise BadCursor(modifiers["after"])
            ids = [c["id"] for c in items]
            start = ids.index(pointed) + 1 if pointed in ids else len(ids)
        page = items[start:start + limit]
        summary = modifiers.get("summary") in ("true", "total_count", "1")
        if not items and not summary:
            return None  # Graph leaves out an empty edge
        edge: dict = {"data": [self._comment_view(c, fields) for c in page]}
        if page:
            edge["paging"] = {"cursors": {"before": _cursor(page[0]["id"]), "after": _cursor(page[-1]["id"])}}
            if start + limit < len(items):
                query = {"access_token": self.token, "fields": ",".join(fields), "filter": kind, "order": order,
                         "limit": limit, "after": _cursor(page[-1]["id"])}
                edge["paging"]["next"] = f"{self.base_url}/{self.version}/{post_id}/comments?{urlencode(query)}"
        if summary:
            edge["summary"] = {"order": order, "total_count": len(items), "can_comment": True}
        return edge

    @staticmethod
    def _comment_view(comment: dict, fields) -> dict:
        out: dict = {"id": comment["id"]}
        for name, (_, sub) in fields.items():
            if name == "parent" and "parent" in comment:
                parent = comment["parent"]
                out[name] = {k: v for k, v in parent.items() if k == "id" or not sub or k in parse_fields(sub)}
            elif name in comment and not name.startswith("_"):
                out[name] = comment[name]
        return out
