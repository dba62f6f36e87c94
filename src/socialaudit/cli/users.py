"""``socialaudit users``: the dashboard's accounts (kept in the store, see docs/dashboard.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import StoreError
from ..store import Store
from ..web import users as users_mod
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, err_console, escape, handle_errors

users_app = typer.Typer(help="Dashboard users: add, remove and list the accounts of `socialaudit serve`.",
                        no_args_is_help=True, rich_markup_mode=None)


def open_existing(db: Path) -> Store:
    """The store for writing; never a new one (a typo in --db must not create an empty store)."""
    if not db.is_file():
        raise StoreError(f"{db}: no such store (run `socialaudit ingest` first)")
    return Store(db)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="The user name (letters, digits, '.', '_', '@', '-').")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(users_mod.ROLES)}.")],
    department: Annotated[str | None, typer.Option(help="For role 'department': rnd, product, service, sales "
                                                        "or marketing.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line "
                                                                          "of standard input (scripts).")] = False,
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Add a user; asks for the password (hidden, twice) unless --password-stdin."""
    users_mod.validate(name, role, department)
    password = read_password(password_stdin)
    users_mod.check_password_policy(password)
    with open_existing(db) as store:
        users_mod.add_user(store.con, name, password, role, department)
    err_console.print(f"added {escape(role)} '{escape(name)}'" + (f" ({escape(department)})" if department else ""))


@users_app.command("remove")
@handle_errors
def remove(
    name: Annotated[str, typer.Argument(help="The user name.")],
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Remove a user (their sessions end at their next request). The last admin cannot be removed."""
    with open_existing(db) as store:
        users_mod.remove_user(store.con, name)
    err_console.print(f"removed '{escape(name)}'")


@users_app.command("list")
@handle_errors
def list_(
    db: DbOption = DEFAULT_DB_PATH,
    output: OutputOption = Output.table,
) -> None:
    """List the users with their role and department."""
    if not db.is_file():
        raise StoreError(f"{db}: no such store (run `socialaudit ingest` first)")
    with Store(db, read_only=True) as store:
        rows = [(u.user_name, u.role, u.department, u.created_at.isoformat(timespec="seconds"),
                 "disabled" if u.disabled else "active") for u in users_mod.list_users(store.con)]
    emit(["user", "role", "department", "created", "state"], rows, output, title="Dashboard users")
