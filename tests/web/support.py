"""Helpers of the dashboard tests (logging in, reading CSRF tokens); fixtures are in conftest.py."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
#: user name -> (role, department)
USERS = {"ada": ("admin", None), "ann": ("analyst", None), "rob": ("department", "rnd"),
         "sam": ("department", "service")}


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD, next: str = ""):
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": next})


def logged_in(client: TestClient, name: str) -> TestClient:
    response = login(client, name)
    assert response.status_code == 303, response.text
    return client


def api_token(client: TestClient) -> str:
    return client.get("/api/me").json()["csrf_token"]
