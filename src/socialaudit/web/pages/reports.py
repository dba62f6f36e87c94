"""The analysts' pages: overview, companies, one company, the industry ranking."""

from __future__ import annotations

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from .. import queries
from ..auth import current_user, require_reports
from ..render import page
from ..users import User
from . import protected_router

router = protected_router()


@router.get("/")
def overview(request: Request, user: User = Depends(current_user)) -> Response:
    if user.role == "department":
        return RedirectResponse(f"/inbox/{user.department}", status_code=303)
    audit = request.app.state.audit.get()
    inventory = request.app.state.inventory.get().value
    return page(request, "overview.html.j2", findings=queries.findings(audit.value), audit=audit,
                store=inventory["store"], reads=inventory["reads"])


@router.get("/companies")
def companies(request: Request, industry: str | None = Query(None, max_length=200),
              _: User = Depends(require_reports)) -> Response:
    audit = request.app.state.audit.get()
    everyone = queries.companies(audit.value)
    industries = sorted({c["industry"] for c in everyone if c["industry"]})
    rows = [c for c in everyone if not industry or c["industry"] == industry]
    return page(request, "companies.html.j2", companies=rows, industries=industries, industry=industry or "",
                audit=audit)


@router.get("/companies/{company_id}")
def company(request: Request, company_id: str, _: User = Depends(require_reports)) -> Response:
    audit = request.app.state.audit.get()
    detail = queries.company(audit.value, request.app.state.inventory.get().value, company_id)
    if detail is None:
        return page(request, "error.html.j2", status_code=404, title="No such company",
                    message=f"No company '{company_id}' in the audited cohort.")
    return page(request, "company.html.j2", audit=audit, **detail)


@router.get("/industries")
def industries(request: Request, _: User = Depends(require_reports)) -> Response:
    audit = request.app.state.audit.get()
    return page(request, "industries.html.j2", ranking=queries.industries(audit.value), audit=audit)
