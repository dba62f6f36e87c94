"""The pandas baseline of the benchmarks computes the same figures as the audit (issue: "checked
against ours for equal results on a small cohort")."""

from __future__ import annotations

import pytest

from socialaudit.bench.audit_bench import check_equal
from socialaudit.bench.cohort import generate_cohort

pytest.importorskip("pandas")


def test_pandas_baseline_equals_the_audit_on_a_small_cohort(tmp_path):
    db = generate_cohort(tmp_path / "cohort.duckdb", posts=40_000, companies=24)
    said = []
    check_equal(db, said.append)
    assert said == ["  checked: the audit and the pandas baseline give the same figures"]


def test_the_comparison_can_fail(tmp_path, monkeypatch):
    from socialaudit.bench import pandas_audit

    db = generate_cohort(tmp_path / "cohort.duckdb", posts=40_000, companies=24)
    real = pandas_audit.pandas_audit

    def off_by_one(con, *args, **kwargs):
        out = real(con, *args, **kwargs)
        out["metrics"]["responded"] = out["metrics"]["responded"] + 1
        return out

    monkeypatch.setattr(pandas_audit, "pandas_audit", off_by_one)
    with pytest.raises(RuntimeError, match="disagree"):
        check_equal(db, lambda m: None)
