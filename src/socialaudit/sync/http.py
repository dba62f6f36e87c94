"""An HTTP client for platform APIs: retries, rate limits and errors that say what to do.

Every request goes through :meth:`ApiClient.get`.  It retries timeouts, dropped connections,
5xx answers and bodies that are not JSON with exponential backoff and full jitter (tenacity's
``wait_random_exponential``); on 429 it waits for as long as the platform says (``Retry-After``,
X's ``x-rate-limit-reset``, the ``x-ratelimit-reset`` family, Graph's usage headers) plus a
little jitter, and if that is longer than ``max_wait`` it gives up on the channel with the time
to come back.  A 401 is an expired or revoked token.  Each connector can read its platform's
error bodies first (:data:`ErrorReader`), e.g. Graph's ``{"error": {"code": 190}}``.

The credential never appears in a message: URLs and texts pass through :meth:`ApiClient.redact`.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from .. import __version__
from ..errors import SocialAuditError
from .config import Secret

USER_AGENT = f"socialaudit/{__version__} (+https://github.com/socialaudit/socialaudit)"
#: Query parameters that carry credentials on some platforms (Graph, YouTube's API key).
_SECRET_PARAMS = re.compile(r"((?:access_token|oauth2_access_token|key|appsecret_proof|client_secret)=)[^&\s\"']+")


class ApiError(SocialAuditError):
    """A request that cannot succeed now.  ``scope`` says what must stop: the ``feed`` (this
    account's endpoint) or the whole ``channel`` (the credential or the quota is the problem)."""

    scope = "feed"

    def __init__(self, channel: str, url: str, problem: str, status: int | None = None, body: str = "") -> None:
        self.channel, self.url, self.problem, self.status, self.body = channel, url, problem, status, body
        super().__init__(f"{channel}: {problem} ({'HTTP ' + str(status) + ', ' if status else ''}{url})")


class AuthError(ApiError):
    """The token is expired, revoked or lacks a permission: renew it, nothing else helps."""

    scope = "channel"


class QuotaExhausted(ApiError):
    """The app's quota for the period is used up (YouTube's daily units, a rate-limit window
    longer than ``max_wait``): the channel waits for the next run."""

    scope = "channel"


class MalformedPage(ApiError):
    """The platform answered 2xx with a body that is not JSON (a cut-off or garbled page)."""


class RequestFailed(ApiError):
    """Any other refusal (404, 400…) or a request that still failed after every retry."""


@dataclass
class Verdict:
    """What an :data:`ErrorReader` makes of a response: an error to raise, or a wait and retry."""

    error: ApiError | None = None
    retry_after: float | None = None  # seconds; ``0`` = retry with backoff
    reason: str = ""
    malformed: bool = False  # a 2xx whose body cannot be read: retried, then a MalformedPage


#: ``reader(response, decoded_json_or_None, url) -> Verdict | None``; ``None`` = default rules.
ErrorReader = Callable[[httpx.Response, Any, str], "Verdict | None"]


@dataclass
class ApiResponse:
    data: Any
    headers: httpx.Headers
    url: str  # redacted


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None, final: ApiError) -> None:
        super().__init__(reason)
        self.reason, self.wait, self.final = reason, wait, final


def wait_from_headers(headers: httpx.Headers, now: float) -> float | None:
    """Seconds the platform asks us to wait, from the headers it sends with a 429 (or ``None``)."""
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now)
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = headers.get(name)
        if value:
            try:
                reset = float(value)
            except ValueError:
                continue
            # an epoch time (X) or a number of seconds (IETF draft RateLimit-Reset)
            return max(0.0, reset - now) if reset > 1e9 else max(0.0, reset)
    for name in ("x-business-use-case-usage", "x-ad-account-usage"):
        value = headers.get(name)
        if value:
            minutes = _graph_regain_minutes(value)
            if minutes is not None:
                return minutes * 60.0
    return None


def _graph_regain_minutes(value: str) -> float | None:
    try:
        usage = json.loads(value)
    except ValueError:
        return None
    found = []
    for entries in (usage.values() if isinstance(usage, dict) else []):
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict) and isinstance(entry.get("estimated_time_to_regain_access"), (int, float)):
                found.append(float(entry["estimated_time_to_regain_access"]))
    return max(found) if found else None


def exhausted_window(headers: httpx.Headers, now: float) -> float | None:
    """After a success: seconds until the window resets when the platform says none is left."""
    for remaining, reset in (("x-rate-limit-remaining", "x-rate-limit-reset"),
                             ("x-ratelimit-remaining", "x-ratelimit-reset")):
        left = headers.get(remaining)
        if left is not None and left.strip() == "0" and headers.get(reset):
            return wait_from_headers(httpx.Headers({reset: headers[reset]}), now)
    return None


