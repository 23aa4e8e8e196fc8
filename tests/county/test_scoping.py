"""Row scoping: who sees and who changes a unit's records, for every role."""

import datetime

import pytest

from county.models import Supervision, User
from tests.testapp.models import Dossier


@pytest.fixture
def dossiers(demo, unit_named):
    agri, housing, town = (unit_named(n) for n in ("县农业农村局", "县住房和城乡建设局", "城关镇"))
    own = Dossier.objects.create(title="农业局牵头", unit=agri)
    shared = Dossier.objects.create(title="住建局牵头、城关镇配合", unit=housing)
    shared.co_units.add(town, agri)  # two co-units: must not be listed twice
    other = Dossier.objects.create(title="住建局独办", unit=housing)
    return {"own": own, "shared": shared, "other": other}


def titles(qs):
    return sorted(qs.values_list("title", flat=True))


def test_staff_sees_and_edits_only_own_units_records(dossiers, user_named):
    agri_staff = user_named("d21")
    assert titles(Dossier.objects.visible_to(agri_staff)) == [
        "住建局牵头、城关镇配合",
        "农业局牵头",
    ]
    assert titles(Dossier.objects.editable_by(agri_staff)) == [
        "住建局牵头、城关镇配合",
        "农业局牵头",
    ]
    assert not dossiers["other"].is_visible_to(agri_staff)
    assert not dossiers["other"].is_editable_by(agri_staff)


def test_township_staff_sees_records_it_co_owns(dossiers, user_named):
    town_staff = user_named("t02")
    assert titles(Dossier.objects.visible_to(town_staff)) == ["住建局牵头、城关镇配合"]
    assert titles(Dossier.objects.visible_to(user_named("t03"))) == []


def test_leader_reads_everything_and_changes_nothing(dossiers, user_named):
    leader = user_named("leader01")
    assert Dossier.objects.visible_to(leader).count() == 3
    assert Dossier.objects.editable_by(leader).count() == 0


def test_supervisor_changes_only_the_workstreams_it_supervises(dossiers, user_named):
    supervisor = user_named("sup_d18")
    assert Dossier.objects.visible_to(supervisor).count() == 3
    assert Dossier.objects.editable_by(supervisor).count() == 0
    Supervision.objects.create(unit=supervisor.unit, workstream="testing")
    supervisor = user_named("sup_d18")  # supervised workstreams are cached per instance
    assert Dossier.objects.editable_by(supervisor).count() == 3


def test_admin_changes_everything(dossiers, user_named):
    admin = user_named("admin")
    assert Dossier.objects.editable_by(admin).count() == 3


def test_anonymous_and_inactive_users_see_nothing(dossiers, user_named):
    from django.contrib.auth.models import AnonymousUser

    assert Dossier.objects.visible_to(AnonymousUser()).count() == 0
    staff = user_named("d21")
    staff.is_active = False
    assert Dossier.objects.visible_to(staff).count() == 0
    assert Dossier.objects.visible_to(None).count() == 0


def test_staff_without_unit_sees_nothing(dossiers):
    loose = User(username="loose", role="staff")
    assert Dossier.objects.visible_to(loose).count() == 0
    assert Dossier.objects.editable_by(loose).count() == 0


