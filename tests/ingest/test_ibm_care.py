"""IBM customer-care conversations: tiny hand-made files with known answers, malformed
conversations, and the real dev.json checked against counts computed here from the raw JSON.

Fixture tweet ids are real snowflakes for their ``datetime`` (``(ms - 1288834974657) << 22``
plus a sequence number), as in the corpus.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from helpers import FIXTURES, REGISTRY, shared, write

from socialaudit.errors import FormatError
from socialaudit.ingest import detect_format
from socialaudit.ingest.base import IngestOptions, RecordError, Where
from socialaudit.ingest.files import open_source
from socialaudit.ingest.ibm_care import IbmCareFormat, snowflake_time
from socialaudit.model import UTC, ParsedBatch
from socialaudit.registry import load_registry
from socialaudit.store import import_file, save_registry

HERE = FIXTURES / "ibm_care"
FMT = IbmCareFormat()
SPEAKERS = {"client": "consumer", "client1": "consumer", "agent": "brand"}

# small.json: conversation A (jane_d, AcmeHelp, then bob_k joining) and B (carla).
A1, A2, A3, A_FINAL = "1232359812101046283", "1232360860677046284", "1232362118968246285", "1232364640726417485"
B1, B_FINAL = "1234025579934646293", "1234033131778998277"


def parse(path: Path) -> ParsedBatch:
    merged = ParsedBatch()
    with open_source(path) as (stream, info):
        for batch in FMT.parse(stream, info, IngestOptions()):
            merged.posts.extend(batch.posts)  # type: ignore[union-attr]
            merged.quarantined.extend(batch.quarantined)
            merged.rows_read += batch.rows_read
    return merged


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def snowflake_ms(tweet_id: str) -> int:
    """Independent of the parser: milliseconds since 1970 in a snowflake id."""
    return (int(tweet_id) >> 22) + 1288834974657


def iso_ms(stamp: str) -> int:
    return round(dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def speaker(turn: dict) -> str:
    [key] = [k for k in turn if k in SPEAKERS]
    return key


# --- snowflake times ---------------------------------------------------------------------


def test_snowflake_time_is_exact_to_the_millisecond():
    # 1245425308704149506 >> 22 = 296932532478; + 1288834974657 = 1585767507135 ms since 1970:
    # dev.json's first conversation starts 17:31:32 and lasts 01:26:55 by its header
    assert snowflake_time("1245425308704149506") == at(2020, 4, 1, 18, 58, 27, 135000)
    assert snowflake_time(A_FINAL) == at(2020, 2, 25, 18, 0, 1, 234000)
    assert snowflake_time(str(1 << 42)) == dt.datetime.fromtimestamp(1288834974657 / 1000, UTC) + dt.timedelta(
        milliseconds=1 << 20)


@pytest.mark.parametrize("tweet_id", ["12345", "20", str(1 << 63), "9" * 30])
def test_ids_that_are_not_snowflakes_have_no_time(tweet_id):
    with pytest.raises(RecordError, match="not a Twitter snowflake id"):
        snowflake_time(tweet_id)


# --- a tiny file with known answers ------------------------------------------------------


def test_turns_and_the_final_reply_of_a_small_file():
    batch = parse(HERE / "small.json")
    assert batch.rows_read == 2 and not batch.quarantined
    got = [(p.post_id, p.account_id, p.role_hint, p.kind, p.parent_id, p.conversation_id, p.company, p.item)
           for p in batch.posts]  # type: ignore[union-attr]
    sess_a, sess_b = "sessAAAAAAAAAAAAAAAA", "sessBBBBBBBBBBBBBBBB"
    assert got == [
        (A1, "jane_d", "consumer", "mention", None, sess_a, "AcmeHelp", "[0].dialogContent[0]"),
        (A2, "AcmeHelp", "brand", "reply", A1, sess_a, "AcmeHelp", "[0].dialogContent[1]"),
        (A3, "bob_k", "consumer", "reply", A2, sess_a, "AcmeHelp", "[0].dialogContent[2]"),   # client1
        (A_FINAL, "AcmeHelp", "brand", "reply", A3, sess_a, "AcmeHelp", "[0].agentURL"),
        (B1, "carla", "consumer", "mention", None, sess_b, "AcmeHelp", "[1].dialogContent[0]"),
        (B_FINAL, "AcmeHelp", "brand", "reply", B1, sess_b, "AcmeHelp", "[1].agentURL"),
    ]
    posts = {p.post_id: p for p in batch.posts}  # type: ignore[union-attr]
    assert posts[A1].created_at == at(2020, 2, 25, 17, 40, 50)
    assert posts[A_FINAL].created_at == at(2020, 2, 25, 18, 0, 1, 234000)  # from the snowflake id
    assert posts[B_FINAL].created_at == at(2020, 3, 1, 8, 30, 0, 500000)
    assert posts[A1].text == "@AcmeHelp my kettle <b>leaks</b>"
    assert posts[A_FINAL].text == "@jane_d Here is how to descale it: https://help.acme.example/kettles/17"
    assert (posts[A_FINAL].url, posts[A_FINAL].media_type) == (
        f"https://twitter.com/AcmeHelp/status/{A_FINAL}", "link")
    assert posts[A3].url == f"https://twitter.com/bob_k/status/{A3}"
    assert all(p.channel == "twitter" and p.line == 1 for p in posts.values())


def test_small_file_in_the_store(store):
    report = import_file(store, HERE / "small.json", "ibm-care", pseudonymise=False)
    assert (report.rows_read, report.imported, report.quarantined) == (2, 6, 0)
    rows = store.con.execute("SELECT post_id, account_id, author_role, kind, parent_id, conversation_id, company_id "
                             "FROM posts ORDER BY post_id").fetchall()
    a, b = "sessAAAAAAAAAAAAAAAA", "sessBBBBBBBBBBBBBBBB"
    assert rows == [
        (A1, "jane_d", "consumer", "mention", None, a, "acmehelp"),
        (A2, "AcmeHelp", "brand", "reply", A1, a, "acmehelp"),
        (A3, "bob_k", "consumer", "reply", A2, a, "acmehelp"),
        (A_FINAL, "AcmeHelp", "brand", "reply", A3, a, "acmehelp"),
        (B1, "carla", "consumer", "mention", None, b, "acmehelp"),
        (B_FINAL, "AcmeHelp", "brand", "reply", B1, b, "acmehelp"),
    ]
    # response times: 18:00:01.234 - 17:50:00 and 08:30:00.5 - 08:00:00
    gaps = store.con.execute("""
        SELECT r.post_id, epoch_ms(r.created_at) - epoch_ms(p.created_at)
        FROM posts r JOIN posts p ON p.post_id = r.parent_id WHERE r.source_item LIKE '%agentURL' ORDER BY 1
    """).fetchall()
    assert gaps == [(A_FINAL, 10 * 60_000 + 1234), (B_FINAL, 30 * 60_000 + 500)]


def test_consumers_are_pseudonymised_and_the_brand_stays_readable(store):
    import_file(store, HERE / "small.json", "ibm-care")
    accounts = dict(store.con.execute("SELECT post_id, account_id FROM posts").fetchall())
    assert accounts[A2] == accounts[A_FINAL] == "AcmeHelp"
    for consumer in (A1, A3, B1):
        assert accounts[consumer].startswith("u_") and len(accounts[consumer]) == 18
    assert len({accounts[A1], accounts[A3], accounts[B1]}) == 3


# --- malformed conversations ---------------------------------------------------------------


def test_malformed_turns_and_conversations_are_quarantined_with_their_paths():
    batch = parse(HERE / "malformed.json")
    reasons = [(q.item, q.reason) for q in batch.quarantined]
    assert reasons == [
        ("[0].dialogContent[1]", "a turn needs exactly one speaker key (client, client1 or agent), found 2"),
        ("[0].dialogContent[2]", "non-numeric id '' in tweet_ID"),
        ("[0].dialogContent[3]", "bad timestamp 'March 2nd' in datetime"),
        ("[0].dialogContent[4]", "turn is not an object"),
        ("[0].agentURL", "non-numeric id 'not-a-number' in agentURL.tweet_ID"),
        ("[1]", "missing id in dialogHeader.company"),
        ("[2]", "expected an object in dialogHeader, found str"),
        ("[3].agentURL", "tweet id 12345 is not a Twitter snowflake id, so its time is unknown"),
        ("[4]", "dialogContent is missing or empty"),
        ("[5].agentURL", "agentURL is not an object"),
    ]
    assert all(q.line == 1 for q in batch.quarantined)
    got = [(p.post_id, p.parent_id, p.item) for p in batch.posts]  # type: ignore[union-attr]
    assert got == [
        ("1234418166789046303", None, "[0].dialogContent[0]"),
        # the bad turns between are skipped: the agent's answer hangs on the last good turn
        ("1234419425080246307", "1234418166789046303", "[0].dialogContent[5]"),
        ("1235490230891446333", None, "[3].dialogContent[0]"),
        ("1235852618757046343", None, "[5].dialogContent[0]"),
    ]


def test_an_agent_turn_from_another_brand_keeps_its_own_company():
    conversation = {
        "dialogHeader": {"company": "AcmeHelp", "sessionID": "s1"},
        "dialogContent": [
            {"client": "jane_d", "datetime": "2020-02-25T17:40:50.000Z", "message": "@OtherCo @AcmeHelp hi",
             "tweet_ID": A1},
            {"agent": "OtherCo", "datetime": "2020-02-25T17:45:00.000Z", "message": "ask @AcmeHelp", "tweet_ID": A2},
            {"agent": "acmehelp", "datetime": "2020-02-25T17:50:00.000Z", "message": "on it", "tweet_ID": A3},
        ],
        "agentURL": {"tweet_ID": A_FINAL, "url_utterance": "see"},
    }
    result = FMT.parse_payload(conversation, Where("f", 1, "[0]"))
    assert [(p.account_id, p.role_hint, p.company) for p in result.posts] == [
        ("jane_d", "consumer", "AcmeHelp"), ("OtherCo", "brand", None), ("acmehelp", "brand", "AcmeHelp"),
        ("AcmeHelp", "brand", "AcmeHelp")]
    # the first turn of a conversation opened by a brand is a post, not a mention
    opened = conversation | {"dialogContent": conversation["dialogContent"][1:]}
    assert FMT.parse_payload(opened, Where("f", 1, "")).posts[0].kind == "post"


def test_a_file_that_is_not_ibm_care_is_one_clear_error(store, tmp_path):
    with pytest.raises(FormatError, match=r"x\.json: not IBM customer-care conversations JSON"):
        import_file(store, write(tmp_path / "x.json", json.dumps([{"data": []}, {"id": 1}])), "ibm-care")
    with pytest.raises(FormatError, match="not JSON"):
        import_file(store, write(tmp_path / "c.csv", "tweet_id,text\n1,hi\n"), "ibm-care")


def test_a_cut_off_file_keeps_the_conversations_before_the_cut(tmp_path):
    text = (HERE / "small.json").read_text()
    batch = parse(write(tmp_path / "cut.json", text[: text.index('"sessBBBB')]))
    assert [p.post_id for p in batch.posts] == [A1, A2, A3, A_FINAL]  # type: ignore[union-attr]
    [q] = batch.quarantined
    assert q.item == "[1]" and "the 1 complete element(s) before it were kept" in q.reason


def test_detection():
    assert detect_format(HERE / "small.json").name == "ibm-care"
    assert detect_format(HERE / "malformed.json").name == "ibm-care"


# --- the real dev.json ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev():
    path = shared("ibm_customer_care/dev.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_dev_file_gives_one_post_per_turn_and_one_final_reply_each(dev):
    path, raw = dev
    turns = [t for c in raw for t in c["dialogContent"]]
    assert (len(raw), len(turns)) == (525, 686)
    assert Counter(speaker(t) for t in turns) == {"client": 606, "client1": 19, "agent": 61}
    batch = parse(path)
    assert batch.rows_read == 525 and not batch.quarantined
    items = Counter(p.item.rsplit(".", 1)[1].split("[")[0] for p in batch.posts)  # type: ignore[union-attr]
    assert items == {"dialogContent": 686, "agentURL": 525}
    expected_ids = [t["tweet_ID"] for c in raw for t in c["dialogContent"]]
    assert [p.post_id for p in batch.posts if ".dialogContent[" in p.item] == expected_ids  # type: ignore[union-attr]


def test_dev_file_in_the_store(dev, store):
    path, raw = dev
    # Independent expectations from the raw JSON.  A few tweets sit in two sessions (one
    # conversation appears twice under two session ids, two others share their first turns):
    # the same tweets seen twice, so the store keeps the first copy (and its session) and
    # skips the later copies; a session is context, not part of what a tweet is.
    first: dict[str, dict] = {}
    later: list[str] = []
    for i, conv in enumerate(raw):
        header = conv["dialogHeader"]
        entries = [(t["tweet_ID"], SPEAKERS[speaker(t)], iso_ms(t["datetime"]), f"[{i}].dialogContent[{j}]")
                   for j, t in enumerate(conv["dialogContent"])]
        final = conv["agentURL"]["tweet_ID"]
        entries.append((final, "brand", snowflake_ms(final), f"[{i}].agentURL"))
        for tweet_id, role, ms, item in entries:
            if tweet_id in first:
                later.append(item)
            else:
                first[tweet_id] = {"role": role, "ms": ms, "session": header["sessionID"],
                                   "company": header["company"]}
    assert (len(first), len(later)) == (1205, 6)

    report = import_file(store, path, "auto", pseudonymise=False)
    assert (report.format, report.rows_read, report.imported) == ("ibm-care", 525, len(first))
    assert (report.skipped, report.quarantined) == (len(later), 0)

    rows = store.con.execute(
        "SELECT post_id, author_role, epoch_ms(created_at), conversation_id, company_id FROM posts").fetchall()
    assert len(rows) == len(first)
    store_view = {pid: (role, ms, conv) for pid, role, ms, conv, _ in rows}
    assert store_view == {pid: (e["role"], e["ms"], e["session"]) for pid, e in first.items()}
    # every post of a conversation belongs to the conversation's company, even when the
    # consumer @-mentions another brand first
    companies: dict[str, set] = {}
    for pid, *_, company_id in rows:
        companies.setdefault(first[pid]["company"], set()).add(company_id)
    assert companies == {name: {name.lower()} for name in {e["company"] for e in first.values()}}
    assert len(companies) == 24
    assert store.con.execute("SELECT count(DISTINCT conversation_id) FROM posts").fetchone()[0] == 524


def test_dev_file_brand_response_times_match_the_raw_json(dev, store):
    path, raw = dev
    expected: dict[str, int] = {}
    for conv in raw:
        consumer_turns = [t for t in conv["dialogContent"] if SPEAKERS[speaker(t)] == "consumer"]
        final = conv["agentURL"]["tweet_ID"]
        gap = snowflake_ms(final) - iso_ms(consumer_turns[-1]["datetime"])
        assert expected.setdefault(final, gap) == gap  # a final reply seen twice has one gap
    assert len(expected) == 524
    import_file(store, path, "ibm-care")
    got = dict(store.con.execute("""
        SELECT r.post_id, epoch_ms(r.created_at) - epoch_ms(p.created_at)
        FROM posts r JOIN posts p ON p.channel = r.channel AND p.post_id = r.parent_id
        WHERE r.source_item LIKE '%agentURL' AND r.author_role = 'brand' AND p.author_role = 'consumer'
    """).fetchall())
    assert got == expected
    assert min(got.values()) > 0


def test_dev_file_with_the_bundled_registry(dev, store):
    path, raw = dev
    save_registry(store.con, load_registry(REGISTRY), store.pseudonymiser())
    import_file(store, path, "ibm-care")
    companies = dict(store.con.execute(
        "SELECT DISTINCT source_company, company_id FROM posts WHERE source_company IN ('AmazonHelp', 'TeamYouTube')"
    ).fetchall())
    assert companies == {"AmazonHelp": "amazon", "TeamYouTube": "google"}
    roles = store.con.execute("SELECT author_role, count(*) FROM posts GROUP BY 1 ORDER BY 1").fetchall()
    consumer_ids = {t["tweet_ID"] for c in raw for t in c["dialogContent"] if speaker(t) != "agent"}
    assert roles == [("brand", 1205 - len(consumer_ids)), ("consumer", len(consumer_ids))]
    handles = store.con.execute("SELECT DISTINCT account_id FROM posts WHERE author_role = 'consumer'").fetchall()
    assert all(h.startswith("u_") for (h,) in handles)
