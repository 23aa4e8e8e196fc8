"""Input bounds (county.inputs, county.api, county.voiding): the same limits in forms, API and
ledgers; a request that fails half-way changes nothing; in-use records answer 409; problems and
parcels are voided (作废), never deleted.
"""

import datetime
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from rest_framework import serializers

from county.inputs import (
    LONG_TEXT,
    MAX_JSON_DEPTH,
    check_plausible_date,
    json_depth_exceeds,
)
from county.ledger import parsers
from county.ledger.context import ParseContext
from county.ledger.errors import CellError

WORKSTREAMS = ("reforms", "environment", "abandoned_land", "landplan")


@pytest.fixture
def problem(demo, unit_named):
    from environment.models import Problem, ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    town = unit_named("城关镇")

    def make(**fields):
        values = {
            "number": Problem.next_number(),
            "township": town,
            "village": town.villages.order_by("name").first(),
            "category": ProblemCategory.objects.get(name="乱堆乱放"),
            "found_on": datetime.date(2030, 3, 1),
            "deadline": datetime.date(2030, 3, 15),
            "description": "路边乱堆乱放",
            **fields,
        }
        return Problem.objects.create(**values)

    return make


def problem_payload(unit_named, **fields):
    from environment.models import ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    town = unit_named("城关镇")
    return {
        "found_on": "2030-03-01",
        "township": town.pk,
        "village": town.villages.order_by("name").first().pk,
        "category": ProblemCategory.objects.get(name="乱堆乱放").pk,
        "description": "路边乱堆乱放",
        "deadline": "2030-03-15",
        **fields,
    }


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# --- dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (datetime.date(1999, 12, 31), False),
        (datetime.date(2000, 1, 1), True),
        (datetime.date(2100, 12, 31), True),
        (datetime.date(2101, 1, 1), False),
        (datetime.date(1, 1, 5), False),
        (datetime.datetime(1899, 12, 31, 8, 0), False),
    ],
)
def test_dates_are_plausible_between_2000_and_2100(value, ok):
    if ok:
        check_plausible_date(value)
    else:
        with pytest.raises(ValidationError) as error:
            check_plausible_date(value)
        assert "不在合理范围内（2000年至2100年）" in error.value.messages[0]


def test_every_date_field_of_the_workstreams_carries_the_range():
    missing = [
        f"{model.__name__}.{field.name}"
        for name in WORKSTREAMS
        for model in apps.get_app_config(name).get_models()
        for field in model._meta.concrete_fields
        if type(field) is models.DateField and check_plausible_date not in field.validators
    ]
    assert missing == []


def test_a_year_one_date_through_the_api_is_a_400_and_nothing_is_written(
    client, demo, user_named, unit_named
):
    from environment.models import Problem

    client.force_login(user_named("sup_d18"))
    before = Problem.all_objects.count()
    for found_on in ("0001-01-05", "1899-12-30"):
        response = post_json(
            client, "/api/environment/problems/", problem_payload(unit_named, found_on=found_on)
        )
        assert response.status_code == 400
        assert "不在合理范围内" in response.json()["found_on"][0]
    assert Problem.all_objects.count() == before


def test_a_year_one_date_through_the_form_is_shown_beside_the_field(
    client, demo, user_named, unit_named
):
    from environment.models import Problem

    client.force_login(user_named("sup_d18"))
    before = Problem.all_objects.count()
    data = problem_payload(unit_named, found_on="0001-01-05")
    response = client.post(reverse("environment:problem_create"), data)
    assert response.status_code == 200
    assert "不在合理范围内" in response.content.decode()
    assert Problem.all_objects.count() == before


def test_date_filters_refuse_implausible_dates_without_an_error(client, demo, user_named):
    client.force_login(user_named("sup_d18"))
    page = client.get("/environment/", {"found_after": "0001-01-05"})
    assert page.status_code == 200 and "不在合理范围内" in page.content.decode()
    api = client.get("/api/environment/problems/", {"found_after": "0001-01-05"})
    assert api.status_code == 400


@pytest.mark.parametrize("cell", ["0001-01-05", "1899年12月31日", datetime.date(1850, 1, 1)])
def test_ledgers_refuse_implausible_dates(cell):
    with pytest.raises(CellError) as error:
        parsers.date(cell)
    assert "不在合理范围内" in str(error.value)
    with pytest.raises(CellError):
        parsers.deadline(cell, ParseContext(2030))


def test_ledger_deadline_phrases_of_a_plausible_year_still_parse():
    assert parsers.deadline("12月底前", ParseContext(2030)).date == datetime.date(2030, 12, 31)
    assert parsers.date("2030-03-01") == datetime.date(2030, 3, 1)


# --- text lengths ---------------------------------------------------------------------------
def test_every_long_text_of_the_workstreams_has_a_max_length():
    unbounded = [
        f"{model.__name__}.{field.name}"
        for name in WORKSTREAMS
        for model in apps.get_app_config(name).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and not field.max_length
    ]
    assert unbounded == []


