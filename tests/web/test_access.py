"""Who may see what: every route refuses anonymous requests, role rules, CSRF on every POST.

The route lists come from ``app.routes``, so a route added later is covered without
touching these tests.
"""

from __future__ import annotations

import re

import fastapi.routing
import pytest
from web.support import api_token, form_token, logged_in

from socialaudit.loop.profile import DEPARTMENTS

PUBLIC = {("GET", "/login"), ("POST", "/login")}


def routes(app) -> list:
    """Every route, with routers included into the app flattened (FastAPI >= 0.16x keeps
    included routers as lazy entries of ``app.routes``; ``iter_route_contexts`` walks them)."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(walk(app.routes)) if walk else list(app.routes)


def endpoints(app):
    """(method, path with placeholder parameters) for every route of the app."""
    out = []
    for route in routes(app):
        if not getattr(route, "methods", None) or not getattr(route, "path", None):
            continue
        path = re.sub(r"\{department\}", "rnd", route.path)
        path = re.sub(r"\{[^}]+\}", "x1", path)
        for method in sorted(route.methods - {"HEAD"}):
            out.append((method, path, route.path))
    assert len(out) > 20
    return out


def test_every_route_but_login_refuses_anonymous_requests(app, client):
    for method, path, template in endpoints(app):
        if (method, template) in PUBLIC:
            continue
        response = client.request(method, path)
        if template.startswith("/api/") or template == "/openapi.json":
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json() == {"detail": "not logged in"}
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next=")


def test_anonymous_posts_with_a_valid_form_token_are_still_refused(app, client):
    token = form_token(client.get("/login").text)  # an anonymous session's token
    for method, path, template in endpoints(app):
        if method == "POST" and (method, template) not in PUBLIC:
            response = client.post(path, data={"csrf_token": token})
            assert response.status_code in (303, 401), (path, response.status_code)


def test_login_page_is_public_and_escapes_next(client):
    response = client.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert response.status_code == 200 and "<script>alert(1)" not in response.text


def test_posts_without_csrf_token_are_refused(app, client):
    logged_in(client, "ada")
    for method, path, template in endpoints(app):
        if method != "POST" or template == "/login":
            continue
        response = client.post(path, data={"item_ids": "1"})
        assert response.status_code == 403, (path, response.status_code)
        assert "CSRF" in response.text
        response = client.post(path, data={"csrf_token": "forged"}, headers={"X-CSRF-Token": "forged"})
        assert response.status_code == 403, (path, response.status_code)
    assert client.get("/api/me").status_code == 200  # still logged in: nothing happened


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "ada", "password": "whatever"})
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 401


def test_json_post_without_csrf_header_is_refused_and_with_it_accepted(client, db):
    logged_in(client, "rob")
    item = client.get("/api/inbox/rnd", params={"limit": 1}).json()["items"][0]["item_id"]
    body = {"item_ids": [item], "action": "opened"}
    assert client.post("/api/inbox/rnd/ack", json=body).status_code == 403
    response = client.post("/api/inbox/rnd/ack", json=body, headers={"X-CSRF-Token": api_token(client)})
    assert response.status_code == 200 and response.json() == {"written": 1}


ADMIN_PAGES = ["/imports", "/admin/users", "/api/imports", "/api/quarantine", "/api/users"]
REPORT_PAGES = ["/", "/companies", "/companies/southwest", "/industries", "/inbox", "/api/overview",
                "/api/companies", "/api/companies/southwest", "/api/industries", "/api/reads"]


@pytest.mark.parametrize("name", ["rob", "sam"])
def test_department_user_sees_only_its_own_inbox(client, name):
    logged_in(client, name)
    own = client.get("/api/me").json()["department"]
    assert client.get(f"/inbox/{own}").status_code == 200
    assert client.get(f"/api/inbox/{own}").status_code == 200
    for department in DEPARTMENTS:
        if department == own:
            continue
        assert client.get(f"/inbox/{department}").status_code == 403
        assert client.get(f"/api/inbox/{department}").status_code == 403
    for path in ADMIN_PAGES + [p for p in REPORT_PAGES if p not in ("/", "/inbox")]:
        assert client.get(path).status_code == 403, path
    for path in ("/", "/inbox"):
        assert client.get(path).headers["location"] == f"/inbox/{own}"


def test_department_user_cannot_acknowledge_another_departments_items(client):
    logged_in(client, "ann")
    rnd_items = {i["item_id"] for i in client.get("/api/inbox/rnd", params={"limit": 500}).json()["items"]}
    service_only = next(i["item_id"] for i in client.get("/api/inbox/service", params={"limit": 500}).json()["items"]
                        if i["item_id"] not in rnd_items)
    client.cookies.clear()
    logged_in(client, "rob")
    token = api_token(client)
    # through the other department's route: forbidden
    response = client.post("/api/inbox/service/ack", json={"item_ids": [service_only]},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 403
    # through its own route, an item routed elsewhere: refused, nothing written
    response = client.post("/api/inbox/rnd/ack", json={"item_ids": [service_only]}, headers={"X-CSRF-Token": token})
    assert response.status_code == 400 and "not in the rnd inbox" in response.json()["detail"]


def test_analyst_sees_reports_and_inboxes_but_not_admin_pages(client):
    logged_in(client, "ann")
    for path in REPORT_PAGES + [f"/inbox/{d}" for d in DEPARTMENTS]:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    token = api_token(client)
    response = client.post("/api/inbox/rnd/ack", json={"item_ids": [1]}, headers={"X-CSRF-Token": token})
    assert response.status_code == 403  # analysts read, departments acknowledge
    response = client.post("/admin/users", data={"csrf_token": token, "user_name": "x", "role": "admin",
                                                 "password": "long enough pw"})
    assert response.status_code == 403


def test_admin_sees_everything(client):
    logged_in(client, "ada")
    for path in REPORT_PAGES + ADMIN_PAGES + ["/settings", "/openapi.json"]:
        assert client.get(path).status_code == 200, path
