"""A fake X API v2 (the endpoints socialaudit.sync.x calls), answering as the docs describe.

Data: one brand (@AcmeSupport, id 783214) with ``brand_tweets`` tweets of its own, every
third one a reply to a consumer; ``mentions`` consumer tweets mentioning it; under each of the
brand's own (top-level) tweets, ``replies`` consumer replies.  Timestamps are recent (the
days before midnight of today) so that recent search reaches them.  Pages follow
https://docs.x.com/x-api: ``max_results`` bounds, ``pagination_token`` / ``next_token``,
``since_id`` and ``start_time`` filters, ``meta.newest_id`` / ``oldest_id`` / ``next_token``,
and the ``x-rate-limit-*`` headers on every answer.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

from sync.fakeserver import FakeApi, Reply, Request

BRAND_ID, BRAND = "783214", "AcmeSupport"
#: The registry that makes @AcmeSupport the brand account to sync.
REGISTRY = f"""
version: 1
companies:
  - id: acme
    name: Acme
    industry: retail
    accounts:
      twitter: [{BRAND}]
"""


def _tid(n: int) -> str:
    return str(1_800_000_000_000_000_000 + n)


class FakeX(FakeApi):
    def __init__(self, brand_tweets: int = 45, mentions: int = 230, replies: int = 3,
                 rate_limit_every: int | None = None) -> None:
        super().__init__()
        # Midnight today: two fakes built the same day serve identical tweets (the kill test
        # compares stores synced from two of them), all within recent search's 7 days.
        self.now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.rate_limit_every = rate_limit_every
        self.served = 0
        self.tweets: dict[str, dict] = {}
        self.users = {BRAND_ID: {"id": BRAND_ID, "username": BRAND, "name": "Acme Support", "verified": True,
                                 "public_metrics": {"followers_count": 50_000}}}
        n = 0
        for i in range(mentions):
            n += 1
            self._add(n, f"9{i % 40:03d}", f"@{BRAND} my order {i} is late, where is it?", mentions=[BRAND])
        for i in range(brand_tweets):
            n += 1
            if i % 3 == 2:
                parent = _tid(1 + i)
                self._add(n, BRAND_ID, f"@user{i} sorry, we are on it (case {i})", replied_to=parent,
                          conversation=parent)
            else:
                root = self._add(n, BRAND_ID, f"New this week at Acme: product {i}")
                for r in range(replies):
                    n += 1
                    self._add(n, f"8{r:03d}", f"@{BRAND} does product {i} come in blue? ({r})",
                              replied_to=root["id"], conversation=root["id"], mentions=[BRAND])
        self.last_n = n

    def _add(self, n: int, author: str, text: str, replied_to: str | None = None,
             conversation: str | None = None, mentions: list[str] | None = None) -> dict:
        tid = _tid(n)
        created = self.now - timedelta(days=3) + timedelta(seconds=60 * n)
        tweet = {"id": tid, "edit_history_tweet_ids": [tid], "author_id": author, "text": text,
                 "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "en",
                 "conversation_id": conversation or tid,
                 "public_metrics": {"retweet_count": n % 3, "reply_count": 0, "like_count": n % 7,
                                    "quote_count": 0, "impression_count": 100 + n}}
        if replied_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
        if mentions:
            tweet["entities"] = {"mentions": [{"start": 0, "end": len(m) + 1, "username": m, "id": BRAND_ID}
                                              for m in mentions]}
        if author not in self.users:
            self.users[author] = {"id": author, "username": f"consumer{author}", "name": f"Consumer {author}",
                                  "public_metrics": {"followers_count": int(author) % 500}}
        self.tweets[tid] = tweet
        return tweet

    def add_mention(self, text: str) -> dict:
        """A new consumer tweet arriving after a first sync."""
        self.last_n += 1
        return self._add(self.last_n, "9999", f"@{BRAND} {text}", mentions=[BRAND])

    # -- the API ------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        self.served += 1
        headers = {"x-rate-limit-limit": "900", "x-rate-limit-remaining": "899",
                   "x-rate-limit-reset": str(int(time.time()) + 900)}
        if self.rate_limit_every and self.served % self.rate_limit_every == 0:
            reset = int(time.time()) + 7
            return Reply(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type":
                               "about:blank", "status": 429},
                         {"x-rate-limit-limit": "900", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
        path = request.path
        if path.startswith("/2/users/by/username/"):
            name = path.rsplit("/", 1)[1]
            if name.lower() == BRAND.lower():
                return Reply(200, {"data": {"id": BRAND_ID, "name": "Acme Support", "username": BRAND}}, headers)
            return Reply(200, {"errors": [{"value": name, "detail": f"Could not find user with username: [{name}].",
                                           "title": "Not Found Error", "resource_type": "user", "parameter":
                                           "username", "resource_id": name,
                                           "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
                         headers)
        if path == f"/2/users/{BRAND_ID}/tweets":
            return self._page(request, [t for t in self.tweets.values() if t["author_id"] == BRAND_ID],
                              "pagination_token", 5, headers)
        if path == f"/2/users/{BRAND_ID}/mentions":
            return self._page(request, [t for t in self.tweets.values() if t["author_id"] != BRAND_ID
                                        and "entities" in t], "pagination_token", 5, headers)
        if path == "/2/tweets/search/recent":
            query = request.arg("query") or ""
            if not query.startswith("conversation_id:"):
                return Reply(400, {"errors": [{"message": "unsupported query in the fake"}]})
            conv = query.split(":", 1)[1]
            return self._page(request, [t for t in self.tweets.values() if t["conversation_id"] == conv
                                        and t["id"] != conv], "next_token", 10, headers)
        return Reply(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})

    def _page(self, request: Request, tweets: list[dict], token_param: str, min_results: int,
              headers: dict) -> Reply:
        size = int(request.arg("max_results") or 10)
        if not min_results <= size <= 100:
            return Reply(400, {"errors": [{"parameters": {"max_results": [str(size)]},
                                           "message": f"The `max_results` query parameter value [{size}] is not "
                                                      f"between {min_results} and 100"}],
                               "title": "Invalid Request", "detail": "One or more parameters to your request was "
                               "invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"})
        since_id = request.arg("since_id")
        start = request.arg("start_time")
        chosen = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        if since_id:
            chosen = [t for t in chosen if int(t["id"]) > int(since_id)]
        if start:
            chosen = [t for t in chosen if t["created_at"] >= start.replace("Z", ".000Z")]
        offset = 0
        token = request.arg(token_param)
        if token:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode())
        page = chosen[offset:offset + size]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}}, headers)
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if offset + size < len(chosen):
            meta["next_token"] = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
        if offset:
            meta["previous_token"] = base64.urlsafe_b64encode(str(max(0, offset - size)).encode()).decode()
        # X gives newest_id of the page; the first page's is the newest of the walk.
        users = sorted({t["author_id"] for t in page})
        referenced = sorted({r["id"] for t in page for r in t.get("referenced_tweets", [])} & self.tweets.keys())
        body = {"data": page, "includes": {"users": [self.users[u] for u in users],
                                           "tweets": [self.tweets[r] for r in referenced]}, "meta": meta}
        return Reply(200, body, headers)
