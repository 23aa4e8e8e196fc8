"""Load the fictional demo county (示范县) and its demo accounts; idempotent."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from county.choices import Role, UnitKind, VillageKind
from county.models import Leader, SpecialGroup, Supervision, Unit, User, Village
from county.registry import registry

DATA_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo_county.json"
DEMO_PASSWORD = "demo1234"

# Which department supervises which workstream; the first of each gets a supervisor account.
SUPERVISIONS = {
    "reforms": ["县委改革办", "县委目标绩效办"],
    "landplan": ["县自然资源局"],
    "abandoned_land": ["县农业农村局"],
    "environment": ["县住房和城乡建设局", "县农业农村局", "县生态环境局", "县委目标绩效办"],
}
SUPERVISOR_ACCOUNT_UNITS = ["县委改革办", "县自然资源局", "县农业农村局", "县住房和城乡建设局"]


def upsert(model, lookup, values):
    """Create or update one row, saving only when something differs.

    Saving an unchanged row would still add a history record, so a second run
    of load_demo would not be a no-op.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values), True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
    return obj, bool(changed)


def staff_username(unit):
    return unit.code.lower()


def supervisor_username(unit):
    return f"sup_{unit.code.lower()}"


def leader_username(leader):
    return f"leader{leader.order:02d}"


class Command(BaseCommand):
    help = "导入示范县的乡镇、部门、县级领导、专项小组和演示账号（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts", action="store_true", help="只导入县情数据，不创建演示账号。"
        )

    def handle(self, *args, no_accounts=False, **options):
        if not settings.DEBUG and not no_accounts:
            raise CommandError(
                "DEBUG 已关闭（生产环境），拒绝创建演示账号。只导入县情数据请加 --no-accounts。"
            )
        data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        with transaction.atomic():
            changes = self.load_county(data)
            if not no_accounts:
                changes += self.load_accounts()
        for workstream in registry:
            if workstream.load_demo:
                workstream.load_demo(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"示范县已就绪：{Unit.objects.townships().count()} 个乡镇（街道），"
                f"{Village.objects.count()} 个村（社区），"
                f"{Unit.objects.departments().count()} 个部门，"
                f"{Leader.objects.count()} 名县级领导，{SpecialGroup.objects.count()} 个专项小组；"
                f"本次新增或更新 {changes} 条。"
            )
        )

    def load_county(self, data):
        changes = 0
        for order, item in enumerate(data["townships"], start=1):
            township, changed = upsert(
                Unit,
                {"name": item["name"]},
                {
                    "code": f"T{order:02d}",
                    "kind": UnitKind.TOWNSHIP,
                    "township_kind": item["kind"],
                    "order": order,
                },
            )
            changes += changed
            for village in item["villages"]:
                kind = VillageKind.COMMUNITY if village.endswith("社区") else VillageKind.VILLAGE
                changes += upsert(Village, {"township": township, "name": village}, {"kind": kind})[
                    1
                ]
        aliases = {}
        for short, full in data["department_aliases"].items():
            aliases.setdefault(full, []).append(short)
        for order, name in enumerate(data["departments"], start=1):
            changes += upsert(
                Unit,
                {"name": name},
                {
                    "code": f"D{order:02d}",
                    "kind": UnitKind.DEPARTMENT,
                    "township_kind": "",
                    "aliases": "\n".join(aliases.get(name, [])),
                    "order": order,
                },
            )[1]
        townships = {u.name: u for u in Unit.objects.townships()}
        for order, item in enumerate(data["leaders"], start=1):
            leader, changed = upsert(
                Leader, {"name": item["name"]}, {"title": item["title"], "order": order}
            )
            changes += changed
            wanted = {townships[name].pk for name in item["liaison_townships"]}
            if set(leader.liaison_townships.values_list("pk", flat=True)) != wanted:
                leader.liaison_townships.set(wanted)
                changes += 1
        for order, name in enumerate(data["reform_special_groups"], start=1):
            changes += upsert(SpecialGroup, {"name": name}, {"order": order})[1]
        for workstream, unit_names in SUPERVISIONS.items():
            for name in unit_names:
                changes += upsert(
                    Supervision, {"unit": Unit.objects.get(name=name), "workstream": workstream}, {}
                )[1]
        return changes

    def load_accounts(self):
        password = make_password(DEMO_PASSWORD)  # one hash for all demo accounts: fast
        changes = 0

        def account(username, **values):
            _user, created = User.objects.get_or_create(
                username=username, defaults={"password": password, **values}
            )
            return created

        for unit in Unit.objects.all():
            changes += account(
                staff_username(unit),
                role=Role.STAFF,
                unit=unit,
                last_name=f"{unit.short_name}经办人",
            )
        for unit in Unit.objects.filter(name__in=SUPERVISOR_ACCOUNT_UNITS):
            changes += account(
                supervisor_username(unit),
                role=Role.SUPERVISOR,
                unit=unit,
                last_name=f"{unit.short_name}督查员",
            )
        for leader in Leader.objects.all():
            changes += account(
                leader_username(leader), role=Role.LEADER, leader=leader, last_name=leader.name
            )
        changes += account(
            "admin",
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            last_name="系统管理员",
        )
        return changes
