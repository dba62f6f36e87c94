"""The JSON API under /api/: the same figures as the pages (see :mod:`.queries`), for scripts.

Authentication is the dashboard's session cookie (log in through /login); POSTs need the
``X-CSRF-Token`` header, whose value ``GET /api/me`` returns.  Role rules as for the pages.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..loop.inbox import record_read
from . import csrf, queries
from .auth import current_user, inbox_reader, inbox_writer, require_admin, require_reports
from .csrf import csrf_protect
from .schemas import (
    Ack,
    AckResult,
    CompanyDetail,
    CompanySummary,
    Department,
    DepartmentReads,
    ImportRun,
    InboxPage,
    Industries,
    Me,
    Overview,
    QuarantinePage,
    Status,
    UserInfo,
)
from .users import User

NOT_LOGGED_IN = {401: {"description": "not logged in"}, 403: {"description": "the role does not allow this"},
                 503: {"description": "another process is writing the store; try again"}}

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(current_user), Depends(csrf_protect)],
                   responses=NOT_LOGGED_IN)


def _audit(request: Request):
    return request.app.state.audit.get()


@router.get("/me", response_model=Me, summary="The logged-in user and the session's CSRF token")
def me(request: Request, user: User = Depends(current_user)) -> Me:
    return Me(user_name=user.user_name, role=user.role, department=user.department, csrf_token=csrf.token(request))


@router.get("/overview", response_model=Overview, summary="What the store holds, and Study A's findings on it")
def overview(request: Request, _: User = Depends(require_reports)) -> dict:
    audit = _audit(request)
    store = request.app.state.inventory.get().value["store"]
    return {"store": store, "findings": queries.findings(audit.value),
            "audit": {"computed_at": audit.computed_at, "stale": audit.stale}}


@router.get("/companies", response_model=list[CompanySummary], summary="Companies, best engagement score first")
def companies(request: Request, industry: str | None = Query(None, max_length=200),
              _: User = Depends(require_reports)) -> list[dict]:
    return queries.companies(_audit(request).value, industry)


@router.get("/companies/{company_id}", response_model=CompanyDetail,
            responses={404: {"description": "no such company"}},
            summary="One company: every metric per channel, its inventory and read tracking")
def company(request: Request, company_id: str, _: User = Depends(require_reports)) -> dict:
    detail = queries.company(_audit(request).value, request.app.state.inventory.get().value, company_id)
    if detail is None:
        raise HTTPException(404, f"no company '{company_id}' in the audited cohort")
    return detail


@router.get("/industries", response_model=Industries, summary="The industry ranking with bootstrap intervals")
def industries(request: Request, _: User = Depends(require_reports)) -> dict:
    return queries.industries(_audit(request).value)


@router.get("/reads", response_model=list[DepartmentReads], summary="Read tracking per department")
def reads(request: Request, _: User = Depends(require_reports)) -> list[dict]:
    return request.app.state.inventory.get().value["reads"]


@router.get("/inbox/{department}", response_model=InboxPage, summary="A department's inbox, newest first")
def inbox(request: Request, department: Department, status: Status = "all",
          company: str | None = Query(None, max_length=200), limit: int = Query(50, ge=1, le=500),
          offset: int = Query(0, ge=0, le=10_000_000), _: User = Depends(inbox_reader)) -> dict:
    with request.app.state.access.read() as con:
        items, more = queries.inbox(con, department, status=status, company=company, limit=limit, offset=offset)
    return {"department": department, "status": status, "company": company, "limit": limit, "offset": offset,
            "more": more, "items": items}


@router.post("/inbox/{department}/ack", response_model=AckResult, responses={400: {"description": "unknown item, "
                                                                                  "or not in this inbox"}},
             summary="Record that you opened or acknowledged items of your department's inbox")
def ack(request: Request, department: Department, body: Ack, user: User = Depends(inbox_writer)) -> AckResult:
    with request.app.state.access.write() as con:
        written = record_read(con, body.item_ids, body.action, user.user_name, department=department)
    return AckResult(written=written)


@router.get("/imports", response_model=list[ImportRun], summary="The import log, newest first (admin)")
def imports(request: Request, _: User = Depends(require_admin)) -> list[dict]:
    with request.app.state.access.read() as con:
        return queries.imports(con)


@router.get("/quarantine", response_model=QuarantinePage, summary="Rows imports refused (admin)")
def quarantine(request: Request, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
               _: User = Depends(require_admin)) -> dict:
    with request.app.state.access.read() as con:
        rows, total = queries.quarantine(con, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "rows": rows}


@router.get("/users", response_model=list[UserInfo], summary="Dashboard users (admin)")
def users(request: Request, _: User = Depends(require_admin)) -> list[dict]:
    return [u.public() for u in sorted(request.app.state.users.get().value.values(), key=lambda u: u.user_name)]
