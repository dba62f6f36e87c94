"""Department inboxes: read and acknowledge routed feedback (which feeds read tracking).

Nothing is recorded by merely listing an inbox (a GET never writes: a link or an image on
another site must not be able to mark items read); "Mark read" and "Acknowledge" are forms.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import SocialAuditError
from ...loop.inbox import STATUSES, record_read
from .. import queries
from ..auth import current_user, inbox_reader, inbox_writer, may_acknowledge
from ..render import flash, page
from ..users import User
from . import protected_router

router = protected_router()
PAGE_SIZE = 50


@router.get("/inbox")
def inboxes(request: Request, user: User = Depends(current_user)) -> Response:
    if user.role == "department":
        return RedirectResponse(f"/inbox/{user.department}", status_code=303)
    inventory = request.app.state.inventory.get()
    return page(request, "inboxes.html.j2", reads=inventory.value["reads"], audit=inventory)


@router.get("/inbox/{department}")
def inbox(request: Request, department: str, status: str = Query("all", max_length=40),
          company: str | None = Query(None, max_length=200), offset: int = Query(0, ge=0, le=10_000_000),
          user: User = Depends(inbox_reader)) -> Response:
    status = status if status in STATUSES else "all"
    with request.app.state.access.read() as con:
        items, more = queries.inbox(con, department, status=status, company=company, limit=PAGE_SIZE,
                                    offset=offset)
    query = {"status": status, **({"company": company} if company else {})}
    return page(request, "inbox.html.j2", department=department, items=items, status=status, statuses=STATUSES,
                company=company or "", offset=offset, page_size=PAGE_SIZE, more=more,
                can_ack=may_acknowledge(user, department), query=urlencode(query))


@router.post("/inbox/{department}/ack")
def acknowledge(request: Request, department: str, item_ids: list[int] = Form(default_factory=list),
                action: str = Form("acknowledged", max_length=40), back: str = Form("", max_length=2000),
                user: User = Depends(inbox_writer)) -> Response:
    if not item_ids:
        flash(request, "No item chosen.")
    else:
        try:
            with request.app.state.access.write() as con:
                written = record_read(con, item_ids[:500], action, user.user_name, department=department)
        except SocialAuditError as exc:
            flash(request, f"Nothing recorded: {exc}")
        else:
            done = "acknowledged" if action == "acknowledged" else "marked read"
            flash(request, f"{len(set(item_ids))} item(s) {done} ({written} new read records).")
    target = f"/inbox/{department}"
    if back.startswith(target + "?"):
        target = back
    return RedirectResponse(target, status_code=303)
