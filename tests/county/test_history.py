"""The one change-history renderer (county.history) and the pages that show it."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county import history
from county.history import person, timeline
from county.registry import registry

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FAKE_ID = 987_654_321
OLD_DAY, NEW_DAY = datetime.date(2023, 6, 30), datetime.date(2026, 6, 30)
OLD_TIME = datetime.datetime(2023, 6, 30, 14, 5, tzinfo=SHANGHAI)
NEW_TIME = datetime.datetime(2026, 6, 30, 9, 30, tzinfo=SHANGHAI)


def tracked_models():
    """Every model with django-simple-history, in every app the project runs."""
    found = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]
    return sorted(found, key=lambda m: m._meta.label)


def test_every_registered_workstream_has_tracked_models():
    labels = {m._meta.app_label for m in tracked_models()}
    workstream_apps = {"reforms", "landplan", "abandoned_land", "environment"}
    assert {w.key for w in registry} >= workstream_apps
    assert labels >= workstream_apps | {"county"}


def _pair(field, related):
    """Two different stored values of ``field``: before and after, as the history keeps them."""
    if field.choices:
        codes = [code for code, _label in field.flatchoices if code not in (None, "")]
        return codes[0], codes[-1]
    if field.is_relation:
        pks = related(field.related_model)
        return (pks[0], pks[-1]) if pks else (FAKE_ID, FAKE_ID + 1)
    if isinstance(field, models.BooleanField):
        return False, True
    if isinstance(field, models.DateTimeField):
        return OLD_TIME, NEW_TIME
    if isinstance(field, models.DateField):
        return OLD_DAY, NEW_DAY
    if isinstance(field, models.DecimalField):
        return Decimal("1.50"), Decimal("2.25")
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return 1, 2
    if isinstance(field, models.FileField):
        return "files/旧文件.pdf", "files/新文件.pdf"
    if isinstance(field, (models.CharField, models.TextField)):
        return "旧内容", "新内容"
    raise AssertionError(f"{field.model._meta.label}.{field.name}: 渲染器未覆盖的字段类型")


@pytest.mark.parametrize("model", tracked_models(), ids=lambda m: m._meta.label)
def test_history_shows_labels_and_chinese_dates_for_every_tracked_model(model, demo, user_named):
    """An import row then a clerk's change of every field: read as people read it."""
    clerk = user_named("d21")
    related_cache = {}

    def related(related_model):
        if related_model not in related_cache:
            related_cache[related_model] = list(
                related_model._base_manager.order_by("pk").values_list("pk", flat=True)[:2]
            )
        return related_cache[related_model]

    history_model = model.history.model
    m2m_fields = list(getattr(history_model, "_history_m2m_fields", []))
    fields = [f for f in history_model.tracked_fields if not f.primary_key]
    before, after = {}, {}
    for f in fields:
        before[f.attname], after[f.attname] = _pair(f, related)
    common = {"id": FAKE_ID}
    old_row = history_model.objects.create(
        **common,
        **before,
        history_date=NEW_TIME - datetime.timedelta(days=1),
        history_type="+",
        history_change_reason=history.IMPORT,
    )
    new_row = history_model.objects.create(
        **common,
        **after,
        history_date=NEW_TIME,
        history_type="~",
        history_user=clerk,
        history_change_reason="测试修改",
    )
    m2m_names = {}
    for m2m in m2m_fields:
        copy = getattr(history_model, m2m.name).model
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        pks = related(m2m.related_model)
        assert pks, f"示范县没有{m2m.related_model._meta.verbose_name}"
        for n, pk in enumerate(pks):
            copy.objects.create(
                id=FAKE_ID + n, history=new_row, **{f"{source}_id": FAKE_ID, f"{target}_id": pk}
            )
        m2m_names[m2m.verbose_name] = [str(o) for o in m2m.related_model.objects.filter(pk__in=pks)]
    assert old_row.history_id < new_row.history_id

    entries = timeline(history_model.objects.filter(id=FAKE_ID))
    html = render_to_string("county/_history.html", {"history": entries})

    assert [e.action for e in entries] == ["修改", "导入"]
    changed, imported = entries
    assert (changed.who, changed.system, changed.note) == (person(clerk), False, "测试修改")
    assert (imported.who, imported.system) == ("系统（台账导入）", True)
    assert changed.when_text == "2026年6月30日 09:30"
    assert not ISO_DATE.search(html), ISO_DATE.findall(html)
    shown = {c.label: c for c in changed.changes}
    expected = {
        str(f.verbose_name) for f in fields if f.editable and before[f.attname] != after[f.attname]
    }
    for f in fields:
        if not f.editable or before[f.attname] == after[f.attname]:
            assert str(f.verbose_name) not in shown or str(f.verbose_name) in expected
            continue
        label = str(f.verbose_name)
        assert label in shown, f"{model._meta.label}.{f.name} 没有显示"
        change = shown[label]
        assert f"{label}：{change.old} → {change.new}" in html
        if f.choices:
            labels = dict(f.flatchoices)
            old, new = before[f.attname], after[f.attname]
            assert (change.old, change.new) == (str(labels[old]), str(labels[new]))
            if str(labels[new]) != str(new):
                assert f"{label}：{old} →" not in html
                assert not re.search(rf"{re.escape(label)}：[^<]*→ {re.escape(str(new))}<", html)
        elif isinstance(f, models.DateTimeField):
            assert (change.old, change.new) == ("2023年6月30日 14:05", "2026年6月30日 09:30")
        elif isinstance(f, models.DateField):
            assert (change.old, change.new) == ("2023年6月30日", "2026年6月30日")
        elif isinstance(f, models.BooleanField):
            assert (change.old, change.new) == ("否", "是")
        elif f.is_relation and related(f.related_model):
            objs = f.related_model._base_manager.in_bulk([before[f.attname], after[f.attname]])
            if f.related_model is get_user_model():
                names = {person(o) for o in objs.values()}
            else:
                names = {str(o) for o in objs.values()}
            assert {change.old, change.new} <= {n[: history.SHORT - 1] + "…" for n in names} | names
        elif isinstance(f, models.DecimalField):
            assert (change.old, change.new) == ("1.5", "2.25")
    for label, names in m2m_names.items():
        change = shown[str(label)]
        assert change.old == "（空）" and change.full.endswith("、".join(sorted(names))[:300])


