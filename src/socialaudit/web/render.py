"""Server-rendered pages: one Jinja2 environment with autoescaping on for every template.

Post text, handles, file names and quarantined raw rows come from untrusted sources; they
are only ever rendered through autoescaped expressions (no ``|safe`` on data anywhere).
Pages carry no JavaScript at all, which the Content-Security-Policy enforces.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..loop.profile import DEPARTMENT_NAMES, DEPARTMENTS
from . import csrf

FLASH = "flash"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | int | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else f"{x:,.{digits}f}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _when(value: dt.datetime | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _yesno(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("socialaudit.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=_pct, num=_num, duration=_duration, when=_when, yesno=_yesno)
    env.globals.update(DEPARTMENTS=DEPARTMENTS, DEPARTMENT_NAMES=DEPARTMENT_NAMES)
    return env


def flash(request: Request, message: str) -> None:
    """A one-line message shown on the next page (after a POST's redirect)."""
    request.session[FLASH] = message


def page(request: Request, template: str, *, status_code: int = 200, headers: dict | None = None,
         **context: object) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    html = environment().get_template(template).render(
        user=user, csrf_token=csrf.token(request), flash=request.session.pop(FLASH, None),
        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)
