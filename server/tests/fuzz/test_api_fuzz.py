"""Schemathesis over the whole OpenAPI document of a real server, with a real API key and with a
real session (cookie + X-CSRF-Token): no generated request, valid or not, gets a 5xx, and every
documented response matches its schema.

Each operation is fuzzed with schemathesis's positive (schema-valid) and negative (schema-
violating) generation, derandomized and without an example database so that a failure
reproduces, and bounded (`MAX_EXAMPLES` per operation and mode) so that the run takes a minute or
two on 2 cores. Every operation of the document is fuzzed: none is excluded.

The operations are driven here with `APIOperation.as_strategy` and Hypothesis rather than with
`schemathesis.pytest.from_fixture`, whose lazy loader does not run on pytest 9.2 (it sets
`request.node._nodeid`, which pytest no longer has); each operation is a subtest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.testing import RunningServer
from tests.support.factories import sign_up

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance]
# These operations replace or end the session they are sent with (sign-up and sign-in start a
# new session in place of the cookie's; sign-out revokes it): with session credentials each of
# their requests gets a session of its own, so that the rest of the run keeps its credentials.
SESSION_CHANGING = {"/v1/auth/sign-up", "/v1/auth/sign-in", "/v1/auth/sign-out"}


@dataclass
class Credentials:
    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)


def new_session(base_url: str) -> Credentials:
    user = sign_up(base_url)
    cookie = user.client.cookies[SESSION_COOKIE]
    user.client.close()
    return Credentials({"X-CSRF-Token": user.csrf_token}, {SESSION_COOKIE: cookie})


def new_api_key(base_url: str) -> Credentials:
    user = sign_up(base_url)
    key = user.create_key("fuzz")
    user.client.close()
    return Credentials({"Authorization": f"Bearer {key}"})


@pytest.fixture(scope="session")
def api_schema(fuzz_server: RunningServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server.base_url}/openapi.json")


def fuzz_every_operation(
    schema: schemathesis.BaseSchema,
    subtests: pytest.Subtests,
    credentials_for: Callable[[schemathesis.Case], Credentials],
    statuses: set[tuple[str, int]],
) -> None:
    """Fuzz every operation; `statuses` collects (operation label, status) of every answer."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, "the OpenAPI document lost operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(msg=f"{operation.label} ({mode.value})"):

                @given(case=operation.as_strategy(mode))
                @settings(
                    max_examples=MAX_EXAMPLES,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
                def fuzz(case: schemathesis.Case) -> None:
                    used = credentials_for(case)
                    response = case.call_and_validate(
                        headers=used.headers, cookies=used.cookies, checks=CHECKS, timeout=30
                    )
                    statuses.add((case.operation.label, response.status_code))

                try:
                    fuzz()
                except Unsatisfiable:
                    if mode is GenerationMode.POSITIVE:
                        raise
                    # e.g. no parameters and no body, or only a string path parameter: every
                    # request to it is schema-valid, and the positive run covered it.
                    pytest.skip(f"{operation.label} has no input that can violate its schema")


def test_no_request_with_an_api_key_gets_a_server_error(
    api_schema: schemathesis.BaseSchema, fuzz_server: RunningServer, subtests: pytest.Subtests
) -> None:
    credentials = new_api_key(fuzz_server.base_url)
    statuses: set[tuple[str, int]] = set()
    fuzz_every_operation(api_schema, subtests, lambda _case: credentials, statuses)
    # The key really authenticated the run: key-only and key-or-session reads succeeded.
    assert {("GET /v1/ping", 200), ("GET /v1/runs", 200)} <= statuses


def test_no_request_with_a_session_gets_a_server_error(
    api_schema: schemathesis.BaseSchema, fuzz_server: RunningServer, subtests: pytest.Subtests
) -> None:
    credentials = new_session(fuzz_server.base_url)

    def credentials_for(case: schemathesis.Case) -> Credentials:
        if case.path in SESSION_CHANGING:
            return new_session(fuzz_server.base_url)
        return credentials

    statuses: set[tuple[str, int]] = set()
    fuzz_every_operation(api_schema, subtests, credentials_for, statuses)
    # The session really authenticated the run, reads and (CSRF-checked) changes alike.
    assert {("GET /v1/api-keys", 200), ("GET /v1/runs", 200)} <= statuses
    assert ("POST /v1/api-keys", 201) in statuses
