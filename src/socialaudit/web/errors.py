"""How refusals look: JSON under /api/ (and for /openapi.json), a page or a redirect elsewhere."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from ..errors import SocialAuditError
from .auth import Forbidden, NotAuthenticated
from .db import StoreBusy
from .render import page

BUSY_RETRY_SECONDS = 30


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def _refuse(request: Request, status: int, message: str, title: str, headers: dict | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return page(request, "error.html.j2", status_code=status, headers=headers, title=title, message=message)


def install(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "not logged in"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _refuse(request, 403, exc.message, "Not allowed")

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> Response:
        return _refuse(request, 503, "Another process is writing the store (an import?); try again in a moment.",
                       "Store busy", headers={"Retry-After": str(BUSY_RETRY_SECONDS)})

    @app.exception_handler(SocialAuditError)
    async def refused(request: Request, exc: SocialAuditError) -> Response:
        return _refuse(request, 400, str(exc), "Refused")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _refuse(request, exc.status_code, str(exc.detail), "Error", headers=getattr(exc, "headers", None))
