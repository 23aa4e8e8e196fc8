"""One truth (issue 19): every number a page shows opens a list of exactly that many rows.

For a leader, a supervisor and the staff of two units, on the demo's day and 20 and 60 days
later (and once on a county twice the demo's size), every page with figures is read: the
cockpit, each workstream's overview, the leader's page, 考核排名, 周报, 我的待办 and the
navigation badges of each. Each figure is a link marked ``data-figure="N"`` (the ``{% figure %}``
tag, county/templatetags/figures.py) or a chart's bar with ``links`` in its JSON; the list
it opens must count N rows, and the API with the same FilterSet and query string must count
N too. All mismatches are reported at once (page, figure, number, link, list, API, user, day).

Cheap by design: one shared demo database (read only here), one client per user and day,
each list read once per user and day however many figures link to it.
"""

import datetime
import html.parser
import io
import json
import re
import zoneinfo
from collections import Counter
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.template.response import TemplateResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from county.registry import registry
from county.status import today

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# a leader (with work he leads and liaison townships), a supervisor, a township, a department
USERS = ("leader03", "sup_d03", "t02", "d21")
DAYS_LATER = (0, 20, 60)
# Figures each page's own content (its <main>, not the navigation's badges) must still
# contribute, over the four users of one sweep (fewer: a page lost its links). 我的待办:
# each kind's count of each user with work; the leader page: each kind's open and 逾期
# counts; 考核排名: the measures one workstream makes; 周报: each workstream's closures and
# new 逾期.
MIN_FIGURES = {"county:todo": 6, "county:leader": 6, "county:ranking": 20, "county:briefing": 8}


# --- collecting (number, link) pairs from a page ----------------------------------------------


class FigureParser(html.parser.HTMLParser):
    """Every ``<a … data-figure="N" href="…">label</a>`` and every ``application/json`` script."""

    def __init__(self):
        super().__init__()
        self.figures = []  # [(label, n, href)]
        self.in_main = 0  # how many of them are inside <main> (the page's own, not the nav's)
        self.scripts = []  # JSON texts
        self._main = False
        self._open = None  # [n, href, text parts] of the figure being read
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self._open = [int(attrs["data-figure"]), attrs.get("href") or "", []]
        if tag == "script" and attrs.get("type") == "application/json":
            self._script = []
        if tag == "main":
            self._main = True

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            n, href, parts = self._open
            self.figures.append((" ".join("".join(parts).split())[:40], n, href))
            self.in_main += self._main
            self._open = None
        if tag == "main":
            self._main = False
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._open:
            self._open[2].append(data)
        if self._script is not None:
            self._script.append(data)


def chart_links(data):
    """[(label, n, href)] of every chart bar or slice with a link (``Chart.series[…]["links"]``)."""
    found = []
    if isinstance(data, dict):
        if isinstance(data.get("series"), list) and "categories" in data:
            for series in data["series"]:
                counts = series.get("counts", series.get("data"))
                for category, n, link in zip(
                    data["categories"], counts, series.get("links") or [], strict=False
                ):
                    if link and isinstance(n, int) and not isinstance(n, bool):
                        label = f"{data.get('title', '')} · {series.get('name', '')} · {category}"
                        found.append((label, n, link))
        else:
            for value in data.values():
                found += chart_links(value)
    elif isinstance(data, list):
        for value in data:
            found += chart_links(value)
    return found


def reform_overview_links(data):
    """改革总览's charts carry ids, not links: the links static/js/reforms-overview.js opens."""
    if not (isinstance(data, dict) and "urls" in data and "groups" in data):
        return []
    found = []
    for block, param in (("groups", "group"), ("tracks", "track")):
        chart = data[block]
        for light in data["lights"]:
            for label, key, n in zip(
                chart["labels"], chart["ids"], chart["series"][light["key"]], strict=True
            ):
                href = f"{data['urls']['list']}?light={light['key']}&{param}={key or ''}"
                found.append((f"{block} · {label} · {light['label']}", n, href))
    units = data["units"]
    for label, key, n in zip(units["labels"], units["ids"], units["values"], strict=True):
        found.append(
            (f"逾期细分任务 · {label}", n, f"{data['urls']['tasks']}?light=overdue&unit={key}")
        )
    for level in data["levels"]:
        href = f"{data['urls']['experiences']}?level={level['key']}"
        found.append((f"典型经验 · {level['name']}", level["value"], href))
    return found