def test_created_entry_lists_key_fields_and_long_text_is_shortened(demo, unit_named):
    from reforms.models import ReformItem, SubTask

    item = ReformItem.objects.create(year=2099, number=7, title="测试改革")
    task = SubTask.objects.create(
        item=item, name="测试举措", deadline=NEW_DAY, status="in_progress", progress="长" * 90
    )
    task.units.set([unit_named("县农业农村局")])
    (created,) = timeline(task)
    assert (created.action, created.who, created.system) == ("创建", "系统", True)
    values = dict(created.values)
    assert values["完成时限"] == "2026年6月30日"
    assert values["完成状态"] == "推进中"
    assert values["责任单位"] == "县农业农村局"  # the m2m set right after creation folds in
    assert values["工作进展"] == "长" * (history.SHORT - 1) + "…"
    assert values["改革任务"] == str(item)


def test_query_count_does_not_grow_with_the_number_of_changes(demo, unit_named, user_named):
    from reforms.models import ReformItem, SubTask

    item = ReformItem.objects.create(
        year=2099, number=8, title="测试改革", lead_unit=unit_named("县财政局")
    )
    task = SubTask.objects.create(item=item, name="举措", deadline=OLD_DAY)
    task.units.set([unit_named("县农业农村局")])

    def count():
        with CaptureQueriesContext(connection) as queries:
            entries = timeline(item, SubTask.history.filter(item_id=item.pk), limit=100)
        return len(queries), entries

    few, _ = count()
    units = [unit_named(n) for n in ("县财政局", "城关镇", "东兴镇")]
    for n in range(30):
        task.percent = n
        task.deadline = OLD_DAY + datetime.timedelta(days=n)
        task._history_user = user_named("d21" if n % 2 else "sup_d03")
        task.save()
        task.units.set([units[n % 3]])
    many, entries = count()
    assert many == few
    assert len(entries) > 30 and all(not ISO_DATE.search(str(e.changes)) for e in entries)


