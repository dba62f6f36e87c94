"""CSRF protection: a random token per session, required on every state-changing request.

Pages put it in a hidden ``csrf_token`` field of every form; JSON clients send it in the
``X-CSRF-Token`` header (``GET /api/me`` returns it).  The check is a router-level
dependency, so every POST route gets it without opting in.  SameSite=Lax cookies already
stop most cross-site posts; the token also covers browsers and set-ups where they do not.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token(request: Request) -> str:
    """The session's token, created on first use (the login page creates it for anonymous visitors)."""
    value = request.session.get(SESSION_KEY)
    if not value:
        value = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return value


def new_token(request: Request) -> str:
    """A fresh token (at login: a token seen before authentication is not reused after it)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[SESSION_KEY]


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token: reload the page and try again")
