"""The dashboard beside another process that writes the store (an import): it holds no
connection once idle, answers 503 where it needs the store, and serves what it has
computed already."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from web.support import logged_in

from socialaudit.store import Store
from socialaudit.web.db import IDLE_CLOSE_SECONDS

HOLD = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("INSERT OR REPLACE INTO meta VALUES ('held-by-test', 'x')")
    print("ready", flush=True)
    sys.stdin.readline()  # hold the write lock until the test closes our stdin
""")


@pytest.fixture
def writer(db):
    """Another process holding the store's write lock, as a long import does."""
    def start():
        time.sleep(IDLE_CLOSE_SECONDS * 2)  # the dashboard lets go of the file once idle
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "ready"
        started.append(proc)
        return proc

    started: list[subprocess.Popen] = []
    yield start
    for proc in started:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_serve_holds_no_connection_once_idle(client, db):
    logged_in(client, "ada")
    assert client.get("/").status_code == 200
    time.sleep(IDLE_CLOSE_SECONDS * 2)
    with Store(db) as store:  # would fail with a lock error if the dashboard held the file
        store.con.execute("SELECT count(*) FROM posts").fetchone()


def test_pages_answer_while_another_process_writes(client, writer):
    logged_in(client, "ann")
    assert client.get("/industries").status_code == 200  # computes and caches the audit
    assert client.get("/").status_code == 200
    writer()
    page = client.get("/industries")
    assert page.status_code == 200 and "Another process is writing the store" in page.text
    assert client.get("/").status_code == 200
    assert client.get("/api/industries").status_code == 200
    assert client.get("/companies/southwest").status_code == 200
    busy = client.get("/inbox/rnd")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
    api = client.get("/api/inbox/rnd")
    assert api.status_code == 503 and "try again" in api.json()["detail"]


def test_login_works_while_another_process_writes(app, client, writer):
    app.state.users.get()  # the user table was read once (any earlier request does it)
    writer()
    logged_in(client, "ann")
    assert client.get("/api/me").status_code == 200
