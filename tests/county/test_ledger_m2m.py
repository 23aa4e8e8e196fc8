"""Many-to-many cells of every ledger, changed in the workstream's own export and imported
again: through the pages (upload → preview → confirm) and through ``import_ledger``, on
both write paths (``COPY`` on PostgreSQL, the ORM's bulk calls elsewhere).

The ledgers with such cells: reforms (sub-task 责任单位, and the item's units taken from
its sub-tasks), environment (a problem's 责任单位 = its departments; the townships of the
inspection a problem joins), landplan (涉及村). Each change adds and removes exactly the
through rows that differ, writes one history row per changed record whose many-to-many
copy holds the new values, and shows in the preview as old → new names. A bad file
writes nothing and lists every problem row.
"""

import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from county.choices import UnitKind
from county.history import IMPORT
from county.ledger import records
from county.models import Unit


# ---- the two write paths and the two routes -------------------------------------------
@pytest.fixture(params=["copy", "orm"])
def write_path(request, monkeypatch):
    """``copy``: PostgreSQL's COPY path; ``orm``: the bulk-ORM path of other databases."""
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    if request.param == "orm":
        monkeypatch.setattr(records, "uses_copy", lambda: False)
    return request.param


@dataclass
class Route:
    """How a person gets the export and brings the changed file back."""

    name: str
    client: object
    user: object
    tmp_path: object

    def export(self, key):
        if self.name == "page":
            self.client.force_login(self.user)
            response = self.client.get(reverse("ledger:export", args=[key]))
            assert response.status_code == 200
            return _content(response)
        path = self.tmp_path / f"{key}-export.xlsx"
        call_command("export_ledger", key, str(path), stdout=io.StringIO())
        return path.read_bytes()

    def reimport(self, key, data):
        """Import ``data`` after its preview; returns (preview changes or None, preview text)."""
        if self.name == "page":
            self.client.force_login(self.user)
            upload = SimpleUploadedFile("台账.xlsx", data)
            preview = self.client.post(reverse("ledger:import", args=[key]), {"file": upload})
            assert preview.status_code == 200
            report = preview.context["report"]
            assert report.ok, [str(e) for e in report.sorted_errors()]
            token = preview.context["token"]
            done = self.client.post(reverse("ledger:confirm", args=[key]), {"token": token})
            assert done.status_code == 302, done.content.decode()[:2000]
            return report.changes, preview.content.decode()
        path = self.tmp_path / f"{key}-changed.xlsx"
        path.write_bytes(data)
        out = io.StringIO()
        options = {"stdout": out, "stderr": io.StringIO()}
        call_command("import_ledger", key, str(path), "--dry-run", "--user", self.user.username,
                     **options)  # fmt: skip
        preview = out.getvalue()
        call_command("import_ledger", key, str(path), "--user", self.user.username, **options)
        assert "导入完成" in out.getvalue()
        return None, preview

    def refused(self, key, data):
        """Import a bad file; returns the problems as listed to the person."""
        if self.name == "page":
            self.client.force_login(self.user)
            upload = SimpleUploadedFile("台账.xlsx", data)
            preview = self.client.post(reverse("ledger:import", args=[key]), {"file": upload})
            assert preview.status_code == 200 and not preview.context["token"]
            return [str(e) for e in preview.context["errors"]]
        path = self.tmp_path / f"{key}-bad.xlsx"
        path.write_bytes(data)
        err = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("import_ledger", key, str(path), "--user", self.user.username,
                         stdout=io.StringIO(), stderr=err)  # fmt: skip
        assert "未写入任何数据" in err.getvalue()
        return [line.strip() for line in err.getvalue().splitlines()[1:] if line.strip()]


