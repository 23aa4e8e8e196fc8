"""A parameter fuzz: odd input never gives a server error (5xx), on any list, export or API write.

The routes come from the URLconf and the filters from each FilterSet, so a new list page,
API or filter is fuzzed without touching this file:

- every filter parameter (and ``page``) of every HTML list page and API list gets ``²``,
  ``０``, NUL, a 10,000-character string, 2^63, a deeply nested JSON text and the date
  0001-01-05, as a supervisor and as a staff user; every ledger export gets them in all
  its parameters at once (it writes a whole workbook per request), and NUL in each;
- every writable field of every API serializer gets the same (2^63 as a number, the
  nested JSON as real nesting, below and above the parser's depth limit) in a POST of all
  fields at once and in a PATCH of that one field on a record the user can see;
- the loop actions (submit, accept, move …) get them in their usual fields.
"""

import json

import pytest
from django.forms import MultiWidget
from django.urls import URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.views import FilterView
from rest_framework import serializers

from county.registry import registry


def nested(depth):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


# The characters of the issue, and the year-1 date that overflowed date arithmetic.
QUERY_VALUES = ["²", "０", "\x00", "x" * 10_000, str(2**63), json.dumps(nested(100)), "0001-01-05"]
BODY_VALUES = [
    "²",
    "０",
    "\x00",
    "x" * 10_000,
    2**63,
    str(2**63),
    nested(20),
    nested(100),
    "0001-01-05",
]
ACTION_FIELDS = ["note", "reason", "text", "date", "to_stage", "checked_on", "result"]


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def plain(route):
    """The route as a path, or None when it takes arguments or a format suffix."""
    if "<" in route or "(?P" in route:
        return None
    return "/" + route.replace("^", "").replace("$", "")


def filter_params(filterset_class, model):
    """The query parameter names of a FilterSet's form (range widgets give two each)."""
    form = filterset_class(data={}, queryset=model._default_manager.none()).form
    names = []
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, MultiWidget):
            names += [f"{name}{suffix}" for suffix in widget.widgets_names]
        else:
            names.append(name)
    return [*names, "page"]


def list_pages():
    """(path, parameter names) of every HTML list page built on a FilterSet."""
    for route, callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None)
        path = plain(route)
        if path and view and issubclass(view, FilterView) and view.filterset_class:
            yield path, filter_params(view.filterset_class, view.model)


def exports():
    for workstream in registry:
        ledger = workstream.ledger
        if ledger is not None and ledger.filterset_class is not None:
            yield (
                f"/ledger/{ledger.key}/export/",
                filter_params(ledger.filterset_class, ledger.model),
            )


def api_routes():
    """(path, viewset class, actions) of every DRF route."""
    for route, callback in walk(get_resolver().url_patterns):
        actions = getattr(callback, "actions", None)
        if actions and "(?P<format>" not in route:
            yield "/" + route.replace("^", "").replace("$", ""), callback.cls, actions


def api_lists():
    backend = DjangoFilterBackend()
    for path, viewset, actions in api_routes():
        if actions.get("get") != "list":
            continue
        view = viewset()
        filterset_class = backend.get_filterset_class(view, viewset.queryset)
        params = ["page"]
        if filterset_class is not None:
            params = filter_params(filterset_class, viewset.queryset.model)
        yield path, params


LIST_PAGES = sorted(list_pages())
EXPORTS = sorted(exports())
API_LISTS = sorted(api_lists())
API_CREATES = sorted(
    (path, viewset) for path, viewset, actions in api_routes() if actions.get("post") == "create"
)
API_ACTIONS = sorted(
    (path, name)
    for path, viewset, actions in api_routes()
    for method, name in actions.items()
    if method == "post" and name != "create"
)


def _ids(value):
    return value.split("(?P")[0] if isinstance(value, str) else ""


def test_the_fuzz_finds_the_routes():
    """The discovery is not empty: the lists and APIs named in the issue are all fuzzed."""
    pages = dict(LIST_PAGES)
    assert {"/environment/", "/abandoned_land/parcels/", "/reforms/items/"} <= pages.keys()
    assert {"q", "township", "found_after"} <= set(pages["/environment/"])
    assert {"/api/environment/problems/", "/api/abandoned_land/parcels/"} <= dict(API_LISTS).keys()
    assert len(EXPORTS) == 4 and len(API_CREATES) >= 10
    assert {"submit", "accept", "reject", "move", "recheck"} <= {a for _, a in API_ACTIONS}


