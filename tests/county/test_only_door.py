"""The permission hook is the only door (issue 20): no role, group or superuser check decides
access outside ``county/scoping.py``.

The Python scan walks every project module (not migrations, tests, the hook itself, nor the
modules that define roles) and flags a comparison with ``Role.X`` or ``.role``, a read of
``is_superuser``/``is_staff``/``reads_all``/``is_county_admin``/``supervised_workstreams``/
``user.groups`` and a call of ``.supervises(…)`` — except as a keyword of a query
(``filter(role=Role.STAFF)`` chooses whom to tell, not who may act).  The template scan
flags the same names in ``{% if %}``.  What is not an access decision is allowed below, one
line each, with the reason.
"""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from county import ranking
from county.choices import Role

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "migrations", "tests", "node_modules", "bench", "scripts", "var", "static"}
# The hook, and the modules that define roles and the user's role properties.
SKIP_FILES = {
    "county/scoping.py",  # the hook
    "county/models.py",  # User.is_county_admin, reads_all, supervises: what the hook asks
    "county/choices.py",  # Role itself
}
USER_FLAGS = {"is_superuser", "is_staff", "reads_all", "is_county_admin", "supervised_workstreams"}

# (path, text on the flagged line) → why it is not an access decision.
ALLOWED = {
    ("county/setup/apply.py", "role != Role.LEADER"): "the workbook's account rows: a leader "
    "account names no unit (validation of the 县情 data, not access)",
    ("county/setup/apply.py", "role in (Role.STAFF, Role.SUPERVISOR)"): "idem: staff and "
    "supervisor accounts need a unit",
    ("county/setup/apply.py", "role == Role.LEADER and name"): "idem: a leader account names "
    "its leader",
    ("county/setup/apply.py", "role == Role.SUPERVISOR and unit is not None"): "idem: a "
    "warning that a supervisor's unit supervises nothing",
    ("county/setup/apply.py", "plan.role == Role.ADMIN"): "idem: the set-up's option to make "
    "admin accounts Django superusers",
    ("county/setup/apply.py", "user.is_staff = user.is_superuser = True"): "idem (an "
    "assignment, not a check)",
    ("county/setup/template.py", "user.role == Role.LEADER and user.leader_id"): "exporting "
    "the accounts sheet: which leader an account is",
    ("county/setup/template.py", "Role.ADMIN.label if user.is_superuser"): "idem: the role "
    "label written for a superuser",
    ("county/figures_cache.py", "user.reads_all and not personal"): "the cache key: readers "
    "share one entry of the rows the hook already gave them",
    ("county/profile.py", "user.role != Role.SUPERVISOR or not user.unit_id"): "个人信息 "
    "lists the workstreams a supervisor's unit supervises (a label)",
    ("county/profile.py", "user.supervised_workstreams"): "idem",
    ("county/profile.py", "if user.role == Role.SUPERVISOR"): "idem: the count of units a "
    "supervisor reads, shown on his profile",
    ("county/context_processors.py", "user.role == Role.STAFF and user.unit_id"): "the "
    "navigation's count of 督办单 addressed to a unit's staff (a number, not a door)",
    ("county/views.py", "request.user.role == Role.LEADER and request.user.leader_id"): "the "
    "landing page a role starts on (a redirect, every target checks its own access)",
    ("county/views.py", "request.user.role in (Role.LEADER, Role.SUPERVISOR)"): "idem",
    ("county/inbox.py", "user.role != Role.STAFF"): "我的待办's first group: what was sent "
    "back to a unit's staff (their own unit's rows, already scoped)",
}
TEMPLATE_ALLOWED = {}

TEMPLATE_CHECK = re.compile(
    r"\{%-?\s*(?:if|elif)\b[^%]*\b(user\.role|is_superuser|is_staff|reads_all|is_county_admin"
    r"|supervised_workstreams|user\.groups)\b"
)


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]) or str(rel) in SKIP_FILES:
            continue
        yield str(rel), path


def _names_role(node):
    """Whether an expression is ``Role.X`` or ``<x>.role``."""
    return isinstance(node, ast.Attribute) and (
        node.attr == "role" or (isinstance(node.value, ast.Name) and node.value.id == "Role")
    )


def _is_user(node):
    return "user" in ast.unparse(node).lower()


def role_checks(tree):
    """Line numbers of the role checks in a module, keyword arguments of calls excepted."""
    in_keywords = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        for inner in ast.walk(keyword.value)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in in_keywords:
            continue
        if isinstance(node, ast.Compare) and any(
            _names_role(part) for part in (node.left, *node.comparators)
        ):
            found.append(node.lineno)
        elif isinstance(node, ast.Attribute) and (
            node.attr in USER_FLAGS or (node.attr == "groups" and _is_user(node.value))
        ):
            found.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "supervises"
        ):
            found.append(node.lineno)
    return sorted(set(found))


def _allowed(rel, line):
    return any(rel == path and text in line for path, text in ALLOWED)


def test_no_role_check_decides_access_outside_the_hook():
    offenders = []
    for rel, path in project_modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for lineno in role_checks(ast.parse(source)):
            line = lines[lineno - 1].strip()
            if not _allowed(rel, line):
                offenders.append(f"{rel}:{lineno}: {line}")
    assert offenders == [], "ask county.scoping.may instead:\n" + "\n".join(offenders)


