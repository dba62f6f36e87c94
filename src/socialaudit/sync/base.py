"""What a platform connector is: feeds of pages that resume from a stored cursor.

A :class:`Connector` (one module per platform) turns a brand account of the registry into
:class:`Feed` objects — the brand's posts, the consumers' mentions or comments…  A feed is a
generator of :class:`Page` objects: the decoded JSON exactly as the platform returned it (the
engine parses it with the platform's ingest module, so files and the API share one parser) and
the feed's cursor *after* that page.  The engine stores each page's posts and its cursor in one
transaction; a sync that is killed resumes from the last stored cursor, so a feed must be able
to continue from any state it has yielded.

Per-post feeds (comments under each recent brand post) share :class:`PerPostFeed`, which walks
the posts in a fixed order and records how far it got.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from .config import ChannelConfig
from .http import ApiClient, Verdict


@dataclass(frozen=True)
class Target:
    """A brand account to sync: the registry's handle and company, and the platform's own id
    for it (from the config's ``accounts`` mapping, or looked up by the connector)."""

    channel: str
    handle: str
    company_id: str
    platform_id: str | None = None


@dataclass
class Page:
    """One API response: ``payload`` is what the ingest module parses, ``state`` the cursor
    that resumes the feed after it, ``url`` the (redacted) request it answered."""

    payload: Any
    state: dict
    url: str


@dataclass
class SyncContext:
    """What the engine offers connectors: the run's clock and limits, and the store's brand
    posts (for per-post feeds)."""

    now: datetime
    since: datetime
    comments_days: int
    page_size: int | None
    max_pages: int
    #: ``brand_posts(target, since, until)``: ids of the target company's top-level brand posts on
    #: its channel created in [since, until], oldest first (from the store)
    brand_posts: Callable[[Target, datetime, datetime], list[str]] = field(default=lambda target, since, until: [])

    def comments_since(self, reference: datetime) -> datetime:
        return reference - timedelta(days=self.comments_days)


class Feed(ABC):
    """One resumable stream of pages for one brand account (a name unique per connector)."""

    name: ClassVar[str]

    @abstractmethod
    def fetch(self, state: dict) -> Iterator[Page]:
        """Pages from ``state`` on (``{}`` the first time); the last page's state is where the
        next run starts.  Yields at least one page when it makes a request (an empty page
        carries the cursor too)."""

    @abstractmethod
    def describe(self, state: dict) -> str:
        """What :meth:`fetch` would request from ``state`` (for ``socialaudit sync --dry-run``)."""


class Connector(ABC):
    """A platform: its API, its ingest format and its feeds for a brand account."""

    channel: ClassVar[str]  # the store's channel name
    format_name: ClassVar[str]  # the ingest module that parses its pages
    title: ClassVar[str]
    default_base_url: ClassVar[str]
    #: how the token is sent: ``bearer`` (Authorization header) or ``query:NAME``
    auth: ClassVar[str] = "bearer"
    #: what the app and token need, shown by ``--dry-run`` and in docs/sync.md
    permissions: ClassVar[str] = ""

    def __init__(self, client: ApiClient, settings: ChannelConfig, context: SyncContext) -> None:
        self.client = client
        self.settings = settings
        self.context = context

    def resolve(self, target: Target) -> Target:
        """``target`` with its platform id filled in (a lookup request if the config has none)."""
        return target

    @abstractmethod
    def feeds(self, target: Target) -> list[Feed]:
        """The feeds of a resolved target, in the order they run (posts before comments)."""

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        """The platform's own error bodies (``None``: the client's default rules apply)."""
        return None

    def page_size(self, maximum: int) -> int:
        size = self.context.page_size
        return maximum if size is None else max(1, min(size, maximum))


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` (what X and others take for start_time); naive = UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class PerPostFeed(Feed):
    """Pages under each recent brand post (comments, replies), resumable post by post.

    A *pass* visits, oldest first, the brand posts of the target created within
    ``comments_days`` before the pass started (and not after it); its state is ``{"pass":
    start, "post": id, "index": i, "cursor": c}`` while it runs and ``{"last_pass": start}``
    when it is done.  A resumed pass finds its post by id, so posts stored meanwhile (older
    ones a posts feed fetched later) shift nothing: they wait for the next pass.  A pass whose
    last posts yield no page ends with a page without payload, so its end is stored too.
    Subclasses say how to fetch one post's pages from a cursor with :meth:`post_pages`.
    """

    def __init__(self, connector: Connector, target: Target) -> None:
        self.connector = connector
        self.target = target

    @abstractmethod
    def post_pages(self, post_id: str, cursor: Any) -> Iterator[tuple[Any, Any, str]]:
        """``(payload, next_cursor or None at the end, url)`` for one post from ``cursor``
        (``None`` = its first page)."""

    def first_request(self, post_id: str) -> str:
        return f"the comments of post {post_id}"

    def _posts(self, started: datetime) -> list[str]:
        ctx = self.connector.context
        return ctx.brand_posts(self.target, ctx.comments_since(started), started)

    def _resume(self, state: dict, posts: list[str]) -> tuple[int, Any]:
        index, cursor = int(state.get("index", 0)), state.get("cursor")
        post = state.get("post")
        if post is not None:
            if post in posts:
                return posts.index(post), cursor
            return min(index, len(posts)), None  # the post is gone: go on from its place, afresh
        return index, cursor

    def fetch(self, state: dict) -> Iterator[Page]:
        if "pass" in state:
            started = parse_iso(state["pass"])
        else:
            started = self.connector.context.now
        posts = self._posts(started)
        index, cursor = self._resume(state, posts) if "pass" in state else (0, None)
        stamp = iso(started)
        last: dict | None = None
        while index < len(posts):
            for payload, next_cursor, url in self.post_pages(posts[index], cursor):
                if next_cursor is None:
                    index, cursor = index + 1, None
                else:
                    cursor = next_cursor
                last = ({"last_pass": stamp} if index >= len(posts) else
                        {"pass": stamp, "post": posts[index], "index": index, "cursor": cursor})
                yield Page(payload, last, url)
                if next_cursor is None:
                    break
            else:  # no page at all for this post (it was deleted): move on
                index, cursor = index + 1, None
        if posts and (last is None or "last_pass" not in last):
            yield Page(None, {"last_pass": stamp}, "")

    def describe(self, state: dict) -> str:
        started = parse_iso(state["pass"]) if "pass" in state else self.connector.context.now
        posts = self._posts(started)
        where = f"resuming at post {self._resume(state, posts)[0] + 1}" if "pass" in state else "a new pass"
        last = f", last pass {state['last_pass']}" if "last_pass" in state else ""
        return (f"{len(posts)} brand post(s) from the last {self.connector.context.comments_days} days, "
                f"{where}{last}; first: {self.first_request(posts[0]) if posts else 'nothing to fetch'}")
