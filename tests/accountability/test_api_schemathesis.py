"""Schemathesis against the served schema, in-process through the WSGI app: no 5xx, every response as
documented. Examples are bounded so the run stays well under a minute."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from commonweal.wsgi import application

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """As Django's test client does: the WSGI handler would otherwise close the database connection
    after each request, and with it the test's transaction (PostgreSQL then refuses every query)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@override_settings(ACCOUNTABILITY_API_RATE="100000/min")
def test_the_api_never_fails_and_matches_its_schema(accountability_demo, connection_kept_open) -> None:
    cache.clear()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def conforms(case) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        conforms()
