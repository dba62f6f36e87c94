"""Admin pages: the import log with the quarantine, and the dashboard's users."""

from __future__ import annotations

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import SocialAuditError
from .. import queries
from .. import users as users_mod
from ..auth import require_admin
from ..render import flash, page
from ..users import User
from . import protected_router

router = protected_router()
QUARANTINE_PAGE = 100


@router.get("/imports")
def imports(request: Request, offset: int = Query(0, ge=0, le=10_000_000), _: User = Depends(require_admin)
            ) -> Response:
    with request.app.state.access.read() as con:
        runs = queries.imports(con)
        rows, total = queries.quarantine(con, limit=QUARANTINE_PAGE, offset=offset)
    return page(request, "imports.html.j2", runs=runs, rows=rows, total=total, offset=offset,
                page_size=QUARANTINE_PAGE)


@router.get("/admin/users")
def users(request: Request, _: User = Depends(require_admin)) -> Response:
    everyone = sorted(request.app.state.users.get().value.values(), key=lambda u: u.user_name)
    return page(request, "users.html.j2", users=everyone, roles=users_mod.ROLES)


@router.post("/admin/users")
def add_user(request: Request, user_name: str = Form("", max_length=200), role: str = Form("", max_length=40),
             department: str = Form("", max_length=40), password: str = Form("", max_length=2000),
             _: User = Depends(require_admin)) -> Response:
    try:
        with request.app.state.access.write() as con:
            users_mod.add_user(con, user_name.strip(), password, role,
                               department if role == "department" else None)
    except SocialAuditError as exc:
        flash(request, f"Not added: {exc}")
    else:
        flash(request, f"Added {role} '{user_name.strip()}'.")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_name}/remove")
def remove_user(request: Request, user_name: str, admin: User = Depends(require_admin)) -> Response:
    if user_name == admin.user_name:
        flash(request, "You cannot remove yourself.")
        return RedirectResponse("/admin/users", status_code=303)
    try:
        with request.app.state.access.write() as con:
            users_mod.remove_user(con, user_name)
    except SocialAuditError as exc:
        flash(request, f"Not removed: {exc}")
    else:
        flash(request, f"Removed '{user_name}'.")
    return RedirectResponse("/admin/users", status_code=303)
