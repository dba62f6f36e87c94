"""A fake LinkedIn Community Management API (the endpoints socialaudit.sync.linkedin calls).

Data: one organization page (vanity name ``acme-home``, id 2414183) with ``posts`` posts of
its own; under each, ``comments`` comments by members, and under every fourth comment a reply
by the organization and a member's answer to it.  Times are fixed (so two fakes hold the same
data), a minute apart.  Answers follow the documentation: Rest.li collections
``{"elements", "paging": {"start", "count", "links", "total"}}`` with offset paging
(``start``/``count``, a ``next`` link while more remain), posts newest first (``sortBy``
``CREATED`` or ``LAST_MODIFIED``), URL-encoded URNs in ``/rest/socialActions/{urn}/comments``,
the ``LinkedIn-Version`` and ``X-Restli-Protocol-Version`` headers required, and LinkedIn's
error bodies (``serviceErrorCode`` 65602 for an expired token, 101 for a throttled app; no
rate-limit headers).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote, urlencode

from sync.fakeserver import FakeApi, Reply, Request

ORG_ID, VANITY = 2414183, "acme-home"
ORG = f"urn:li:organization:{ORG_ID}"
#: the fake's clock: posts are a minute apart from here on
BASE_MS = int(datetime(2025, 3, 3, 9, 0, tzinfo=UTC).timestamp() * 1000)
THROTTLED = {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
             "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}
EXPIRED = {"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN",
           "message": "The token used in the request has expired"}
REVOKED = {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN",
           "message": "The token used in the request has been revoked by the user"}
INVALID = {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
           "message": "Invalid access token"}


class FakeLinkedIn(FakeApi):
    def __init__(self, posts: int = 12, comments: int = 6, throttle_every: int | None = None,
                 daily_limit: int | None = None) -> None:
        super().__init__()
        self.throttle_every = throttle_every
        self.daily_limit = daily_limit
        self.revoked = False  # with ``expired``: the token was revoked rather than expired
        self.served = 0
        self.throttled = 0  # 429s answered
        self.tick = 0
        self.posts: list[dict] = []
        self.comments: dict[str, list[dict]] = {}  # post or comment URN -> its comments, oldest first
        for i in range(posts):
            self.add_post(f"Acme tip #{i}: descale your kettle every month.", comments)

    # -- data ---------------------------------------------------------------------------
    def _ms(self) -> int:
        self.tick += 1
        return BASE_MS + 60_000 * self.tick

    def add_post(self, text: str, comments: int = 0) -> dict:
        created = self._ms()
        number = len(self.posts)
        kind = "ugcPost" if number % 5 == 4 else "share"
        post = {"isReshareDisabledByAuthor": False, "createdAt": created, "lifecycleState": "PUBLISHED",
                "lastModifiedAt": created + 7000, "visibility": "PUBLIC", "publishedAt": created + 7000,
                "author": ORG, "id": f"urn:li:{kind}:{7_200_000_000_000_000_000 + created // 1000}",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "commentary": text + " {hashtag|\\#|AcmeHome}", "lifecycleStateInfo": {"isEditedByAuthor": False}}
        if number % 3 == 1:
            post["content"] = {"media": {"altText": "A kettle", "id": f"urn:li:image:C4E22AQ{number:06d}"}}
        elif number % 3 == 2:
            post["content"] = {"article": {"source": f"https://www.acme-home.example/blog/{number}",
                                           "title": f"Guide {number}"}}
        self.posts.append(post)
        self.comments[post["id"]] = []
        for j in range(comments):
            top = self.add_comment(post["id"], f"member{j % 7}", f"Does tip {number} work for model {j}?")
            if j % 4 == 0:
                self.add_comment(post["id"], None, "Yes! Send us your model number.", parent=top)
                self.add_comment(post["id"], f"member{j % 7}", "Thanks, done.", parent=top)
        return post

    def add_comment(self, post_urn: str, member: str | None, text: str, parent: dict | None = None) -> dict:
        """A comment by a member (``member`` = its person id) or by the organization (``None``)."""
        created = self._ms()
        number = 7_300_000_000_000_000_000 + created // 1000
        actor = ORG if member is None else f"urn:li:person:{member}"
        urn = f"urn:li:comment:({post_urn},{number})"
        comment = {"actor": actor, "commentUrn": urn, "created": {"actor": actor, "time": created},
                   "id": str(number), "lastModified": {"actor": actor, "time": created},
                   "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": number % 3,
                                    "likedByCurrentUser": False, "totalLikes": number % 3},
                   "message": {"attributes": [], "text": text}, "object": post_urn, "$URN": urn,
                   "commentsSummary": {"selectedComments": [], "totalFirstLevelComments": 0,
                                       "aggregatedTotalComments": 0}}
        if parent is not None:
            comment["parentComment"] = parent["commentUrn"]
            summary = parent["commentsSummary"]
            summary["totalFirstLevelComments"] += 1
            summary["aggregatedTotalComments"] += 1
            summary["selectedComments"].append(urn)
            self.comments.setdefault(parent["commentUrn"], []).append(comment)
        else:
            self.comments[post_urn].append(comment)
        return comment

    # -- the API ------------------------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def refuse(self, request: Request) -> Reply:
        if self.revoked:
            return Reply(401, REVOKED)
        if self.expired:
            return Reply(401, EXPIRED)
        return Reply(401, INVALID)

    def route(self, request: Request) -> Reply:
        with self.lock:
            self.served += 1
            served = self.served
        if (self.daily_limit is not None and served > self.daily_limit) or \
                (self.throttle_every and served % self.throttle_every == 0):
            with self.lock:
                self.throttled += 1
            return Reply(429, THROTTLED)
        version = request.headers.get("linkedin-version")
        if not version:
            return Reply(400, {"status": 400, "code": "VERSION_MISSING", "message": "A version must be present. "
                               "Please specify a version by adding the LinkedIn-Version header."})
        if not (len(version) == 6 and version.isdigit()) or version < "202501":
            return Reply(426, {"status": 426, "code": "NONEXISTENT_VERSION",
                               "message": f"Requested version {version} is not active"})
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return Reply(400, {"status": 400, "message": "Rest.li protocol 2.0.0 required by this fake"})
        path = request.path
        if path == "/rest/organizations":
            if request.arg("q") != "vanityName":
                return Reply(400, {"status": 400, "message": "unsupported finder in the fake"})
            found = [self._organization()] if (request.arg("vanityName") or "").lower() == VANITY else []
            return Reply(200, {"elements": found, "paging": {"count": 10, "start": 0, "links": []}})
        if path == "/rest/posts":
            if request.arg("q") != "author":
                return Reply(400, {"status": 400, "message": "unsupported finder in the fake"})
            if request.arg("author") != ORG:
                return Reply(403, {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                                   "message": "Not enough permissions to access: "
                                              "partnerApiPostsExternal.FINDER-author"})
            key = "createdAt" if request.arg("sortBy") == "CREATED" else "lastModifiedAt"
            posts = sorted(self.posts, key=lambda p: (p[key], p["id"]), reverse=True)
            return self._collection(request, posts)
        parts = path.split("/")
        if len(parts) == 5 and parts[1:3] == ["rest", "socialActions"] and parts[4] == "comments":
            urn = unquote(parts[3])
            if ":" in parts[3]:  # an unencoded URN in a path is a Rest.li syntax error
                return Reply(400, {"status": 400, "message": f"Syntax exception in path variables: {parts[3]}"})
            if urn not in self.comments and not any(urn == c["commentUrn"] for cs in self.comments.values()
                                                    for c in cs):
                return Reply(404, {"status": 404, "serviceErrorCode": 0, "code": "NOT_FOUND",
                                   "message": f"Not Found: {urn}"})
            return self._collection(request, self.comments.get(urn, []))
        return Reply(404, {"status": 404, "message": f"No virtual resource found: {path}"})

    def _organization(self) -> dict:
        return {"vanityName": VANITY, "localizedName": "Acme Home", "id": ORG_ID,
                "name": {"localized": {"en_US": "Acme Home"}, "preferredLocale": {"country": "US", "language": "en"}},
                "primaryOrganizationType": "NONE", "locations": [], "localizedWebsite": "https://acme-home.example"}

    def _collection(self, request: Request, items: list[dict]) -> Reply:
        start, count = int(request.arg("start") or 0), int(request.arg("count") or 10)
        if count < 0 or count > 100 or start < 0:
            return Reply(400, {"status": 400, "code": "ILLEGAL_ARGUMENT",
                               "message": f"Invalid paging parameters start={start} count={count}"})
        page = items[start:start + count]
        links = []
        query = {k: v for k, v in request.query.items() if k not in ("start", "count")}
        if start + count < len(items):
            links.append({"type": "application/json", "rel": "next",
                          "href": f"{request.path}?{urlencode({**query, 'count': count, 'start': start + count})}"})
        if start > 0:
            links.append({"type": "application/json", "rel": "prev",
                          "href": f"{request.path}?"
                                  f"{urlencode({**query, 'count': count, 'start': max(0, start - count)})}"})
        return Reply(200, {"paging": {"start": start, "count": count, "links": links, "total": len(items)},
                           "elements": page})
