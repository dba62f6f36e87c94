"""The dashboard in a real browser: log in, open every page, acknowledge an inbox item, and no
post text executes anywhere.  A real uvicorn server on loopback, Debian's Chromium."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from browser.conftest import screenshot
from helpers import BUNDLED_SAMPLE, REGISTRY, write
from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.store import Store

PASSWORD = "correct horse battery"
PAYLOADS = ["<script>alert('post')</script>", "<img src=x onerror=alert('img')>", "\"><svg onload=alert('svg')>"]


def run(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    assert result.exit_code == 0, result.output
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from socialaudit.web.app import create_app

    tmp = tmp_path_factory.mktemp("dash")
    db = tmp / "s.duckdb"
    run("ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY)
    hostile = write(tmp / "hostile.csv", "tweet_id,author_id,inbound,created_at,text,response_tweet_id,"
                    "in_response_to_tweet_id\n" + "".join(
                        f'8{i}00001,8{i}0001,True,Sun Dec 31 22:10:4{i} +0000 2017,"@AppleSupport the app crashes, '
                        f'please fix it {p.replace(chr(34), chr(34) * 2)}",,\n' for i, p in enumerate(PAYLOADS)))
    run("ingest", hostile, "--db", db, "--format", "twcs")
    run("enrich", "--db", db)
    run("route", "--db", db)
    run("users", "add", "ada", "--role", "admin", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    run("users", "add", "rob", "--role", "department", "--department", "rnd", "--password-stdin", "--db", db,
        input=PASSWORD + "\n")
    port = free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    srv.should_exit = True
    thread.join(timeout=10)


def log_in(page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type='submit'], form[action='/login'] input[type='submit']")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def test_admin_opens_every_page(server, page):
    base, _ = server
    log_in(page, base, "ada")
    for path, name in [("/", "overview"), ("/companies", "companies"), ("/companies/apple", "company"),
                       ("/industries", "industries"), ("/inbox", "inboxes"), ("/inbox/rnd", "inbox-rnd"),
                       ("/imports", "imports"), ("/admin/users", "users"), ("/settings", "settings")]:
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        screenshot(page, f"dashboard-{name}")
    assert page.dialogs == [] and page.errors == []


def test_department_user_acknowledges_an_item_and_no_payload_runs(server, page):
    base, db = server
    log_in(page, base, "rob")
    page.goto(f"{base}/inbox/rnd?company=apple")
    body = page.inner_text("body")
    assert "<script>alert('post')</script>" in body  # shown as text
    assert not page.locator("img[src='x']").count() and not page.locator("svg[onload]").count()
    before = Store(db, read_only=True)
    acked_before = before.con.execute("SELECT count(*) FROM item_reads WHERE action = 'acknowledged'").fetchone()[0]
    before.close()
    page.locator("form.inline button[value='acknowledged']").first.click()
    page.wait_for_load_state()
    screenshot(page, "dashboard-inbox-acknowledged")
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT user_name, action FROM item_reads WHERE action = 'acknowledged'").fetchall()
    assert len(rows) == acked_before + 1 and ("rob", "acknowledged") in rows
    response = page.goto(f"{base}/inbox/service")
    assert response.status == 403  # another department's inbox
    assert page.dialogs == [], f"a payload executed: {page.dialogs}"
