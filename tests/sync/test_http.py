"""The sync's HTTP client and config, on hand-made answers (httpx.MockTransport)."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from helpers import write

from socialaudit.errors import ConfigError
from socialaudit.sync.config import ChannelConfig, Secret, find_credential, load_sync_config
from socialaudit.sync.http import (
    ApiClient,
    AuthError,
    MalformedPage,
    QuotaExhausted,
    RequestFailed,
    exhausted_window,
    wait_from_headers,
)

NOW = 1_700_000_000.0


def client(handler, **kw) -> tuple[ApiClient, list[float]]:
    sleeps: list[float] = []
    api = ApiClient("twitter", "https://api.example", Secret("s3cret-token", "test"), sleep=sleeps.append,
                    clock=lambda: NOW, backoff=0.5, backoff_cap=4, transport=httpx.MockTransport(handler), **kw)
    return api, sleeps


def answers(*responses):
    """A handler giving these responses in turn (the last one repeats)."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after": "30"}, 30.0),
    ({"retry-after": "Tue, 14 Nov 2023 22:14:20 GMT"}, 60.0),  # NOW is 22:13:20
    ({"x-rate-limit-reset": str(int(NOW) + 42)}, 42.0),
    ({"x-ratelimit-reset": "15"}, 15.0),  # seconds, not an epoch time
    ({"x-business-use-case-usage": '{"123": [{"type": "pages", "call_count": 100, '
                                   '"estimated_time_to_regain_access": 5}]}'}, 300.0),
    ({}, None),
])
def test_wait_from_headers(headers, expected):
    assert wait_from_headers(httpx.Headers(headers), NOW) == expected


def test_exhausted_window_only_when_nothing_is_left():
    assert exhausted_window(httpx.Headers({"x-rate-limit-remaining": "0",
                                           "x-rate-limit-reset": str(int(NOW) + 9)}), NOW) == 9
    assert exhausted_window(httpx.Headers({"x-rate-limit-remaining": "3",
                                           "x-rate-limit-reset": str(int(NOW) + 9)}), NOW) is None


def test_429_waits_for_the_reset_then_succeeds():
    handler = answers(httpx.Response(429, headers={"retry-after": "12"}), httpx.Response(200, json={"ok": 1}))
    api, sleeps = client(handler)
    assert api.get("/x").data == {"ok": 1}
    assert len(sleeps) == 1 and 12 <= sleeps[0] < 12.5  # the wait plus jitter below the backoff base


def test_server_errors_back_off_with_jitter_and_give_up_after_the_retries():
    handler = answers(httpx.Response(503))
    api, sleeps = client(handler, max_retries=3)
    with pytest.raises(RequestFailed, match="gave up after 4 attempts"):
        api.get("/x")
    assert len(handler.seen) == 4 and len(sleeps) == 3
    assert all(0 <= s <= 4 for s in sleeps)


def test_timeouts_are_retried():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=[])

    api, sleeps = client(handler)
    assert api.get("/x").data == []
    assert len(sleeps) == 2


def test_401_is_an_expired_token_and_is_not_retried():
    handler = answers(httpx.Response(401, json={"title": "Unauthorized"}))
    api, _ = client(handler)
    with pytest.raises(AuthError, match="expired") as caught:
        api.get("/x")
    assert len(handler.seen) == 1 and caught.value.scope == "channel"


def test_not_json_is_retried_then_malformed_with_the_body():
    handler = answers(httpx.Response(200, content=b'{"data": ['))
    api, _ = client(handler, max_retries=1)
    with pytest.raises(MalformedPage) as caught:
        api.get("/x")
    assert caught.value.body == '{"data": [' and len(handler.seen) == 2


def test_wait_longer_than_max_wait_gives_up_with_the_time_to_come_back():
    handler = answers(httpx.Response(429, headers={"retry-after": "7200"}))
    api, sleeps = client(handler, max_wait=600)
    with pytest.raises(QuotaExhausted, match="run the sync again after 2023-11-15 00:13 UTC"):
        api.get("/x")
    assert sleeps == []


def test_query_token_is_sent_and_redacted_everywhere():
    handler = answers(httpx.Response(400, json={"error": {"message": "bad field"}}))
    api, _ = client(handler, auth="query:access_token")
    with pytest.raises(RequestFailed) as caught:
        api.get("/me", {"fields": "id"})
    assert handler.seen[0].url.params["access_token"] == "s3cret-token"
    assert "s3cret-token" not in str(caught.value) and "access_token=***" in str(caught.value)
    assert "bad field" in str(caught.value)
    assert "s3cret" not in repr(api.secret) and "Authorization" not in handler.seen[0].headers


def test_bearer_token_goes_in_the_header():
    handler = answers(httpx.Response(200, json={}))
    api, _ = client(handler)
    api.get("/x")
    assert handler.seen[0].headers["authorization"] == "Bearer s3cret-token"


def test_credentials_come_from_the_environment_by_default(tmp_path):
    found = find_credential("twitter", ChannelConfig(), None, {"SOCIALAUDIT_X_TOKEN": " abc "})
    assert found.secret.reveal() == "abc" and "SOCIALAUDIT_X_TOKEN" in found.looked_at
    assert find_credential("youtube", ChannelConfig(), None, {}).secret is None
    token_file = write(tmp_path / "yt.token", "key-1\n")
    found = find_credential("youtube", ChannelConfig(token_file=str(token_file)), None, {})
    assert found.secret.reveal() == "key-1"


def test_a_token_in_a_config_inside_a_git_work_tree_is_refused(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    config = write(tmp_path / "repo" / "sync.yaml", "channels:\n  x:\n    token: abc\n")
    settings, path = load_sync_config(config)
    with pytest.raises(ConfigError, match="could be committed"):
        find_credential("twitter", settings.channel("twitter"), path, {})
    outside = write(tmp_path / "elsewhere" / "sync.yaml", "channels:\n  x:\n    token: abc\n")
    settings, path = load_sync_config(outside)
    assert find_credential("twitter", settings.channel("twitter"), path, {}).secret.reveal() == "abc"


def test_config_errors_name_the_line(tmp_path):
    config = write(tmp_path / "sync.yaml", "since: 2024-01-01\nchannels:\n  myspace: {}\n")
    with pytest.raises(ConfigError, match="unknown channel 'myspace'"):
        load_sync_config(config)
    config = write(tmp_path / "sync2.yaml", "max_pages: 0\n")
    with pytest.raises(ConfigError, match=r"sync2.yaml:1.*max_pages"):
        load_sync_config(config)


def test_a_next_page_link_keeps_its_query_beside_the_token():
    handler = answers(httpx.Response(200, json={}))
    api, _ = client(handler, auth="query:access_token")
    api.get("https://api.example/v21.0/123/posts?after=QVFI&limit=25", {"fields": "id"})
    assert dict(handler.seen[0].url.params) == {"after": "QVFI", "limit": "25", "fields": "id",
                                                "access_token": "s3cret-token"}
