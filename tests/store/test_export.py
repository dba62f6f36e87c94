"""``socialaudit export``: every data table as Parquet, equal to the store; secrets never leave."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from helpers import BUNDLED_SAMPLE, REGISTRY
from typer.testing import CliRunner

from socialaudit.cli import app
from socialaudit.errors import SocialAuditError
from socialaudit.store import Store
from socialaudit.store.export import EXPORTED, export_parquet

runner = CliRunner()


def test_export_equals_the_store_and_skips_secrets(tmp_path):
    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(BUNDLED_SAMPLE), "--db", str(db), "--registry", str(REGISTRY)]
                         ).exit_code == 0
    out = tmp_path / "parquet"
    result = runner.invoke(app, ["export", "--db", str(db), "--out", str(out), "--output", "csv"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{t}.parquet" for t in EXPORTED)
    assert "meta.parquet" not in files and "users.parquet" not in files
    with Store(db, read_only=True) as store:
        key = store.con.execute("SELECT value FROM meta WHERE key = 'pseudonym_key'").fetchall()[0][0]
        for table in ("posts", "companies", "quarantine"):
            exported = pq.read_table(out / f"{table}.parquet")
            stored = store.con.sql(f"SELECT * FROM {table}").to_arrow_table()
            assert exported.num_rows == stored.num_rows and exported.column_names == stored.column_names
            keys = [(c, "ascending") for c in exported.column_names[:3]]
            assert exported.sort_by(keys).to_pylist() == stored.sort_by(keys).to_pylist()
    assert key and all(key.encode() not in p.read_bytes() for p in out.iterdir())


def test_unknown_table_and_file_as_folder(tmp_path, store):
    with pytest.raises(SocialAuditError, match="cannot export meta"):
        export_parquet(store.con, tmp_path / "x", ("meta",))
    (tmp_path / "file").write_text("x")
    with pytest.raises(SocialAuditError, match="not a folder"):
        export_parquet(store.con, tmp_path / "file")
