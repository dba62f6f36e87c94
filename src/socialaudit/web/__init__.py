"""The dashboard: ``socialaudit serve`` (FastAPI, server-rendered pages and a JSON API).

Everything behind a login; see ``docs/dashboard.md`` for roles, sessions, CSRF and how the
dashboard shares the store with imports.  :func:`create_app` is imported lazily so that
``socialaudit.web.users`` (used by ``socialaudit users``) does not need FastAPI loaded.
"""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any):  # pragma: no cover - thin re-export
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