def figures_of(content):
    """``([(label, n, href)], how many of them are the page's own)``."""
    parser = FigureParser()
    parser.feed(content)
    found = list(parser.figures)
    for text in parser.scripts:
        data = json.loads(text)
        found += chart_links(data) + reform_overview_links(data)
    return found, len(found) - len(parser.figures) + parser.in_main


# --- reading a list and its API twin ----------------------------------------------------------


def api_lists():
    """{FilterSet class: the API list URL of the viewset that filters with it}."""
    found = {}

    def walk(patterns, namespaces):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, [*namespaces, p.namespace] if p.namespace else namespaces)
            elif isinstance(p, URLPattern) and p.name and "format" not in str(p.pattern):
                cls = getattr(p.callback, "cls", None)
                actions = getattr(p.callback, "actions", None) or {}
                filterset = getattr(cls, "filterset_class", None)
                if filterset and actions.get("get") == "list":
                    found.setdefault(filterset, reverse(":".join([*namespaces, p.name])))

    walk(get_resolver().url_patterns, [])
    return found


API_LISTS = None


def api_twin(path):
    """The API list with the same FilterSet as the HTML list at ``path`` (None: it has none,
    or the page is a narrower view over the same FilterSet, such as 顽固问题)."""
    global API_LISTS
    if API_LISTS is None:
        API_LISTS = api_lists()
    view = getattr(resolve(path).func, "view_class", None)
    filterset = getattr(view, "filterset_class", None)
    if filterset is None:
        return None
    if any(base.__dict__.get("filterset_class") is filterset for base in view.__mro__[1:]):
        return None
    return API_LISTS.get(filterset)


def rows_of(context, content):
    """The list's row count as the page states it (its paginator, or the rows it lists)."""
    if context.get("paginator") is not None:
        return context["paginator"].count
    if context.get("rows") is not None:
        return len(context["rows"])
    match = re.search(r"共 (\d+) 条", content)
    return int(match.group(1)) if match else None