def test_every_allowed_check_still_exists():
    """An allow-list entry whose line is gone is removed, so the list stays short and true."""
    seen = set()
    for rel, path in project_modules():
        for line in path.read_text(encoding="utf-8").splitlines():
            seen |= {(p, t) for p, t in ALLOWED if p == rel and t in line}
    assert set(ALLOWED) - seen == set()


def test_no_template_shows_by_role():
    offenders = []
    for path in sorted(ROOT.rglob("*.html")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts):
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in TEMPLATE_CHECK.finditer(line):
                if (str(rel), match.group(1)) not in TEMPLATE_ALLOWED:
                    offenders.append(f"{rel}:{lineno}: {match.group(0)}")
    assert offenders == [], "use {% may 'action' obj as flag %} (county/templatetags/access):\n" + (
        "\n".join(offenders)
    )


def test_the_scan_finds_a_planted_role_check():
    """The scanner itself: a check in an ``if`` is found, a query keyword is not."""
    planted = ast.parse(
        "if user.role == Role.SUPERVISOR or user.is_superuser:\n    pass\n"
        "User.objects.filter(role=Role.STAFF)\nok = user.supervises('x')\n"
    )
    assert role_checks(planted) == [1, 4]
    assert TEMPLATE_CHECK.search('{% if user.is_county_admin %}<a href="/setup/">')
    assert not TEMPLATE_CHECK.search("{% if can_edit %}")


# ---- what the pages offer is what the hook grants -----------------------------------------
@pytest.fixture
def own_unit_request(demo, unit_named, user_named):
    """A sub-task of 县委改革办 itself (sup_d03's own unit) and one of 县农业农村局, each with
    a pending 完成申请 from its unit's staff."""
    from county.status import today
    from reforms.models import CompletionRequest, ReformItem, SubTask

    item = ReformItem.objects.create(
        year=2099, number=7, title="职责分离", lead_unit=unit_named("县财政局")
    )
    requests = {}
    for order, (unit, asker) in enumerate((("县委改革办", "d03"), ("县农业农村局", "d21")), 1):
        task = SubTask.objects.create(
            item=item, order=order, name=f"{unit}的任务", deadline=today()
        )
        task.units.set([unit_named(unit)])
        requests[unit] = CompletionRequest.objects.create(
            subtask=task, reason="已完成", requested_by=user_named(asker)
        )
    return item, requests


def _decide_url(request):
    return reverse("reforms:decide_completion", args=[request.pk])


def test_item_page_offers_no_decide_form_for_the_viewers_own_unit(
    client, own_unit_request, user_named
):
    item, requests = own_unit_request
    client.force_login(user_named("sup_d03"))  # a supervisor of reforms, of 县委改革办
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert _decide_url(requests["县委改革办"]) not in page  # his own unit's work
    assert _decide_url(requests["县农业农村局"]) in page  # another unit's: he decides
    refused = client.post(_decide_url(requests["县委改革办"]), {"approve": "1"})
    assert refused.status_code == 403  # and the POST agrees with the page
    client.force_login(user_named("admin"))
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert _decide_url(requests["县委改革办"]) in page  # a legitimate decider is offered it


def test_set_formula_follows_the_assessment_flag_not_the_unit_name(demo, unit_named):
    from county.models import Supervision, User
    from county.scoping import ASSESSMENT

    office = unit_named("县委目标绩效办")
    kpi = User.objects.create_user("sup_kpi", password="x", role=Role.SUPERVISOR, unit=office)
    reform = User.objects.get(username="sup_d03")
    assert ranking.may_set_formula(kpi) and not ranking.may_set_formula(reform)
    office.name = "县考核评价中心"  # renamed: the grant stays with the data flag
    office.save()
    kpi = User.objects.get(pk=kpi.pk)
    assert ranking.may_set_formula(kpi)
    Supervision.objects.filter(workstream=ASSESSMENT).update(unit=reform.unit)  # moved
    kpi, reform = User.objects.get(pk=kpi.pk), User.objects.get(pk=reform.pk)
    assert ranking.may_set_formula(reform) and not ranking.may_set_formula(kpi)


def test_leader_writes_instructions_a_supervisor_is_refused(client, own_unit_request, user_named):
    from county.status import today
    from reforms.models import Instruction

    item, _requests = own_unit_request
    url = reverse("reforms:instruct", args=[item.pk])
    data = {"text": "抓紧推进", "given_on": today().isoformat()}
    client.force_login(user_named("leader01"))
    assert "作出批示" in client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert client.post(url, data).status_code == 302
    client.force_login(user_named("sup_d03"))
    assert "作出批示" not in client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert client.post(url, {**data, "text": "越权批示"}).status_code == 403
    assert list(Instruction.objects.filter(item=item).values_list("text", flat=True)) == [
        "抓紧推进"
    ]


def test_navigation_items_follow_the_hook(client, demo, user_named):
    pages = {}
    for username in ("admin", "leader01", "sup_d03", "d21"):
        client.force_login(user_named(username))
        pages[username] = client.get(reverse("county:profile")).content.decode()
    assert (
        'data-testid="nav-setup"' in pages["admin"] and 'data-testid="nav-audit"' in pages["admin"]
    )
    for username in ("leader01", "sup_d03", "d21"):
        assert 'data-testid="nav-setup"' not in pages[username]
    assert 'data-testid="nav-leader"' in pages["leader01"]
    assert 'data-testid="nav-briefing"' in pages["sup_d03"]
    assert 'data-testid="nav-briefing"' not in pages["d21"]
