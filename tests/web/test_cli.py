"""``socialaudit users`` and ``socialaudit serve`` (without starting a real server)."""

from __future__ import annotations

import typer
import uvicorn
from typer.testing import CliRunner
from web.support import PASSWORD

from socialaudit.cli.serve import serve
from socialaudit.cli.users import users_app
from socialaudit.store import Store
from socialaudit.web import users

# Registered as in socialaudit.cli (app.command()(serve); app.add_typer(users_app, name="users")).
cli = typer.Typer(pretty_exceptions_enable=False)
cli.command()(serve)
cli.add_typer(users_app, name="users")
runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(cli, [str(a) for a in args], input=input)


def empty_store(tmp_path):
    path = tmp_path / "empty.duckdb"
    Store(path).close()
    return path


def names(db):
    with Store(db, read_only=True) as store:
        return {u.user_name: (u.role, u.department) for u in users.list_users(store.con)}


def test_users_add_list_remove(tmp_path):
    db = empty_store(tmp_path)
    result = run("users", "add", "root", "--role", "admin", "--db", db, input="s3cret-password\ns3cret-password\n")
    assert result.exit_code == 0, result.output
    result = run("users", "add", "rd", "--role", "department", "--department", "rnd", "--password-stdin", "--db", db,
                 input="another password\n")
    assert result.exit_code == 0, result.output
    assert names(db) == {"root": ("admin", None), "rd": ("department", "rnd")}
    with Store(db, read_only=True) as store:
        assert users.verify(store.con, "rd", "another password") is not None
        assert users.verify(store.con, "rd", "another password\n") is None
        stored = store.con.execute("SELECT password_hash FROM users WHERE user_name = 'rd'").fetchone()[0]
        assert stored.startswith("$argon2id$") and "another" not in stored
    listed = run("users", "list", "--db", db, "--output", "json")
    assert listed.exit_code == 0 and '"user": "rd"' in listed.output and "argon2" not in listed.output
    assert run("users", "remove", "rd", "--db", db).exit_code == 0
    assert names(db) == {"root": ("admin", None)}


def test_users_errors_are_one_line(tmp_path):
    db = empty_store(tmp_path)
    bad = run("users", "add", "x", "--role", "boss", "--password-stdin", "--db", db, input="long enough pw\n")
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.output
    bad = run("users", "add", "x", "--role", "department", "--password-stdin", "--db", db, input="long enough pw\n")
    assert bad.exit_code == 2 and "needs --department" in bad.output
    bad = run("users", "add", "x y", "--role", "admin", "--password-stdin", "--db", db, input="long enough pw\n")
    assert bad.exit_code == 2 and "invalid user name" in bad.output
    bad = run("users", "add", "x", "--role", "admin", "--password-stdin", "--db", db, input="short\n")
    assert bad.exit_code == 2 and "at least 8 characters" in bad.output
    run("users", "add", "x", "--role", "admin", "--password-stdin", "--db", db, input="long enough pw\n")
    bad = run("users", "add", "x", "--role", "admin", "--password-stdin", "--db", db, input="long enough pw\n")
    assert bad.exit_code == 2 and "exists already" in bad.output
    bad = run("users", "remove", "x", "--db", db)
    assert bad.exit_code == 2 and "last admin" in bad.output
    bad = run("users", "remove", "nobody", "--db", db)
    assert bad.exit_code == 2 and "no user 'nobody'" in bad.output
    bad = run("users", "add", "x", "--role", "admin", "--password-stdin", "--db", tmp_path / "typo.duckdb",
              input="long enough pw\n")
    assert bad.exit_code == 2 and "no such store" in bad.output and not (tmp_path / "typo.duckdb").exists()


def test_serve_without_users_says_how_to_create_the_first_admin(tmp_path, monkeypatch):
    db = empty_store(tmp_path)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("must not start")))
    result = run("serve", "--db", db)
    assert result.exit_code == 2
    assert f"socialaudit users add NAME --role admin --db {db}" in result.output
    assert "--init-admin" in result.output


def test_serve_init_admin_asks_for_a_password_then_starts(tmp_path, monkeypatch):
    db = empty_store(tmp_path)
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = run("serve", "--db", db, "--init-admin", "boss", "--port", 8123, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert names(db) == {"boss": ("admin", None)}
    assert started["host"] == "127.0.0.1" and started["port"] == 8123
    assert started["app"].title == "socialaudit dashboard"


def test_serve_with_users_starts_and_warns_without_https_beyond_localhost(db, monkeypatch):
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = run("serve", "--db", db, "--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    assert started["host"] == "0.0.0.0" and "--secure-cookies" in result.output


def test_serve_refuses_a_missing_store(tmp_path):
    result = run("serve", "--db", tmp_path / "nothing.duckdb")
    assert result.exit_code == 2 and "no such store" in result.output
