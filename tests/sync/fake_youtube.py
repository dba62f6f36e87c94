"""A fake YouTube Data API v3 (the endpoints socialaudit.sync.youtube calls), answering as the docs describe.

Data: one brand channel (@AcmeHome, ``UCx7Kq2Lm9Pz4RtVb8Nc3WdA``) with ``videos`` uploads, one
a day up to yesterday; under each video some comment threads by consumers (the channel
answers every other one, and the consumer thanks it), except video ``disabled`` whose comments
are turned off.  Endpoints (https://developers.google.com/youtube/v3/docs): ``channels.list``
(``forHandle`` or ``id``), ``playlistItems.list`` (the uploads playlist, newest first,
``maxResults`` 0-50, opaque ``pageToken``), ``videos.list`` (``id`` = up to 50 ids) and
``commentThreads.list`` (``videoId``, ``order=time``, ``maxResults`` 1-100, ``pageToken``).
The key is the ``key`` query parameter; a wrong or expired key gets Google's 400 answer.  Each
call spends 1 unit of a daily ``quota``; past it the answer is 403 ``quotaExceeded``.  Two
fakes made with the same ``now`` hold the same data.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sync.fakeserver import FakeApi, Reply, Request

CHANNEL_ID, HANDLE, TITLE = "UCx7Kq2Lm9Pz4RtVb8Nc3WdA", "AcmeHome", "Acme Home"
UPLOADS = "UU" + CHANNEL_ID[2:]


def google_error(code: int, message: str, reason: str, domain: str = "global", status: str | None = None,
                 detail: str | None = None) -> dict:
    """Google's JSON error body (https://developers.google.com/youtube/v3/docs/errors)."""
    error: dict = {"code": code, "message": message,
                   "errors": [{"message": message, "domain": domain, "reason": reason}]}
    if status:
        error["status"] = status
    if detail:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": detail,
                             "domain": "googleapis.com", "metadata": {"service": "youtube.googleapis.com"}}]
    return {"error": error}


QUOTA_EXCEEDED = google_error(403, 'The request cannot be completed because you have exceeded your <a href="/youtube'
                              '/v3/getting-started#quota">quota</a>.', "quotaExceeded", "youtube.quota")
RATE_LIMITED = google_error(403, "Rate Limit Exceeded", "rateLimitExceeded", "usageLimits")
USER_RATE_LIMITED = google_error(403, "User Rate Limit Exceeded", "userRateLimitExceeded", "usageLimits")
TOO_MANY = google_error(429, "Resource has been exhausted (e.g. check quota).", "rateLimitExceeded", "usageLimits",
                        "RESOURCE_EXHAUSTED")
KEY_EXPIRED = google_error(400, "API key expired. Please renew the API key.", "badRequest", status="INVALID_ARGUMENT",
                           detail="API_KEY_INVALID")
KEY_INVALID = google_error(400, "API key not valid. Please pass a valid API key.", "badRequest",
                           status="INVALID_ARGUMENT", detail="API_KEY_INVALID")
KEY_INVALID_LEGACY = google_error(400, "Bad Request", "keyInvalid", "usageLimits")


