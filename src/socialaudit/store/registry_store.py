"""Writing a company registry into the store (``companies``, ``brand_accounts``, ``identity_links``)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..privacy import Pseudonymiser
from ..registry import Registry
from .resolve import refresh


@dataclass
class RegistryReport:
    companies: int
    brand_accounts: int
    people: int
    hidden_brand_accounts: list[str]


def save_registry(con: duckdb.DuckDBPyConnection, registry: Registry,
                  pseudonymise: Pseudonymiser | None) -> RegistryReport:
    """Upsert the registry's companies and accounts, then refresh derived columns.

    Companies in the store but not in this registry are kept (several registries can be
    loaded into one store).  People's handles are stored pseudonymised, like the consumer
    accounts they must match.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for c in registry.companies:
            con.execute("""
                INSERT OR REPLACE INTO companies
                  (company_id, name, industry, country, timezone, business_hours, holidays, parent, origin)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'registry')
            """, [c.id, c.name, c.industry, c.country, c.timezone, c.business_hours, c.holidays, c.parent])
        ids = [c.id for c in registry.companies]
        if ids:
            con.execute("DELETE FROM brand_accounts WHERE list_contains(?, company_id)", [ids])
        brand_rows = [(ch, h.lower(), c.id) for c in registry.companies for ch, hs in c.accounts.items() for h in hs]
        if brand_rows:
            con.executemany("INSERT OR REPLACE INTO brand_accounts VALUES (?, ?, ?)", brand_rows)
        link_rows = []
        for person in registry.people:
            for ch, hs in person.accounts.items():
                for h in hs:
                    handle = pseudonymise(h) if pseudonymise is not None else h.lower()
                    link_rows.append((ch, handle.lower(), person.id))
        if link_rows:
            con.executemany("INSERT OR REPLACE INTO identity_links VALUES (?, ?, ?)", link_rows)
        hidden = _brand_accounts_stored_as_pseudonyms(con, brand_rows, pseudonymise)
        refresh(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RegistryReport(len(registry.companies), len(brand_rows), len(registry.people), hidden)


def _brand_accounts_stored_as_pseudonyms(con, brand_rows, pseudonymise) -> list[str]:
    """Registry brands whose posts were imported before the registry, hence pseudonymised."""
    if pseudonymise is None or not brand_rows:
        return []
    wanted = {(ch, pseudonymise(h)): h for ch, h, _ in brand_rows}
    con.execute("CREATE OR REPLACE TEMP TABLE wanted_pseudonyms (channel VARCHAR, handle VARCHAR)")
    con.executemany("INSERT INTO wanted_pseudonyms VALUES (?, ?)", list(wanted))
    found = con.execute("""
        SELECT DISTINCT w.channel, w.handle FROM wanted_pseudonyms w
        JOIN accounts a ON a.channel = w.channel AND a.handle = w.handle
    """).fetchall()
    return sorted(f"{ch}:{wanted[(ch, h)]}" for ch, h in found)
