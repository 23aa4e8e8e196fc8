"""schemathesis against /api/schema/: every operation, as staff and as a supervisor.

A bounded, reproducible run (a few examples per operation, ``derandomize=True``) through the
WSGI application inside the test's transaction, authenticated with a DRF token as a script
would be. No answer is a server error (``not_a_server_error``), and every answer conforms to
the schema the API publishes: its status is documented for the operation
(``status_code_conformance``: the error answers come from county/web/api_errors.py), its
media type (``content_type_conformance``), headers (``response_headers_conformance``:
``ETag``) and body (``response_schema_conformance``) are the documented ones. Operations on one
record (``{id}``) get ids the user can see from the list next to it as well as random ones,
so detail, update and action answers are checked, not only 404s.

(schemathesis' own pytest plugin is not used: its lazy loader reads a private attribute that
pytest 9 no longer has; the strategies are driven with Hypothesis directly.)
"""

import contextlib
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# staff of 县农业农村局 (reforms, farmland) and the reform supervisor (县委改革办)
USERS = ["d21", "sup_d03"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
METHODS = ("get", "post", "put", "patch", "delete")
EXAMPLES = 5
KNOWN_IDS = 3  # ids of visible records offered to {id} operations


def published_operations():
    """(method, path) of every API operation, read from the schema generator at collection."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (method.upper(), path)
        for path, item in sorted(paths.items())
        if path != "/api/schema/"
        for method in METHODS
        if method in item
    ]


OPERATIONS = published_operations()


@contextlib.contextmanager
def on_the_test_connection():
    """Keep WSGI requests on the test's connection and transaction, as Django's Client does.

    Django closes "old" connections when a request starts and ends; inside a test transaction
    that would close the test's own connection. (Django's Client reconnects these handlers
    after each of its requests, so this wraps the WSGI calls only.)
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_app():
    return get_wsgi_application()


@pytest.fixture(params=USERS)
def user(request, user_named):
    return user_named(request.param)


@pytest.fixture
def token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


_schemas = {}


@pytest.fixture
def api_schema(wsgi_app, token):
    """The schema as /api/schema/ serves it to a logged-in user (loaded once per run)."""
    if "schema" not in _schemas:
        with on_the_test_connection():
            _schemas["schema"] = schemathesis.openapi.from_wsgi(
                "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {token}"}
            )
    schema = _schemas["schema"]
    schema.app = wsgi_app
    return schema


def visible_ids(user, path):
    """A few ids of the records next to ``path`` that ``user`` sees in their list."""
    listing = re.sub(r"\{id\}/.*$", "", path)
    client = Client()
    client.force_login(user)
    response = client.get(listing, {"page_size": KNOWN_IDS})
    if response.status_code != 200:
        return []
    data = response.json()
    rows = data.get("results", data) if isinstance(data, dict) else data
    return [row["id"] for row in rows[:KNOWN_IDS] if isinstance(row, dict) and "id" in row]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_schema(api_schema, user, token, method, path):
    operation = api_schema[path][method]
    strategy = operation.as_strategy()
    if "{id}" in path:
        known = visible_ids(user, path)
        strategy = st.one_of(
            strategy, *(operation.as_strategy(path_parameters={"id": pk}) for pk in known)
        )
    headers = {"Authorization": f"Token {token}"}

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    with on_the_test_connection():
        run()
