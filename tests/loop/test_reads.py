"""Read-tracking metrics with hand-worked answers."""

from __future__ import annotations

import datetime as dt

from loop.loopstore import T0

from socialaudit.loop.reads import ReadPolicy, department_summary, read_metrics, silo_measure

H = dt.timedelta(hours=1)
W = dt.timedelta(weeks=1)


def item(con, item_id, department, routed_at, company="acme"):
    con.execute("INSERT INTO routed_items VALUES (?, 'twitter', ?, ?, ?, 'r', 'question', ?, ?)",
                [item_id, str(item_id), company, department, routed_at, routed_at])


def read(con, item_id, at, action="opened", user="ann"):
    con.execute("INSERT INTO item_reads VALUES (?, ?, ?, ?)", [item_id, action, user, at])


def test_shares_time_to_open_and_regularity(store):
    con = store.con
    # rnd: 4 items over two weeks; 3 opened (after 2 h, 4 h, 10 h), one open in each week
    for i, at in enumerate([T0, T0 + H, T0 + W, T0 + W + H], start=1):
        item(con, i, "rnd", at)
    read(con, 1, T0 + 2 * H)
    read(con, 2, T0 + 5 * H, "acknowledged")
    read(con, 2, T0 + 5 * H)
    read(con, 3, T0 + W + 10 * H)
    # product: 2 items, none opened
    item(con, 5, "product", T0)
    item(con, 6, "product", T0 + W)
    rows = {r["department"]: r for r in read_metrics(con, as_of=T0 + W + 2 * dt.timedelta(days=1))}
    rnd = rows["rnd"]
    assert (rnd["routed"], rnd["opened"], rnd["acknowledged"]) == (4, 3, 1)
    assert rnd["opened_share"] == 0.75 and rnd["median_hours_to_open"] == 4.0
    assert (rnd["weeks"], rnd["weeks_with_open"]) == (2, 2) and rnd["reads_regularly"]
    assert not rows["product"]["reads_regularly"] and rows["product"]["opened_share"] == 0
    # three weeks later without a single open, rnd no longer reads every week
    later = {r["department"]: r for r in read_metrics(con, as_of=T0 + 4 * W)}
    assert later["rnd"]["weeks"] == 5 and not later["rnd"]["reads_regularly"]
    assert {r["department"]: r for r in read_metrics(con, ReadPolicy(week_share=0.4), T0 + 4 * W)}["rnd"][
        "reads_regularly"]


def test_reads_after_as_of_do_not_count(store):
    con = store.con
    item(con, 1, "service", T0)
    read(con, 1, T0 + 3 * W)
    row = read_metrics(con, as_of=T0 + W)[0]
    assert row["opened"] == 0 and row["weeks_with_open"] == 0


def test_silo_measure_and_department_summary(store):
    con = store.con
    item(con, 1, "service", T0, "a")
    item(con, 2, "rnd", T0, "a")
    item(con, 3, "rnd", T0, "b")
    item(con, 4, "marketing", T0, "b")
    read(con, 1, T0 + H)
    read(con, 3, T0 + H)
    read(con, 4, T0 + H)
    rows = read_metrics(con, as_of=T0 + 2 * H)
    silos = {s["company_id"]: s for s in silo_measure(rows)}
    assert silos["a"]["reading_departments"] == ["service"] and silos["a"]["silo"]
    assert silos["b"]["reading_departments"] == ["rnd", "marketing"] and not silos["b"]["silo"]
    assert silos["b"]["departments_taking_part"] == 2
    summary = {s["department"]: s for s in department_summary(rows)}
    assert summary["rnd"]["routed"] == 2 and summary["rnd"]["opened_share"] == 0.5
    assert summary["rnd"]["companies_reading_regularly"] == 1  # b opened its only item; a none
    assert summary["sales"]["opened_share"] is None