def test_user_validation_requires_unit_for_staff(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        User(username="x", role="staff").full_clean()
    assert "必须属于一个单位" in str(err.value)


@pytest.mark.django_db  # 临期 reads the working-day calendar
def test_deadline_light_rule():
    from county.status import Light, light_for

    on = datetime.date(2023, 10, 20)
    assert light_for(datetime.date(2023, 10, 19), on=on) == Light.OVERDUE
    assert light_for(datetime.date(2023, 10, 20), on=on) == Light.DUE_SOON
    assert light_for(datetime.date(2023, 10, 27), on=on) == Light.DUE_SOON
    assert light_for(datetime.date(2023, 10, 28), on=on) == Light.NORMAL
    assert light_for(None, on=on) == Light.LONG_TERM
    assert light_for(datetime.date(2023, 1, 1), done=True, on=on) == Light.DONE


def test_unit_names_resolve_by_alias_full_width_and_spaces(demo):
    from county.naming import UnitResolver, split_names

    resolver = UnitResolver.from_db()
    assert resolver.resolve("县住建局").name == "县住房和城乡建设局"
    assert resolver.resolve(" 县 住建局 ").name == "县住房和城乡建设局"
    assert resolver.resolve("农业农村局").name == "县农业农村局"
    assert resolver.resolve("城关镇").name == "城关镇"
    assert resolver.resolve("县不存在局") is None
    assert split_names("县住建局、县交通局，城关镇\n县供电公司; 县财政局") == [
        "县住建局",
        "县交通局",
        "城关镇",
        "县供电公司",
        "县财政局",
    ]


# --- restrict(): the one permission hook (issue 10) -------------------------------------------


def test_restrict_answers_every_action_from_the_declarations(dossiers, user_named):
    from county.scoping import ACTIONS, may, restrict

    staff, other, sup, leader, admin = (
        user_named(n) for n in ("d21", "t03", "sup_d18", "leader01", "admin")
    )
    Supervision.objects.create(unit=sup.unit, workstream="testing")
    sup = user_named("sup_d18")
    assert titles(restrict(Dossier, staff, "view")) == titles(Dossier.objects.visible_to(staff))
    assert titles(restrict(Dossier.objects.all(), staff, "export")) == [
        "住建局牵头、城关镇配合",
        "农业局牵头",
    ]
    assert restrict(Dossier, other, "export").count() == 0
    # Staff change their unit's rows but delete, import and decide nothing.
    for action in ("delete", "import", "decide"):
        assert restrict(Dossier, staff, action).count() == 0, action
    assert may(staff, "create", Dossier) and not may(leader, "create", Dossier)
    assert not may(staff, "import", Dossier) and may(sup, "import", Dossier)
    assert restrict(Dossier, leader, "view").count() == 3
    for action in ("change", "create", "delete", "decide", "import"):
        assert restrict(Dossier, leader, action).count() == 0, action
    assert restrict(Dossier, admin, "delete").count() == 3
    # A supervisor never decides the work of his own unit (县住建局 owns two dossiers).
    assert titles(restrict(Dossier, sup, "decide")) == ["农业局牵头"]
    with pytest.raises(ValueError):
        restrict(Dossier, staff, "fly")
    assert set(ACTIONS) >= {"view", "change", "create", "delete", "decide", "import", "export"}


def test_a_models_permissions_mapping_overrides_the_defaults(dossiers, user_named, monkeypatch):
    from county.scoping import restrict

    staff = user_named("d21")
    monkeypatch.setattr(Dossier, "permissions", {"change": ("supervisor",)}, raising=False)
    assert restrict(Dossier, staff, "change").count() == 0
    assert restrict(Dossier, staff, "view").count() == 2  # defaults kept for other actions


def test_self_decision_can_be_allowed_per_workstream(dossiers, user_named, settings):
    from county.scoping import restrict

    Supervision.objects.create(unit=user_named("sup_d18").unit, workstream="testing")
    settings.SELF_DECIDING_WORKSTREAMS = ["testing"]
    assert restrict(Dossier, user_named("sup_d18"), "decide").count() == 3


# --- Issue 10 item 3: a detail page shows other units' sub-tasks as a name and status only ----


@pytest.fixture
def item_12(demo, unit_named, user_named):
    """Demo item 12: led by 县农业农村局 (d21); 县生态环境局 (d30) has one sub-task."""
    from django.core.files.base import ContentFile

    from reforms.models import Attachment, DeadlineChange, ProgressReport, ReformItem

    item = ReformItem.objects.get(number=12, subtasks__units=unit_named("县生态环境局"))
    theirs = item.subtasks.get(units=unit_named("县农业农村局"))
    mine = item.subtasks.get(units=unit_named("县生态环境局"))
    d21 = user_named("d21")
    theirs.progress = "农业局的秘密进展甲"
    theirs.save()
    mine.progress = "环境局自己的进展乙"
    mine.save()
    report = ProgressReport.objects.create(
        subtask=theirs, text="农业局进展报告丙", percent=40, author=d21, unit=d21.unit
    )
    Attachment.objects.create(
        report=report,
        file=ContentFile(b"x", name="a.txt"),
        name="农业局附件丁.pdf",
        size=1,
        content_type="application/pdf",
    )
    DeadlineChange.objects.create(
        subtask=theirs,
        reason="农业局延期理由戊",
        requested_by=d21,
        old_deadline=theirs.deadline,
        new_deadline=datetime.date(2031, 6, 30),
    )
    return item, theirs, mine


SECRETS = ("农业局的秘密进展甲", "农业局进展报告丙", "农业局附件丁", "农业局延期理由戊")


def test_co_unit_sees_only_its_own_sub_task_in_full(item_12, user_named, client):
    item, theirs, mine = item_12
    client.force_login(user_named("d30"))
    page = client.get(f"/reforms/items/{item.pk}/").content.decode()
    assert "环境局自己的进展乙" in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert theirs.name in page  # name and status line only
    assert page.count('data-testid="task-summary-only"') == item.subtasks.count() - 1
    # The API agrees: the other unit's sub-task and its report are not there.
    assert client.get(f"/api/reforms/subtasks/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/reforms/subtasks/{mine.pk}/").status_code == 200
    listed = client.get("/api/reforms/progress/", {"page_size": 1000}).content.decode()
    assert "农业局进展报告丙" not in listed


def test_lead_unit_and_supervisors_see_every_sub_task(item_12, user_named, client):
    item, _theirs, _mine = item_12
    for username in ("d21", "sup_d03", "leader01"):
        client.force_login(user_named(username))
        page = client.get(f"/reforms/items/{item.pk}/").content.decode()
        for secret in SECRETS:
            assert secret in page, (username, secret)
        assert 'data-testid="task-summary-only"' not in page


# --- Issue 10 item 6: a unit never accepts its own work ------------------------------------


@pytest.fixture
def housing_rectification(demo, unit_named, user_named):
    """A problem only 县住建局 owns, its rectification submitted by 县住建局 staff (d18)."""
    from environment.choices import ProblemStatus, ReviewResult
    from environment.models import Problem, Rectification

    housing = unit_named("县住房和城乡建设局")
    problem = (
        Problem.objects.filter(departments=housing, status=ProblemStatus.RECTIFYING)
        .exclude(departments__in=[unit_named("县农业农村局")])
        .first()
    )
    problem.departments.set([housing])
    problem.status = ProblemStatus.PENDING
    problem.save()
    rectification = Rectification.objects.create(
        problem=problem, note="已清理", submitted_by=user_named("d18"), result=ReviewResult.PENDING
    )
    return problem, rectification


def test_a_units_supervisor_cannot_accept_his_own_units_work(housing_rectification, user_named):
    from django.core.exceptions import PermissionDenied

    from environment.choices import ProblemStatus
    from environment.models import Problem

    problem, rectification = housing_rectification
    history_before = problem.history.count()
    with pytest.raises(PermissionDenied) as refused:
        Problem.objects.get(pk=problem.pk).accept(user_named("sup_d18"), "本单位自验")
    assert "县住房和城乡建设局不能审核本单位自己的工作" in str(refused.value)
    with pytest.raises(PermissionDenied):
        Problem.objects.get(pk=problem.pk).reject(user_named("sup_d18"), "退回")
    problem.refresh_from_db()
    rectification.refresh_from_db()
    assert problem.status == ProblemStatus.PENDING and rectification.decided_by is None
    assert problem.history.count() == history_before
    # Another unit's supervisor of the same workstream decides it.
    Problem.objects.get(pk=problem.pk).accept(user_named("sup_d21"), "现场核实")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED


def test_own_units_work_stays_out_of_its_supervisors_inbox(housing_rectification, user_named):
    from county.inbox import inbox_rows

    _problem, rectification = housing_rectification
    key = f"environment.rectification:{rectification.pk}"
    assert key not in {r["key"] for r in inbox_rows(user_named("sup_d18"))[0]}
    assert key in {r["key"] for r in inbox_rows(user_named("sup_d21"))[0]}


def test_own_units_work_refused_through_inbox_and_api(housing_rectification, user_named, client):
    from environment.choices import ProblemStatus

    problem, rectification = housing_rectification
    client.force_login(user_named("sup_d18"))
    answer = client.post(
        f"/inbox/environment.rectification/{rectification.pk}/",
        {"action": "accept", "note": ""},
    )
    assert answer.status_code in (404, 409)
    answer = client.post(
        f"/api/environment/problems/{problem.pk}/accept/", {"reason": ""}, format="json"
    )
    assert answer.status_code in (400, 403, 409)
    assert "不能审核本单位自己的工作" in answer.content.decode()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.PENDING


def test_self_decision_allowed_when_the_county_says_so(housing_rectification, user_named, settings):
    from environment.choices import ProblemStatus
    from environment.models import Problem

    settings.SELF_DECIDING_WORKSTREAMS = ["environment"]
    problem, _rectification = housing_rectification
    Problem.objects.get(pk=problem.pk).accept(user_named("sup_d18"), "本县允许")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
