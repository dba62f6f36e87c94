"""YouTube Data API v3: a brand channel's uploaded videos and the comments under them.

Endpoints (base ``https://www.googleapis.com/youtube/v3``, every call is a ``list`` method
costing 1 quota unit, https://developers.google.com/youtube/v3/determine_quota_cost):

* ``GET /channels?part=id,contentDetails&forHandle=@handle`` (or ``id=UC...`` when the
  config gives the channel id): the channel id and its uploads playlist,
  ``contentDetails.relatedPlaylists.uploads``
  (https://developers.google.com/youtube/v3/docs/channels/list);
* ``GET /playlistItems?part=contentDetails&playlistId=UU...&maxResults=50&pageToken=``: the
  channel's uploads, newest first, 50 per page at most, ``nextPageToken`` to the next page
  (https://developers.google.com/youtube/v3/docs/playlistItems/list).  These pages only say
  which videos are new; they are not stored;
* ``GET /videos?part=snippet,statistics&id=<up to 50 ids>``: the videos themselves — the page
  stored for each playlist page (https://developers.google.com/youtube/v3/docs/videos/list);
* ``GET /commentThreads?part=snippet,replies&videoId=...&maxResults=100&order=time&
  textFormat=plainText&pageToken=``: the comment threads of each recent brand video, with
  the replies the thread carries (https://developers.google.com/youtube/v3/docs/commentThreads/list).

The video feed walks the uploads playlist from the top and stops at the newest video it
stored last time (or, the first time, at the sync's start date), so a run fetches only new
videos.  The comment feed re-reads, each run, the threads of the brand's videos of the last
``comments_days`` (comments keep arriving under older videos; the merge is idempotent).

Auth: an API key sent as the ``key`` query parameter (``SOCIALAUDIT_YOUTUBE_TOKEN``).  Errors
have Google's shape ``{"error": {"code", "message", "errors": [{"reason", "domain"}],
"details": [{"reason"}]}}`` (https://developers.google.com/youtube/v3/docs/errors): a bad or
expired key is a 400 (``keyInvalid``, or ``badRequest`` with ``API_KEY_INVALID``), the daily
quota (10,000 units, reset at midnight Pacific time) a 403 ``quotaExceeded``, a short-term
limit a 403/429 ``rateLimitExceeded`` / ``userRateLimitExceeded`` (retried with backoff), a
video whose comments are off a 403 ``commentsDisabled`` (that video is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .base import Connector, Feed, Page, PerPostFeed, Target, iso, parse_iso
from .http import AuthError, QuotaExhausted, RequestFailed, Verdict, wait_from_headers

API = "/youtube/v3"
PACIFIC = ZoneInfo("America/Los_Angeles")
#: Reasons (``errors[].reason`` or ``details[].reason``) of a key that is wrong, expired or deleted.
KEY_REFUSED = frozenset({"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "authError"})
KEY_NOT_ALLOWED = frozenset({"accessNotConfigured", "SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED",
                             "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED",
                             "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED", "ipRefererBlocked"})
RATE_LIMITED = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
QUOTA_USED_UP = frozenset({"quotaExceeded", "dailyLimitExceeded"})


class CommentsUnavailable(RequestFailed):
    """A video whose comments cannot be listed (``commentsDisabled``, or the video is gone):
    not a failure of the feed, the next video is read."""


def quota_reset(now: float) -> datetime:
    """The next midnight, Pacific time (when YouTube's daily quota resets), in UTC."""
    local = datetime.fromtimestamp(now, PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return midnight.astimezone(UTC)


def _items(data: Any) -> list[dict]:
    items = data.get("items") if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _next_token(data: Any) -> str | None:
    token = data.get("nextPageToken") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


@dataclass
class _Uploads:
    """One page of the uploads playlist: the new video ids on it and the token of the next
    page (``None`` when the walk ends here: the last page, or a video already stored)."""

    ids: list[str]
    next_token: str | None


class VideosFeed(Feed):
    """The channel's uploads, newest first, down to the newest video stored last time.

    Each playlist page becomes one stored page: the ``videos.list`` answer for its new ids.
    State when done: ``{"playlist", "newest_id", "newest_at"}`` (the stop mark of the next
    run); while walking: the same stop mark plus ``page_token`` (the next playlist page) and
    ``walk_newest_id`` / ``walk_newest_at`` (the first video of this walk, the next mark).
    The state of a page is known only once the following playlist page has been read (if it
    holds no new video, the page is the walk's last), so that a walk always ends on a page.
    """

    name = "videos"

    def __init__(self, connector: YouTubeConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    def fetch(self, state: dict) -> Iterator[Page]:
        playlist = state.get("playlist") or self.connector.uploads_playlist(self.target)
        stop_id, stop_at = state.get("newest_id"), state.get("newest_at")
        # the first walk stops at the sync's start date; later ones at the newest video stored
        floor: datetime | None = self.connector.context.since if not (stop_id or stop_at) else None
        if stop_at:
            floor = parse_iso(stop_at)
        walk = {"id": state.get("walk_newest_id"), "at": state.get("walk_newest_at")}
        token = state.get("page_token")

        def read(page_token: str | None) -> _Uploads:
            response = self.connector.client.get(f"{API}/playlistItems", {
                "part": "contentDetails", "playlistId": playlist, "maxResults": self.connector.page_size(50),
                "pageToken": page_token})
            ids: list[str] = []
            for item in _items(response.data):
                details = item.get("contentDetails") if isinstance(item.get("contentDetails"), dict) else {}
                video_id, published = details.get("videoId"), details.get("videoPublishedAt")
                if not isinstance(video_id, str) or not video_id:
                    continue
                if video_id == stop_id or (floor is not None and isinstance(published, str)
                                           and parse_iso(published) < floor):
                    return _Uploads(ids, None)
                if video_id not in ids:
                    ids.append(video_id)
                if walk["id"] is None:
                    walk["id"], walk["at"] = video_id, published if isinstance(published, str) else None
            following = _next_token(response.data)
            return _Uploads(ids, following if following != page_token else None)

        def done() -> dict:
            newest_id, newest_at = (walk["id"], walk["at"]) if walk["id"] else (stop_id, stop_at)
            return _clean({"playlist": playlist, "newest_id": newest_id, "newest_at": newest_at})

        def walking(page_token: str) -> dict:
            return _clean({"playlist": playlist, "newest_id": stop_id, "newest_at": stop_at,
                           "page_token": page_token, "walk_newest_id": walk["id"], "walk_newest_at": walk["at"]})

        current = read(token)
        if not current.ids:
            if token and walk["id"]:
                # a resumed walk whose next page has nothing new any more (videos deleted in
                # between): read the walk's newest video again so that a page ends the walk
                yield self._videos([walk["id"]], done())
            return
        while True:
            following = read(current.next_token) if current.next_token else None
            if following is not None and not following.ids:
                following = None
            yield self._videos(current.ids, done() if following is None else walking(str(current.next_token)))
            if following is None:
                return
            current = following

    def _videos(self, ids: list[str], state: dict) -> Page:
        response = self.connector.client.get(f"{API}/videos", {"part": "snippet,statistics", "id": ",".join(ids)})
        return Page(response.data, state, response.url)

    def describe(self, state: dict) -> str:
        playlist = state.get("playlist")
        first = "" if playlist else f"GET {API}/channels (the uploads playlist of {self.target.platform_id}), then "
        where = f" pageToken={state['page_token']}" if state.get("page_token") else ""
        if state.get("newest_id"):
            stop = f"down to video {state['newest_id']} (the newest stored)"
        else:
            stop = f"back to {iso(self.connector.context.since)} (the sync's start date)"
        return (f"{first}GET {API}/playlistItems playlistId={playlist or '<uploads>'} "
                f"maxResults={self.connector.page_size(50)}{where}, {stop}; GET {API}/videos for each page's new ids")


class CommentsFeed(PerPostFeed):
    """The comment threads (top-level comments and the replies they carry) under each brand
    video of the last ``comments_days``, newest first."""

    name = "comments"

    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        client = self.connector.client
        while True:
            params = {"part": "snippet,replies", "videoId": post_id, "maxResults": self.connector.page_size(100),
                      "order": "time", "textFormat": "plainText", "pageToken": cursor}
            try:
                response = client.get(f"{API}/commentThreads", params)
            except CommentsUnavailable as exc:
                client.log(f"youtube: {exc.problem}; going on with the next video")
                # The video itself (its counts) stands for its comments: every post of a pass
                # then has a page, which carries the pass's progress (and its end) to the store.
                response = client.get(f"{API}/videos", {"part": "snippet,statistics", "id": post_id})
                yield response.data, None, response.url
                return
            cursor = _next_token(response.data)
            yield response.data, cursor, response.url
            if not cursor:
                return

    def first_request(self, post_id: str) -> str:
        return (f"GET {API}/commentThreads part=snippet,replies videoId={post_id} order=time "
                f"maxResults={self.connector.page_size(100)}")


class YouTubeConnector(Connector):
    channel = "youtube"
    format_name = "youtube"
    title = "YouTube Data API v3"
    default_base_url = "https://www.googleapis.com"
    auth = "query:key"
    permissions = ("a Google Cloud project with the YouTube Data API v3 enabled and an API key of that project "
                   "(restrict the key to the YouTube Data API v3); public videos and comments need no OAuth "
                   "consent.  Every request is a list call costing 1 unit of the project's daily quota of "
                   "10,000 units, which resets at midnight Pacific time")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._uploads: dict[str, str] = {}

    def resolve(self, target: Target) -> Target:
        if target.platform_id:
            return target
        handle = target.handle.lstrip("@")
        response = self.client.get(f"{API}/channels", {"part": "id,contentDetails", "forHandle": f"@{handle}"})
        found = self._remember(_items(response.data))
        if found is None:
            raise RequestFailed(self.channel, response.url, f"no YouTube channel with the handle @{handle}: check "
                                "the registry, or put the channel id (UC...) under channels.youtube.accounts "
                                "in the sync config")
        return Target(target.channel, target.handle, target.company_id, found)

    def uploads_playlist(self, target: Target) -> str:
        """The id of the channel's uploads playlist (a lookup unless :meth:`resolve` made one)."""
        channel_id = str(target.platform_id)
        if channel_id not in self._uploads:
            response = self.client.get(f"{API}/channels", {"part": "contentDetails", "id": channel_id})
            if self._remember(_items(response.data)) != channel_id or channel_id not in self._uploads:
                raise RequestFailed(self.channel, response.url, f"no YouTube channel with the id {channel_id} (or "
                                    "no uploads playlist): check channels.youtube.accounts in the sync config")
        return self._uploads[channel_id]

    def _remember(self, items: list[dict]) -> str | None:
        for item in items:
            channel_id = item.get("id")
            details = item.get("contentDetails") if isinstance(item.get("contentDetails"), dict) else {}
            playlists = details.get("relatedPlaylists") if isinstance(details.get("relatedPlaylists"), dict) else {}
            if isinstance(channel_id, str) and channel_id:
                if isinstance(playlists.get("uploads"), str) and playlists["uploads"]:
                    self._uploads[channel_id] = playlists["uploads"]
                return channel_id
        return None

    def feeds(self, target: Target) -> list[Feed]:
        return [VideosFeed(self, target), CommentsFeed(self, target)]

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict) or response.status_code < 400:
            return None
        status = response.status_code
        reasons = {e.get("reason") for key in ("errors", "details") if isinstance(error.get(key), list)
                   for e in error[key] if isinstance(e, dict)}
        message = re.sub(r"<[^>]+>", "", str(error.get("message") or error.get("status") or response.reason_phrase))
        message = self.client.redact(message)[:300]
        if reasons & QUOTA_USED_UP:
            reset = quota_reset(self.client.clock())
            return Verdict(QuotaExhausted(self.channel, url, f"the project's daily YouTube Data API quota is used up "
                                          f"({message}); it resets at midnight Pacific time "
                                          f"({reset:%Y-%m-%d %H:%M} UTC): run the sync again after that", status))
        if reasons & RATE_LIMITED:
            wait = wait_from_headers(response.headers, self.client.clock())
            return Verdict(retry_after=wait or 0, reason=f"rate limited ({', '.join(sorted(reasons & RATE_LIMITED))})")
        if "commentsDisabled" in reasons or (status == 404 and "videoNotFound" in reasons):
            what = "has its comments turned off" if "commentsDisabled" in reasons else "no longer exists"
            return Verdict(CommentsUnavailable(self.channel, url, f"the video {what}", status))
        if reasons & KEY_REFUSED or status == 401:
            return Verdict(AuthError(self.channel, url, f"the API key was refused ({message}): it has expired, "
                                     "been deleted or is not a valid key; create a new key and set it again", status))
        if reasons & KEY_NOT_ALLOWED:
            return Verdict(AuthError(self.channel, url, f"the API key may not call the YouTube Data API ({message}): "
                                     "enable the API in the key's Google Cloud project and check the key's "
                                     "restrictions", status))
        return None


def _clean(state: dict) -> dict:
    return {k: v for k, v in state.items() if v is not None}


CONNECTOR = YouTubeConnector