def _api_serializers():
    from django.utils.module_loading import import_module

    for name in WORKSTREAMS:
        module = import_module(f"{name}.api.serializers")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, serializers.Serializer)
                and value.__module__ == module.__name__
            ):
                yield value


def test_every_writable_text_field_of_the_api_is_bounded_like_the_model():
    unbounded = []
    for serializer_class in _api_serializers():
        serializer = serializer_class(context={"request": None})
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        for name, field in serializer.fields.items():
            if field.read_only or not isinstance(field, serializers.CharField):
                continue
            if isinstance(field, serializers.ChoiceField):
                continue
            if field.max_length is None:
                unbounded.append(f"{serializer_class.__name__}.{name}")
            elif model and name in {f.name for f in model._meta.concrete_fields}:
                assert field.max_length == model._meta.get_field(name).max_length, name
    assert unbounded == []


def test_progress_texts_are_capped_the_same_by_the_form_and_the_api(client, demo, user_named):
    from reforms.models import ProgressReport, SubTask

    task = SubTask.objects.restrict(user_named("d21"), "report").exclude(status="done").first()
    client.force_login(user_named("d21"))
    long_text = "进" * (LONG_TEXT + 1)
    api = post_json(
        client, "/api/reforms/progress/", {"subtask": task.pk, "text": long_text, "percent": 5}
    )
    assert api.status_code == 400 and "text" in api.json()
    form = client.post(reverse("reforms:report", args=[task.pk]), {"text": long_text, "percent": 5})
    assert form.status_code == 400 and "4000" in form.content.decode()
    assert not ProgressReport.objects.filter(subtask=task, text=long_text).exists()
    fits = post_json(
        client,
        "/api/reforms/progress/",
        {"subtask": task.pk, "text": "进" * LONG_TEXT, "percent": 5},
    )
    assert fits.status_code == 201


