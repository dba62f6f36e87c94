"""What the Facebook and Instagram connectors share: Meta's Graph API conventions.

Error bodies (https://developers.facebook.com/docs/graph-api/guides/error-handling) come as
``{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}``, with
HTTP 400/403 for rate limits as often as 429; rate limits are told in usage headers
(https://developers.facebook.com/docs/graph-api/overview/rate-limiting); cursor paging
(https://developers.facebook.com/docs/graph-api/results) repeats the token in ``paging.next``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from .http import AuthError, RequestFailed, Verdict, wait_from_headers

GRAPH_VERSION = "v21.0"
#: Codes of a token that is expired, revoked, invalid or missing.
TOKEN_CODES = frozenset({102, 104, 190})
#: Rate limits: app, user, page, custom, and the business-use-case family (Pages 80001, Instagram 80002).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Seconds to wait on a rate limit whose headers give no time (the windows roll over an hour).
DEFAULT_RATE_WAIT = 300.0


class ObjectGone(RequestFailed):
    """Graph knows no such object (code 100/33: a deleted post, media or comment; 803: no such
    Page username)."""


def next_after(data: Any) -> str | None:
    """The ``after`` cursor if Graph says there is a next page (``paging.next`` present)."""
    paging = data.get("paging") if isinstance(data, dict) else None
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None


def scrub_paging(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` with its ``paging.next/previous`` links redacted (they carry the token)."""
    if isinstance(value, dict):
        return {k: redact(v) if k in ("next", "previous") and isinstance(v, str) else scrub_paging(v, redact)
                for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_paging(v, redact) for v in value]
    return value


def rate_limit_seconds(headers: httpx.Headers, now: float) -> float | None:
    """The wait the headers give: ``Retry-After`` or ``X-Business-Use-Case-Usage`` (as the client
    reads them), else the ``estimated_time_to_regain_access`` (minutes) of ``X-Page-Usage`` or
    ``X-App-Usage``."""
    wait = wait_from_headers(headers, now)
    if wait is not None:
        return wait
    for name in ("x-page-usage", "x-app-usage"):
        try:
            usage = json.loads(headers.get(name) or "null")
        except ValueError:
            continue
        minutes = usage.get("estimated_time_to_regain_access") if isinstance(usage, dict) else None
        if isinstance(minutes, (int, float)) and not isinstance(minutes, bool):
            return max(0.0, float(minutes)) * 60.0
    return None


def read_graph_error(client, response: httpx.Response, data: Any, url: str, *, token: str, permissions: str,
                     rate_wait: float = DEFAULT_RATE_WAIT) -> Verdict | None:
    """A Graph error body as a :class:`Verdict` (``None``: not a Graph error, default rules).

    ``token`` names the credential in messages ("the Page access token"), ``permissions`` says
    what a permission refusal means for this platform.
    """
    error = data.get("error") if isinstance(data, dict) and response.status_code >= 400 else None
    if not isinstance(error, dict):
        return None
    code, subcode = error.get("code"), error.get("error_subcode")
    label = f"Graph error {code}" + (f"/{subcode}" if subcode else "")
    message = client.redact(str(error.get("message") or ""))[:300]
    status, channel = response.status_code, client.channel
    if code in TOKEN_CODES:
        return Verdict(AuthError(channel, url, f"{token} was refused ({label}: {message}): it has expired or been "
                                 "revoked; create a new one and set it again (see docs/sync.md)", status))
    if code in RATE_LIMIT_CODES:
        wait = rate_limit_seconds(response.headers, client.clock())
        return Verdict(retry_after=rate_wait if wait is None else wait, reason=f"rate limited ({label}: {message})")
    if code == 10 or (isinstance(code, int) and 200 <= code < 300):
        return Verdict(AuthError(channel, url, f"permission refused ({label}: {message}): {permissions} "
                                 "(see docs/sync.md)", status))
    if (code == 100 and subcode == 33) or code == 803:
        return Verdict(ObjectGone(channel, url, f"no such object ({label}: {message})", status))
    if error.get("is_transient") or code in (1, 2):
        return Verdict(retry_after=0, reason=f"temporary Graph error ({label}: {message})")
    return None
