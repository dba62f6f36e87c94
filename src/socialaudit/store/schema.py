"""Store tables, created from the Arrow schemas in :mod:`socialaudit.model`.

The DDL is generated so that a column's type is written once (in the model) and the
store, the parsers and the Parquet exports cannot drift apart.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from .. import model

SCHEMA_VERSION = "1"

#: table name -> (Arrow schema, primary key)
TABLES: dict[str, tuple[pa.Schema, tuple[str, ...]]] = {
    "posts": (model.POST_SCHEMA, ("channel", "post_id")),
    "accounts": (model.ACCOUNT_SCHEMA, ("channel", "account_id")),
    "companies": (model.COMPANY_SCHEMA, ("company_id",)),
    "brand_accounts": (model.BRAND_ACCOUNT_SCHEMA, ("channel", "handle")),
    "identity_links": (model.IDENTITY_LINK_SCHEMA, ("channel", "handle")),
    "profiles": (model.PROFILE_SCHEMA, ("company_id",)),
    "quarantine": (model.QUARANTINE_SCHEMA, ("source", "line", "item")),
    "imports": (model.IMPORT_SCHEMA, ("import_id",)),
    "enrichments": (model.ENRICHMENT_SCHEMA, ("channel", "post_id")),
    "routed_items": (model.ROUTED_ITEM_SCHEMA, ("item_id",)),
    "item_reads": (model.ITEM_READ_SCHEMA, ("item_id", "action", "user_name")),
    "sync_cursors": (model.SYNC_CURSOR_SCHEMA, ("channel", "account", "feed")),
}

#: Tables whose content is data (compared when checking that a re-run changes nothing);
#: ``imports`` is a log of runs and ``meta`` holds settings.
DATA_TABLES = ("posts", "accounts", "companies", "brand_accounts", "identity_links", "profiles", "quarantine")


def duckdb_type(dtype: pa.DataType) -> str:
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "VARCHAR"
    if pa.types.is_int64(dtype):
        return "BIGINT"
    if pa.types.is_int32(dtype):
        return "INTEGER"
    if pa.types.is_uint64(dtype):
        return "UBIGINT"
    if pa.types.is_float64(dtype):
        return "DOUBLE"
    if pa.types.is_boolean(dtype):
        return "BOOLEAN"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMPTZ" if dtype.tz else "TIMESTAMP"
    if pa.types.is_list(dtype):
        return duckdb_type(dtype.value_type) + "[]"
    raise TypeError(f"no DuckDB type for {dtype}")


def create_table_sql(name: str, schema: pa.Schema, primary_key: tuple[str, ...], *,
                     temporary: bool = False, if_not_exists: bool = True) -> str:
    cols = []
    for f in schema:
        null = "" if f.nullable else " NOT NULL"
        cols.append(f'"{f.name}" {duckdb_type(f.type)}{null}')
    if primary_key:
        cols.append(f"PRIMARY KEY ({', '.join(primary_key)})")
    temp = "TEMP " if temporary else ""
    exists = "IF NOT EXISTS " if if_not_exists else ""
    return f"CREATE {temp}TABLE {exists}{name} (\n  " + ",\n  ".join(cols) + "\n)"


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    for name, (schema, key) in TABLES.items():
        con.execute(create_table_sql(name, schema, key))
    con.execute("CREATE SEQUENCE IF NOT EXISTS import_ids START 1")
    con.execute("CREATE SEQUENCE IF NOT EXISTS routed_item_ids START 1")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION])