def test_demo_date_shift_is_the_systems_and_a_clerks_edit_is_the_clerks(client, demo, user_named):
    from county.status import today
    from reforms.models import SubTask

    assert today().year > 2023  # the demo moves the 2023 sample to the day it is loaded
    clerk = user_named("d21")
    task = (
        SubTask.objects.filter(units=clerk.unit, long_term=False)
        .exclude(status="done")
        .exclude(deadline=None)
        .select_related("item")
        .first()
    )
    client.force_login(clerk)
    response = client.post(
        reverse("reforms:report", args=[task.pk]), {"text": "已完成调研，形成初稿。", "percent": 60}
    )
    assert response.status_code == 302
    entries = [e for e in timeline(task) if e.action != "导入"]
    clerk_edit, shift = entries[0], entries[-1]
    assert (clerk_edit.who, clerk_edit.system) == (person(clerk), False)
    labels = {c.label for c in clerk_edit.changes}
    assert "完成进度（%）" in labels and "完成时限" not in labels
    assert (shift.who, shift.system) == ("系统（演示数据）", True)
    (moved,) = [c for c in shift.changes if c.label == "完成时限"]
    assert moved.old.startswith("2023年") and not moved.new.startswith("2023年")
    page = client.get(reverse("reforms:item", args=[task.item_id])).content.decode()
    assert "系统（演示数据）" in page and "系统（台账导入）" in page and person(clerk) in page
    assert not ISO_DATE.search(page.split('data-testid="history"')[1])


def test_ledger_import_is_the_systems_or_the_importing_persons(demo, unit_named, user_named):
    from abandoned_land.models import Parcel
    from tests.abandoned_land.conftest import workbook

    ledger = registry.get("abandoned_land").ledger
    village = unit_named("城关镇").villages.order_by("pk").first()
    row = ["1", "城关镇", village.name, "HIST-0001", 3.5, 2021, "缺水", OLD_DAY, "深翻"]
    row += ["", "", "", "", "已整治", ""]
    assert ledger.run_import(workbook([row]), None, name="a.xlsx").ok
    parcel = Parcel.objects.get(code="HIST-0001")
    (created,) = timeline(parcel)
    assert (created.action, created.who, created.system) == ("导入", "系统（台账导入）", True)
    row[9:13] = ["油菜", "小春", "南乐村合作社", "合作社"]
    row[13] = "已种植"
    supervisor = user_named("sup_d21")
    assert ledger.run_import(workbook([row]), supervisor, name="b.xlsx").ok
    changed = timeline(parcel)[0]
    assert (changed.who, changed.via, changed.system) == (person(supervisor), "台账导入", False)
    shown = {c.label: (c.old, c.new) for c in changed.changes}
    assert shown["种植作物"] == ("（空）", "油菜")
    assert shown["状态"] == ("已整治", "已种植")
    assert shown["种植季节"] == ("（空）", "小春")


