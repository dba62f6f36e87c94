"""``socialaudit companies``: the companies in the store."""

from __future__ import annotations

from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, handle_errors


@handle_errors
def companies(
    db: DbOption = DEFAULT_DB_PATH,
    output: OutputOption = Output.table,
) -> None:
    """List the companies in the store with their accounts and post counts."""
    with Store(db, read_only=True) as store:
        rows = store.con.execute("""
            SELECT c.company_id, c.name, c.industry, c.country, c.timezone, c.origin,
                   (SELECT string_agg(DISTINCT a.channel || ':' || coalesce(a.handle, a.account_id), ', ')
                      FROM accounts a WHERE a.company_id = c.company_id) AS accounts,
                   (SELECT count(*) FROM posts p WHERE p.company_id = c.company_id) AS posts
            FROM companies c ORDER BY posts DESC, c.company_id
        """).fetchall()
    emit(["company", "name", "industry", "country", "timezone", "origin", "accounts", "posts"], rows, output,
          "Companies")
