"""The dashboard application: :func:`create_app` wires the store, sessions, pages and API.

The session is a signed cookie (Starlette's SessionMiddleware, itsdangerous): HttpOnly,
SameSite=Lax, Secure with ``secure_cookies``.  Its key is kept in the store's ``meta`` table
(``web_secret``), created on first start, so sessions survive a restart; whoever has the
store file has the key, as with the pseudonym key.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..metrics.audit import run_audit
from ..metrics.config import AuditConfig
from . import errors, queries, users
from .api import router as api_router
from .auth import current_user
from .cache import StoreCache
from .db import StoreAccess
from .pages import account, admin, inbox, reports
from .ratelimit import LoginLimiter
from .security import SecurityHeaders

SECRET_KEY = "web_secret"
SESSION_COOKIE = "socialaudit_session"
#: The cookie expires after this long without a request (each response renews it).
IDLE_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Settings:
    db_path: str
    secure_cookies: bool
    idle_seconds: int


def _prepare_store(access: StoreAccess, secret: str | None) -> str:
    """Create the users table and the session key if missing (one short write at start)."""
    with access.write() as con:
        users.create_table_if_missing(con)
        if secret is None:
            row = con.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchone()
            if row is None:
                con.execute("INSERT INTO meta VALUES (?, ?)", [SECRET_KEY, secrets.token_urlsafe(48)])
                row = con.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchone()
            secret = row[0]
    return secret


def _warm(app: FastAPI) -> None:
    try:
        app.state.audit.get()
    except Exception:  # the first page that needs the audit computes it again and shows the error
        logging.getLogger(__name__).exception("warming up the audit failed")


def create_app(db_path: str | Path, *, secret: str | None = None, secure_cookies: bool = False,
               audit_config: AuditConfig | None = None, warm_audit: bool = False,
               limiter: LoginLimiter | None = None) -> FastAPI:
    """The dashboard for the store at ``db_path``.

    ``warm_audit`` computes the audit in a background thread at start-up (``serve`` does; tests
    do not), so the first visitor does not wait for it.
    """
    access = StoreAccess(db_path)
    key = _prepare_store(access, secret)
    config = audit_config or AuditConfig()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_audit:
            threading.Thread(target=_warm, args=(app,), name="audit-warm-up", daemon=True).start()
        yield
        access.close()  # the shared read-only connection, if open

    app = FastAPI(lifespan=lifespan, title="socialaudit dashboard", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  description="Audit figures, department inboxes and imports of one socialaudit store. "
                              "Log in through /login (session cookie); send the X-CSRF-Token header (from "
                              "GET /api/me) with every POST.")
    state = app.state
    state.access = access
    state.settings = Settings(str(Path(db_path).resolve()), secure_cookies, IDLE_SECONDS)
    state.audit_config = config
    state.audit = StoreCache(access, lambda con: run_audit(con, config), survives_own_writes=True)
    state.inventory = StoreCache(access, queries.inventory)
    state.users = StoreCache(access, lambda con: {u.user_name: u for u in users.list_users(con)})
    state.limiter = limiter or LoginLimiter()

    errors.install(app)
    app.include_router(api_router)
    for module in (account, reports, inbox, admin):
        app.include_router(module.router)
    app.include_router(account.public)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(current_user)])
    def openapi(request: Request) -> JSONResponse:
        """The API's OpenAPI spec, for logged-in users (like every other route but the login page)."""
        return JSONResponse(app.openapi())

    # Added last = outermost: the session exists for every handler, including error pages.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE, max_age=IDLE_SECONDS,
                       same_site="lax", https_only=secure_cookies)

    return app
