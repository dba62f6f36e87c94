"""Department inboxes in the browser: reading and acknowledging feeds read tracking; post
text is escaped."""

from __future__ import annotations

import re

from web.support import form_token, logged_in

from socialaudit.store import Store

XSS = "<script>alert(1)</script> the app <b>crashes</b> & \"quotes\""


def reads(db) -> list[tuple]:
    with Store(db, read_only=True) as store:
        return store.con.execute("SELECT item_id, action, user_name FROM item_reads ORDER BY ALL").fetchall()


def test_listing_records_nothing_and_acknowledging_records_reads(app, db, client):
    logged_in(client, "rob")
    page = client.get("/inbox/rnd")
    assert page.status_code == 200 and "Acknowledge" in page.text
    assert reads(db) == []  # a GET never writes
    ids = [int(i) for i in re.findall(r'name="item_ids" value="(\d+)" form="bulk"', page.text)]
    assert len(ids) == 50
    token = form_token(page.text)
    response = client.post("/inbox/rnd/ack", data={"csrf_token": token, "item_ids": ids[0], "action": "opened"})
    assert response.status_code == 303 and response.headers["location"] == "/inbox/rnd"
    response = client.post("/inbox/rnd/ack", data={"csrf_token": token, "item_ids": ids[1:3],
                                                   "action": "acknowledged", "back": "/inbox/rnd?status=all&offset=0"})
    assert response.headers["location"] == "/inbox/rnd?status=all&offset=0"
    assert reads(db) == sorted([(ids[0], "opened", "rob"), (ids[1], "opened", "rob"), (ids[2], "opened", "rob"),
                                (ids[1], "acknowledged", "rob"), (ids[2], "acknowledged", "rob")])
    page = client.get("/inbox/rnd")
    assert "2 item(s) acknowledged (4 new read records)." in page.text
    assert page.text.count("by rob") == 2
    unread = client.get("/api/inbox/rnd", params={"status": "unread", "limit": 500}).json()["items"]
    assert not {i["item_id"] for i in unread} & set(ids[:3])


def test_read_tracking_shows_the_acknowledgements(app, client):
    logged_in(client, "rob")
    token = form_token(client.get("/inbox/rnd").text)
    item = client.get("/api/inbox/rnd", params={"limit": 1}).json()["items"][0]["item_id"]
    client.post("/inbox/rnd/ack", data={"csrf_token": token, "item_ids": item, "action": "acknowledged"})
    client.cookies.clear()
    logged_in(client, "ann")
    rnd = next(r for r in client.get("/api/reads").json() if r["department"] == "rnd")
    assert rnd["opened"] == 1 and rnd["acknowledged"] == 1


def test_an_acknowledgement_does_not_recompute_the_audit(app, client):
    logged_in(client, "rob")
    first = app.state.audit.get()
    token = form_token(client.get("/inbox/rnd").text)
    item = client.get("/api/inbox/rnd", params={"limit": 1}).json()["items"][0]["item_id"]
    client.post("/inbox/rnd/ack", data={"csrf_token": token, "item_ids": item})
    again = app.state.audit.get()
    assert again.computed_at == first.computed_at and again.value is first.value


def test_unknown_item_is_refused_with_a_message(client, db):
    logged_in(client, "rob")
    token = form_token(client.get("/inbox/rnd").text)
    client.post("/inbox/rnd/ack", data={"csrf_token": token, "item_ids": 99999999})
    assert "Nothing recorded: no routed item 99999999" in client.get("/inbox/rnd").text
    assert reads(db) == []


def test_analyst_reads_inboxes_without_ack_forms(client):
    logged_in(client, "ann")
    page = client.get("/inbox/rnd")
    assert page.status_code == 200 and "read-only" in page.text and 'action="/inbox/rnd/ack"' not in page.text


def test_post_text_and_names_are_escaped(sample_store, db, client):
    with Store(db) as store:
        item, post_id, company = store.con.execute(
            "SELECT item_id, post_id, company_id FROM routed_items WHERE department = 'rnd' "
            "ORDER BY posted_at DESC, item_id DESC LIMIT 1").fetchone()
        store.con.execute("UPDATE posts SET text = ? WHERE post_id = ?", [XSS, post_id])
        store.con.execute("UPDATE companies SET name = ? WHERE company_id = ?",
                          ['<img src=x onerror="alert(2)">', company])
    logged_in(client, "rob")
    page = client.get("/inbox/rnd").text
    assert "<script>alert(1)</script>" not in page and "<b>crashes</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the app &lt;b&gt;crashes&lt;/b&gt; &amp; &#34;quotes&#34;" in page
    client.cookies.clear()
    logged_in(client, "ann")
    for path in ("/companies", f"/companies/{company}"):
        html = client.get(path).text
        assert '<img src=x onerror="alert(2)">' not in html and "&lt;img src=x onerror=" in html, path
    assert client.get("/api/inbox/rnd", params={"limit": 1}).json()["items"][0]["text"] == XSS
