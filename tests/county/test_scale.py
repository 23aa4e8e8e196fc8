"""Speed at scale (issue 12): seed_scale is deterministic and proportionate, every page's
query count is the same at factor 1 and factor 3, and cached figures follow every change.

seed_scale empties the tables first (``--replace``: TRUNCATE inside the test's transaction,
so the demo county is back after each test); PostgreSQL only.
"""

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from county.models import Unit, User, Village
from county.registry import registry
from county.status import Light, today

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="seed_scale --replace needs PostgreSQL"
    ),
]
# The county pages, read by a leader: the cockpit, the ranking, the 周报, and the leader's own
# view by leader03, who liaises with townships at every factor (leader01, the secretary, only
# gets some in a larger county) — its count holds whatever the number of his townships.
COUNTY_PAGES = [
    ("county:cockpit", "leader01"),
    ("county:leader", "leader03"),
    ("county:ranking", "leader01"),
    ("county:briefing", "leader01"),
]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def seed(factor, seed=1):
    call_command("seed_scale", factor=factor, seed=seed, replace=True, stdout=io.StringIO())


def fingerprint():
    """Counts and a checksum of the seeded rows that do not depend on ids or clocks."""
    from abandoned_land.models import Parcel
    from environment.models import Problem
    from reforms.models import ReformItem, SubTask

    digest = hashlib.sha256()
    rows = [
        Unit.objects.order_by("code").values_list("code", "name"),
        Village.objects.order_by("township__code", "name").values_list("township__code", "name"),
        ReformItem.objects.order_by("number").values_list("number", "title", "lead_unit__code"),
        SubTask.objects.order_by("item__number", "order").values_list(
            "item__number", "order", "name", "status", "deadline", "long_term"
        ),
        Parcel.objects.order_by("code").values_list("code", "area", "status", "crop"),
        Problem.objects.order_by("number").values_list(
            "number", "township__code", "status", "deadline", "category__name"
        ),
    ]
    counts = []
    for queryset in rows:
        values = list(queryset)
        counts.append(len(values))
        digest.update(repr(values).encode())
    return counts, digest.hexdigest()


def test_seed_scale_is_deterministic_and_proportionate():
    from abandoned_land.models import Parcel
    from environment.models import Problem
    from reforms.models import ReformItem, SubTask

    seed(1, seed=7)
    first = fingerprint()
    assert Unit.objects.townships().count() == 20
    assert Village.objects.count() == 500
    assert ReformItem.objects.count() == 90
    assert SubTask.objects.count() == 1500
    assert Parcel.objects.count() == 3000
    assert Problem.objects.count() == 5000
    # history rows, as an import writes them
    assert Parcel.history.count() == 3000
    assert SubTask.history.count() == 1500
    # realistic spreads: overdue and future work, done and open, every township used
    open_tasks = SubTask.objects.exclude(status="done").filter(long_term=False)
    from county.status import today

    assert open_tasks.filter(deadline__lt=today()).count() > 100
    assert open_tasks.filter(deadline__gt=today()).count() > 100
    assert 0.25 < SubTask.objects.filter(status="done").count() / 1500 < 0.45
    assert Problem.objects.overdue().count() > 500
    assert Parcel.objects.values("township").distinct().count() == 20

    seed(1, seed=7)
    assert fingerprint() == first  # same seed, same county
    seed(1, seed=8)
    assert fingerprint()[1] != first[1]

    seed(2, seed=7)
    assert Unit.objects.townships().count() == 40
    assert Village.objects.count() == 1000
    assert SubTask.objects.count() == 3000
    assert Parcel.objects.count() == 6000


def pages():
    """(label, path, username) of the cockpit, the county pages and each workstream's."""
    found = []
    for name, username in COUNTY_PAGES:
        try:
            found.append((name, reverse(name), username))
        except NoReverseMatch:
            pass
    for workstream in registry:
        if workstream.scale_pages:
            found.extend(workstream.scale_pages())
    return found


def query_counts():
    counts, clients = {}, {}
    for label, path, username in pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(path)  # the first request of a client may set up its session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (label, path, response.status_code)
        counts[label] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_county():
    """A page's SQL must not grow with the rows it does not show: factor 1 and 3 alike."""
    seed(1)
    small = query_counts()
    seed(3)
    large = query_counts()
    assert "county:cockpit" in small
    assert len(small) >= 15
    assert large == small


def cockpit_panels(key, user, period):
    """The panels of workstream ``key`` as the cockpit draws them (cached per workstream)."""
    from county.cockpit import panels

    (found,) = [found for workstream, found in panels(user, period) if workstream.key == key]
    return found