# --- JSON depth -----------------------------------------------------------------------------
def test_json_depth_is_measured_without_recursion():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert json_depth_exceeds(deep)
    assert not json_depth_exceeds(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert not json_depth_exceeds(json.dumps({"text": "[" * 1000}).encode())  # inside a string
    assert not json_depth_exceeds(json.dumps({"t": '\\"[[[[' * 100}).encode())


@pytest.mark.parametrize(
    ("username", "method", "url"),
    [
        ("sup_d18", "post", "/api/environment/problems/"),
        ("d21", "post", "/api/reforms/progress/"),
        ("sup_d21", "patch", "/api/abandoned_land/parcels/{parcel}/"),
    ],
)
def test_deeply_nested_json_is_a_400_in_chinese_on_any_api_write(
    client, demo, user_named, username, method, url
):
    from abandoned_land.models import Parcel

    client.force_login(user_named(username))
    url = url.format(parcel=Parcel.objects.order_by("pk").first().pk)
    body = "[" * 50_000 + "]" * 50_000
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["detail"]


# --- atomic requests ------------------------------------------------------------------------
def test_a_request_failing_after_its_first_write_changes_nothing(
    client, demo, user_named, unit_named, monkeypatch
):
    from environment.models import Problem

    def broken(self):
        raise RuntimeError("fails after the problem was inserted")

    monkeypatch.setattr(Problem, "refresh_stubborn", broken)
    client.raise_request_exception = False
    client.force_login(user_named("sup_d18"))
    before = (Problem.all_objects.count(), Problem.history.count())
    api = post_json(client, "/api/environment/problems/", problem_payload(unit_named))
    assert api.status_code == 500
    page = client.post(reverse("environment:problem_create"), problem_payload(unit_named))
    assert page.status_code == 500
    assert (Problem.all_objects.count(), Problem.history.count()) == before


def test_a_rule_refusing_after_a_first_write_changes_nothing(
    client, demo, user_named, unit_named, monkeypatch
):
    """A ValidationError handled by the API (400) still rolls the request back."""
    from environment.models import Problem

    def refuse(self):
        raise ValidationError({"found_on": "规则拒绝"})

    monkeypatch.setattr(Problem, "refresh_stubborn", refuse)
    client.force_login(user_named("sup_d18"))
    before = Problem.all_objects.count()
    response = post_json(client, "/api/environment/problems/", problem_payload(unit_named))
    assert response.status_code == 400 and response.json() == {"found_on": ["规则拒绝"]}
    assert Problem.all_objects.count() == before


# --- in use: 409 ----------------------------------------------------------------------------
def test_voiding_an_inspection_with_problems_is_a_409_in_chinese(client, demo, user_named, problem):
    from environment.models import Inspection

    inspection = Inspection.objects.create(date=datetime.date(2030, 3, 1), kind="明查")
    found = problem(inspection=inspection)
    client.force_login(user_named("sup_d18"))
    response = client.delete(f"/api/environment/inspections/{inspection.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "该检查下还有 1 个问题，请先将这些问题作废，再作废检查。"}
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    # With its problem voided, the inspection is voided too: kept, with who, when and why.
    found.void(user_named("sup_d18"), "重复录入")
    response = client.delete(f"/api/environment/inspections/{inspection.pk}/?reason=重复录入")
    assert response.status_code == 204
    assert not Inspection.objects.filter(pk=inspection.pk).exists()
    voided = Inspection.all_objects.get(pk=inspection.pk)
    assert voided.void_reason == "重复录入" and voided.voided_by.username == "sup_d18"


def test_accountability_records_are_voided_not_deleted(client, demo, user_named, unit_named):
    from environment.models import Accountability

    record = Accountability.objects.create(
        unit=unit_named("县住房和城乡建设局"),
        measure="interview",
        reason="矩阵",
        date=datetime.date(2030, 3, 1),
    )
    client.force_login(user_named("t02"))
    assert client.delete(f"/api/environment/accountability/{record.pk}/").status_code in (403, 404)
    client.force_login(user_named("sup_d18"))
    assert client.delete(f"/api/environment/accountability/{record.pk}/").status_code == 204
    assert Accountability.all_objects.get(pk=record.pk).voided_at is not None
    assert record.history.count() == 2  # created, voided


# --- 作废 -----------------------------------------------------------------------------------
def test_api_delete_voids_a_problem_and_keeps_it_in_history(client, demo, user_named, problem):
    from environment.models import Photo, Problem

    item = problem()
    photos = Photo.objects.count()
    client.force_login(user_named("t02"))  # the township's staff may not
    assert client.delete(f"/api/environment/problems/{item.pk}/").status_code == 403
    client.force_login(user_named("sup_d18"))
    response = client.delete(f"/api/environment/problems/{item.pk}/?reason=重复录入")
    assert response.status_code == 204
    voided = Problem.all_objects.get(pk=item.pk)
    assert voided.is_voided and voided.void_reason == "重复录入"
    assert voided.voided_by.username == "sup_d18"
    assert voided.history.first().voided_at is not None  # kept in the change history
    assert not Problem.objects.filter(pk=item.pk).exists()
    assert Photo.objects.count() == photos
    listed = client.get("/api/environment/problems/", {"page_size": 1000}).json()
    assert item.pk not in [row["id"] for row in listed["results"]]
    assert client.get(f"/api/environment/problems/{item.pk}/").status_code == 404
    assert client.delete(f"/api/environment/problems/{item.pk}/").status_code == 404
    assert client.get(item.get_absolute_url()).status_code == 404
    assert Problem.next_number() > item.number  # its number is not given out again


def test_api_delete_voids_a_parcel_whose_code_stays_reserved(client, demo, user_named):
    from abandoned_land.models import Parcel

    parcel = Parcel.objects.order_by("pk").first()
    client.force_login(user_named("sup_d21"))
    assert client.delete(f"/api/abandoned_land/parcels/{parcel.pk}/").status_code == 204
    voided = Parcel.all_objects.get(pk=parcel.pk)
    assert voided.is_voided and voided.void_reason == "通过接口删除（作废）"
    again = post_json(
        client,
        "/api/abandoned_land/parcels/",
        {
            "code": parcel.code,
            "township": parcel.township_id,
            "village": parcel.village_id,
            "area": "1.00",
            "status": "surveyed",
        },
    )
    assert again.status_code == 400 and "已作废" in json.dumps(again.json(), ensure_ascii=False)


def test_supervisors_void_a_problem_on_its_page_with_a_reason(client, demo, user_named, problem):
    from environment.models import Problem

    item = problem()
    url = reverse("environment:problem_void", args=[item.pk])
    client.force_login(user_named("t02"))
    assert client.get(url).status_code == 403
    client.force_login(user_named("sup_d18"))
    detail = client.get(item.get_absolute_url()).content.decode()
    assert url in detail
    assert "作废原因" in client.get(url).content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "作废必须说明原因" in refused.content.decode()
    done = client.post(url, {"reason": "录入错误"})
    assert done.status_code == 302 and done["Location"] == reverse("environment:problem_list")
    assert Problem.all_objects.get(pk=item.pk).void_reason == "录入错误"
    assert client.post(url, {"reason": "再次"}).status_code == 404
    assert (
        f"第{item.number}号" not in client.get(reverse("environment:problem_list")).content.decode()
    )


def test_a_voided_problem_number_is_refused_by_the_ledger_import(demo, user_named):
    """The demo problems come from the sample ledger: importing it again meets the voided one."""
    from pathlib import Path

    from environment.ledger import ProblemLedger
    from environment.models import Problem

    sample = Path(__file__).resolve().parents[1] / "data" / "environment_problems.xlsx"
    supervisor = user_named("sup_d18")
    first = Problem.objects.order_by("number").first()
    first.void(supervisor, "重复录入")
    report = ProblemLedger().run_import(sample.read_bytes(), supervisor, dry_run=True)
    messages = [str(error) for error in report.errors]
    assert any(f"第{first.number}号问题已作废" in m for m in messages), messages[:5]
    assert Problem.all_objects.filter(number=first.number).count() == 1
