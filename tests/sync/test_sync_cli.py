"""`socialaudit sync` from the command line: dry run, report, exit status, secrets."""

from __future__ import annotations

from sync.fake_x import REGISTRY, FakeX
from sync.fakeserver import serve
from sync.harness import make_store, write_config
from typer.testing import CliRunner

from socialaudit.cli import app


def test_dry_run_lists_feeds_and_makes_no_request(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX()
    with serve(api):
        config = write_config(tmp_path / "sync.yaml", api, "twitter")
        result = CliRunner().invoke(app, ["sync", "--config", str(config), "--db", str(db), "--dry-run"],
                                    env={"SOCIALAUDIT_X_TOKEN": api.token})
    assert result.exit_code == 0, result.output
    assert api.count() == 0
    for feed in ("tweets", "mentions", "conversations"):
        assert feed in result.output
    assert "found in environment variable SOCIALAUDIT_X_TOKEN" in result.output
    assert api.token not in result.output


def test_sync_prints_every_feed_and_fails_on_an_expired_token(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    api = FakeX(mentions=20)
    runner = CliRunner()
    with serve(api):
        config = write_config(tmp_path / "sync.yaml", api, "twitter")
        ok = runner.invoke(app, ["sync", "--config", str(config), "--db", str(db)],
                           env={"SOCIALAUDIT_X_TOKEN": api.token, "COLUMNS": "200"})
        api.expired = True
        bad = runner.invoke(app, ["sync", "--config", str(config), "--db", str(db)],
                            env={"SOCIALAUDIT_X_TOKEN": api.token, "COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    assert "mentions" in ok.output and "new post(s)" in ok.output
    assert bad.exit_code == 1
    assert "expired" in bad.output and api.token not in bad.output


def test_nothing_to_sync_without_a_credential_is_an_error(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    result = CliRunner().invoke(app, ["sync", "--db", str(db)], env={"SOCIALAUDIT_X_TOKEN": ""})
    assert result.exit_code == 1
    assert "twitter: skipped, no credential: environment variable SOCIALAUDIT_X_TOKEN is not set" in result.output


def test_bad_config_is_exit_2_with_the_line(tmp_path):
    db = make_store(tmp_path, REGISTRY)
    config = tmp_path / "sync.yaml"
    config.write_text("channels:\n  x:\n    tokn: abc\n")
    result = CliRunner().invoke(app, ["sync", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 2
    assert "sync.yaml:3" in result.output and "tokn" in result.output
