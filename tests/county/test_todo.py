"""我的待办: rows name their parent, overdue first, empty groups folded last, constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county.registry import registry
from county.views import todo_groups
from tests.testapp.models import Dossier

TODAY = datetime.date.today()


def _day(days):
    return TODAY + datetime.timedelta(days=days)


def test_every_workstreams_rows_name_their_parent(demo, user_named):
    """Each real workstream declares how its rows name their parent."""
    for workstream, dated in registry.dated_work():
        if workstream.key == "testing":
            continue
        assert dated.describe is not None, dated.key
    rows = {g["key"]: g["rows"] for g in todo_groups(user_named("t02"))}
    parcels = rows["abandoned_land.parcel"]
    assert parcels and all("城关镇" in r["parent"] and " 亩" in r["parent"] for r in parcels)
    assert all(r["parent"].startswith("当前阶段：") for r in rows["landplan.area"])
    assert all(r["parent"].startswith("第") for r in rows["environment.problem"])


def test_subtasks_with_the_same_name_are_told_apart_by_their_item(client, demo, user_named):
    from reforms.models import SubTask

    user = user_named("d21")
    tasks = (
        SubTask.objects.filter(units=user.unit, long_term=False)
        .exclude(status="done")
        .exclude(deadline=None)
        .select_related("item")
    )
    (group,) = [g for g in todo_groups(user) if g["key"] == "reforms.subtask"]
    by_url = {r["url"]: r for r in group["rows"]}
    for task in tasks:
        row = by_url[reverse("reforms:subtask", args=[task.pk])]
        assert row["parent"] == f"改革任务：{task.item}"
    client.force_login(user)
    page = client.get(reverse("county:todo")).content.decode()
    assert f"改革任务：{tasks[0].item}" in page


def test_overdue_first_within_a_group_and_empty_groups_folded_last(
    client, demo, user_named, unit_named
):
    agri = unit_named("县农业农村局")
    Dossier.objects.create(title="下月到期", unit=agri, deadline=_day(30))
    Dossier.objects.create(title="逾期三天", unit=agri, deadline=_day(-3))
    Dossier.objects.create(title="后天到期", unit=agri, deadline=_day(2))
    user = user_named("d21")
    groups = todo_groups(user)
    testing = next(g for g in groups if g["key"] == "testing.dossier")
    assert [r["title"] for r in testing["rows"]] == ["逾期三天", "后天到期", "下月到期"]
    assert [r["light"] for r in testing["rows"]] == ["overdue", "due_soon", "normal"]
    assert testing["rows"][0]["parent"] == "牵头单位：县农业农村局"
    filled = [bool(g["rows"]) for g in groups]
    assert filled == sorted(filled, reverse=True) and True in filled and False in filled

    client.force_login(user)
    page = client.get(reverse("county:todo")).content.decode()
    assert page.index("逾期三天") < page.index("后天到期") < page.index("下月到期")
    folded = page.split('data-testid="todo-empty"')
    assert len(folded) == 2, "无待办的板块收在页尾"
    for group in groups:
        label = f"{group['label']}"
        assert label in page
        if group["rows"]:
            assert label in folded[0] and label not in folded[1]
        else:
            assert label in folded[1] and label not in folded[0]


def test_a_unit_without_work_sees_every_kind_folded(client, demo, user_named):
    from county.models import Unit, User

    for unit in Unit.objects.departments().order_by("order"):
        user = User.objects.filter(unit=unit, role="staff").first()
        if user and not any(g["rows"] for g in todo_groups(user)):
            break
    else:
        pytest.fail("示范县每个部门都有待办，找不到空的例子")
    client.force_login(user)
    page = client.get(reverse("county:todo")).content.decode()
    assert "暂无待办事项" in page
    folded = page.split('data-testid="todo-empty"')[1]
    assert f"无待办（{len(registry.dated_work())} 类）" in folded
    for workstream, dated in registry.dated_work():
        assert f"{workstream.label} · {dated.label}" in folded


@pytest.mark.parametrize("username,extra", [("d21", "dossiers"), ("t02", "parcels")])
def test_query_count_is_the_same_with_1_and_51_items(
    client, demo, user_named, unit_named, username, extra
):
    """One query per registered kind; the parents come with the rows (select_related)."""
    from abandoned_land.models import Parcel

    user = user_named(username)
    client.force_login(user)

    def add(n):
        if extra == "dossiers":
            Dossier.objects.bulk_create(
                Dossier(title=f"事项{n}-{i}", unit=user.unit, deadline=_day(i % 9 - 3))
                for i in range(n)
            )
            return
        template = Parcel.objects.filter(township=user.unit, status="remediated").first()
        for i in range(n):
            template.pk = None
            template.code = f"TODO-{n}-{i}"
            template.planting_deadline = _day(i % 9 - 3)
            template.save()

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("county:todo"))
    add(50)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("county:todo")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    for _workstream, dated in registry.dated_work():  # exactly one query fetches each kind
        table = dated.model._meta.db_table
        order = f'ORDER BY "{table}"."{dated.deadline_field}" ASC'
        assert sum(order in q["sql"] for q in many.captured_queries) == 1, dated.key
    assert ("事项50-49" if extra == "dossiers" else "TODO-50-49") in page


@pytest.mark.browser
def test_todo_is_a_table_when_wide_and_cards_on_a_phone(login, output_path):
    import pathlib

    folder = pathlib.Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    page = login("t02")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(page.url)
    first = page.get_by_test_id("todo-group").first
    assert first.locator("table").is_visible()
    assert not first.get_by_test_id("todo-cards").is_visible()
    assert "亩" in first.inner_text() or "当前阶段" in first.inner_text()
    empty = page.get_by_test_id("todo-empty")
    assert empty.is_visible() and "无待办" in empty.inner_text()
    page.screenshot(path=str(folder / "todo-1366.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url)
    cards = page.get_by_test_id("todo-cards").first
    assert (
        cards.is_visible() and not page.locator("[data-testid=todo-group] table").first.is_visible()
    )
    for group in page.get_by_test_id("todo-group").all():
        right = group.evaluate(
            "g => Math.max(...[g, ...g.querySelectorAll('*')]"
            ".filter(e => e.offsetParent !== null)"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= 390, right
    card = cards.locator("a").first
    assert card.bounding_box()["width"] > 300  # a card is the width of the phone, not 5 characters
    page.screenshot(path=str(folder / "todo-390.png"), full_page=True)