@override_settings(CACHES=LOCMEM)
def test_cached_figures_follow_every_change():
    """The parcel figures are cached (county.figures_cache), yet a saved change shows at
    once on the overview and the cockpit, and so does a bulk write (the ledger import)."""
    from abandoned_land.choices import ParcelStatus
    from abandoned_land.figures import cockpit_figures, summary
    from abandoned_land.models import Parcel
    from county.scale import ScaleCounty

    seed(0.05)
    leader = User.objects.get(username="leader01")
    client = Client()
    client.force_login(leader)
    overview = reverse("abandoned_land:overview")

    def shown():
        return client.get(overview).context["data"]["reabandoned_count"]

    def on_cockpit():
        return {f.label: f.value for f in cockpit_figures(leader)}["复撂荒地块"]

    before = shown()
    assert on_cockpit() == before
    with CaptureQueriesContext(connection) as queries:
        summary(leader)
    assert not [q for q in queries if "abandoned_land_parcel" in q["sql"]]  # from the cache

    parcel = Parcel.objects.exclude(status=ParcelStatus.REABANDONED).order_by("pk").first()
    parcel.status = ParcelStatus.REABANDONED
    parcel.save()
    assert shown() == before + 1
    assert on_cockpit() == before + 1

    parcel.delete()
    assert shown() == before

    county = ScaleCounty(1, 1)
    township = Unit.objects.townships().order_by("pk").first()
    county.bulk(
        Parcel,
        [
            {
                "township": township.pk,
                "village": township.villages.order_by("pk").first().pk,
                "code": "BULK-1",
                "area": "1.00",
                "status": ParcelStatus.REABANDONED,
            }
        ],
    )
    assert shown() == before + 1
    assert on_cockpit() == before + 1


@override_settings(CACHES=LOCMEM)
def test_a_saved_problem_shows_on_the_cockpit_at_once():
    """The environment panel (its per-township rows) is cached; closing a problem changes the
    cockpit's 未销号 on the next request, and a second request reads the cache."""
    from county.cockpit import period_for
    from environment.models import Problem

    seed(0.05)
    leader = User.objects.get(username="leader01")
    period = period_for("year")

    def open_count():
        panel = cockpit_panels("environment", leader, period)[0]
        return {f.label: f.value for f in panel.figures}["未销号"]

    before = open_count()
    with CaptureQueriesContext(connection) as queries:
        assert open_count() == before
    assert not [q for q in queries if "GROUP BY" in q["sql"] and "environment_problem" in q["sql"]]
    problem = Problem.objects.open().order_by("pk").first()
    problem.status = "closed"
    problem.closed_on = problem.found_on
    problem.save()
    assert open_count() == before - 1
    client = Client()
    client.force_login(leader)
    assert client.get(reverse("county:cockpit")).status_code == 200


@override_settings(CACHES=LOCMEM)
def test_a_finished_sub_task_leaves_the_reform_cockpit_and_overview_at_once():
    """The reform panel and the overview's aggregates are cached; a sub-task done changes the
    overdue-by-unit bar and the overview's figures on the next request."""
    from county.cockpit import period_for
    from reforms.filtersets import task_light_q
    from reforms.models import SubTask

    seed(0.05)
    leader = User.objects.get(username="leader01")
    period = period_for("year")

    def overdue_bars():
        (panel,) = cockpit_panels("reforms", leader, period)
        (chart,) = [c for c in panel.charts if c.kind == "hbar"]
        return chart.series[0]

    client = Client()
    client.force_login(leader)
    overview = reverse("reforms:overview")

    def overview_overdue():
        return sum(client.get(overview).context["charts"]["units"]["values"])

    before, shown = overdue_bars(), overview_overdue()
    assert before["data"] and shown > 0
    with CaptureQueriesContext(connection) as queries:
        assert overdue_bars() == before
    assert not [q for q in queries if "GROUP BY" in q["sql"] and "reforms_subtask" in q["sql"]]
    top_unit = int(re.search(r"unit=(\d+)", before["links"][-1]).group(1))  # the longest bar
    overdue = SubTask.objects.filter(task_light_q(Light.OVERDUE, today()), units=top_unit)
    task = overdue.order_by("pk").first()
    task.status = "done"
    task.completed_on = today()
    task.save()
    assert sum(overdue_bars()["data"]) == sum(before["data"]) - 1
    assert overview_overdue() < shown


@override_settings(CACHES=LOCMEM)
def test_the_cockpit_panels_are_kept_until_their_workstream_changes():
    """A second view of the cockpit reads no workstream table; a plan area finished shows on
    the next view (its panel dropped), while the other panels stay cached."""
    from county.cockpit import panels, period_for
    from landplan.choices import Level, Stage
    from landplan.models import PlanArea

    seed(0.05)
    leader = User.objects.get(username="leader01")
    period = period_for("year")

    def figures():
        return {
            (w.key, f.label): f.value
            for w, found in panels(leader, period)
            for p in found
            for f in p.figures
        }

    before = figures()
    tables = ("reforms_", "landplan_", "abandoned_land_", "environment_")
    with CaptureQueriesContext(connection) as queries:
        assert figures() == before
    assert not [q for q in queries if any(f'FROM "{t}' in q["sql"] for t in tables)]
    area = PlanArea.objects.filter(level=Level.TOWNSHIP).exclude(stage=Stage.DONE).first()
    area.stage = Stage.DONE
    area.save()
    with CaptureQueriesContext(connection) as queries:
        after = figures()

    def township_open(found):
        (value,) = [v for (key, label), v in found.items() if label.startswith("乡镇级未完成（")]
        return value

    assert township_open(after) == township_open(before) - 1
    read = {t for t in tables for q in queries if f'FROM "{t}' in q["sql"]}
    assert read == {"landplan_"}
