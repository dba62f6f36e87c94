"""Inboxes in the store: routing is incremental, reads are tracked, departments stay in their lane."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import write
from loop.loopstore import T0, add_post

from socialaudit.errors import SocialAuditError
from socialaudit.loop.inbox import inbox_items, record_read, route_store
from socialaudit.loop.routing import load_rules


@pytest.fixture
def con(store):
    c = store.con
    add_post(c, "1", "Please add a sleep timer to the app", intents=("product_feedback",))
    add_post(c, "2", "Where is my parcel?", intents=("question",), at=T0 + dt.timedelta(hours=1))
    add_post(c, "3", "thanks, all good", intents=("praise",), at=T0 + dt.timedelta(hours=2))
    add_post(c, "4", "brand post", role="brand", intents=("question",))
    add_post(c, "5", "no company", company=None, intents=("question",))
    return c


def test_route_adds_items_once(con):
    report = route_store(con, load_rules())
    assert report.candidates == 3  # consumer posts addressed to a company
    assert report.by_department == {"rnd": 1, "product": 1, "service": 1, "sales": 0, "marketing": 1}
    again = route_store(con, load_rules())
    assert again.added == 0
    assert con.execute("SELECT count(*), count(DISTINCT item_id) FROM routed_items").fetchone() == (4, 4)


def test_replace_removes_unread_items_only(con, tmp_path):
    route_store(con, load_rules())
    rnd_item = inbox_items(con, "rnd")[0]["item_id"]
    record_read(con, [rnd_item], "opened", "alice")
    narrow = load_rules(write(tmp_path / "r.yaml", "rules:\n  - name: q\n    when: {intent: question}\n"
                                                   "    route: service\n"))
    report = route_store(con, narrow, replace=True)
    assert report.removed == 2  # product + marketing items: unread, no longer routed
    departments = sorted(r[0] for r in con.execute("SELECT department FROM routed_items").fetchall())
    assert departments == ["rnd", "service"]  # the read rnd item stays


def test_reads_first_time_kept_ack_implies_open(con):
    route_store(con, load_rules())
    item = inbox_items(con, "service")[0]["item_id"]
    t1 = T0 + dt.timedelta(days=1)
    assert record_read(con, [item], "acknowledged", "bob", department="service", at=t1) == 2
    assert record_read(con, [item], "opened", "bob", at=t1 + dt.timedelta(hours=5)) == 0  # first open kept
    row = inbox_items(con, "service")[0]
    assert row["first_opened"] == t1 and row["first_acknowledged"] == t1 and row["acknowledged_by"] == "bob"
    assert inbox_items(con, "service", status="unread") == []


def test_department_cannot_act_on_another_inbox(con):
    route_store(con, load_rules())
    rnd_item = inbox_items(con, "rnd")[0]["item_id"]
    with pytest.raises(SocialAuditError, match="not in the service inbox"):
        record_read(con, [rnd_item], "acknowledged", "bob", department="service")
    with pytest.raises(SocialAuditError, match="no routed item 999"):
        record_read(con, [999], "opened", "bob")
    with pytest.raises(SocialAuditError, match="unknown department"):
        inbox_items(con, "legal")


def test_route_needs_readings(store):
    with pytest.raises(SocialAuditError, match="socialaudit enrich"):
        route_store(store.con, load_rules())


def test_inbox_lists_newest_first_with_text(con):
    route_store(con, load_rules())
    add_post(con, "6", "is the app down?", intents=("question",), at=T0 + dt.timedelta(days=3))
    route_store(con, load_rules())
    items = inbox_items(con, "service")
    assert [i["post_id"] for i in items] == ["6", "2"] and items[0]["text"] == "is the app down?"
