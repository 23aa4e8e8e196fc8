"""领导驾驶舱: each figure equals a count made here, every link gives a list of exactly that
many rows, the period selector, and a query count that does not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county.cockpit import period_for
from county.models import SpecialGroup
from county.status import Light, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client, user_named):
    client.force_login(user_named("leader01"))
    return client


def cockpit(client, period=""):
    response = client.get(reverse("county:cockpit") + (f"?period={period}" if period else ""))
    assert response.status_code == 200
    return response


def panel_of(response, key):
    (cell,) = [c for c in response.context["cells"] if c["workstream"].key == key]
    return cell["panel"]


def chart_named(panel, start):
    (chart,) = [c for c in panel.charts if c.title.startswith(start)]
    return chart


def point(chart, series_name, category):
    series = next(s for s in chart.series if s["name"] == series_name)
    i = chart.categories.index(category)
    return series["data"][i], series.get("counts", series["data"])[i], series["links"][i]


def rows_behind(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


def test_every_number_bar_and_slice_links_to_exactly_its_rows(leader):
    response = cockpit(leader)
    checked = {}
    for cell in response.context["cells"]:
        panel = cell["panel"]
        for figure in panel.figures:
            if figure.url and is_count(figure.value):
                checked[(figure.url, figure.label)] = figure.value
        for chart in panel.charts:
            for series in chart.series:
                counts = series.get("counts", series["data"])
                assert len(series["links"]) == len(counts) == len(chart.categories)
                for url, n in zip(series["links"], counts, strict=True):
                    checked[(url, f"{chart.title} · {series['name']}")] = n
        if panel.table:
            for row in panel.table["rows"]:
                for text, url in row:
                    if url and is_count(text):
                        checked[(url, panel.table["title"])] = text
    assert len(checked) > 100  # every workstream has charts with links
    wrong = [
        (what, url, n, rows)
        for (url, what), n in checked.items()
        if (rows := rows_behind(leader, url)) != n
    ]
    assert wrong == []


def test_reform_items_by_light_per_group_equal_the_items_rolled_up(leader):
    from reforms.models import ReformItem

    group = SpecialGroup.objects.order_by("order").first()
    items = ReformItem.objects.filter(group=group).prefetch_related("subtasks")
    on = today()
    expected = {light: 0 for light in Light}
    for item in items:
        if item.subtasks.all():
            expected[item.rollup(on=on)[0]] += 1
    chart = chart_named(panel_of(cockpit(leader), "reforms"), "改革任务状态 · 按专项小组")
    for light in Light:
        n, _, url = point(chart, light.label, group.short_name)
        assert n == expected[light], light
        assert f"group={group.pk}" in url and f"light={light.value}" in url
    assert expected[Light.OVERDUE] > 0  # the demo has red items to click


def test_overdue_subtasks_by_unit_and_experiences_by_level(leader):
    from reforms.choices import ExperienceLevel
    from reforms.models import Experience, SubTask

    panel = panel_of(cockpit(leader), "reforms")
    units = chart_named(panel, "逾期细分任务")
    on = today()
    assert 0 < len(units.categories) <= 10
    for name, n in zip(units.categories, units.series[0]["data"], strict=True):
        made = (
            SubTask.objects.filter(units__name=name, long_term=False, deadline__lt=on)
            .exclude(status="done")
            .count()
        )
        assert n == made, name
    levels = chart_named(panel, "典型经验刊载")
    start = on.replace(month=1, day=1)
    for level in ExperienceLevel:
        n, _, _ = point(levels, "典型经验", level.label)
        made = Experience.objects.filter(level=level, published_on__gte=start, published_on__lte=on)
        assert n == made.count()


def test_landplan_areas_per_stage_per_batch_and_the_speech_dates(leader):
    from landplan.choices import Level, Stage
    from landplan.models import PlanArea

    panel = panel_of(cockpit(leader), "landplan")
    chart = panel.charts[0]
    total = sum(sum(s["data"]) for s in chart.series)
    assert total == PlanArea.objects.count()
    n, _, url = point(chart, Stage.PROVINCIAL_REVIEW.label, "乡镇级·第一批次")
    made = PlanArea.objects.filter(
        level=Level.TOWNSHIP, batch="first", stage=Stage.PROVINCIAL_REVIEW
    ).count()
    assert n == made and "stage=5" in url
    assert "报市级审查" in chart.note and "乡镇级完成" in chart.note and "应编尽编" in chart.note
    figures = {f.label.split("（")[0]: f.value for f in panel.figures}
    assert (
        figures["未报市审"]
        == PlanArea.objects.filter(level=Level.TOWNSHIP, stage__lt=Stage.CITY_REVIEW).count()
    )
    assert (
        figures["村级未完成"]
        == PlanArea.objects.filter(level=Level.VILLAGE).exclude(stage=Stage.DONE).count()
    )


def test_abandoned_land_mu_by_township_against_the_land_found(leader, unit_named):
    from abandoned_land.models import Parcel

    town = unit_named("城关镇")
    panel = panel_of(cockpit(leader), "abandoned_land")
    chart = chart_named(panel, "整治进度")
    stages = [("remediated", "已整治"), ("planted", "已种植"), ("consolidated", "已巩固")]
    for status, label in stages:
        mu, n, url = point(chart, label, town.name)
        parcels = Parcel.objects.filter(township=town, status=status)
        area = parcels.aggregate(a=Sum("area"))["a"] or Decimal(0)
        assert mu == float(area.quantize(Decimal("0.1")))
        assert n == parcels.count() and f"status={status}" in url
    found = Parcel.objects.filter(township=town).aggregate(a=Sum("area"))["a"]
    stacked = sum(point(chart, s["name"], town.name)[0] for s in chart.series)
    assert abs(stacked - float(found)) < 0.5  # the bar reaches the target: all land found
    risks = chart_named(panel, "整治后无种植计划")
    n, _, url = point(risks, "复撂荒", town.name)
    assert n == Parcel.objects.filter(township=town, status="reabandoned").count()


def test_environment_by_township_rate_stubborn_and_the_latest_notice(leader, unit_named):
    from environment.choices import NOT_CLOSED
    from environment.models import Notice, Problem

    town = unit_named("城关镇")
    found = Problem.objects.values_list("found_on", flat=True)  # the demo's, moved to its day
    Notice.objects.create(
        title="第3期通报",
        period_start=min(found),
        period_end=max(found),
        status="issued",
        issued_on=today(),
    )
    panel = panel_of(cockpit(leader), "environment")
    chart = panel.charts[0]
    n, _, _ = point(chart, "未销号", town.name)
    assert n == Problem.objects.filter(township=town, status__in=NOT_CLOSED).count()
    figures = {f.label: f.value for f in panel.figures}
    closed, total = Problem.objects.filter(status="closed").count(), Problem.objects.count()
    assert figures["整改率"] == f"{round(closed * 100 / total, 1)}%"
    assert figures["顽固问题"] == Problem.objects.filter(stubborn_of__isnull=False).count()
    table = panel.table
    assert table["title"].endswith("第3期通报")
    ranks = [row[0][0] for row in table["rows"]]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_period_selector_counts_what_happened_in_the_period(leader, unit_named):
    from environment.models import Problem, ProblemCategory

    on = today()
    town = unit_named("城关镇")
    week = period_for("week")
    assert week.start == on - datetime.timedelta(days=on.weekday()) and week.end == on
    assert period_for("month").start == on.replace(day=1)
    assert period_for("nonsense").key == "year"
    Problem.objects.create(
        number=990001,
        found_on=on,
        township=town,
        category=ProblemCategory.objects.first(),
        description="本周新发现的问题",
        deadline=on + datetime.timedelta(days=10),
    )
    response = cockpit(leader, "week")
    assert response.context["period"].key == "week"
    figures = {f.label: f for f in panel_of(response, "environment").figures}
    found = figures["本周新发现"]
    assert found.value == 1 and rows_behind(leader, found.url) == 1
    html = response.content.decode()
    assert 'aria-current="page"' in html and "本周" in html


def test_query_count_does_not_grow_with_rows(leader, unit_named):
    from django.core.cache import cache

    from abandoned_land.models import Parcel
    from environment.models import Problem, ProblemCategory
    from reforms.models import ReformItem, SubTask

    cockpit(leader)  # warm caches (content types, sessions)
    cache.clear()  # every figure computed, before and after
    with CaptureQueriesContext(connection) as before:
        cockpit(leader)
    town, dept = unit_named("城关镇"), unit_named("县农业农村局")
    on = today()
    group = SpecialGroup.objects.first()
    for n in range(5):
        item = ReformItem.objects.create(
            year=on.year, number=9000 + n, title=f"新增改革任务{n}", group=group, lead_unit=dept
        )
        late = on - datetime.timedelta(days=1)
        task = SubTask.objects.create(item=item, name="新增举措", deadline=late)
        task.units.add(dept)
    village = town.villages.first()
    for n in range(5):
        Parcel.objects.create(township=town, village=village, code=f"NEW-{n}", area=Decimal("2.5"))
        Problem.objects.create(
            number=980000 + n,
            found_on=on,
            township=town,
            category=ProblemCategory.objects.first(),
            description="新增问题",
            deadline=on,
        )
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        cockpit(leader)
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(before.captured_queries) < 45


def test_a_clerk_sees_only_his_units_figures(client, user_named):
    from reforms.models import ReformItem

    client.force_login(user_named("t02"))
    response = cockpit(client)
    panel = panel_of(response, "reforms")
    figures = {f.label: f.value for f in panel.figures}
    assert figures["改革任务"] == ReformItem.objects.visible_to(user_named("t02")).count()
    assert figures["改革任务"] < ReformItem.objects.count()
