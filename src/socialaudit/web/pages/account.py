"""Logging in and out, and the settings page (own account, password, server settings)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import SocialAuditError
from .. import users as users_mod
from ..auth import current_user, log_in, log_out, require_reports, session_user
from ..csrf import csrf_protect
from ..render import flash, page
from ..users import User
from . import protected_router

public = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
router = protected_router()


def home_for(user: User) -> str:
    return f"/inbox/{user.department}" if user.role == "department" else "/"


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (never ``//host`` or ``https://...``): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@public.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    user = session_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next) or home_for(user), status_code=303)
    return page(request, "login.html.j2", next=safe_next(next) or "", error=None, username="")


@public.post("/login")
def login(request: Request, username: str = Form("", max_length=200), password: str = Form("", max_length=2000),
          next: str = Form("", max_length=2000)) -> Response:
    limiter = request.app.state.limiter
    address = client_address(request)
    wait = limiter.retry_after(username, address)
    if wait is not None:
        return page(request, "login.html.j2", status_code=429, headers={"Retry-After": str(wait)},
                    next=safe_next(next) or "", username=username,
                    error=f"Too many failed logins: try again in {wait // 60 + 1} minute(s).")
    user = users_mod.check(request.app.state.users.get().value.get(username), password)
    if user is None:
        limiter.failure(username, address)
        return page(request, "login.html.j2", status_code=401, next=safe_next(next) or "", username=username,
                    error="Wrong user name or password.")
    limiter.success(username, address)
    log_in(request, user)
    return RedirectResponse(safe_next(next) or home_for(user), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/settings")
def settings(request: Request, user: User = Depends(current_user)) -> Response:
    state = request.app.state
    audit = state.audit.cached
    return page(request, "settings.html.j2", settings=state.settings, audit=audit,
                audit_config=state.audit_config.model_dump())


@router.post("/settings/password")
def change_password(request: Request, current: str = Form("", max_length=2000), new: str = Form("", max_length=2000),
                    repeat: str = Form("", max_length=2000), user: User = Depends(current_user)) -> Response:
    if users_mod.check(user, current) is None:
        flash(request, "The current password is wrong; nothing was changed.")
    elif new != repeat:
        flash(request, "The new passwords differ; nothing was changed.")
    else:
        try:
            with request.app.state.access.write() as con:
                users_mod.set_password(con, user.user_name, new)
        except SocialAuditError as exc:
            flash(request, f"Not changed: {exc}")
        else:
            fresh = request.app.state.users.get().value[user.user_name]
            log_in(request, fresh)  # the new fingerprint: this session stays, every other one ends
            flash(request, "Password changed; other sessions of yours have ended.")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/audit/refresh")
def refresh_audit(request: Request, _: User = Depends(require_reports)) -> Response:
    request.app.state.audit.clear()
    flash(request, "The audit will be recomputed on the next page that shows it.")
    return RedirectResponse("/settings", status_code=303)
