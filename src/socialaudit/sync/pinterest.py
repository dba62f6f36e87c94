"""Pinterest API v5: the pins of the brand's own Pinterest business account, and the account.

A Pinterest user token reads the account that granted it, so the connector syncs *the token
owner's* account: ``GET /v5/user_account`` (scope ``user_accounts:read``) says whose token it
is, and its ``username`` must be the registry's Pinterest handle (case-insensitive) — else that
registry account fails with a message naming the token's owner.  One token syncs one account;
a registry with several Pinterest accounts needs one sync config (and token) per account.

Feeds: ``user_account`` (the account payload, for its ``follower_count``; stored again only
when the payload changed) and ``pins``: ``GET /v5/pins?page_size=…&pin_metrics=true``
(scopes ``pins:read``, ``boards:read``), pages ``{"items": [pin], "bookmark": "…"}`` of up to
250 pins (default 25), the next page asked for with ``bookmark=`` until it is ``null``.  Pins
come newest first, so a walk stops at the newest pin an earlier walk stored (kept in the
cursor as ``last_id`` / ``last_at``, with ``created_at``) or, the first time, at the sync's
start date; the walk's own newest pin becomes that stop when it is done.
``pin_metrics=true`` adds the lifetime reactions, comments and impressions the ingest module
reads (option ``channels.pinterest.options.pin_metrics: false`` leaves them out).

Pinterest API v5 has no endpoint that lists the comments on a pin, so no consumer comments
are synced (the lifetime comment *count* is all there is): Pinterest data shows what a brand
publishes, not how it answers.

Errors: ``{"code": <int>, "message": "…"}``; a 401 (code 2, "Authentication failed.") is an
expired or revoked token (access tokens live 30 days), a 429 is waited out from the rate-limit
headers (``X-RateLimit-Reset``, ``Retry-After``).  Limits: Trial access 1,000 requests a day,
Standard access 100 requests a second per user and app plus per-category limits.

Reference: https://developers.pinterest.com/docs/api/v5/user_account-get,
https://developers.pinterest.com/docs/api/v5/pins-list,
https://developers.pinterest.com/docs/reference/rate-limits/,
https://developers.pinterest.com/docs/getting-started/authentication/,
https://github.com/pinterest/api-description (OpenAPI: ``Paginated``, ``Pin``, ``Account``, ``Error``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from .base import Connector, Feed, Page, Target, iso
from .http import ApiResponse, AuthError, RequestFailed, Verdict, wait_from_headers

ACCOUNT_PATH = "/v5/user_account"
PINS_PATH = "/v5/pins"
#: ``page_size`` of the list endpoints: 1 to 250 (default 25).
MAX_PAGE_SIZE = 250
SCOPES = "user_accounts:read, pins:read, boards:read"


def _when(value: Any) -> datetime | None:
    """A pin's ``created_at`` (ISO 8601, sometimes without an offset: UTC) or ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


