"""Load the fictional demo county (示范县), its demo accounts and ledgers; idempotent.

The county comes from the set-up workbook county/demo/demo_county.xlsx through the same
code as ``setup_county``; its 账号 sheet holds the demo accounts, which get the known
password demo1234 (no forced change) instead of one-time passwords, and only in DEBUG.
Then every workstream loads its demo records through the registry.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from county.demo_places import apply_demo_places
from county.models import Leader, SpecialGroup, Unit, Village
from county.registry import registry
from county.setup.apply import run_setup
from county.setup.passwords import SharedPassword
from county.setup.template import DEMO_WORKBOOK
from county.workdays.seed import seed as seed_holidays

DEMO_PASSWORD = "demo1234"


class Command(BaseCommand):
    help = "导入示范县的乡镇、部门、县级领导、专项小组、演示账号和演示台账（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts", action="store_true", help="只导入县情数据，不创建演示账号。"
        )

    def handle(self, *args, no_accounts=False, **options):
        if not settings.DEBUG and not no_accounts:
            raise CommandError(
                "DEBUG 已关闭（生产环境），拒绝创建演示账号。只导入县情数据请加 --no-accounts。"
            )
        report = run_setup(
            DEMO_WORKBOOK.read_bytes(),
            name=DEMO_WORKBOOK.name,
            accounts=not no_accounts,
            passwords=SharedPassword(DEMO_PASSWORD),
            reason="示范县演示数据",
        )
        if not report.ok:
            problems = "\n".join(f"  {error}" for error in report.sorted_errors())
            raise CommandError(f"示范县工作簿有问题，未写入任何数据：\n{problems}")
        apply_demo_places()  # fictional township outlines and village points (the maps)
        seed_holidays()  # the holiday calendar, if a flushed test database lost it
        for workstream in registry:
            if workstream.load_demo:
                workstream.load_demo(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"示范县已就绪：{Unit.objects.townships().count()} 个乡镇（街道），"
                f"{Village.objects.count()} 个村（社区），"
                f"{Unit.objects.departments().count()} 个部门，"
                f"{Leader.objects.count()} 名县级领导，{SpecialGroup.objects.count()} 个专项小组；"
                f"县情工作簿（乡镇、村、部门、领导、小组、账号）本次新建或更新 "
                f"{report.changed_count()} 条。"
            )
        )
