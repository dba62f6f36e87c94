"""Who is asking: the session's user, and what each role may see.

Roles: ``admin`` (everything, plus users and imports), ``analyst`` (every report and every
inbox, read-only), ``department`` (its own inbox only; the only role that acknowledges,
because read tracking measures whether *departments* read their feedback).  The user is
looked up on every request, so a removed or disabled user, or a changed password, ends the
session at once even though the session itself is a signed cookie.
"""

from __future__ import annotations

import time

from fastapi import Depends, Request

from ..loop.profile import DEPARTMENTS
from . import csrf
from .users import User

SESSION_USER = "user"
SESSION_FINGERPRINT = "fp"
SESSION_SINCE = "since"
#: A session ends this long after the login, even while in use (the cookie itself expires after
#: ``idle`` seconds without a request, see create_app).
ABSOLUTE_LIFETIME = 12 * 3600


class NotAuthenticated(Exception):
    """No valid session: 401 for the API, a redirect to the login page for pages."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this: 403."""

    def __init__(self, message: str = "your role does not allow this page") -> None:
        super().__init__(message)
        self.message = message


def log_in(request: Request, user: User) -> None:
    """A new session for ``user`` (cleared first: nothing of the anonymous session is kept)."""
    request.session.clear()
    request.session.update({SESSION_USER: user.user_name, SESSION_FINGERPRINT: user.fingerprint,
                            SESSION_SINCE: int(time.time())})
    csrf.new_token(request)


def log_out(request: Request) -> None:
    request.session.clear()


def session_user(request: Request) -> User | None:
    """The logged-in user, or None (and the session cleared) when the session is no longer valid."""
    name = request.session.get(SESSION_USER)
    if not name:
        return None
    user = request.app.state.users.get().value.get(name)
    since = request.session.get(SESSION_SINCE, 0)
    if (user is None or user.disabled or request.session.get(SESSION_FINGERPRINT) != user.fingerprint
            or not isinstance(since, int) or time.time() - since > ABSOLUTE_LIFETIME):
        request.session.clear()
        return None
    return user


def current_user(request: Request) -> User:
    """Dependency of every route but the login page."""
    user = session_user(request)
    if user is None:
        raise NotAuthenticated()
    request.state.user = user
    return user


def require(*roles: str):
    """Dependency: the user has one of ``roles``."""
    def check(user: User = Depends(current_user)) -> User:
        if user.role not in roles:
            raise Forbidden()
        return user

    return check


require_admin = require("admin")
require_reports = require("admin", "analyst")


def may_read_inbox(user: User, department: str) -> bool:
    return user.role in ("admin", "analyst") or (user.role == "department" and user.department == department)


def may_acknowledge(user: User, department: str) -> bool:
    return user.role == "department" and user.department == department


def _department(request: Request) -> str:
    """The route's ``{department}``, read here rather than declared, so that each route's own
    declaration (a plain string for pages, an enum for the API) is the one in the spec."""
    return str(request.path_params.get("department", ""))


def inbox_reader(request: Request, user: User = Depends(current_user)) -> User:
    department = _department(request)
    if department not in DEPARTMENTS or not may_read_inbox(user, department):
        raise Forbidden("you may not read this inbox")
    return user


def inbox_writer(request: Request, user: User = Depends(current_user)) -> User:
    department = _department(request)
    if department not in DEPARTMENTS or not may_acknowledge(user, department):
        raise Forbidden("only the department's own users acknowledge its items")
    return user
