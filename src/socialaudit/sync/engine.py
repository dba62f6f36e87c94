"""Running a sync: every brand account of the registry, on every channel with a credential.

For each (channel, account, feed) the engine reads the stored cursor, lets the connector fetch
pages from it, parses each page with the channel's ingest module (the same parser as for
files) and stores every ``commit_pages`` pages *together with the cursor after the last of
them* in one transaction (:class:`~socialaudit.store.importer.StagedImport`).  So:

* a killed sync loses at most the pages since its last commit, and the next run fetches them
  again from the stored cursor — the store ends as if the sync had never stopped;
* a re-run fetches only what is new, and the merge never stores a post twice;
* a page that cannot be read goes to ``quarantine`` (source ``sync:CHANNEL/ACCOUNT/FEED``,
  line = page number of the run) and that feed stops there, keeping its cursor, so nothing
  after it is skipped;
* an expired token or an exhausted quota stops that channel; the others go on.  The run
  reports every problem and exits non-zero if there was one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from ..ingest import get_format
from ..ingest.base import JsonPayloadFormat
from ..ingest.files import printable_raw
from ..ingest.jsonreader import Payload
from ..model import ParsedBatch, Quarantined
from ..store.connection import Store
from ..store.importer import StagedImport
from .base import Connector, Feed, Page, SyncContext, Target
from .config import CHANNELS, Secret, SyncConfig, find_credential
from .connectors import connector_class
from .cursors import Cursor, load_cursor, save_cursor
from .http import ApiClient, ApiError, MalformedPage


@dataclass
class FeedResult:
    """What one feed of one account did in this run."""

    channel: str
    account: str
    feed: str
    status: str = "done"  # done | more (max_pages reached) | failed
    pages: int = 0
    imported: int = 0
    updated: int = 0
    quarantined: int = 0
    message: str = ""
    stops_channel: bool = False  # the failure concerns the credential or quota of the channel


@dataclass
class SyncReport:
    feeds: list[FeedResult] = field(default_factory=list)
    skipped_channels: dict[str, str] = field(default_factory=dict)  # channel -> why
    requests: int = 0

    @property
    def problems(self) -> list[FeedResult]:
        return [f for f in self.feeds if f.status == "failed"]


@dataclass
class PlannedFeed:
    """A line of ``socialaudit sync --dry-run``: what would be fetched, from where."""

    channel: str
    account: str
    company_id: str
    feed: str
    credential: str
    cursor: dict
    request: str


#: The pseudo-feed under which a looked-up platform id of an account is kept.
ACCOUNT_FEED = "(account)"


def source_of(channel: str, account: str, feed: str) -> str:
    """The ``imports.source`` and ``quarantine.source`` of a feed's pages."""
    return f"sync:{channel}/{account}/{feed}"


def brand_targets(store: Store, config: SyncConfig, channels: list[str] | None = None,
                  accounts: list[str] | None = None) -> dict[str, list[Target]]:
    """The registry's brand accounts per channel (those with a connector), with the config's
    platform ids; ``accounts`` filters by handle (case-insensitive)."""
    wanted = {a.lower().lstrip("@") for a in accounts} if accounts else None
    rows = store.con.execute("SELECT channel, handle, company_id FROM brand_accounts ORDER BY ALL").fetchall()
    ids_by_channel = {ch: {k.lower().lstrip("@"): v for k, v in config.channel(ch).accounts.items()}
                      for ch in CHANNELS}
    # platform ids the sync itself recorded (rows whose handle is another row's platform id)
    # platform id -> the handle it belongs to: the brand_accounts rows the sync added for ids
    # are keys of an account, not accounts to sync themselves
    owner = {(ch, v.lower()): k for ch, ids in ids_by_channel.items() for k, v in ids.items()}
    looked_up: dict[tuple[str, str], str] = {}
    for channel, handle, state in store.con.execute(
            "SELECT channel, account, state FROM sync_cursors WHERE feed = ?", [ACCOUNT_FEED]).fetchall():
        platform_id = json.loads(state).get("id")
        if platform_id:
            looked_up[(channel, handle)] = platform_id
            owner.setdefault((channel, platform_id.lower()), handle)
    out: dict[str, list[Target]] = {}
    for channel, handle, company in rows:
        if channel not in CHANNELS or (channels and channel not in channels):
            continue
        if owner.get((channel, handle), handle) != handle or (wanted is not None and handle not in wanted):
            continue
        platform_id = ids_by_channel[channel].get(handle) or looked_up.get((channel, handle))
        out.setdefault(channel, []).append(Target(channel, handle, company, platform_id))
    return out


