"""Exporting the store as Parquet: one file per table, for other engines (Spark, pandas, a
warehouse) and for sharing.

Never exported: ``meta`` (it holds the pseudonym key and the dashboard's session secret) and
``users`` (password hashes).  Consumer ids in the export are the store's pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import SocialAuditError
from .schema import TABLES

#: Tables that hold data; ``meta`` and ``users`` hold secrets and are never exported, and
#: ``sync_cursors`` is the sync's own bookkeeping, not data.
EXPORTED = tuple(t for t in TABLES if t != "sync_cursors")


@dataclass
class ExportedTable:
    table: str
    rows: int
    path: Path


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path, tables: tuple[str, ...] = EXPORTED,
                   compression: str = "zstd") -> list[ExportedTable]:
    """Write each table to ``out/<table>.parquet`` (replacing an older export of it)."""
    unknown = [t for t in tables if t not in EXPORTED]
    if unknown:
        raise SocialAuditError(f"cannot export {', '.join(unknown)} (tables: {', '.join(EXPORTED)})")
    if out.exists() and not out.is_dir():
        raise SocialAuditError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for table in tables:
        path = out / f"{table}.parquet"
        tmp = out / f".{table}.parquet.tmp"
        con.execute(f"COPY (SELECT * FROM {table}) TO '{_quote(tmp)}' (FORMAT parquet, COMPRESSION {compression})")
        tmp.replace(path)  # a reader never sees a half-written file
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        done.append(ExportedTable(table, rows, path))
    return done


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
