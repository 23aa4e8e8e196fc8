"""load_demo: the demo county's counts, its accounts, and that a second run changes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from county.choices import Role
from county.models import Leader, SpecialGroup, Supervision, Unit, User, Village


def test_demo_county_counts(demo):
    assert Unit.objects.townships().count() == 20
    assert Unit.objects.departments().count() == 40
    assert Village.objects.count() == 214
    assert Leader.objects.count() == 12
    assert SpecialGroup.objects.count() == 6
    assert Unit.objects.get(name="县住房和城乡建设局").alias_list == ["县住建局"]
    assert Unit.objects.get(name="城关镇").villages.count() == 9
    chen = Leader.objects.get(name="陈明")
    assert sorted(t.name for t in chen.liaison_townships.all()) == ["北坝镇", "南山镇"]


def test_demo_accounts_one_per_unit_and_role(demo):
    assert User.objects.filter(role=Role.STAFF).count() == 60
    assert set(User.objects.filter(role=Role.SUPERVISOR).values_list("unit__name", flat=True)) == {
        "县委改革办",
        "县自然资源局",
        "县农业农村局",
        "县住房和城乡建设局",
    }
    assert User.objects.filter(role=Role.LEADER, leader__isnull=False).count() == 12
    assert User.objects.get(username="admin").is_superuser
    d21 = User.objects.get(username="d21")
    assert d21.unit.name == "县农业农村局"
    assert d21.check_password("demo1234")
    assert User.objects.get(username="sup_d18").supervises("environment")


def test_second_run_changes_nothing(demo, settings):
    settings.DEBUG = True

    def snapshot():
        return [
            Unit.objects.count(),
            Village.objects.count(),
            User.objects.count(),
            Supervision.objects.count(),
            Unit.history.count(),
            Village.history.count(),
            Leader.history.count(),
        ]

    before = snapshot()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert snapshot() == before
    assert "本次新建或更新 0 条" in out.getvalue()


def test_refuses_demo_accounts_when_debug_is_off(demo, settings):
    settings.DEBUG = False
    User.objects.filter(username="d40").delete()
    before = (User.objects.count(), Unit.history.count())
    with pytest.raises(CommandError, match="拒绝创建演示账号"):
        call_command("load_demo", stdout=io.StringIO())
    assert (User.objects.count(), Unit.history.count()) == before
    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    assert Unit.objects.count() == 60
    assert not User.objects.filter(username="d40").exists()
