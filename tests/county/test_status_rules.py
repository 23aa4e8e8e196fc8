"""One truth for every state: the rule module (county.status) and the inputs each workstream
declares give a record the same light and the same 逾期 on every page, count and reminder;
and no other module compares a deadline with today or picks a light (a scan of the code)."""

import ast
import datetime
import pathlib

import pytest
from django.urls import reverse

from county.choices import Role
from county.models import Leader, Unit, User
from county.status import Light, today
from tests.county import small_county

ROOT = pathlib.Path(__file__).resolve().parents[2]
DAY = datetime.timedelta(days=1)


@pytest.fixture
def reform_office(demo):
    return User.objects.filter(role=Role.SUPERVISOR, unit__name="县委改革办").first()


def test_an_item_without_subtasks_is_normal_on_the_model_overview_list_and_cockpit(
    client, reform_office
):
    from reforms.cockpit import items_by_light
    from reforms.filtersets import ReformItemFilter
    from reforms.models import ReformItem

    on = today()
    item = ReformItem.objects.create(
        year=on.year, number=9901, title="尚无细分任务的改革任务", lead_unit=reform_office.unit
    )
    visible = ReformItem.objects.visible_to(reform_office)
    assert item.rollup()[0] == Light.NORMAL

    listed = ReformItemFilter({"light": "normal"}, queryset=visible).qs
    assert item in listed
    client.force_login(reform_office)
    page = client.get(reverse("reforms:list"), {"light": "normal"})
    assert item.title in page.content.decode()

    overview = client.get(reverse("reforms:overview"))
    bar = {badge["light"]: n for badge, n in overview.context["light_totals"]}
    cockpit = sum(
        n for (_g, _t, light), n in items_by_light(reform_office, on).items() if light == "normal"
    )
    assert bar[Light.NORMAL] == listed.count() == cockpit
    assert sum(bar.values()) == visible.count()  # every item has exactly one light


@pytest.fixture
def liaison(demo):
    """城关镇, a staff account of it, and a leader who liaises with it."""
    town = Unit.objects.get(name="城关镇")
    staff = User.objects.filter(unit=town, role=Role.STAFF, is_active=True).first()
    leader = Leader.objects.create(name="联系领导", title="副县长", order=98)
    leader.liaison_townships.set([town])
    boss = User.objects.create_user("liaison_t", password="x", role=Role.LEADER, leader=leader)
    return town, staff, leader, boss


def _counts(problem, staff, leader, boss, on):
    """How each reader counts ``problem``: is it 逾期 there?"""
    from county.cockpit import leader_summary, leader_work
    from county.reminders.scan import scan_items
    from county.views import todo_groups
    from environment.filtersets import ProblemFilter
    from environment.models import Problem
    from environment.notices import cockpit_figures

    url = problem.get_absolute_url()
    todo = [row for g in todo_groups(staff, on) for row in g["rows"] if row["url"] == url]
    rows, _ = leader_work(leader, on)
    mine = [row for row in rows if row["url"] == url]
    summary = {s["label"]: s["late"] for s in leader_summary(leader, on)}
    scanned = [i for i in scan_items(on) if (i.kind, i.pk) == ("environment.problem", problem.pk)]
    figure = {f.label: f.value for f in cockpit_figures(boss)}["逾期未整改"]
    listed = ProblemFilter({"overdue": "1"}, queryset=Problem.objects.all()).qs
    return {
        "model": problem.light == Light.OVERDUE,
        "todo": bool(todo) and todo[0]["light"] == Light.OVERDUE,
        "leader": bool(mine) and mine[0]["light"] == Light.OVERDUE,
        "reminders": bool(scanned) and scanned[0].deadline < on,
        "list": listed.filter(pk=problem.pk).exists(),
    }, (figure, sum(summary.values()))


