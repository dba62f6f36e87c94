"""A store from the bundled sample (ingested, enriched, routed through the CLI) with one user
per role, copied for every test so that tests may write to it."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient
from helpers import BUNDLED_SAMPLE, REGISTRY
from typer.testing import CliRunner
from web.support import PASSWORD, USERS

from socialaudit.cli import app as cli_app
from socialaudit.metrics.config import AuditConfig
from socialaudit.store import Store
from socialaudit.web import users
from socialaudit.web.app import create_app


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "sample.duckdb"
    runner = CliRunner()
    for args in (["ingest", BUNDLED_SAMPLE, "--db", db, "--registry", REGISTRY], ["enrich", "--db", db],
                 ["route", "--db", db]):
        result = runner.invoke(cli_app, [str(a) for a in args])
        assert result.exit_code == 0, result.output
    with Store(db) as store:
        for name, (role, department) in USERS.items():
            users.add_user(store.con, name, PASSWORD, role, department)
    return db


@pytest.fixture
def db(sample_store, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copy(sample_store, copy)
    return copy


@pytest.fixture
def app(db):
    return create_app(db, secret="test-secret", audit_config=AuditConfig(bootstrap_samples=200))


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as c:
        yield c