class ApiClient:
    """GET JSON from one platform with one credential; see the module docstring."""

    def __init__(self, channel: str, base_url: str, secret: Secret, *, auth: str = "bearer",
                 timeout: float = 30.0, max_retries: int = 6, max_wait: float = 900.0,
                 backoff: float = 1.0, backoff_cap: float = 60.0, error_reader: ErrorReader | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 log: Callable[[str], None] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.channel = channel
        self.secret = secret
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.error_reader = error_reader
        self.sleep, self.clock = sleep, clock
        self.log = log or (lambda message: None)
        self.requests = 0
        self._auth = auth
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if auth == "bearer":
            headers["Authorization"] = f"Bearer {secret.reveal()}"
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout, transport=transport,
                                  follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        value = self.secret.reveal()
        if value:
            text = text.replace(value, "***")
        return _SECRET_PARAMS.sub(r"\1***", text)

    def get(self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
            ) -> ApiResponse:
        """The decoded JSON at ``url`` (relative to the base URL, or absolute for the next-page
        links Graph and others return), after retries; raises :class:`ApiError`."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        link = httpx.URL(url)
        if link.query:  # httpx replaces a URL's query by ``params``: merge them (next-page links)
            params = {**dict(link.params.multi_items()), **params}
            url = str(link.copy_with(query=None))
        if self._auth.startswith("query:"):
            params[self._auth.split(":", 1)[1]] = self.secret.reveal()
        retrying = Retrying(stop=stop_after_attempt(self.max_retries + 1), retry=retry_if_exception_type(_Retry),
                            wait=self._wait, sleep=self._sleep, reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(url, params, headers)
        except _Retry as exc:
            raise exc.final from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, params: dict[str, Any], headers: dict[str, str] | None) -> ApiResponse:
        self.requests += 1
        shown = self.redact(url)
        try:
            response = self._http.get(url, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})", None,
                         RequestFailed(self.channel, shown, "the request timed out on every attempt")) from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({type(exc).__name__})", None, RequestFailed(
                self.channel, shown, f"could not reach the API: {self.redact(str(exc))}")) from None
        shown = self.redact(str(response.request.url))
        data = _json_or_none(response)
        verdict = self.error_reader(response, data, shown) if self.error_reader else None
        if verdict is None:
            verdict = self._default_verdict(response, data, shown)
        if verdict is None:
            pause = exhausted_window(response.headers, self.clock())
            if pause and pause <= self.max_wait:
                self.log(f"{self.channel}: rate-limit window used up, waiting {pause:.0f} s before the next request")
                self.sleep(pause)
            return ApiResponse(data, response.headers, shown)
        if verdict.error is not None:
            raise verdict.error
        wait = verdict.retry_after
        if wait and wait > self.max_wait:
            resume = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.clock() + wait))
            raise QuotaExhausted(self.channel, shown, f"rate limited for {wait:.0f} s (more than max_wait "
                                 f"{self.max_wait:.0f} s); run the sync again after {resume}", response.status_code)
        if verdict.malformed:
            final: ApiError = MalformedPage(self.channel, shown, f"the page is {verdict.reason}", response.status_code,
                                            self.redact(response.text[:100_000]))
        else:
            final = RequestFailed(self.channel, shown, f"{verdict.reason}; gave up after {self.max_retries + 1} "
                                  "attempts", response.status_code, self.redact(response.text[:2000]))
        raise _Retry(verdict.reason, wait, final)

    def _default_verdict(self, response: httpx.Response, data: Any, shown: str) -> Verdict | None:
        status = response.status_code
        if 200 <= status < 300:
            if data is None:
                return Verdict(retry_after=0, malformed=True, reason="not JSON "
                               f"({response.headers.get('content-type', 'no type')}, {len(response.content)} bytes)")
            return None
        message = _error_message(data) or response.reason_phrase
        if status == 401:
            return Verdict(AuthError(self.channel, shown, f"the token was refused ({message}): it has expired or "
                                     "been revoked; create a new one and set it again", status))
        if status == 429:
            return Verdict(retry_after=wait_from_headers(response.headers, self.clock()) or 0,
                           reason="rate limited (HTTP 429)")
        if status >= 500 or status == 408:
            return Verdict(retry_after=wait_from_headers(response.headers, self.clock()) or 0,
                           reason=f"server error HTTP {status}")
        if status == 403:
            return Verdict(AuthError(self.channel, shown, f"permission refused ({message}): the app or token lacks "
                                     "a permission this request needs (see docs/sync.md)", status))
        return Verdict(RequestFailed(self.channel, shown, f"request refused: {message}", status,
                                     self.redact(response.text[:2000])))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        jitter = wait_random_exponential(multiplier=self.backoff, max=self.backoff_cap)(state)
        if isinstance(exc, _Retry) and exc.wait:
            return exc.wait + random.uniform(0, min(1.0, self.backoff))
        return jitter

    def _sleep(self, seconds: float) -> None:
        self.log(f"{self.channel}: retrying in {seconds:.1f} s")
        self.sleep(seconds)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None


def _error_message(data: Any) -> str:
    """The human part of an API error body, whatever the platform's shape."""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("status") or "")[:300]
    if isinstance(error, str):
        return error[:300]
    for key in ("detail", "message", "title"):
        if isinstance(data.get(key), str):
            return data[key][:300]
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0].get("detail") or "")[:300]
    return ""
