"""Property-based API test: schemathesis generates requests from the OpenAPI spec at
/openapi.json (itself behind the login); no answer may be a server error, and every answer
must have a status and body the spec documents.

Run as an admin (every operation allowed) and as a department user (its inbox, the ack
route, refusals elsewhere); examples are capped so the test stays well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from web.support import api_token, logged_in

from socialaudit.web.app import SESSION_COOKIE

MAX_EXAMPLES = 15
#: no server error, and every answer as the spec documents it (status and body)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.mark.parametrize("user", ["ada", "rob"])
def test_api_answers_without_server_errors(app, client, user):
    logged_in(client, user)
    cookies = {SESSION_COOKIE: client.cookies[SESSION_COOKIE]}
    headers = {"X-CSRF-Token": api_token(client)}
    app.state.audit.get()  # computed once, outside the examples' time

    schema = schemathesis.openapi.from_asgi("/openapi.json", app, cookies=cookies)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11  # every /api/ route
    statuses: dict[str, set[int]] = {}

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(cookies=cookies, headers=headers)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()

    # the session held: no operation was refused for want of a login
    assert all(401 not in codes for codes in statuses.values()), statuses
    if user == "ada":
        assert 200 in statuses["GET /api/companies"] and 200 in statuses["GET /api/inbox/{department}"]
    else:
        assert statuses["GET /api/imports"] == {403}
