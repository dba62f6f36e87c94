"""Dashboard users, kept in the store's ``users`` table, with argon2 password hashes.

In the store (not a separate file) so that one file is the whole deployment: whoever may
read the store may already read everything the dashboard shows.  Only hashes are stored
(argon2id, the parameters inside each hash), so a copied store does not reveal passwords.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import SocialAuditError
from ..loop.profile import DEPARTMENTS

ROLES = ("admin", "analyst", "department")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length; a cap keeps a login form from being a CPU sink

_hasher = PasswordHasher()
#: Verified against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("socialaudit-no-such-user")

USERS_DDL = """
CREATE TABLE IF NOT EXISTS users (
  user_name VARCHAR PRIMARY KEY,
  password_hash VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  department VARCHAR,
  created_at TIMESTAMPTZ NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false
)"""


class UserError(SocialAuditError):
    """A user cannot be added, changed or removed as asked."""


@dataclass(frozen=True)
class User:
    user_name: str
    role: str
    department: str | None
    created_at: dt.datetime
    disabled: bool
    password_hash: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever the password (hash) changes: kept in the session so that a new
        password, or a removed and re-added user, ends every older session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def public(self) -> dict:
        return {"user_name": self.user_name, "role": self.role, "department": self.department,
                "created_at": self.created_at, "disabled": self.disabled}


_COLUMNS = "user_name, role, department, created_at, disabled, password_hash"


def create_table_if_missing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(USERS_DDL)


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    """A read-only connection cannot create the table; a store never served has none."""
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'").fetchone()
    return bool(row and row[0])


def validate(name: str, role: str, department: str | None) -> None:
    if not NAME_PATTERN.match(name or ""):
        raise UserError(f"invalid user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-', "
                        "starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
    if role == "department":
        if department not in DEPARTMENTS:
            raise UserError(f"a department user needs --department, one of {', '.join(DEPARTMENTS)}")
    elif department is not None:
        raise UserError(f"only department users have a department (role '{role}' was given)")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must have at most {MAX_PASSWORD} characters")


def add_user(con: duckdb.DuckDBPyConnection, name: str, password: str, role: str,
             department: str | None = None) -> User:
    validate(name, role, department)
    check_password_policy(password)
    create_table_if_missing(con)
    if get_user(con, name) is not None:
        raise UserError(f"user '{name}' exists already (remove it first to re-create it)")
    con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, false)",
                [name, _hasher.hash(password), role, department, dt.datetime.now(dt.UTC)])
    user = get_user(con, name)
    assert user is not None
    return user


def _enabled_admins(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT user_name FROM users WHERE role = 'admin' AND NOT disabled ORDER BY user_name").fetchall()]


def remove_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove a user; the last enabled admin is kept, or nobody could manage users any more."""
    user = get_user(con, name)
    if user is None:
        raise UserError(f"no user '{name}'")
    if user.role == "admin" and _enabled_admins(con) == [name]:
        raise UserError(f"'{name}' is the last admin: add another admin before removing it")
    con.execute("DELETE FROM users WHERE user_name = ?", [name])


def set_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> None:
    check_password_policy(password)
    if get_user(con, name) is None:
        raise UserError(f"no user '{name}'")
    con.execute("UPDATE users SET password_hash = ? WHERE user_name = ?", [_hasher.hash(password), name])


def get_user(con: duckdb.DuckDBPyConnection, name: str) -> User | None:
    if not has_table(con):
        return None
    row = con.execute(f"SELECT {_COLUMNS} FROM users WHERE user_name = ?", [name]).fetchone()
    return None if row is None else User(*row)


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    if not has_table(con):
        return []
    return [User(*r) for r in con.execute(f"SELECT {_COLUMNS} FROM users ORDER BY user_name").fetchall()]


def count_users(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users").fetchone()[0] if has_table(con) else 0


def password_matches(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (``password_hash`` None: a dummy hash)."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check(user: User | None, password: str) -> User | None:
    """The user if the password is right and the account enabled, else None."""
    ok = password_matches(user.password_hash if user else None, password)
    return user if ok and user is not None and not user.disabled else None


def verify(con: duckdb.DuckDBPyConnection, name: str, password: str) -> User | None:
    return check(get_user(con, name), password)
