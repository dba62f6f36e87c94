"""Logging in and out, sessions, cookie flags, the login rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web.support import PASSWORD, form_token, logged_in, login

from socialaudit.store import Store
from socialaudit.web import users
from socialaudit.web.app import SESSION_COOKIE, create_app
from socialaudit.web.ratelimit import LoginLimiter


def test_login_then_logout(client):
    assert client.get("/").status_code == 303
    response = login(client, "ann", next="/industries")
    assert response.status_code == 303 and response.headers["location"] == "/industries"
    assert client.get("/industries").status_code == 200
    me = client.get("/api/me").json()
    assert me["user_name"] == "ann" and me["role"] == "analyst" and me["department"] is None
    token = form_token(client.get("/settings").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/me").status_code == 401
    assert client.get("/industries").status_code == 303


def test_department_user_lands_on_own_inbox(client):
    response = login(client, "rob")
    assert response.headers["location"] == "/inbox/rnd"
    assert client.get("/").headers["location"] == "/inbox/rnd"


def test_wrong_password_and_unknown_user_are_refused_alike(client):
    wrong = login(client, "ann", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password" in wrong.text and "Wrong user name or password" in unknown.text
    assert client.get("/api/me").status_code == 401


def test_open_redirect_after_login_is_refused(client):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = login(client, "ann", next=target)
        assert response.headers["location"] == "/", target
        client.cookies.clear()


def test_rate_limit_after_five_failures(db):
    clock = [1000.0]
    app = create_app(db, secret="s", limiter=LoginLimiter(max_failures=5, window_seconds=300, clock=lambda: clock[0]))
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(5):
            assert login(client, "ann", "wrong password").status_code == 401
        blocked = login(client, "ann", PASSWORD)  # even the right password, while blocked
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        assert client.get("/api/me").status_code == 401
        assert login(client, "ada").status_code == 303  # another user from the same address is not blocked
        client.cookies.clear()
        clock[0] += 301
        assert login(client, "ann").status_code == 303


def test_rate_limit_per_address_over_many_names():
    limiter = LoginLimiter(max_failures=5, max_per_address=10, clock=lambda: 0.0)
    for i in range(10):
        limiter.failure(f"user{i}", "10.0.0.1")
    assert limiter.retry_after("someone-else", "10.0.0.1") is not None
    assert limiter.retry_after("someone-else", "10.0.0.2") is None


def test_cookie_flags(db):
    for secure in (False, True):
        app = create_app(db, secret="s", secure_cookies=secure)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            cookie = login(client, "ann").headers["set-cookie"]
            assert cookie.startswith(SESSION_COOKIE + "=")
            flags = cookie.lower()
            assert "httponly" in flags and "samesite=lax" in flags
            assert ("secure" in flags.split("; ")) is secure


def test_removed_user_and_changed_password_end_sessions(app, db, client):
    other = TestClient(app, follow_redirects=False)
    logged_in(client, "ann")
    logged_in(other, "ann")
    token = form_token(client.get("/settings").text)
    response = client.post("/settings/password", data={"csrf_token": token, "current": PASSWORD,
                                                       "new": "a new long password", "repeat": "a new long password"})
    assert response.status_code == 303
    assert client.get("/api/me").status_code == 200  # this session goes on
    assert other.get("/api/me").status_code == 401  # the other one has ended
    assert login(other, "ann", "a new long password").status_code == 303
    with app.state.access.write() as con:
        users.remove_user(con, "ann")
    assert client.get("/api/me").status_code == 401


def test_users_added_by_another_process_can_log_in(app, db, client):
    with Store(db) as store:  # like `socialaudit users add` while serve runs
        users.add_user(store.con, "newbie", PASSWORD, "analyst")
    assert login(client, "newbie").status_code == 303


def test_security_headers(client):
    headers = client.get("/login").headers
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