class AccountFeed(Feed):
    """The token owner's account (``GET /v5/user_account``), fetched by :meth:`resolve` and
    stored when it differs from what the last run stored (state ``{"username", "digest"}``)."""

    name = "user_account"

    def __init__(self, connector: PinterestConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    def fetch(self, state: dict) -> Iterator[Page]:
        response = self.connector.account(self.target)
        digest = _digest(response.data)
        if state.get("digest") == digest:
            return  # unchanged since the last run stored it
        yield Page(response.data, {"username": response.data.get("username"), "digest": digest}, response.url)

    def describe(self, state: dict) -> str:
        stored = " (stored again only if it changed)" if state.get("digest") else ""
        return f"GET {ACCOUNT_PATH} (must be @{self.target.handle}: the token's own account){stored}"


class PinsFeed(Feed):
    """``GET /v5/pins``, newest first, down to the newest pin stored before.

    State while walking: ``{"bookmark", "walk_id", "walk_at"}`` (the walk's newest pin) plus the
    stop ``{"last_id", "last_at"}`` of the walk before, if any; when done: ``{"last_id",
    "last_at"}`` = the newest pin seen."""

    name = "pins"

    def __init__(self, connector: PinterestConnector, target: Target) -> None:
        self.connector = connector
        self.target = target

    def _params(self, bookmark: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"page_size": self.connector.page_size(MAX_PAGE_SIZE)}
        if self.connector.settings.options.get("pin_metrics", True):
            params["pin_metrics"] = "true"
        if bookmark:
            params["bookmark"] = bookmark
        return params

    def fetch(self, state: dict) -> Iterator[Page]:
        stop_id, stop_at = state.get("last_id"), state.get("last_at")
        stop = {"last_id": stop_id, "last_at": stop_at} if stop_id else {}
        floor = _when(stop_at) if stop_id else self.connector.context.since
        walk = {k: state[k] for k in ("walk_id", "walk_at") if k in state}
        bookmark = state.get("bookmark")
        while True:
            response = self.connector.client.get(PINS_PATH, self._params(bookmark))
            data = response.data if isinstance(response.data, dict) else {}
            items = data.get("items")
            pins = [p for p in items if isinstance(p, dict) and p.get("id")] if isinstance(items, list) else []
            if not walk and pins:
                walk = {"walk_id": str(pins[0]["id"]), "walk_at": str(pins[0].get("created_at") or "")}
            reached = any(str(p["id"]) == stop_id or self._older(p, floor) for p in pins)
            following = data.get("bookmark")
            more = (isinstance(following, str) and bool(following) and following != bookmark and bool(pins)
                    and not reached)
            if more:
                state = {**stop, **walk, "bookmark": following}
            elif walk:
                state = {"last_id": walk["walk_id"], "last_at": walk["walk_at"]}
            else:
                state = stop
            yield Page(response.data, state, response.url)
            if not more:
                return
            bookmark = following

    @staticmethod
    def _older(pin: dict, floor: datetime | None) -> bool:
        created = _when(pin.get("created_at"))
        return floor is not None and created is not None and created < floor

    def describe(self, state: dict) -> str:
        params = " ".join(f"{k}={v}" for k, v in self._params(state.get("bookmark")).items())
        if state.get("last_id"):
            until = f"down to pin {state['last_id']} ({state.get('last_at') or 'no date'}), the newest stored"
        else:
            until = f"down to {iso(self.connector.context.since)}"
        return f"GET {PINS_PATH} {params}, newest first, {until}"


class PinterestConnector(Connector):
    channel = "pinterest"
    format_name = "pinterest"
    title = "Pinterest API v5"
    default_base_url = "https://api.pinterest.com"
    auth = "bearer"
    permissions = ("a Pinterest app (developers.pinterest.com; Trial access allows 1,000 requests a day) and a user "
                   "OAuth access token of the brand's own Pinterest business account with the scopes "
                   f"{SCOPES}; the token reads only its owner's account, so one token syncs one account (the "
                   "registry's Pinterest handle must be that account's username). Access tokens expire after 30 "
                   "days: refresh them with the refresh token. Pinterest API v5 has no endpoint for the comments "
                   "on pins, so no comments are synced, only the brand's pins and its account.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._accounts: dict[str, ApiResponse] = {}

    def account(self, target: Target) -> ApiResponse:
        """``GET /v5/user_account`` (once per run and account), checked to be ``target``'s."""
        response = self._accounts.get(target.handle)
        if response is not None:
            return response
        response = self.client.get(ACCOUNT_PATH)
        data = response.data if isinstance(response.data, dict) else {}
        username = data.get("username")
        if not isinstance(username, str) or not username:
            raise RequestFailed(self.channel, response.url, "the user_account answer names no username")
        wanted = target.handle.lstrip("@")
        if username.lower() != wanted.lower():
            raise RequestFailed(self.channel, response.url,
                                f"the token belongs to @{username}, not @{wanted}: a Pinterest token reads only "
                                f"its own account, so sync @{wanted} with a token of that account (one token, one "
                                "account per sync config)")
        self._accounts[target.handle] = response
        return response

    def resolve(self, target: Target) -> Target:
        # The token decides which account is read: check it every run, whatever the config says.
        username = self.account(target).data["username"]
        return Target(target.channel, target.handle, target.company_id, username)

    def feeds(self, target: Target) -> list[Feed]:
        return [AccountFeed(self, target), PinsFeed(self, target)]

    def read_error(self, response, data: Any, url: str) -> Verdict | None:
        status = response.status_code
        if status < 400:
            return None
        body = data if isinstance(data, dict) else {}
        code, message = body.get("code"), str(body.get("message") or response.reason_phrase)[:300]
        said = f"Pinterest code {code}: {message}" if code is not None else message
        if status == 401:
            return Verdict(AuthError(self.channel, url, f"the token was refused ({said}): it has expired (Pinterest "
                                     "access tokens last 30 days) or been revoked; refresh it or create a new one "
                                     f"with the scopes {SCOPES} and set it again", status))
        if status == 403:
            return Verdict(AuthError(self.channel, url, f"permission refused ({said}): the token lacks a scope "
                                     f"({SCOPES} are needed) or the app lost its access", status))
        if status == 429:
            wait = wait_from_headers(response.headers, self.client.clock())
            return Verdict(retry_after=wait or 0, reason=f"rate limited (HTTP 429, {said})")
        return None


CONNECTOR = PinterestConnector