class SyncRun:
    """One ``socialaudit sync``: see the module docstring."""

    def __init__(self, store: Store, config: SyncConfig, config_path: Path | None = None, *,
                 now: datetime | None = None, environ: dict[str, str] | None = None,
                 transports: dict[str, httpx.BaseTransport] | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None,
                 pseudonymise: bool = True, backoff: float = 1.0) -> None:
        self.store = store
        self.config = config
        self.config_path = config_path
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.environ = environ
        self.transports = transports or {}
        self.sleep = sleep
        self.log = log or (lambda message: None)
        self.pseudonymise = pseudonymise
        self.backoff = backoff
        since = datetime.combine(config.since, datetime.min.time(), UTC) if config.since else \
            self.now - timedelta(days=30)
        self.context = SyncContext(now=self.now, since=since, comments_days=config.comments_days,
                                   page_size=config.page_size, max_pages=config.max_pages,
                                   brand_posts=self._brand_posts)

    # -- the store side ---------------------------------------------------------------------
    def _brand_posts(self, target: Target, since: datetime, until: datetime) -> list[str]:
        """Top-level brand posts of the target's company on its channel created in
        [``since``, ``until``], oldest first (a fixed order for per-post passes)."""
        rows = self.store.con.execute("""
            SELECT post_id FROM posts
            WHERE channel = ? AND company_id = ? AND author_role = 'brand' AND parent_id IS NULL
              AND created_at >= ? AND created_at <= ?
            ORDER BY created_at, post_id
        """, [target.channel, target.company_id, since, until]).fetchall()
        return [r[0] for r in rows]

    def _remember_platform_id(self, target: Target) -> None:
        """Record the platform's id of a registry account as a brand key, so the posts it
        authors (which carry the id, not always the handle) get the brand role and company."""
        if target.platform_id and target.platform_id.lower() != target.handle:
            con = self.store.con
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute("INSERT OR REPLACE INTO brand_accounts VALUES (?, ?, ?)",
                            [target.channel, target.platform_id.lower(), target.company_id])
                save_cursor(con, target.channel, target.handle, ACCOUNT_FEED, Cursor({"id": target.platform_id}),
                            self.now)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # -- connectors -------------------------------------------------------------------------
    def _connector(self, channel: str) -> tuple[Connector | None, str]:
        settings = self.config.channel(channel)
        if not settings.enabled:
            return None, "disabled in the config"
        found = find_credential(channel, settings, self.config_path, self.environ)
        if found.secret is None:
            return None, f"no credential: {found.looked_at} is not set"
        cls = connector_class(channel)
        connector_ref: list[Connector] = []
        client = ApiClient(channel, settings.base_url or cls.default_base_url, found.secret, auth=cls.auth,
                           timeout=self.config.timeout, max_retries=self.config.max_retries,
                           max_wait=self.config.max_wait, backoff=self.backoff,
                           error_reader=lambda r, d, u: connector_ref[0].read_error(r, d, u),
                           sleep=self.sleep, log=self.log, transport=self.transports.get(channel))
        connector = cls(client, settings, self.context)
        connector_ref.append(connector)
        return connector, ""

    def run(self, channels: list[str] | None = None, accounts: list[str] | None = None) -> SyncReport:
        report = SyncReport()
        targets = brand_targets(self.store, self.config, channels, accounts)
        for channel in channels or CHANNELS:
            if channel not in targets:
                if channels:
                    report.skipped_channels[channel] = "no brand account on this channel in the registry"
                continue
            connector, why = self._connector(channel)
            if connector is None:
                report.skipped_channels[channel] = why
                continue
            try:
                self._run_channel(connector, targets[channel], report)
            finally:
                report.requests += connector.client.requests
                connector.client.close()
        return report

    def _run_channel(self, connector: Connector, targets: list[Target], report: SyncReport) -> None:
        for target in targets:
            try:
                resolved = connector.resolve(target)
            except ApiError as exc:
                report.feeds.append(FeedResult(target.channel, target.handle, ACCOUNT_FEED, "failed",
                                               message=str(exc), stops_channel=exc.scope == "channel"))
                if exc.scope == "channel":
                    return
                continue
            self._remember_platform_id(resolved)
            for feed in connector.feeds(resolved):
                result = self._run_feed(connector, resolved, feed)
                report.feeds.append(result)
                if result.stops_channel:
                    return
                if result.status == "failed":
                    # Later feeds build on earlier ones (comments of the posts just fetched); they
                    # wait for the next run, so the store grows in the same order as without the failure.
                    break

    def _run_feed(self, connector: Connector, target: Target, feed: Feed) -> FeedResult:
        channel, account = target.channel, target.handle
        result = FeedResult(channel, account, feed.name)
        source = source_of(channel, account, feed.name)
        fmt = get_format(connector.format_name)
        assert isinstance(fmt, JsonPayloadFormat)
        stored = load_cursor(self.store.con, channel, account, feed.name)
        staged: StagedImport | None = None
        pending: Cursor | None = None
        in_run = 0
        numbered = stored.pages
        self.log(f"{channel} {account}: {feed.name}")

        def commit() -> None:
            nonlocal staged, pending, in_run
            if staged is None:
                return
            cursor = pending
            done = staged.commit(on_commit=lambda con: save_cursor(con, channel, account, feed.name, cursor,
                                                                   self.now))
            staged.close()
            result.imported += done.imported
            result.updated += done.updated
            result.quarantined += done.quarantined
            staged, pending, in_run = None, None, 0

        try:
            for page in feed.fetch(stored.state):
                if staged is None:
                    staged = StagedImport(self.store, source, fmt.name, encoding="utf-8",
                                          pseudonymise=self.pseudonymise)
                result.pages += 1
                batch = _parse_page(fmt, page, source, numbered + 1)
                # a refused item keeps its raw JSON, which can hold a next-page URL with the token
                batch.quarantined = [replace(q, raw=connector.client.redact(q.raw), reason=connector.client.redact(
                    q.reason)) for q in batch.quarantined]
                if batch.posts or batch.accounts or batch.quarantined:
                    numbered += 1  # an empty page (nothing new) takes no number: numbers stay run-independent
                staged.add(batch)
                pending, in_run = Cursor(page.state, numbered), in_run + 1
                if in_run >= self.config.commit_pages:
                    commit()
                if result.pages >= self.config.max_pages:
                    result.status = "more"
                    result.message = f"stopped after max_pages={self.config.max_pages}; the next run goes on"
                    break
            commit()
        except ApiError as exc:
            commit()  # the pages before the failure are good: keep them and their cursor
            result.status, result.message, result.stops_channel = "failed", str(exc), exc.scope == "channel"
            if isinstance(exc, MalformedPage):
                self._quarantine_page(exc, source, fmt.name, numbered + 1, result)
        except BaseException:
            if staged is not None:
                staged.fail("interrupted", "sync interrupted; the pages since the last commit will be fetched again")
                staged.close()
            raise
        return result

    def _quarantine_page(self, exc: MalformedPage, source: str, fmt: str, number: int, result: FeedResult) -> None:
        run = StagedImport(self.store, source, fmt, encoding="utf-8", pseudonymise=self.pseudonymise)
        try:
            run.quarantine([Quarantined(source, number, f"{exc.problem} ({exc.url}); the feed stopped "
                                        "here and resumes from this page next time", printable_raw(exc.body))])
            done = run.commit()
            result.quarantined += done.quarantined
        finally:
            run.close()

    # -- dry run ----------------------------------------------------------------------------
    def plan(self, channels: list[str] | None = None, accounts: list[str] | None = None
             ) -> tuple[list[PlannedFeed], dict[str, str]]:
        """What :meth:`run` would fetch, without any request (lookups shown as such)."""
        planned: list[PlannedFeed] = []
        skipped: dict[str, str] = {}
        targets = brand_targets(self.store, self.config, channels, accounts)
        for channel in channels or CHANNELS:
            if channel not in targets:
                continue
            settings = self.config.channel(channel)
            found = find_credential(channel, settings, self.config_path, self.environ)
            credential = f"found in {found.looked_at}" if found.secret else f"MISSING ({found.looked_at})"
            if not settings.enabled:
                skipped[channel] = "disabled in the config"
                continue
            cls = connector_class(channel)
            client = ApiClient(channel, settings.base_url or cls.default_base_url,
                               found.secret or Secret("", "none"), auth=cls.auth)
            connector = cls(client, settings, self.context)
            try:
                for target in targets[channel]:
                    resolved = target if target.platform_id else Target(
                        target.channel, target.handle, target.company_id, f"<id of {target.handle}, looked up>")
                    for feed in connector.feeds(resolved):
                        state = load_cursor(self.store.con, channel, target.handle, feed.name).state
                        planned.append(PlannedFeed(channel, target.handle, target.company_id, feed.name, credential,
                                                   state, client.redact(feed.describe(state))))
            finally:
                client.close()
        return planned, skipped


def _parse_page(fmt: JsonPayloadFormat, page: Page, source: str, number: int) -> ParsedBatch:
    """A fetched page through the channel's ingest parser, as if it were line ``number`` of a
    file named ``source``."""
    if page.payload is None:  # a page that only carries the cursor (the end of a pass)
        return ParsedBatch()
    result = fmt.parse_value(Payload(number, "", page.payload), source)
    return ParsedBatch(posts=result.posts, accounts=result.accounts, quarantined=result.quarantined, rows_read=1)
