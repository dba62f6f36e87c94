"""X (Twitter) API v2: a brand's own tweets, its mentions, and the replies in its conversations.

Endpoints (https://docs.x.com/x-api): ``GET /2/users/by/username/:username`` (the account's
id), ``GET /2/users/:id/tweets`` (timeline, up to the 3,200 most recent), ``GET
/2/users/:id/mentions`` (up to 800) and ``GET /2/tweets/search/recent`` with
``query=conversation_id:ID`` (the replies under each recent brand tweet; recent search only
reaches back 7 days).  Pages hold up to 100 tweets; ``meta.next_token`` goes to the next page
(``pagination_token`` for timelines, ``next_token`` for search), ``since_id`` makes a run
fetch only tweets newer than the last one stored, and ``meta.newest_id`` of a walk's first
page becomes that since-id when the walk is done.

Auth: an app's Bearer token (``SOCIALAUDIT_X_TOKEN``); the Basic tier or above is needed for
timelines, mentions and recent search.  Rate limits: a 429 carries ``x-rate-limit-reset``
(epoch seconds), which the client waits for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from .base import Connector, Feed, Page, PerPostFeed, Target, iso
from .http import RequestFailed

TWEET_FIELDS = ("id,text,author_id,created_at,conversation_id,lang,referenced_tweets,public_metrics,entities,"
                "attachments,note_tweet,in_reply_to_user_id,edit_history_tweet_ids")
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,attachments.media_keys,in_reply_to_user_id"
USER_FIELDS = "id,username,name,verified,public_metrics"
MEDIA_FIELDS = "media_key,type"
#: Recent search covers the last 7 days; conversations are searched a little inside that.
SEARCH_DAYS = 6.9


def _fields() -> dict[str, str]:
    return {"tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user.fields": USER_FIELDS,
            "media.fields": MEDIA_FIELDS}


class _SinceIdFeed(Feed):
    """A user timeline walk: newest first, down to the stored since-id (or the sync's start
    date the first time).  State while walking: ``{"since_id", "next_token", "newest_id"}``;
    when done: ``{"since_id": newest}``."""

    path: str

    def __init__(self, connector: XConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    def _params(self, state: dict) -> dict[str, Any]:
        params: dict[str, Any] = {**_fields(), "max_results": self.connector.page_size(100)}
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        else:
            params["start_time"] = iso(self.connector.context.since)
        if state.get("next_token"):
            params["pagination_token"] = state["next_token"]
        return params

    def fetch(self, state: dict) -> Iterator[Page]:
        url = self.path.format(id=self.target.platform_id)
        newest = state.get("newest_id")
        while True:
            response = self.connector.client.get(url, self._params(state))
            meta = response.data.get("meta") if isinstance(response.data, dict) else None
            meta = meta if isinstance(meta, dict) else {}
            newest = newest or meta.get("newest_id")
            token = meta.get("next_token")
            base = {"since_id": state["since_id"]} if state.get("since_id") else {}
            if token:
                state = {**base, "next_token": token, **({"newest_id": newest} if newest else {})}
            else:
                state = {"since_id": newest} if newest else base
            yield Page(response.data, state, response.url)
            if not token:
                return

    def describe(self, state: dict) -> str:
        params = self._params(state)
        shown = {k: v for k, v in params.items() if k in ("since_id", "start_time", "pagination_token", "max_results")}
        return f"GET {self.path.format(id=self.target.platform_id)} " + " ".join(f"{k}={v}" for k, v in shown.items())


class TimelineFeed(_SinceIdFeed):
    name = "tweets"
    path = "/2/users/{id}/tweets"


class MentionsFeed(_SinceIdFeed):
    name = "mentions"
    path = "/2/users/{id}/mentions"


class ConversationsFeed(PerPostFeed):
    """Replies under each brand tweet of the last week (recent search by conversation_id)."""

    name = "conversations"

    def _posts(self, started):
        ctx = self.connector.context
        since = max(ctx.comments_since(started), started - timedelta(days=SEARCH_DAYS))
        return ctx.brand_posts(self.target, since, started)

    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        while True:
            params = {**_fields(), "query": f"conversation_id:{post_id}",
                      "max_results": self.connector.page_size(100), "next_token": cursor}
            response = self.connector.client.get("/2/tweets/search/recent", params)
            meta = response.data.get("meta") if isinstance(response.data, dict) else None
            cursor = (meta or {}).get("next_token") if isinstance(meta, dict) else None
            yield response.data, cursor, response.url
            if not cursor:
                return

    def first_request(self, post_id: str) -> str:
        return f"GET /2/tweets/search/recent query=conversation_id:{post_id}"


class XConnector(Connector):
    channel = "twitter"
    format_name = "x-v2"
    title = "X API v2"
    default_base_url = "https://api.x.com"
    permissions = ("an X developer app (Basic tier or above) and its Bearer token: user lookup, user timelines, "
                   "mentions and recent search are read-only app-auth endpoints")

    def resolve(self, target: Target) -> Target:
        if target.platform_id:
            return target
        response = self.client.get(f"/2/users/by/username/{target.handle}", {"user.fields": "id,username"})
        data = response.data.get("data") if isinstance(response.data, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise RequestFailed(self.channel, response.url, f"no X account @{target.handle} (check the registry)")
        return Target(target.channel, target.handle, target.company_id, str(data["id"]))

    def feeds(self, target: Target) -> list[Feed]:
        return [TimelineFeed(self, target), MentionsFeed(self, target), ConversationsFeed(self, target)]


CONNECTOR = XConnector