@pytest.fixture
def people(demo, user_named):
    """A supervisor of each workstream and a township's staff."""
    from county.choices import Role
    from county.models import User

    candidates = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk"))
    supervisors = {}
    for workstream in registry:
        supervisors[workstream.key] = next(
            (u for u in candidates if u.supervises(workstream.key)), user_named("admin")
        )
    admin = user_named("admin")  # pages of no workstream (the audit log) are the admin's
    return {"supervisor": lambda key: supervisors.get(key, admin), "staff": user_named("t02")}


def workstream_of(path):
    return path.strip("/").split("/")[1] if path.startswith("/api/") else path.split("/")[1]


def fuzz_get(client, path, params, values=QUERY_VALUES):
    failures = []
    for param in params:
        for value in values:
            response = client.get(path, {param: value})
            if response.status_code >= 500:
                failures.append((param, value[:20], response.status_code))
    return failures


@pytest.mark.parametrize(("path", "params"), LIST_PAGES, ids=_ids)
def test_list_pages_never_answer_5xx(client, people, path, params):
    failures = []
    for user in (people["supervisor"](workstream_of(path)), people["staff"]):
        client.force_login(user)
        failures += fuzz_get(client, path, params)
    assert failures == []


@pytest.mark.parametrize(("path", "params"), EXPORTS, ids=_ids)
def test_exports_never_answer_5xx(client, people, path, params):
    """An export writes the whole workbook, so each value goes in every parameter at once
    (the FilterSet is the list's, fuzzed one parameter at a time above); NUL one by one."""
    client.force_login(people["supervisor"](path.split("/")[2]))
    failures = fuzz_get(client, path, params, values=["\x00"])
    for value in QUERY_VALUES:
        response = client.get(path, dict.fromkeys(params, value))
        if response.status_code >= 500:
            failures.append(("*", value[:20], response.status_code))
    assert failures == []


@pytest.mark.parametrize(("path", "params"), API_LISTS, ids=_ids)
def test_api_lists_never_answer_5xx(client, people, path, params):
    failures = []
    for user in (people["supervisor"](workstream_of(path)), people["staff"]):
        client.force_login(user)
        failures += fuzz_get(client, path, params)
    assert failures == []


def writable_fields(viewset):
    serializer = viewset.serializer_class(context={"request": None})
    return [
        name
        for name, field in serializer.fields.items()
        if not field.read_only and not isinstance(field, serializers.HiddenField)
    ]


def send(client, method, path, body):
    return getattr(client, method)(
        path, json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


@pytest.mark.parametrize(("path", "viewset"), API_CREATES, ids=_ids)
def test_api_writes_never_answer_5xx(client, people, path, viewset):
    fields = writable_fields(viewset) or ["id"]  # a read-only API: the POST is refused
    failures = []
    for user in (people["supervisor"](workstream_of(path)), people["staff"]):
        client.force_login(user)
        listed = client.get(path).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        target = f"{path}{rows[0]['id']}/" if rows else None
        for value in BODY_VALUES:
            response = send(client, "post", path, dict.fromkeys(fields, value))
            if response.status_code >= 500:
                failures.append(("POST", "*", str(value)[:20], response.status_code))
            for field in fields if target else ():
                response = send(client, "patch", target, {field: value})
                if response.status_code >= 500:
                    failures.append(("PATCH", field, str(value)[:20], response.status_code))
    assert failures == []


@pytest.mark.parametrize(("path", "action"), API_ACTIONS, ids=_ids)
def test_api_actions_never_answer_5xx(client, people, path, action):
    """The loop's actions on a record the user can see, each usual field fuzzed."""
    failures = []
    base = path.split("(?P<pk>")[0]
    for user in (people["supervisor"](workstream_of(path)), people["staff"]):
        client.force_login(user)
        listed = client.get(base).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        if not rows:
            continue
        url = f"{base}{rows[0]['id']}/{action}/"
        for field in ACTION_FIELDS:
            for value in BODY_VALUES:
                response = send(client, "post", url, {field: value})
                if response.status_code >= 500:
                    failures.append((field, str(value)[:20], response.status_code))
    assert failures == []
