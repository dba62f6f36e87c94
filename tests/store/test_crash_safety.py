"""A killed import leaves the store consistent; re-running it gives the store of a clean run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest
from helpers import dump_tables

from socialaudit.bench.synthetic import generate_twcs
from socialaudit.store import Store


def ingest_cmd(path, db):
    return [sys.executable, "-m", "socialaudit", "ingest", str(path), "--db", str(db)]


@pytest.fixture(scope="module")
def big_import(tmp_path_factory):
    """A generated TWCS-format file, a clean import of it, and an empty store sharing its key."""
    root = tmp_path_factory.mktemp("crash")
    big = generate_twcs(root / "big.csv", 120_000)
    empty = root / "empty.duckdb"
    Store(empty).close()  # creates the tables and the pseudonym key every copy shares
    clean = root / "clean.duckdb"
    shutil.copy(empty, clean)
    start = time.perf_counter()
    subprocess.run(ingest_cmd(big, clean), check=True, capture_output=True)
    seconds = time.perf_counter() - start
    with Store(clean) as s:
        reference = dump_tables(s.con)
    assert len(reference["posts"]) == 120_000
    return root, big, empty, seconds, reference


@pytest.mark.parametrize("fraction", [0.2, 0.55, 0.9])
def test_kill_at_any_point_then_rerun(big_import, fraction):
    root, big, empty, seconds, reference = big_import
    db = root / f"killed-{fraction}.duckdb"
    shutil.copy(empty, db)
    proc = subprocess.Popen(ingest_cmd(big, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds * fraction)
    proc.kill()
    proc.wait()

    with Store(db) as s:
        after_kill = dump_tables(s.con)
        statuses = [r[0] for r in s.con.execute("SELECT status FROM imports").fetchall()]
    # All or nothing: either the import committed whole, or the data tables are untouched.
    assert after_kill == reference or after_kill == {t: [] for t in reference}, statuses
    assert statuses in (["done"], ["interrupted"], []), statuses
    print(f"killed at {fraction:.0%} of a clean run: store {'complete' if after_kill == reference else 'untouched'}, "
          f"log {statuses}")

    subprocess.run(ingest_cmd(big, db), check=True, capture_output=True)
    with Store(db) as s:
        assert dump_tables(s.con) == reference