def test_recorded_as_marks_plain_saves_and_keeps_an_imports_marker(demo, unit_named):
    from reforms.models import ReformItem

    with history.recorded_as(history.DEMO):
        item = ReformItem.objects.create(year=2099, number=9, title="演示")
        item._change_reason = "划入自主创新"
        item.track = "innovation"
        item.save()
        item._change_reason = history.IMPORT
        item.title = "导入的标题"
        item.save()
    reasons = list(
        item.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["演示数据", "演示数据：划入自主创新", history.IMPORT]
    whos = [e.who for e in timeline(item)]
    assert whos == ["系统（台账导入）", "系统（演示数据）", "系统（演示数据）"]
    assert timeline(item)[1].note == "划入自主创新"


def test_person_is_named_with_unit_or_title(demo, user_named):
    d21 = user_named("d21")
    assert person(d21).startswith(d21.get_full_name() or d21.username)
    assert d21.unit.short_name in person(d21) or d21.unit.name in person(d21)
    clerk = user_named("t02")
    clerk.last_name = "王芳"
    assert person(clerk) == "王芳（城关镇）"
    assert person(user_named("leader01")).startswith("李建国")
    assert "县委书记" in person(user_named("leader01"))


@pytest.mark.parametrize(
    "url_name,model_path",
    [
        ("reforms:item", "reforms.ReformItem"),
        ("reforms:followup", "reforms.FollowUpProblem"),
        ("reforms:innovation", "reforms.Innovation"),
        ("environment:problem_detail", "environment.Problem"),
        ("landplan:area_detail", "landplan.PlanArea"),
        ("abandoned_land:parcel_detail", "abandoned_land.Parcel"),
    ],
)
def test_every_detail_page_uses_the_shared_history(client, demo, user_named, url_name, model_path):
    model = apps.get_model(model_path)
    record = model.objects.order_by("pk").first()
    client.force_login(user_named("admin"))
    page = client.get(reverse(url_name, args=[record.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="history-card"' in html and html.count('data-testid="history"') == 1
    history_html = html.split('data-testid="history-card"')[1].split("</details>")[0]
    assert "系统（台账导入）" in history_html or "系统（演示数据）" in history_html
    assert not ISO_DATE.search(history_html)
    assert "county/_history.html" in [t.name for t in page.templates]


def test_decision_flash_messages_say_已_once(client, demo, user_named):
    """Accepting or sending back a request flashes 已同意 / 已退回, never 已已."""
    from reforms import workflow
    from reforms.models import CompletionRequest, DeadlineChange, SubTask

    clerk = user_named("d21")
    tasks = (
        SubTask.objects.filter(units=clerk.unit, long_term=False)
        .exclude(status="done")
        .exclude(deadline=None)
        .order_by("pk")
    )
    workflow.request_completion(tasks[0], clerk, "已按方案完成，材料齐全。")
    workflow.request_deadline_change(tasks[1], clerk, NEW_DAY, False, "需等待市级方案印发。")
    completion = CompletionRequest.objects.get(subtask=tasks[0], status="pending")
    change = DeadlineChange.objects.get(subtask=tasks[1], status="pending")
    client.force_login(user_named("sup_d03"))
    said = []
    for url, data in [
        (reverse("reforms:decide_completion", args=[completion.pk]), {"approve": "1"}),
        (
            reverse("reforms:decide_deadline", args=[change.pk]),
            {"approve": "0", "note": "理由不足"},
        ),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        said += [str(m) for m in response.context["messages"]]
    assert len(said) == 2, said
    assert "已同意" in said[0] and "已退回" in said[1]
    assert not any("已已" in text for text in said), said


@pytest.mark.browser
def test_history_sections_read_well_at_1366_and_390(login, output_path):
    """The item, problem, area and parcel pages' 变更记录 in Chromium, wide and on a phone."""
    import pathlib

    from abandoned_land.models import Parcel
    from environment.models import Problem
    from landplan.models import PlanArea
    from reforms.models import SubTask

    folder = pathlib.Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    task = SubTask.objects.exclude(deadline=None).select_related("item").order_by("pk").first()
    pages = {
        "item": reverse("reforms:item", args=[task.item_id]),
        "problem": Problem.objects.order_by("pk").first().get_absolute_url(),
        "area": PlanArea.objects.order_by("pk").first().get_absolute_url(),
        "parcel": Parcel.objects.exclude(planting_deadline=None).first().get_absolute_url(),
    }
    page = login("admin")
    base = page.url.split("/", 3)[:3]
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto("/".join(base) + url)
            card = page.get_by_test_id("history-card")
            if card.get_attribute("open") is None:
                card.locator("summary").click()
            entries = page.get_by_test_id("history-entry")
            assert entries.count() >= 1, name
            text = card.inner_text()
            assert "系统（" in text and not ISO_DATE.search(text), (name, text)
            assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text)
            widest = card.evaluate(
                "card => Math.max(...[card, ...card.querySelectorAll('*')]"
                ".map(e => e.getBoundingClientRect().right))"
            )
            assert widest <= width, (name, width, widest)
            card.scroll_into_view_if_needed()
            card.screenshot(path=str(folder / f"history-{name}-{width}.png"))
