"""Shared steps of the connector tests: a store with a registry, a sync against a fake
server (in-process, with recorded sleeps), and the kill-and-resume check (a real
``socialaudit sync`` process killed mid-way, run again, compared with an uninterrupted one).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from helpers import dump_tables, write
from sync.fakeserver import FakeApi

from socialaudit.registry import load_registry
from socialaudit.store import Store, save_registry
from socialaudit.store.schema import DATA_TABLES
from socialaudit.sync import SyncConfig, SyncReport, SyncRun
from socialaudit.sync.config import default_env_var


def make_store(tmp_path: Path, registry_yaml: str, name: str = "store.duckdb") -> Path:
    """A new store with the registry loaded (its brand accounts are what the sync syncs)."""
    registry = write(tmp_path / "registry.yaml", registry_yaml)
    db = tmp_path / name
    with Store(db) as store:
        save_registry(store.con, load_registry(registry), store.pseudonymiser())
    return db


@dataclass
class Synced:
    report: SyncReport
    sleeps: list[float] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def sync_once(db: Path, api: FakeApi, channel: str, *, token: str | None = None, **settings) -> Synced:
    """One in-process sync of ``channel`` against ``api`` (already serving), with the token in
    the default environment variable; sleeps are recorded, not slept."""
    channel_settings = {"base_url": api.base_url, **settings.pop("channel_settings", {})}
    config = SyncConfig.model_validate({"since": "2000-01-01", "comments_days": 36500, "commit_pages": 2,
                                        "max_retries": 3, **settings, "channels": {channel: channel_settings}})
    out = Synced(SyncReport())
    environ = {default_env_var(channel): token if token is not None else api.token}
    with Store(db) as store:
        run = SyncRun(store, config, None, environ=environ, sleep=out.sleeps.append, log=out.log.append,
                      backoff=0.01)
        out.report = run.run([channel])
    return out


def store_tables(db: Path) -> dict[str, list[tuple]]:
    """The data tables and the cursors (without their write times and pass stamps), sorted."""
    with Store(db, read_only=True) as store:
        tables = dump_tables(store.con, DATA_TABLES)
        tables["sync_cursors"] = [
            (c, a, f, _unstamped(s), n) for c, a, f, s, n in store.con.execute(
                "SELECT channel, account, feed, state, pages FROM sync_cursors ORDER BY ALL").fetchall()]
    return tables


def _unstamped(state: str) -> str:
    import json

    value = json.loads(state)
    for key in ("pass", "last_pass"):
        if key in value:
            value[key] = "<time>"
    return json.dumps(value, sort_keys=True)


def twin_stores(tmp_path: Path, registry_yaml: str, *names: str) -> tuple[Path, ...]:
    """Copies of one empty store (so they share the pseudonym key and can be compared row by
    row), named ``NAME.duckdb`` in ``tmp_path``."""
    base = make_store(tmp_path, registry_yaml, "empty.duckdb")
    copies = tuple(tmp_path / f"{name}.duckdb" for name in names)
    for copy in copies:
        shutil.copy(base, copy)
    return copies


def same_store_but_quarantine(whole: Path, other: Path) -> list[tuple]:
    """Assert ``other`` holds exactly ``whole``'s data and cursors but for quarantined rows (of
    which ``whole`` has none); returns ``other``'s quarantine rows for further checks."""
    expected, got = store_tables(whole), store_tables(other)
    quarantined = got.pop("quarantine")
    assert expected.pop("quarantine") == []
    assert got == expected
    return quarantined


def write_config(path: Path, api: FakeApi, channel: str, **settings) -> Path:
    channel_settings = {"base_url": api.base_url, **settings.pop("channel_settings", {})}
    config = {"since": "2000-01-01", "comments_days": 36500, "commit_pages": 1, **settings,
              "channels": {channel: channel_settings}}
    return write(path, yaml.safe_dump(config))


def kill_and_resume(tmp_path: Path, make_api, channel: str, registry_yaml: str, kill_after: int,
                    **settings) -> None:
    """Sync into two copies of one empty store (same pseudonym key): once uninterrupted, once
    in a ``socialaudit sync`` process killed (SIGKILL) after ``kill_after`` requests and then run
    again to the end; both stores must hold exactly the same data and cursors.  ``make_api()``
    is called twice and must serve identical data each time (no clock-dependent timestamps
    finer than a day)."""
    whole, resumed = twin_stores(tmp_path, registry_yaml, "whole", "resumed")

    from sync.fakeserver import serve

    api_whole = make_api()
    with serve(api_whole):
        config = write_config(tmp_path / "whole.yaml", api_whole, channel, **dict(settings))
        _cli_sync(config, whole, channel, api_whole.token)
    api = make_api()
    with serve(api):
        config = write_config(tmp_path / "resumed.yaml", api, channel, **dict(settings))
        proc = _cli_sync(config, resumed, channel, api.token, wait=False)
        deadline = time.monotonic() + 60
        while api.count() < kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, f"the sync ended before {kill_after} requests: make the fake's data larger"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = store_tables(resumed)["posts"]
        _cli_sync(config, resumed, channel, api.token)
    complete = store_tables(whole)
    assert len(partial) < len(complete["posts"]), "the kill came after the last commit"
    assert store_tables(resumed) == complete


def _cli_sync(config: Path, db: Path, channel: str, token: str, wait: bool = True):
    env = {**os.environ, default_env_var(channel): token, "SOCIALAUDIT_NO_PROGRESS": "1"}
    cmd = [sys.executable, "-m", "socialaudit", "sync", "--config", str(config), "--db", str(db),
           "--channel", channel]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert token not in done.stdout + done.stderr
    return done
