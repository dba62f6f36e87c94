"""The dashboard's HTML pages, one module per area; every router but the login page's
requires a logged-in user and checks CSRF tokens on POSTs (router-level dependencies)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ..auth import current_user
from ..csrf import csrf_protect


def protected_router() -> APIRouter:
    """A router whose every route needs a session, and a CSRF token when it changes anything."""
    return APIRouter(dependencies=[Depends(current_user), Depends(csrf_protect)], include_in_schema=False)
