"""End to end on real data: the IBM customer-care conversations (../shared/data/ibm_customer_care/dev.json).

Each conversation is a list of turns (consumer ``client``/``client1``, brand ``agent``) and a final
brand reply (``agentURL``) whose time follows from its tweet id, a Twitter snowflake:
``unix_ms = (int(id) >> 22) + 1288834974657``.  Computed here straight from the raw JSON,
independently of the importer and the audit: every consumer turn is answered by the next brand
turn of its conversation (an ``agent`` turn inside ``dialogContent`` is itself a reply), the turns
after the last agent turn by the final reply; the response time is that reply's time minus the
turn's ``datetime`` (if within the 7-day window).  The audit's ``responses`` must match.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import REGISTRY, shared

from socialaudit.metrics.audit import run_audit
from socialaudit.metrics.config import AuditConfig
from socialaudit.registry import load_registry
from socialaudit.store import Store, import_file, save_registry

WINDOW = 7 * 86400.0


def snowflake_seconds(tweet_id: str) -> float:
    return ((int(tweet_id) >> 22) + 1288834974657) / 1000.0


def iso_seconds(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def expected_responses(conversations: list[dict]) -> dict[str, tuple[str | None, float | None]]:
    """consumer tweet id -> (id of the brand tweet answering it, response seconds), from the raw JSON."""
    out: dict[str, tuple[str | None, float | None]] = {}
    for conv in conversations:
        company = conv["dialogHeader"]["company"]
        pending: list[tuple[str, float]] = []  # consumer turns waiting for the next brand turn
        for turn in conv["dialogContent"]:
            if "agent" in turn:
                assert turn["agent"] == company  # true of dev.json (SOURCE.md)
                at = iso_seconds(turn["datetime"])
                for tid, t0 in pending:
                    out[tid] = (turn["tweet_ID"], at - t0) if 0 < at - t0 <= WINDOW else (None, None)
                pending = []
            else:
                pending.append((turn["tweet_ID"], iso_seconds(turn["datetime"])))
        final = conv["agentURL"]["tweet_ID"]
        at = snowflake_seconds(final)
        for tid, t0 in pending:
            out[tid] = (final, at - t0) if 0 < at - t0 <= WINDOW else (None, None)
    return out


@pytest.fixture(scope="module")
def ibm(tmp_path_factory):
    path = shared("ibm_customer_care/dev.json")
    conversations = json.loads(path.read_text(encoding="utf-8"))
    with Store(tmp_path_factory.mktemp("ibm") / "ibm.duckdb") as store:
        save_registry(store.con, load_registry(REGISTRY), None)
        report = import_file(store, path, "ibm-care")
        assert report.quarantined == 0
        result = run_audit(store.con, AuditConfig(bootstrap_samples=200))
        yield conversations, result


def test_every_consumer_turn_is_an_inbound_post(ibm):
    conversations, result = ibm
    consumer_ids = {t["tweet_ID"] for c in conversations for t in c["dialogContent"] if "agent" not in t}
    # 606 client + 19 client1 turns; one tweet appears in two conversations (twice), so fewer distinct ids
    assert len(consumer_ids) == 622
    assert set(result.responses.column("post_id").to_pylist()) == consumer_ids
    assert result.responses.num_rows == len(consumer_ids)


def test_responses_match_the_raw_json(ibm):
    conversations, result = ibm
    expected = expected_responses(conversations)
    rows = {r["post_id"]: r for r in result.responses.to_pylist()}
    assert set(rows) == set(expected)
    mismatches = []
    for tid, (reply, seconds) in expected.items():
        row = rows[tid]
        got = (row["first_response_id"], row["response_seconds"])
        if got[0] != reply or (seconds is None) != (got[1] is None) or (
                seconds is not None and abs(got[1] - seconds) > 1e-3):
            mismatches.append((tid, (reply, seconds), got))
    assert not mismatches, mismatches[:10]


def test_response_figures(ibm):
    conversations, result = ibm
    expected = expected_responses(conversations)
    answered = [s for _, s in expected.values() if s is not None]
    # 622 consumer tweets; 32 wait longer than 7 days for the brand's next tweet: not responded
    assert (len(expected), len(expected) - len(answered)) == (622, 32)
    rows = result.responses.to_pylist()
    assert sum(r["responded"] for r in rows) == len(answered)
    # the company rows add up to the same
    all_rows = [r for r in result.companies.to_pylist() if r["channel"] == "all"]
    assert sum(r["inbound"] for r in all_rows) == len(rows)
    assert sum(r["responded"] for r in all_rows) == len(answered)
    # 24 brand accounts in dev.json (all but HPSupport); the registry puts Google + TeamYouTube under google
    # and MicrosoftHelps + XboxSupport under microsoft: 22 companies
    registry = load_registry(REGISTRY)
    company_of = {h.lower(): comp.id for comp in registry.companies for h in comp.accounts.get("twitter", [])}
    brands = {company_of[c["dialogHeader"]["company"].lower()] for c in conversations}
    assert len(brands) == 22
    assert {r["company_id"] for r in all_rows} == brands
    # business seconds never exceed the wall clock
    for r in rows:
        if r["responded"]:
            assert 0 <= r["business_seconds"] <= r["response_seconds"] + 1e-6
        else:
            assert r["business_seconds"] is None


def test_per_company_median_matches_the_raw_json(ibm):
    import numpy as np

    conversations, result = ibm
    expected = expected_responses(conversations)
    by_company: dict[str, list[float]] = {}
    handles = {c["dialogHeader"]["company"].lower(): c for c in conversations}
    registry = load_registry(REGISTRY)
    company_of = {h.lower(): comp.id for comp in registry.companies for h in comp.accounts.get("twitter", [])}
    seen = set()
    for conv in conversations:
        cid = company_of[conv["dialogHeader"]["company"].lower()]
        for turn in conv["dialogContent"]:
            if "agent" in turn or turn["tweet_ID"] in seen:
                continue
            seen.add(turn["tweet_ID"])
            seconds = expected[turn["tweet_ID"]][1]
            if seconds is not None:
                by_company.setdefault(cid, []).append(seconds)
    rows = {r["company_id"]: r for r in result.companies.to_pylist() if r["channel"] == "all"}
    assert handles  # every conversation names its brand
    for cid, values in by_company.items():
        assert rows[cid]["median_response_s"] == pytest.approx(float(np.median(values)), abs=1e-3)
        assert rows[cid]["p90_response_s"] == pytest.approx(float(np.quantile(values, 0.9)), abs=1e-3)
