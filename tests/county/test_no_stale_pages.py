"""No page is ever stale (issue 19): on the production cache backend (Redis), every kind of
write — a form's save, ``QuerySet.update()``, ``bulk_create``, ``bulk_update``, a delete, a
many-to-many change, raw SQL, the ledger engine's COPY and ``setup_county`` — shows on the next
request of every page that shows what it changed; and every table of every model is renewed by a
write, so no model can be forgotten (``county.figures_cache`` learns writes from the connection).
"""

import datetime
import io
import json

import openpyxl
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from county import figures_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

PARCELS = "/abandoned_land/parcels/"
PROBLEMS = "/environment/"
REFORMS = "/reforms/"
TASKS = "/reforms/tasks/"
COCKPIT = "/cockpit/"


def token(table):
    return cache.get(f"{figures_cache.PREFIX}:t:{table}")


def shows(content, text):
    """``text`` is on the page, as HTML text or inside a chart's JSON."""
    return text in content or json.dumps(text)[1:-1] in content


def page(client, path, **query):
    response = client.get(path, query)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_the_cache_is_redis_as_in_production():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    assert figures_cache.enabled()


def project_models():
    labels = {"county", "reforms", "landplan", "abandoned_land", "environment"}
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.managed
    ]


def test_a_write_to_any_table_of_the_project_renews_it():
    """The meta-test: every model's table (many-to-many and history tables too) is renewed by
    an UPDATE, whichever model it is, so a page reading it cannot keep an old figure."""
    models = project_models()
    assert len(models) > 40
    missed = []
    for model in models:
        table = model._meta.db_table
        figures_cache.snapshot()
        before = token(table)
        model._base_manager.filter(pk=-1).update(**{model._meta.pk.attname: F("pk")})
        if token(table) == before:
            missed.append(table)
    assert not missed, f"这些表的写入未使缓存失效：{missed}"


def test_reads_of_a_figure_name_the_tables_it_read():
    from environment.models import Problem

    with figures_cache.reading() as tables:
        Problem.objects.filter(township__name="城关镇").count()
    assert {"environment_problem", "county_unit"} <= tables


def test_a_save_through_the_form_shows_on_the_list_and_the_overview(client, user_named):
    from abandoned_land.models import Parcel

    client.force_login(user_named("sup_d21"))
    parcel = Parcel.objects.filter(voided_at__isnull=True).order_by("township_id", "code").first()
    assert not shows(page(client, PARCELS), "表单保存合作社")
    parcel.operator = "表单保存合作社"
    parcel.save()
    assert shows(page(client, PARCELS), "表单保存合作社")


def test_a_queryset_update_renaming_a_special_group_shows_on_the_reform_overview(
    client, user_named
):
    from county.models import SpecialGroup

    client.force_login(user_named("leader01"))
    group = SpecialGroup.objects.filter(reform_items__isnull=False).first()
    assert shows(page(client, REFORMS), group.name.removesuffix("专项小组"))
    SpecialGroup.objects.filter(pk=group.pk).update(name="缓存测试专项小组")
    assert shows(page(client, REFORMS), "缓存测试")


def test_a_person_moved_to_another_unit_sees_the_new_units_work_at_once(
    client, user_named, unit_named
):
    from abandoned_land.models import Parcel
    from county.models import User

    clerk = user_named("t02")  # 城关镇
    client.force_login(clerk)
    before = page(client, PARCELS)
    own = Parcel.objects.filter(township=clerk.unit, voided_at__isnull=True).first()
    assert own.code in before
    other = unit_named("东兴镇")
    theirs = Parcel.objects.filter(township=other, voided_at__isnull=True).order_by("code")
    User.objects.filter(pk=clerk.pk).update(unit=other)
    after = page(client, PARCELS)
    assert own.code not in after
    assert any(code in after for code in theirs.values_list("code", flat=True)[:50])


def test_villages_bulk_inserted_show_in_the_filter_at_once(client, user_named, unit_named):
    from county.models import Village

    client.force_login(user_named("sup_d21"))
    town = unit_named("城关镇")
    assert "批量新增村" not in page(client, PARCELS, township=town.pk)
    Village.objects.bulk_create([Village(township=town, name="批量新增村")])
    assert "批量新增村" in page(client, PARCELS, township=town.pk)