class Reader:
    """One user's client on one day; each list and API read once, however many figures.

    A list is read by calling its view, as the page would, without rendering its template
    (the count it would show is its paginator's): rendering every list behind hundreds of
    figures would cost minutes. Views that render at once are read through the client.
    """

    def __init__(self, username, on, shared=None):
        from county.models import User

        self.username, self.on = username, on
        self.user = User.objects.select_related("unit", "leader").get(username=username)
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.factory = APIRequestFactory()
        # those who read every row see the same filtered lists: read them once for all of
        # them (not the personal pages, such as 待我审核)
        self.shared = shared if shared is not None and self.user.reads_all else {}
        self.counts = {}

    def page(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, (self.username, path, response.status_code)
        return response

    def view(self, href):
        match = resolve(urlsplit(href).path)
        request = self.factory.get(href)
        request.user = self.user
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        assert response.status_code == 200, (self.username, href, response.status_code)
        return response

    def api_count(self, api, query):
        """What the API list's ``count`` would say: its viewset's scoping, permissions and
        FilterSet as ``list()`` runs them, without serializing a page of rows."""
        match = resolve(api)
        request = self.factory.get(f"{api}?{query}", HTTP_ACCEPT="application/json")
        force_authenticate(request, user=self.user)
        view = match.func.cls(**match.func.initkwargs)
        view.action_map, view.args, view.kwargs = match.func.actions, (), {}
        view.format_kwarg, view.headers = None, {}
        view.request = request = view.initialize_request(request)
        view.initial(request)
        rows = view.filter_queryset(view.get_queryset())
        return view.paginator.django_paginator_class(rows, view.paginator.page_size).count

    def count(self, href):
        view = getattr(resolve(urlsplit(href).path).func, "view_class", None)
        counts = self.shared if getattr(view, "filterset_class", None) else self.counts
        if href not in counts:
            parts = urlsplit(href)
            response = self.view(href)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                listed = rows_of(response.context_data, "")
            else:
                response = self.page(href)
                listed = rows_of(response.context, response.content.decode())
            api, api_n = api_twin(parts.path), None
            if api:
                api_n = self.api_count(api, parts.query)
            counts[href] = (listed, api_n)
        return counts[href]


def pages_for(user):
    paths = [reverse("county:cockpit")]
    paths += [reverse(workstream.url_name) for workstream in registry]
    paths += [reverse("county:todo"), reverse("county:ranking")]
    if user.reads_all:
        paths.append(reverse("county:briefing"))
    if user.leader_id:
        paths.append(reverse("county:leader"))
    return paths


def sweep(username, on, shared=None):
    """Every figure ``username`` reads on ``on`` that its list or API counts otherwise, as lines."""
    reader = Reader(username, on, shared)
    wrong, seen, per_page = [], 0, Counter()
    for path in pages_for(reader.user):
        response = reader.client.get(path)
        if response.status_code != 200:
            wrong.append(f"{on} {username} {path}：页面返回 {response.status_code}")
            continue
        found, own = figures_of(response.content.decode())
        per_page[path] += own
        for label, n, href in found:
            seen += 1
            listed, api_n = reader.count(href)
            if listed != n or api_n not in (None, n):
                wrong.append(
                    f"{on} {username} {path} 「{label}」 {n} → {href}：清单 {listed}，API {api_n}"
                )
        wrong += same_page_totals(reader, path, response)
    return wrong, seen, per_page


def same_page_totals(reader, path, response):
    """Totals a page states about the rows it lists itself (我的分管: 未完成/逾期)."""
    if path != reverse("county:leader"):
        return []
    context, wrong = response.context, []
    rows = context["rows"]
    capped = any(
        sum(1 for row in rows if row["kind"] == s_kind) >= context["capped"]
        for s_kind in {row["kind"] for row in rows}
    )
    late = sum(1 for row in rows if row["light"] == "overdue")
    where = f"{reader.on} {reader.username} {path}"
    if not capped and context["total"] != len(rows):
        wrong.append(f"{where} 「未完成事项」 {context['total']}：列出 {len(rows)} 项")
    if not capped and context["late"] != late:
        wrong.append(f"{where} 「逾期」 {context['late']}：列出逾期 {late} 项")
    return wrong


def travel(on):
    return time_machine.travel(
        datetime.datetime.combine(on, datetime.time(9), SHANGHAI), tick=False
    )


def report(wrong, seen, per_page):
    assert seen > 200, f"only {seen} figures found: are the pages still marked?"
    few = {
        name: per_page[reverse(name)]
        for name, least in MIN_FIGURES.items()
        if per_page[reverse(name)] < least
    }
    assert not few, f"pages with fewer figure links than {MIN_FIGURES}: {few}"
    assert not wrong, f"{len(wrong)} of {seen} figures differ from their lists:\n" + "\n".join(
        wrong
    )


@pytest.mark.parametrize("days_later", DAYS_LATER, ids=lambda d: f"today+{d}")
def test_every_figure_opens_a_list_and_an_api_of_exactly_its_rows(demo, days_later):
    on = today() + datetime.timedelta(days=days_later)
    wrong, seen, shared, per_page = [], 0, {}, Counter()
    with travel(on):
        for username in USERS:
            found, n, pages = sweep(username, on, shared)
            wrong += found
            seen += n
            per_page += pages
    report(wrong, seen, per_page)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale needs PostgreSQL")
def test_every_figure_opens_a_list_of_exactly_its_rows_in_a_county_twice_the_demo(demo):
    call_command("seed_scale", factor=2, seed=1, replace=True, stdout=io.StringIO())
    wrong, seen, shared, per_page = [], 0, {}, Counter()
    for username in USERS:
        found, n, pages = sweep(username, today(), shared)
        wrong += found
        seen += n
        per_page += pages
    report(wrong, seen, per_page)


def test_the_api_count_read_from_the_viewset_is_the_api_lists_count(demo):
    for username, href in (
        ("leader01", "/reforms/tasks/?light=overdue"),
        ("t02", "/environment/?overdue=1"),
    ):
        reader = Reader(username, today())
        path, query = href.split("?")
        api = api_twin(path)
        response = reader.client.get(f"{api}?{query}", HTTP_ACCEPT="application/json")
        assert response.json()["count"] == reader.api_count(api, query) > 0, href