def _token(offset: int) -> str:
    """An opaque page token, like YouTube's ``EAAaBlBUOkNESQ``."""
    return base64.urlsafe_b64encode(f"PT:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":", 1)[1])


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeYouTube(FakeApi):
    def __init__(self, videos: int = 8, threads: int = 6, disabled: int | None = 4, quota: int = 10_000,
                 now: datetime | None = None) -> None:
        super().__init__()
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.quota, self.units = quota, 0
        self.videos: list[dict] = []  # oldest first
        self.threads: dict[str, list[dict]] = {}  # video id -> threads, oldest first
        self.disabled: set[str] = set()
        self.deleted: set[str] = set()
        self.comment_n = 0
        for n in range(videos):
            video = self.add_video(published=self.now - timedelta(days=videos - n, hours=3))
            if disabled is not None and n == disabled:
                self.disabled.add(video["id"])
                continue
            for t in range(threads + n % 3):
                self.add_comment(video["id"], f"Question {t} about this video: does it work with the old model?",
                                 answered=t % 2 == 0)

    # -- data ------------------------------------------------------------------------------
    def add_video(self, published: datetime | None = None) -> dict:
        n = len(self.videos)
        video_id = f"v{n:04d}Acme{n % 7}"  # 11 characters, like YouTube's ids
        published = published or self.now - timedelta(minutes=30)
        title = f"Acme kettle tips #{n}"
        video = {
            "kind": "youtube#video", "etag": f"etag-v{n}", "id": video_id,
            "snippet": {"publishedAt": _stamp(published), "channelId": CHANNEL_ID, "title": title,
                        "description": f"Episode {n} of our care series.\n#AcmeHome",
                        "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg",
                                                   "width": 120, "height": 90}},
                        "channelTitle": TITLE, "categoryId": "26", "liveBroadcastContent": "none",
                        "defaultLanguage": "en", "localized": {"title": title, "description": f"Episode {n}"},
                        "defaultAudioLanguage": "en"},
            "statistics": {"viewCount": str(1000 + 37 * n), "likeCount": str(10 + n), "favoriteCount": "0",
                           "commentCount": "0"},
        }
        self.videos.append(video)
        self.threads[video_id] = []
        return video

    def _comment(self, video_id: str, comment_id: str, author: str, name: str, text: str, at: datetime,
                 parent: str | None = None) -> dict:
        snippet = {"channelId": CHANNEL_ID, "videoId": video_id, "textDisplay": text, "textOriginal": text,
                   "authorDisplayName": f"@{name}", "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/x=s48",
                   "authorChannelUrl": f"http://www.youtube.com/@{name}", "authorChannelId": {"value": author},
                   "canRate": True, "viewerRating": "none", "likeCount": self.comment_n % 5,
                   "publishedAt": _stamp(at), "updatedAt": _stamp(at)}
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": f"etag-c{self.comment_n}", "id": comment_id, "snippet": snippet}

    def add_comment(self, video_id: str, text: str, answered: bool = False) -> dict:
        """A consumer's top-level comment (with the channel's answer and a thank-you)."""
        self.comment_n += 1
        n = self.comment_n
        video = next(v for v in self.videos if v["id"] == video_id)
        at = min(self.now - timedelta(seconds=5), datetime.fromisoformat(video["snippet"]["publishedAt"].replace(
            "Z", "+00:00")) + timedelta(minutes=10 * n % 600 + len(self.threads[video_id])))
        thread_id = f"Ugz{n:06d}kX4fG2n8QpAaABAg"
        author = f"UC{n % 9:02d}consumer{n % 9:04d}xxxxxx"
        top = self._comment(video_id, thread_id, author, f"fan{n % 9}", text, at)
        replies = []
        if answered:
            replies.append(self._comment(video_id, f"{thread_id}.A{n:04d}brand", CHANNEL_ID, HANDLE,
                                         "Thanks for asking! Yes, see the link in the description.",
                                         at + timedelta(minutes=1), thread_id))
            replies.append(self._comment(video_id, f"{thread_id}.B{n:04d}thanks", author, f"fan{n % 9}",
                                         "Great, thank you!", at + timedelta(minutes=2), thread_id))
        thread = {"kind": "youtube#commentThread", "etag": f"etag-t{n}", "id": thread_id,
                  "snippet": {"channelId": CHANNEL_ID, "videoId": video_id, "topLevelComment": top,
                              "canReply": True, "totalReplyCount": len(replies), "isPublic": True}}
        if replies:
            thread["replies"] = {"comments": replies}
        self.threads[video_id].append(thread)
        return thread

    def comment_count(self) -> int:
        return sum(1 + len(t.get("replies", {}).get("comments", [])) for ts in self.threads.values() for t in ts)

    # -- auth ------------------------------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        return request.arg("key") == self.token

    def refuse(self, request: Request) -> Reply:
        return Reply(400, KEY_EXPIRED if self.expired else KEY_INVALID)

    # -- the API ---------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        if self.units >= self.quota:
            return Reply(403, QUOTA_EXCEEDED)
        self.units += 1
        path = request.path
        if path == "/youtube/v3/channels":
            return self._channels(request)
        if path == "/youtube/v3/playlistItems":
            return self._playlist_items(request)
        if path == "/youtube/v3/videos":
            return self._videos(request)
        if path == "/youtube/v3/commentThreads":
            return self._comment_threads(request)
        return Reply(404, google_error(404, "Not Found", "notFound"))

    def _channels(self, request: Request) -> Reply:
        if request.arg("part") is None:
            return Reply(400, google_error(400, "No filter selected. Expected one of: ...", "missingRequiredParameter",
                                           "youtube.parameter"))
        handle, ids = request.arg("forHandle"), request.arg("id")
        found = (handle is not None and handle.lstrip("@").lower() == HANDLE.lower()) or \
            (ids is not None and CHANNEL_ID in ids.split(","))
        body: dict = {"kind": "youtube#channelListResponse", "etag": "etag-channels",
                      "pageInfo": {"totalResults": int(found), "resultsPerPage": 5}}
        if found:
            body["items"] = [{"kind": "youtube#channel", "etag": "etag-channel", "id": CHANNEL_ID,
                              "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS}}}]
        return Reply(200, body)

    def _page_args(self, request: Request, low: int, high: int, default: int) -> tuple[int, int] | Reply:
        size = int(request.arg("maxResults") or default)
        if not low <= size <= high:
            return Reply(400, google_error(400, f"Invalid value '{size}'. Values must be within the range: "
                                           f"[{low}, {high}]", "invalidParameter", status="INVALID_ARGUMENT"))
        token = request.arg("pageToken")
        try:
            return size, _offset(token) if token else 0
        except (ValueError, IndexError):
            return Reply(400, google_error(400, "The request specifies an invalid page token.", "invalidPageToken",
                                           "youtube.parameter"))

    @staticmethod
    def _paged(kind: str, items: list, offset: int, size: int) -> dict:
        body: dict = {"kind": kind, "etag": f"etag-{kind}-{offset}"}
        if offset + size < len(items):
            body["nextPageToken"] = _token(offset + size)
        if offset > 0:
            body["prevPageToken"] = _token(max(0, offset - size))
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
        body["items"] = items[offset:offset + size]
        return body

    def _playlist_items(self, request: Request) -> Reply:
        if request.arg("playlistId") != UPLOADS:
            return Reply(404, google_error(404, "The playlist identified with the request's <code>playlistId</code> "
                                           "parameter cannot be found.", "playlistNotFound", "youtube.playlistItem"))
        args = self._page_args(request, 0, 50, 5)
        if isinstance(args, Reply):
            return args
        size, offset = args
        live = [v for v in reversed(self.videos) if v["id"] not in self.deleted]  # newest first
        items = [{"kind": "youtube#playlistItem", "etag": f"etag-pi-{v['id']}",
                  "id": base64.b64encode(f"{UPLOADS}.{v['id']}".encode()).decode(),
                  "contentDetails": {"videoId": v["id"], "videoPublishedAt": v["snippet"]["publishedAt"]}}
                 for v in live]
        return Reply(200, self._paged("youtube#playlistItemListResponse", items, offset, size))

    def _videos(self, request: Request) -> Reply:
        ids = [i for i in (request.arg("id") or "").split(",") if i]
        if not ids:
            return Reply(400, google_error(400, "No filter selected. Expected one of: myRated, chart, id",
                                           "missingRequiredParameter", "youtube.parameter"))
        if len(ids) > 50:
            return Reply(400, google_error(400, "The request specifies too many ids.", "invalidValue",
                                           "youtube.parameter"))
        by_id = {v["id"]: v for v in self.videos if v["id"] not in self.deleted}
        items = []
        for video_id in ids:
            if video_id in by_id:
                video = by_id[video_id]
                count = sum(1 + t["snippet"]["totalReplyCount"] for t in self.threads[video_id])
                items.append({**video, "statistics": {**video["statistics"], "commentCount": str(count)}})
        return Reply(200, {"kind": "youtube#videoListResponse", "etag": "etag-videos", "items": items,
                           "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})

    def _comment_threads(self, request: Request) -> Reply:
        video_id = request.arg("videoId") or ""
        if video_id in self.deleted or video_id not in self.threads:
            return Reply(404, google_error(404, 'The video identified by the <code><a href="/youtube/v3/docs/'
                                           'commentThreads/list#videoId">videoId</a></code> parameter could not be '
                                           "found.", "videoNotFound", "youtube.commentThread"))
        if video_id in self.disabled:
            return Reply(403, google_error(403, 'The video identified by the <code><a href="/youtube/v3/docs/'
                                           'commentThreads/list#videoId">videoId</a></code> parameter has disabled '
                                           "comments.", "commentsDisabled", "youtube.commentThread"))
        args = self._page_args(request, 1, 100, 20)
        if isinstance(args, Reply):
            return args
        size, offset = args
        threads = sorted(self.threads[video_id], key=lambda t: (t["snippet"]["topLevelComment"]["snippet"]
                                                                ["publishedAt"], t["id"]), reverse=True)
        return Reply(200, self._paged("youtube#commentThreadListResponse", threads, offset, size))