def test_setup_county_adding_a_village_shows_in_the_filter_at_once(
    client, user_named, unit_named, tmp_path
):
    from county.setup.template import DEMO_WORKBOOK

    client.force_login(user_named("sup_d21"))
    town = unit_named("城关镇")
    assert "县情新增村" not in page(client, PARCELS, township=town.pk)
    workbook = openpyxl.load_workbook(DEMO_WORKBOOK)
    workbook["村（社区）"].append(["城关镇", "县情新增村", "村", None])
    path = tmp_path / "county.xlsx"
    workbook.save(path)
    call_command("setup_county", str(path), stdout=io.StringIO())
    assert "县情新增村" in page(client, PARCELS, township=town.pk)


def test_a_bulk_update_and_a_delete_show_in_the_row_count(client, user_named):
    from abandoned_land.models import Parcel

    client.force_login(user_named("sup_d21"))
    total = Parcel.objects.filter(voided_at__isnull=True).count()
    assert f"共 {total} 条" in page(client, PARCELS)
    parcels = list(Parcel.objects.filter(voided_at__isnull=True).order_by("pk")[:2])
    for parcel in parcels:
        parcel.voided_at = datetime.datetime.now(datetime.UTC)
    Parcel.objects.bulk_update(parcels, ["voided_at"])
    assert f"共 {total - 2} 条" in page(client, PARCELS)
    Parcel.objects.filter(pk__in=[p.pk for p in parcels]).delete()
    assert f"共 {total - 2} 条" in page(client, PARCELS)
    Parcel.objects.filter(voided_at__isnull=True).order_by("pk")[:1].get().delete()
    assert f"共 {total - 3} 条" in page(client, PARCELS)


def test_a_many_to_many_change_shows_in_the_other_units_task_list(client, user_named, unit_named):
    from reforms.models import SubTask

    clerk = user_named("d21")
    client.force_login(clerk)
    task = SubTask.objects.exclude(units=clerk.unit).exclude(item__lead_unit=clerk.unit).first()
    task.name = "多对多测试举措"
    task.save()
    assert "多对多测试举措" not in page(client, TASKS)
    task.units.add(clerk.unit)
    assert "多对多测试举措" in page(client, TASKS)
    task.units.remove(clerk.unit)
    assert "多对多测试举措" not in page(client, TASKS)


def test_raw_sql_shows_on_the_problem_list(client, user_named):
    from environment.models import Problem

    client.force_login(user_named("sup_d18"))
    problem = Problem.objects.filter(voided_at__isnull=True).order_by("pk").first()
    assert "原始语句测试" not in page(client, PROBLEMS)
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "environment_problem" SET "description" = %s WHERE "id" = %s',
            ["原始语句测试：垃圾未清运", problem.pk],
        )
    assert "原始语句测试" in page(client, PROBLEMS, number=problem.number) or shows(
        page(client, f"/environment/problems/{problem.pk}/"), "原始语句测试"
    )


def test_the_ledger_engines_copy_shows_on_the_parcel_list(client, user_named):
    """The ledger import writes through PostgreSQL's COPY (psycopg2's own cursor)."""
    from abandoned_land.models import Parcel
    from county.ledger.records import COPY_OPTIONS, NULL, _copy

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    client.force_login(user_named("sup_d21"))
    parcel = Parcel.objects.filter(voided_at__isnull=True).order_by("pk").first()
    total = Parcel.objects.filter(voided_at__isnull=True).count()
    assert f"共 {total} 条" in page(client, PARCELS)
    before = token("abandoned_land_parcel")
    with connection.cursor() as cursor:
        _copy(
            cursor,
            f'COPY "abandoned_land_parcel" ({", ".join(_parcel_columns())}) FROM STDIN '
            f"WITH {COPY_OPTIONS}",
            [[NULL if value is None else value for value in _parcel_copy_row(parcel)]],
        )
    assert token("abandoned_land_parcel") != before
    assert f"共 {total + 1} 条" in page(client, PARCELS)


def _parcel_columns():
    from abandoned_land.models import Parcel

    return [f'"{f.column}"' for f in Parcel._meta.concrete_fields if not f.primary_key]


def _parcel_copy_row(parcel):
    from abandoned_land.models import Parcel

    row = []
    for field in Parcel._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(parcel, field.attname)
        if field.name == "code":
            value = f"{value}-COPY"
        row.append(value)
    return row