def _content(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture(params=["page", "command"])
def route(request, client, tmp_path, demo):
    return lambda username: Route(request.param, client, _user(username), tmp_path)


def _user(username):
    from county.models import User

    return User.objects.get(username=username)


# ---- reading and editing an export ----------------------------------------------------
def _book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def _bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _columns(sheet, first_label):
    """(header row, {label: column number}) of an exported sheet."""
    for row in sheet.iter_rows(max_row=8):
        labels = {c.value: c.column for c in row if isinstance(c.value, str)}
        if first_label in labels:
            return row[0].row, labels
    raise AssertionError(f"no header with {first_label} in {sheet.title}")


def _short_department(excluded):
    """An active department named by a short name of its own (an alias), not in ``excluded``."""
    for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("pk"):
        if unit.pk not in excluded and unit.short_name != unit.name:
            return unit
    raise AssertionError("the demo county has no department with a short name")


def _pairs(field, owners):
    """The through rows (key, owner, other) of ``owners`` for many-to-many ``field``."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    return set(
        through._default_manager.filter(**{f"{source}_id__in": owners}).values_list(
            "pk", f"{source}_id", f"{target}_id"
        )
    )


def _latest_history(record, name):
    """The record's newest history row and the many-to-many keys its copy keeps."""
    history = record.history.order_by("-history_date", "-history_id").first()
    field = type(record)._meta.get_field(name)
    copy = getattr(history.__class__, name).model
    target = field.m2m_reverse_field_name()
    kept = set(copy._default_manager.filter(history=history).values_list(f"{target}_id",
                                                                        flat=True))  # fmt: skip
    return history, kept


def _assert_exact_change(field, owner, before, removed, added):
    """Only the differing through rows changed: the kept ones keep their keys."""
    after = _pairs(field, [owner])
    kept = {row for row in before if row[2] not in removed}
    assert kept <= after, "an unchanged through row was rewritten"
    assert {row[2] for row in after - kept} == added
    assert not any(row[2] in removed for row in after)


def _assert_history(record, name, expected, user, count_before):
    history, kept = _latest_history(record, name)
    assert record.history.count() == count_before + 1
    assert (history.history_type, history.history_change_reason) == ("~", IMPORT)
    assert history.history_user_id == user.pk
    assert kept == expected


def _field_change(changes, html, label, old_names, new_names):
    """The preview named the change of ``label`` as old → new names (page route)."""
    if changes is None:  # the command's dry run: counts only
        assert "更新 1" in html or "更新 2" in html, html
        return
    fields = [f for change in changes for f in change.fields if f[0] == label]
    assert any(
        all(n in old for n in old_names) and all(n in new for n in new_names)
        for _, old, new in fields
    ), fields
    for name in new_names:
        assert name in html


# ---- reforms: a sub-task's 责任单位, and its item's units -----------------------------
def _reform_row(sheet, item, task):
    header, columns = _columns(sheet, "具体举措")
    number = None
    for row in range(header + 1, sheet.max_row + 1):
        value = sheet.cell(row, columns["序号"]).value
        if isinstance(value, int):
            number = value
        if number == item.number and sheet.cell(row, columns["具体举措"]).value == task.name:
            return row, columns
    raise AssertionError(f"{item.number} {task.name} not in the export")


def _reform_sheet(book, item):
    return next(s for s in book.worksheets if str(item.year) in s.title)


def _reform_task():
    from django.db.models import Count

    from reforms.models import SubTask

    return (
        SubTask.objects.annotate(n=Count("units"))
        .filter(n__gte=2)
        .select_related("item")
        .order_by("pk")
        .first()
    )


def test_a_changed_subtask_unit_cell_changes_exactly_those_units(route, write_path):
    from reforms.models import ReformItem, SubTask

    route = route("sup_d03")
    task = _reform_task()
    item = task.item
    units = list(task.units.order_by("pk"))
    removed = units[0]
    item_units = {u.pk for t in item.subtasks.all() for u in t.units.all()}
    added = _short_department(item_units | {item.lead_unit_id})
    book = _book(route.export("reforms"))
    sheet = _reform_sheet(book, item)
    row, columns = _reform_row(sheet, item, task)
    sheet.cell(row, columns["责任单位"]).value = "、".join(
        [added.short_name, *(u.name for u in units[1:])]
    )
    units_field, co_field = SubTask._meta.get_field("units"), ReformItem._meta.get_field("co_units")
    before, co_before = _pairs(units_field, [task.pk]), _pairs(co_field, [item.pk])
    others = item.subtasks.exclude(pk=task.pk)
    other_pairs = _pairs(units_field, list(others.values_list("pk", flat=True)))
    histories = (task.history.count(), item.history.count())

    changes, preview = route.reimport("reforms", _bytes(book))

    expected = {added.pk, *(u.pk for u in units[1:])}
    assert set(task.units.values_list("pk", flat=True)) == expected
    _assert_exact_change(units_field, task.pk, before, {removed.pk}, {added.pk})
    assert _pairs(units_field, list(others.values_list("pk", flat=True))) == other_pairs
    # The item's units follow its sub-tasks: the new unit joins, the removed one leaves
    # unless another sub-task keeps it.
    union = {u for t in item.subtasks.all() for u in t.units.values_list("pk", flat=True)}
    assert set(item.co_units.values_list("pk", flat=True)) == union
    assert added.pk in union
    if removed.pk not in union:
        assert not any(pair[2] == removed.pk for pair in _pairs(co_field, [item.pk]))
    assert {p for p in co_before if p[2] in union} <= _pairs(co_field, [item.pk])
    _assert_history(task, "units", expected, route.user, histories[0])
    _assert_history(item, "co_units", union, route.user, histories[1])
    _field_change(changes, preview, "责任单位", [removed.name], [added.name])


def test_reimporting_the_export_after_a_subtask_for_a_new_unit(route, write_path):
    """A sub-task added on the page for a unit the item did not have yet: its own export
    imports again, and the item's units take the new unit."""
    from reforms.models import ReformItem, SubTask

    route = route("sup_d03")
    item = _reform_task().item
    item_units = {u.pk for t in item.subtasks.all() for u in t.units.all()}
    item_units |= set(item.co_units.values_list("pk", flat=True))
    new_unit = _short_department(item_units | {item.lead_unit_id})
    route.client.force_login(route.user)
    response = route.client.post(
        reverse("reforms:subtask_create", args=[item.pk]),
        {"name": "新增的配合举措", "units": [new_unit.pk], "deadline": "2099-12-31",
         "status": SubTask._meta.get_field("status").default, "note": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not item.co_units.filter(pk=new_unit.pk).exists()
    history = item.history.count()
    co_field = ReformItem._meta.get_field("co_units")
    co_before = _pairs(co_field, [item.pk])

    changes, preview = route.reimport("reforms", route.export("reforms"))

    expected = {p[2] for p in co_before} | {new_unit.pk}
    assert set(item.co_units.values_list("pk", flat=True)) == expected
    assert co_before <= _pairs(co_field, [item.pk])  # the others kept as they were
    _assert_history(item, "co_units", expected, route.user, history)
    _field_change(changes, preview, "责任单位", [], [new_unit.name])
    if changes is not None:
        assert [c.kind for c in changes] == ["改革任务"]


# ---- environment: a problem's 责任单位 and its inspection's townships ------------------
def _problem_row(sheet, number):
    header, columns = _columns(sheet, "序号")
    for row in range(header + 1, sheet.max_row + 1):
        if sheet.cell(row, columns["序号"]).value == number:
            return row, columns
    raise AssertionError(f"problem {number} not in the export")


def test_a_changed_problem_unit_cell_changes_exactly_its_departments(route, write_path):
    from django.db.models import Count

    from environment.choices import ProblemStatus
    from environment.models import Problem

    route = route("sup_d18")
    problem = (
        Problem.objects.annotate(n=Count("departments"))
        .filter(n__gte=1, voided_at__isnull=True)
        .exclude(status=ProblemStatus.CLOSED)
        .order_by("pk")
        .first()
    )
    departments = list(problem.departments.order_by("pk"))
    removed = departments[0]
    added = _short_department({d.pk for d in departments})
    book = _book(route.export("environment"))
    sheet = book.worksheets[0]
    row, columns = _problem_row(sheet, problem.number)
    sheet.cell(row, columns["责任单位"]).value = "、".join(
        [*(d.name for d in departments[1:]), added.short_name, problem.township.name]
    )
    field = Problem._meta.get_field("departments")
    before = _pairs(field, [problem.pk])
    history = problem.history.count()

    changes, preview = route.reimport("environment", _bytes(book))

    expected = {added.pk, *(d.pk for d in departments[1:])}
    assert set(problem.departments.values_list("pk", flat=True)) == expected
    _assert_exact_change(field, problem.pk, before, {removed.pk}, {added.pk})
    _assert_history(problem, "departments", expected, route.user, history)
    label = str(field.verbose_name)
    _field_change(changes, preview, label, [removed.name], [added.name])


def test_a_new_problem_of_another_township_joins_its_inspection(route, write_path):
    from county.models import Village
    from environment.models import Inspection, Problem

    route = route("sup_d18")
    problem = (
        Problem.objects.filter(inspection__isnull=False, voided_at__isnull=True)
        .select_related("inspection", "township")
        .order_by("pk")
        .first()
    )
    inspection = problem.inspection
    joined = set(inspection.townships.values_list("pk", flat=True))
    township = (
        Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True)
        .exclude(pk__in=joined)
        .order_by("pk")
        .first()
    )
    book = _book(route.export("environment"))
    sheet = book.worksheets[0]
    row, columns = _problem_row(sheet, problem.number)
    new = sheet.max_row + 1
    for column in range(1, sheet.max_column + 1):
        sheet.cell(new, column).value = sheet.cell(row, column).value
    number = Problem.all_objects.order_by("-number").values_list("number", flat=True)[0] + 1
    sheet.cell(new, columns["序号"]).value = number
    sheet.cell(new, columns["乡镇"]).value = township.name
    sheet.cell(new, columns["责任单位"]).value = township.name
    village = Village.objects.filter(township=township).order_by("pk").first()
    place = next(label for label in columns if label.startswith("村"))
    sheet.cell(new, columns[place]).value = village.name
    for label in ("经度", "纬度"):
        if label in columns:
            sheet.cell(new, columns[label]).value = None
    field = Inspection._meta.get_field("townships")
    before = _pairs(field, [inspection.pk])
    history = inspection.history.count()

    route.reimport("environment", _bytes(book))

    assert Problem.objects.get(number=number).inspection_id == inspection.pk
    assert set(inspection.townships.values_list("pk", flat=True)) == joined | {township.pk}
    _assert_exact_change(field, inspection.pk, before, set(), {township.pk})
    _assert_history(inspection, "townships", joined | {township.pk}, route.user, history)


# ---- landplan: 涉及村 -------------------------------------------------------------------
def test_a_changed_village_cell_changes_exactly_the_areas_villages(route, write_path):
    from django.db.models import Count

    from county.models import Village
    from landplan.models import PlanArea

    route = route("sup_d17")
    area = PlanArea.objects.annotate(n=Count("villages")).filter(n__gte=1).order_by("pk").first()
    villages = list(area.villages.order_by("pk"))
    removed = villages[0]
    added = (
        Village.objects.filter(township__in=area.townships.all())
        .exclude(pk__in=[v.pk for v in villages])
        .order_by("pk")
        .first()
    )
    book = _book(route.export("landplan"))
    sheet = book.worksheets[0]
    header, columns = _columns(sheet, "片区名称")
    towns = {t.name for t in area.townships.all()}
    row = next(
        r
        for r in range(header + 1, sheet.max_row + 1)
        if sheet.cell(r, columns["片区名称"]).value == area.name
        and set((sheet.cell(r, columns["涉及乡镇"]).value or "").split("、")) == towns
    )
    sheet.cell(row, columns["涉及村"]).value = "、".join(
        [*(v.name for v in villages[1:]), added.name]
    )
    field = PlanArea._meta.get_field("villages")
    before = _pairs(field, [area.pk])
    history = area.history.count()

    changes, preview = route.reimport("landplan", _bytes(book))

    expected = {added.pk, *(v.pk for v in villages[1:])}
    assert set(area.villages.values_list("pk", flat=True)) == expected
    _assert_exact_change(field, area.pk, before, {removed.pk}, {added.pk})
    _assert_history(area, "villages", expected, route.user, history)
    _field_change(changes, preview, "涉及村", [removed.name], [added.name])


# ---- all or nothing ---------------------------------------------------------------------
def test_a_bad_file_with_a_changed_unit_cell_writes_nothing_and_lists_every_bad_row(
    route, write_path
):
    from reforms.models import ReformItem, SubTask

    route = route("sup_d03")
    task = _reform_task()
    item = task.item
    book = _book(route.export("reforms"))
    sheet = _reform_sheet(book, item)
    row, columns = _reform_row(sheet, item, task)
    added = _short_department(set(task.units.values_list("pk", flat=True)))
    sheet.cell(row, columns["责任单位"]).value = added.short_name  # a good change …
    header, _ = _columns(sheet, "具体举措")
    bad_rows = [r for r in range(header + 1, sheet.max_row + 1)
                if sheet.cell(r, columns["具体举措"]).value and r != row][:2]  # fmt: skip
    for bad in bad_rows:  # … and two rows naming units that do not exist
        sheet.cell(bad, columns["责任单位"]).value = f"县不存在局{bad}"
    units = SubTask._meta.get_field("units")
    before = _pairs(units, list(SubTask.objects.values_list("pk", flat=True)))
    co_before = _pairs(ReformItem._meta.get_field("co_units"),
                       list(ReformItem.objects.values_list("pk", flat=True)))  # fmt: skip
    histories = SubTask.history.count(), ReformItem.history.count()

    problems = route.refused("reforms", _bytes(book))

    for bad in bad_rows:
        assert any(p.startswith(f"第{bad}行「责任单位」：") and f"县不存在局{bad}" in p
                   for p in problems), problems  # fmt: skip
    assert _pairs(units, list(SubTask.objects.values_list("pk", flat=True))) == before
    assert _pairs(ReformItem._meta.get_field("co_units"),
                  list(ReformItem.objects.values_list("pk", flat=True))) == co_before  # fmt: skip
    assert (SubTask.history.count(), ReformItem.history.count()) == histories
