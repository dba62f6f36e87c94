"""A fake platform API on loopback, for the connector tests.

:class:`FakeApi` subclasses implement one platform's documented responses in :meth:`route`
(paths, query parameters, pagination); this module serves them over real HTTP on
``127.0.0.1`` (a ``ThreadingHTTPServer``), checks the token, counts requests and injects
faults: ``api.fail(...)`` makes the next matching requests answer with a given status,
headers or body (429 with rate-limit headers, 500, a cut-off page, a slow answer).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Fault:
    path_contains: str
    reply: Reply
    times: int = 1
    after: int = 0  # let this many matching requests through first


class FakeApi:
    """Base of a platform fake: token check, request log, faults; ``route`` is the platform."""

    #: the token the fake accepts; anything else is 401 (or the platform's own refusal)
    token = "test-token-0123456789"

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.expired = False
        self.lock = threading.Lock()
        self.base_url = ""

    # -- what tests call -----------------------------------------------------------------
    def fail(self, path_contains: str, status: int = 500, body: Any = None, headers: dict | None = None,
             times: int = 1, after: int = 0, delay: float = 0.0) -> None:
        self.faults.append(Fault(path_contains, Reply(status, body if body is not None else {"error": "injected"},
                                                      headers or {}, delay), times, after))

    def count(self, path_contains: str = "") -> int:
        return sum(path_contains in r.path for r in self.requests)

    # -- what subclasses implement -------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def refuse(self, request: Request) -> Reply:
        return Reply(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

    def route(self, request: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the server side -----------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            for fault in self.faults:
                if fault.path_contains in request.path and fault.times > 0:
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    return fault.reply
        if self.expired or not self.authorised(request):
            return self.refuse(request)
        return self.route(request)


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = api.handle(Request("GET", parts.path, query, headers))
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def serve(api: FakeApi) -> Iterator[str]:
    """Serve ``api`` on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api.base_url
    finally:
        server.shutdown()
        server.server_close()


def page_of(items: list, start: int, size: int) -> tuple[list, int | None]:
    """``items[start:start+size]`` and the start of the next page (``None`` at the end)."""
    chunk = items[start:start + size]
    return chunk, (start + size if start + size < len(items) else None)
