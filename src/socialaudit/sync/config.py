"""The sync configuration file and where each channel's credentials come from.

Credentials are read from environment variables (the default: ``SOCIALAUDIT_<CHANNEL>_TOKEN``),
from a file named in the config (``token_file``), or from the config itself — only when that
file lies outside any git working tree, so a token is never committed by accident.  A token is
held in a :class:`Secret`, whose ``repr`` and ``str`` never show it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import ConfigError
from ..model import normalise_channel
from ..yamlconfig import load_yaml_model

#: Channels that have a connector, as the store names them (X is ``twitter``).
CHANNELS = ("twitter", "facebook", "instagram", "youtube", "pinterest", "linkedin")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelConfig(_Strict):
    """One platform's settings: its credential, an optional API base URL (a proxy or a test
    server), platform ids for handles it cannot look up, and connector options."""

    enabled: bool = True
    token: str | None = None
    token_env: str | None = None
    token_file: str | None = None
    base_url: str | None = None
    accounts: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class SyncConfig(_Strict):
    """Settings of a sync run; every field has a default, so an empty file is a valid config."""

    version: Literal[1] = 1
    since: date | None = Field(default=None, description="first sync of a feed starts here (default: 30 days ago)")
    comments_days: int = Field(default=30, ge=0, description="brand posts this recent get their comments re-read")
    page_size: int | None = Field(default=None, ge=1, description="items per request (default: each API's maximum)")
    max_pages: int = Field(default=1000, ge=1, description="pages per feed and run; the rest waits for the next run")
    commit_pages: int = Field(default=20, ge=1, description="pages stored per transaction")
    timeout: float = Field(default=30.0, gt=0, description="seconds per request")
    max_retries: int = Field(default=6, ge=0, description="retries of a request after 5xx, timeouts, 429")
    max_wait: float = Field(default=900.0, ge=0,
                            description="longest rate-limit wait before a channel is left for later")
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: dict[str, ChannelConfig]) -> dict[str, ChannelConfig]:
        # Keys stay as written (so errors point at the right line); ``channel()`` resolves aliases.
        seen: dict[str, str] = {}
        for name in value:
            key = normalise_channel(name)
            if key not in CHANNELS:
                raise ValueError(f"unknown channel '{name}' (known: {', '.join(CHANNELS)}; 'x' is twitter)")
            if key in seen:
                raise ValueError(f"channel '{name}' is also configured as '{seen[key]}'")
            seen[key] = name
        return value

    def channel(self, name: str) -> ChannelConfig:
        """The settings of a channel (by its store name; ``x`` in the file is ``twitter``)."""
        for key, settings in self.channels.items():
            if normalise_channel(key) == name:
                return settings
        return ChannelConfig()


def load_sync_config(path: str | Path | None) -> tuple[SyncConfig, Path | None]:
    """The config at ``path`` (defaults when ``None``) and the file it came from."""
    if path is None:
        return SyncConfig(), None
    path = Path(path)
    if not path.exists():
        raise ConfigError(str(path), None, "no such sync config file")
    config = load_yaml_model(str(path), path.read_text(encoding="utf-8-sig"), SyncConfig,
                             "a sync config is a mapping (see docs/sync.md)")
    return config, path


class Secret:
    """A credential: ``reveal()`` gives the value; printing it never does."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source  # where it came from, e.g. "environment variable SOCIALAUDIT_X_TOKEN"

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(*** from {self.source})"

    __str__ = __repr__


def default_env_var(channel: str) -> str:
    return f"SOCIALAUDIT_{'X' if channel == 'twitter' else channel.upper()}_TOKEN"


@dataclass(frozen=True)
class CredentialLookup:
    """Where a channel's credential was looked for, and what was found (for ``--dry-run``)."""

    channel: str
    secret: Secret | None
    looked_at: str


def find_credential(channel: str, settings: ChannelConfig, config_path: Path | None,
                    environ: dict[str, str] | None = None) -> CredentialLookup:
    """The channel's credential from the config, its file or the environment (in that order)."""
    environ = os.environ if environ is None else environ
    where = str(config_path) if config_path else "the sync config"
    if settings.token:
        repo = _git_worktree(config_path) if config_path else None
        if repo is not None:
            raise ConfigError(where, f"channels.{channel}.token",
                              f"a token in a file inside the git working tree {repo} could be committed; "
                              f"move the config outside it or use token_env / token_file")
        return CredentialLookup(channel, Secret(settings.token.strip(), f"{where} (channels.{channel}.token)"),
                                f"{where} (channels.{channel}.token)")
    if settings.token_file:
        file = Path(os.path.expanduser(settings.token_file))
        if not file.is_absolute() and config_path is not None:
            file = config_path.parent / file
        if not file.exists():
            raise ConfigError(where, f"channels.{channel}.token_file", f"no such token file: {file}")
        value = file.read_text(encoding="utf-8").strip()
        if not value:
            raise ConfigError(where, f"channels.{channel}.token_file", f"the token file {file} is empty")
        return CredentialLookup(channel, Secret(value, f"file {file}"), f"file {file}")
    name = settings.token_env or default_env_var(channel)
    value = environ.get(name, "").strip()
    return CredentialLookup(channel, Secret(value, f"environment variable {name}") if value else None,
                            f"environment variable {name}")


def _git_worktree(path: Path) -> Path | None:
    for parent in [path.resolve().parent, *path.resolve().parents]:
        if (parent / ".git").exists():
            return parent
    return None