def test_a_problem_awaiting_acceptance_past_its_deadline_is_not_overdue_anywhere(
    liaison,
):
    """待验收 past the deadline: the unit reported, the clock is the supervisor's (one rule)."""
    from environment.choices import ProblemStatus

    town, staff, leader, boss = liaison
    on = today()
    problem = small_county.problem(town, found_on=on - 20 * DAY, deadline=on - 3 * DAY)
    problem.status = ProblemStatus.PENDING  # rectification submitted, waiting for acceptance
    problem.save()
    states, (figure, late) = _counts(problem, staff, leader, boss, on)
    assert not any(states.values()), states

    problem.status = ProblemStatus.RECTIFYING  # sent back: the unit's work again, and late
    problem.save()
    again, (figure_after, late_after) = _counts(problem, staff, leader, boss, on)
    assert all(again.values()), again
    assert (figure_after - figure, late_after - late) == (1, 1)  # cockpit and leader page


# --- the scan: nothing outside the rule module decides a state ---------------------------

# Where a state may be decided: the rule module itself. Each workstream's declaration (its
# registration.py) names inputs only, so it needs no exemption; tests and migrations are
# not scanned, nor the virtualenv.
ALLOWED = ("county/status/",)
SKIPPED = (".venv/", "tests/", "bench/", "node_modules/")
TODAYISH = {"on", "today", "soon", "now"}
LOOKUPS = ("deadline__lt", "deadline__lte", "deadline__gt", "deadline__gte")


def _todayish(node):
    """``on``, ``today()``, ``timezone.localdate()``, ``on + 7 days`` …"""
    if isinstance(node, ast.Name):
        return node.id in TODAYISH
    if isinstance(node, ast.BinOp):
        return _todayish(node.left) or _todayish(node.right)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in ("today", "localdate", "now")
    return False


def _mentions_deadline(node):
    return any(
        "deadline" in (getattr(sub, "id", "") or getattr(sub, "attr", "") or "")
        for sub in ast.walk(node)
        if isinstance(sub, (ast.Name, ast.Attribute))
    )


def _key_text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) else "deadline" * _mentions_deadline(v)
            for v in node.values
        )
    return ""


def _is_light(node):
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[0]
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Light"
        and node.attr.isupper()
    )


def state_decisions(source, name="<src>"):
    """``[(line, why)]``: deadlines compared or looked up against today, lights assigned."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Compare) and not all(
            isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot))
            for op in node.ops
        ):
            parts = [node.left, *node.comparators]
            if any(map(_mentions_deadline, parts)) and any(
                _todayish(p) and not _mentions_deadline(p) for p in parts
            ):
                found.append((node.lineno, "a deadline compared with today"))
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg and kw.arg.endswith(LOOKUPS) and _todayish(kw.value):
                    found.append((node.lineno, f"{kw.arg} against today"))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None and _key_text(key).endswith(LOOKUPS) and _todayish(value):
                    found.append((node.lineno, "a deadline lookup against today"))
        values = []
        if isinstance(node, (ast.Return, ast.Assign, ast.AnnAssign)) and node.value is not None:
            values.append(node.value)
        if isinstance(node, ast.IfExp):
            values += [node.body, node.orelse]
        if isinstance(node, ast.keyword) and node.arg in ("then", "default"):
            values.append(node.value)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "next":
            values += node.args[1:]
        if any(map(_is_light, values)):
            found.append((node.lineno, "a light assigned"))
    return found


def test_the_scan_catches_a_deadline_compared_with_today_and_a_light_assigned():
    bad = (
        "late = task.deadline < on\n"
        "rows = Task.objects.filter(deadline__lte=today() + soon)\n"
        "q = Q(**{f'{p}deadline__lt': on})\n"
        "def light(x):\n    return Light.OVERDUE\n"
        "x = next((a for a in b), Light.NORMAL)\n"
    )
    assert sorted(line for line, _ in state_decisions(bad)) == [1, 2, 3, 5, 6]
    fine = "if light == Light.DONE:\n    n = by_light[Light.OVERDUE]\n"
    fine += "rows.filter(deadline__gte=date_from)\n"
    assert state_decisions(fine) == []


def test_no_module_outside_the_rule_module_decides_a_state():
    offences = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(SKIPPED + ALLOWED) or "/migrations/" in rel:
            continue
        offences += [f"{rel}:{line}: {why}" for line, why in state_decisions(path.read_text(), rel)]
    assert offences == [], (
        "ask county.status (or the workstream's StatusRules) instead:\n" + "\n".join(offences)
    )
