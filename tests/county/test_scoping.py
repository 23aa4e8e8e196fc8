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
