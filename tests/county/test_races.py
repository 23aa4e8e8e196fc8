"""Races on PostgreSQL: 25 clerks at once, real transactions, one outcome.

Each test starts 25 threads together (a ``threading.Barrier``); every thread has its own
``Client`` (its own database connection, closed at the end of the thread) and sends one
request, so the requests really overlap in the database. What must hold:

- 25 submits of one problem → one rectification, the others told it was already submitted;
- 25 accepts / send-backs at once (pages, inbox, API) → exactly one decision, the others
  told it was already decided (409);
- 25 API writers changing different fields of one record → every change kept;
- 25 saves of one stale form → one saved, 24 told someone else changed it (409).

``transaction=True`` empties the database after each test; the ``demo`` fixture loads the
demo county again for the next, so the scenarios are grouped into few tests.
"""

import datetime
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse
from PIL import Image

THREADS = 25

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def together(work, n=THREADS):
    """Run ``work(i)`` in ``n`` threads started at once; their results in order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return results


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def small_jpeg(name="after.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 120, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def text_of(response):
    if response.get("Content-Type", "").startswith("application/json"):
        return str(response.json())
    return response.content.decode()


def new_problem(unit_named, **fields):
    from environment.models import Problem, ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    town = unit_named("城关镇")
    values = {
        "found_on": datetime.date(2030, 3, 1),
        "deadline": datetime.date(2030, 3, 15),
        "description": "并发测试：路边乱堆乱放",
        "village": town.villages.order_by("name").first(),
        **fields,
    }
    return Problem.objects.create(
        number=Problem.next_number(),
        township=town,
        category=ProblemCategory.objects.get(name="乱堆乱放"),
        **values,
    )


# --- state transitions --------------------------------------------------------------
def test_concurrent_submits_make_one_rectification_and_decisions_one_decision(
    demo, user_named, unit_named
):
    from environment.choices import ProblemStatus, ReviewResult
    from environment.models import Rectification

    problem = new_problem(unit_named)
    clients = [client_of(user_named("t02")) for _ in range(THREADS)]
    url = reverse("environment:problem_submit", args=[problem.pk])

    def submit(i):
        data = {"note": f"第{i}次提交：已清理", "photos": [small_jpeg()]}
        if i % 2:  # half through the page, half through the API
            return clients[i].post(f"/api/environment/problems/{problem.pk}/submit/", data)
        return clients[i].post(url, data)

    answers = together(submit)
    codes = sorted(r.status_code for r in answers)
    assert Rectification.objects.filter(problem=problem).count() == 1
    assert codes.count(409) == THREADS - 1, codes
    assert sum(1 for c in codes if c in (200, 302)) == 1, codes
    for answer in answers:
        if answer.status_code == 409:
            assert "已经提交过了" in text_of(answer)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.PENDING

    # 25 supervisors' clicks at once: accept and send back, on the page, the inbox, the API.
    deciders = [client_of(user_named("sup_d18")) for _ in range(THREADS)]
    rectification = Rectification.objects.get(problem=problem)
    inbox_url = reverse("county:inbox_decide", args=[_inbox_key(), rectification.pk])

    def decide(i):
        client, accept = deciders[i], i % 2 == 0
        route = i % 3
        if route == 0:
            verb = "accept" if accept else "reject"
            return client.post(
                f"/api/environment/problems/{problem.pk}/{verb}/", {"reason": f"意见{i}"}
            )
        if route == 1:
            data = {"action": "accept" if accept else "send_back", "note": f"意见{i}"}
            return client.post(inbox_url, data)
        name = "problem_accept" if accept else "problem_reject"
        data = {"note": f"意见{i}", "reason": f"退回原因{i}"}
        return client.post(reverse(f"environment:{name}", args=[problem.pk]), data)

    answers = together(decide)
    codes = sorted(r.status_code for r in answers)
    assert sum(1 for c in codes if c in (200, 302)) == 1, codes
    assert codes.count(409) == THREADS - 1, codes
    for answer in answers:
        if answer.status_code == 409:
            text = text_of(answer)
            assert "已经审核过了" in text or "已被他人处理" in text, text[:300]
    rectification.refresh_from_db()
    assert rectification.result != ReviewResult.PENDING
    assert not Rectification.objects.filter(problem=problem, result=ReviewResult.PENDING)
    problem.refresh_from_db()
    expected = (
        ProblemStatus.CLOSED
        if rectification.result == ReviewResult.ACCEPTED
        else ProblemStatus.RECTIFYING
    )
    assert problem.status == expected
    assert problem.history.count() == 3  # created, submitted, decided: once each


def _inbox_key():
    from county.registry import registry

    return next(d.key for _w, d in registry.decisions() if d.model.__name__ == "Rectification")


# --- lost updates through the API ---------------------------------------------------
def _patch_all(client_for, url, fields):
    """25 PATCHes, writer i changing field i % len(fields); returns the answers."""
    clients = [client_for() for _ in range(THREADS)]

    def write(i):
        name, make = fields[i % len(fields)]
        return clients[i].patch(url, {name: make(i)}, content_type="application/json")

    return together(write)


def _check_no_change_lost(answers, record, fields, version_before):
    assert [r.status_code for r in answers] == [200] * THREADS, [
        (r.status_code, text_of(r)[:200]) for r in answers if r.status_code != 200
    ]
    record.refresh_from_db()
    for name, make in fields:
        written = {make(i) for i in range(THREADS) if fields[i % len(fields)][0] == name}
        value = getattr(record, name)
        value = value.isoformat() if isinstance(value, datetime.date) else value
        assert value in written, (name, value)  # nobody's full-row save put it back
    assert record.version == version_before + THREADS  # 25 saves, one after the other


def test_api_writers_of_different_fields_lose_nothing(demo, user_named, unit_named):
    from abandoned_land.models import Parcel
    from landplan.models import PlanArea
    from reforms.models import ReformItem

    def day(offset):
        return lambda i: (
            datetime.date(2031, 1, 1) + datetime.timedelta(days=offset + i)
        ).isoformat()

    cases = []
    item = ReformItem.objects.order_by("pk").first()
    cases.append(
        (
            "sup_d03",
            f"/api/reforms/items/{item.pk}/",
            item,
            [("title", lambda i: f"改革任务 并发{i}"), ("note", lambda i: f"备注{i}")],
        )
    )
    parcel = Parcel.objects.filter(township__name="城关镇").order_by("pk").first()
    cases.append(
        (
            "sup_d21",
            f"/api/abandoned_land/parcels/{parcel.pk}/",
            parcel,
            [
                ("crop", lambda i: f"作物{i}"),
                ("operator", lambda i: f"合作社{i}"),
                ("note", lambda i: f"备注{i}"),
                ("cause", lambda i: f"原因{i}"),
                ("method", lambda i: f"方式{i}"),
            ],
        )
    )
    problem = new_problem(unit_named)
    cases.append(
        (
            "sup_d18",
            f"/api/environment/problems/{problem.pk}/",
            problem,
            [("description", lambda i: f"问题描述{i}"), ("deadline", day(0))],
        )
    )
    area = PlanArea.objects.order_by("pk").first()
    cases.append(
        (
            "sup_d17",
            f"/api/landplan/areas/{area.pk}/",
            area,
            [("compiler", lambda i: f"编制单位{i}"), ("note", lambda i: f"备注{i}")],
        )
    )
    for username, url, record, fields in cases:
        user = user_named(username)
        before = type(record)._base_manager.get(pk=record.pk).version
        answers = _patch_all(lambda user=user: client_of(user), url, fields)
        _check_no_change_lost(answers, record, fields, before)


# --- stale forms --------------------------------------------------------------------
def _stale_form_race(client, url, data, record):
    """25 saves of one form opened at one version: one saved, 24 refused (409)."""
    page = client.get(url)
    assert page.status_code == 200
    version = record.version
    assert f'name="version" value="{version}"' in page.content.decode()
    clients = [Client() for _ in range(THREADS)]
    for c in clients:
        c.cookies = client.cookies  # the same signed-in user

    def save(i):
        return clients[i].post(url, {**data(i), "version": version})

    answers = together(save)
    codes = sorted(r.status_code for r in answers)
    assert codes.count(302) == 1, codes
    assert codes.count(409) == THREADS - 1, codes
    for answer in answers:
        if answer.status_code == 409:
            text = answer.content.decode()
            assert "已被他人修改" in text and f"第 {version} 版" in text
            assert f"第 {version + 1} 版" in text  # yours and the current one
    record.refresh_from_db()
    assert record.version == version + 1
    return answers


def test_stale_forms_save_once(demo, user_named, unit_named):
    from environment.models import Problem

    problem = new_problem(unit_named)
    supervisor = client_of(user_named("sup_d18"))
    url = reverse("environment:problem_update", args=[problem.pk])
    page = supervisor.get(url)
    form = page.context["form"]
    base = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and name not in ("version", "found_photos")
    }
    base = {k: ("" if v is None else v) for k, v in base.items()}
    base["departments"] = [d.pk for d in problem.departments.all()]
    for key in ("found_on", "deadline"):
        base[key] = getattr(problem, key).isoformat()

    answers = _stale_form_race(
        supervisor, url, lambda i: {**base, "description": f"并发修改{i}"}, problem
    )
    problem = Problem.objects.get(pk=problem.pk)
    assert problem.description.startswith("并发修改")
    refused = next(a for a in answers if a.status_code == 409).content.decode()
    assert "问题描述" in refused or "描述" in refused  # what differs, both values


# --- the version's contract, without threads ------------------------------------------
@pytest.mark.django_db
def test_etag_if_match_and_imports_raise_the_version(demo, user_named, unit_named):
    from county.history import IMPORT, bulk_update_with_history
    from environment.models import Problem

    problem = new_problem(unit_named)
    client = client_of(user_named("sup_d18"))
    url = f"/api/environment/problems/{problem.pk}/"
    read = client.get(url)
    assert read["ETag"] == f'"{problem.version}"'
    stale = f'"{problem.version}"'
    changed = client.patch(
        url, {"description": "第一次"}, content_type="application/json", headers={"If-Match": stale}
    )
    assert changed.status_code == 200
    assert changed["ETag"] == f'"{problem.version + 1}"'
    refused = client.patch(
        url, {"description": "第二次"}, content_type="application/json", headers={"If-Match": stale}
    )
    assert refused.status_code == 412
    assert "已被他人修改" in refused.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).description == "第一次"

    # A form opened before an import is refused after it.
    form_url = reverse("environment:problem_update", args=[problem.pk])
    opened = client.get(form_url).context["form"].initial["version"]
    fresh = Problem.objects.get(pk=problem.pk)
    fresh.description = "台账导入的描述"
    bulk_update_with_history(Problem, [fresh], ["description"], IMPORT)
    assert Problem.objects.get(pk=problem.pk).version == opened + 1
    answer = client.post(form_url, {"description": "我的修改", "version": opened})
    assert answer.status_code == 409
    assert f"第 {opened} 版" in answer.content.decode()
    assert Problem.objects.get(pk=problem.pk).description == "台账导入的描述"
