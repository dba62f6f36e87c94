"""``socialaudit serve``: the dashboard (docs/dashboard.md)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from ..errors import SocialAuditError, StoreError
from ..metrics.config import AuditConfig
from ..store import Store
from ..web import users as users_mod
from .common import DEFAULT_DB_PATH, DbOption, err_console, escape, handle_errors


def first_admin_help(db: Path) -> str:
    return (f"no dashboard users yet: create the first admin with\n"
            f"  socialaudit users add NAME --role admin --db {db}\n"
            f"or start with `socialaudit serve --db {db} --init-admin NAME` (asks for a password)")


def ensure_users(db: Path, init_admin: str | None) -> None:
    """At least one user exists, or the first admin is created now (asking for the password)."""
    with Store(db) as store:
        users_mod.create_table_if_missing(store.con)
        if users_mod.count_users(store.con):
            if init_admin:
                err_console.print("users exist already: --init-admin ignored")
            return
        if not init_admin:
            raise SocialAuditError(first_admin_help(db))
        users_mod.validate(init_admin, "admin", None)
    # the prompt happens with the store closed: nobody waits on a lock while someone types
    password = typer.prompt(f"Password for the first admin '{init_admin}'", hide_input=True,
                            confirmation_prompt=True)
    with Store(db) as store:
        users_mod.add_user(store.con, init_admin, password, "admin")
    err_console.print(f"added admin '{escape(init_admin)}'")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@handle_errors
def serve(
    db: DbOption = DEFAULT_DB_PATH,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="Send the session cookie over https "
                                                                          "only (behind a TLS proxy).")] = False,
    init_admin: Annotated[str | None, typer.Option("--init-admin", help="With no users yet: create this admin "
                                                                       "(asks for a password).")] = None,
    audit_config: Annotated[Path | None, typer.Option("--audit-config", help="YAML file of audit parameters for "
                                                                            "the pages (docs/metrics.md).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve the dashboard: overview, companies, industries, department inboxes, imports, users.

    Every page needs a login; create users with `socialaudit users add`. The server holds no
    connection to the store between requests, so imports and `route` can run beside it (pages
    answer "busy" while an import writes, except figures already computed).
    """
    if not db.is_file():
        raise StoreError(f"{db}: no such store (run `socialaudit ingest` first)")
    config = AuditConfig.load(audit_config)
    ensure_users(db, init_admin)

    import uvicorn

    from ..web.app import create_app

    app = create_app(db, secure_cookies=secure_cookies, audit_config=config, warm_audit=True)
    if not _is_loopback(host) and not secure_cookies:
        err_console.print("warning: listening beyond this machine without --secure-cookies: put the dashboard "
                          "behind https and pass --secure-cookies, or passwords and sessions travel in clear text")
    err_console.print(f"socialaudit dashboard on http://{escape(host)}:{port}/ (store {escape(db)}); Ctrl-C stops it")
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=True)
