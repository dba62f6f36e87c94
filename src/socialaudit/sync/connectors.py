"""Which module holds each channel's connector (imported only when that channel syncs)."""

from __future__ import annotations

from importlib import import_module

from .base import Connector

MODULES = {
    "twitter": "socialaudit.sync.x",
    "facebook": "socialaudit.sync.facebook",
    "instagram": "socialaudit.sync.instagram",
    "youtube": "socialaudit.sync.youtube",
    "pinterest": "socialaudit.sync.pinterest",
    "linkedin": "socialaudit.sync.linkedin",
}


def connector_class(channel: str) -> type[Connector]:
    return import_module(MODULES[channel]).CONNECTOR
