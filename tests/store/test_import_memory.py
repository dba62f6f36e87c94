"""An import larger than the store's memory limit fails cleanly: one message, nothing stored."""

from __future__ import annotations

import pytest
from helpers import BUNDLED_SAMPLE

from socialaudit.errors import StoreError
from socialaudit.store import Store, import_file


def test_merge_over_the_memory_limit_says_what_to_do_and_stores_nothing(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.con.execute("SET memory_limit = '12MB'")
        with pytest.raises(StoreError, match=r"needs more memory than the store's limit .*SOCIALAUDIT_MEMORY_LIMIT"):
            import_file(store, BUNDLED_SAMPLE, "twcs")
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
        assert store.con.execute("SELECT status FROM imports").fetchall() == [("failed",)]
        store.con.execute("SET memory_limit = '1GB'")
        assert import_file(store, BUNDLED_SAMPLE, "twcs").imported == 5000
