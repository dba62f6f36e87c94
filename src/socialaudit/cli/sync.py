"""``socialaudit sync``: pull new posts from the platforms' APIs into the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..model import normalise_channel
from ..store import Store
from ..sync import SyncRun, load_sync_config
from ..sync.config import CHANNELS
from .common import DEFAULT_DB_PATH, DbOption, console, err_console, escape, handle_errors
from .ingest import load_into


@handle_errors
def sync(
    config: Annotated[Path | None, typer.Option(
        help="Sync config (YAML; see docs/sync.md).  Without one, every channel whose "
             "SOCIALAUDIT_<CHANNEL>_TOKEN is set is synced with the defaults.")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    registry: Annotated[Path | None, typer.Option(
        help="Company registry (YAML or CSV) to load first: the brand accounts to sync.")] = None,
    channel: Annotated[list[str] | None, typer.Option(
        help=f"Only these channels (repeatable): {', '.join(CHANNELS)} (x = twitter).")] = None,
    account: Annotated[list[str] | None, typer.Option(help="Only these brand handles (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be fetched (accounts, feeds, cursors, first request, where each "
                          "credential is looked for) without any request.")] = False,
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise/--no-pseudonymise",
        help="Replace consumer handles by keyed-hash pseudonyms (brand handles stay readable).")] = True,
) -> None:
    """Fetch new brand posts, replies and consumer comments or mentions of every brand account
    in the registry, on every channel with a credential, since where the last sync stopped.

    Pages are parsed by the same modules as files (`socialaudit formats`) and stored with the
    feed's cursor in one transaction: a killed sync resumes where it stopped and never stores
    a post twice.  Rate limits are waited out (up to `max_wait`), 5xx answers and timeouts
    retried with backoff.  Exit status: 0 if every feed synced, 1 if one failed (an expired
    token, a malformed page, a refused request: listed) or nothing could be synced, 2 for a bad
    config.
    """
    settings, config_path = load_sync_config(config)
    channels = _channels(channel)
    with Store(db) as store:
        if registry is not None:
            load_into(store, registry, pseudonymise)
        run = SyncRun(store, settings, config_path, pseudonymise=pseudonymise,
                      log=lambda message: err_console.print(escape(message)))
        if dry_run:
            planned, skipped = run.plan(channels, account)
            _print_plan(planned, skipped)
            return
        report = run.run(channels, account)
    _print_report(report, db)
    if report.problems:
        raise typer.Exit(1)
    if not report.feeds:
        err_console.print("nothing was synced: no brand account of the registry is on a channel with a credential "
                          "(see `socialaudit sync --dry-run` and docs/sync.md)")
        raise typer.Exit(1)


def _channels(names: list[str] | None) -> list[str] | None:
    if not names:
        return None
    out = []
    for name in names:
        key = normalise_channel(name)
        if key not in CHANNELS:
            raise typer.BadParameter(f"unknown channel '{name}' (known: {', '.join(CHANNELS)})", param_hint="--channel")
        out.append(key)
    return out


def _print_plan(planned, skipped: dict[str, str]) -> None:
    if not planned:
        err_console.print("nothing to sync: no brand account of the registry is on a channel with a connector "
                          "(load one with --registry)")
        return
    credentials = {p.channel: p.credential for p in planned}
    for channel, credential in credentials.items():
        console.print(f"{channel}: token {escape(credential)}")
    table = Table(title="socialaudit sync --dry-run (no request made)", title_justify="left")
    for column in ("channel", "account", "company", "feed", "cursor", "would fetch"):
        table.add_column(column, overflow="fold")
    for p in planned:
        table.add_row(p.channel, escape(p.account), escape(p.company_id), p.feed,
                      escape(json.dumps(p.cursor, sort_keys=True) if p.cursor else "(first sync)"), escape(p.request))
    console.print(table)
    for channel, why in skipped.items():
        console.print(f"{channel}: skipped ({escape(why)})")


def _print_report(report, db: Path) -> None:
    table = Table(title=f"synced into {escape(db)}", title_justify="left")
    for column in ("channel", "account", "feed", "status", "pages", "new posts", "updated", "quarantined",
                   "message"):
        table.add_column(column, overflow="fold")
    for f in report.feeds:
        style = {"failed": "red", "more": "yellow"}.get(f.status, "")
        table.add_row(f.channel, escape(f.account), f.feed, f"[{style}]{f.status}[/]" if style else f.status,
                      str(f.pages), str(f.imported), str(f.updated), str(f.quarantined), escape(f.message))
    if report.feeds:
        console.print(table)
    for channel, why in report.skipped_channels.items():
        console.print(f"{channel}: skipped, {escape(why)}")
    console.print(f"{report.requests} request(s); {sum(f.imported for f in report.feeds)} new post(s)")
