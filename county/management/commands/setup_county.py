"""setup_county FILE.xlsx [--dry-run] [--json] [--passwords-out OUT.xlsx] | --template OUT.xlsx

The county's own organisation from one workbook, all or nothing (see docs/setup_county.md);
the same code as the administrator's 县情初始化 page.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from county.models import User
from county.setup.apply import record_run, run_setup
from county.setup.passwords import password_sheet
from county.setup.template import county_content, demo_workbook, write_setup_workbook


class Command(BaseCommand):
    help = (
        "按县情工作簿（乡镇、村社区、部门、县级领导、专项小组、账号）初始化或更新本县数据；"
        "全部无误才写入，可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="县情工作簿 .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="只检查和预览，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument(
            "--passwords-out",
            metavar="OUT.xlsx",
            help="新建账号的一次性初始密码表写到这里（有新账号时必填）",
        )
        parser.add_argument(
            "--template", metavar="OUT.xlsx", help="写出模板工作簿（以示范县为例）后退出"
        )
        parser.add_argument(
            "--export", metavar="OUT.xlsx", help="把系统中现有的县情导出为工作簿后退出"
        )
        parser.add_argument("--user", help="记入变更历史和操作日志的用户名")

    def handle(self, *args, file=None, dry_run=False, passwords_out=None, **options):
        if options["template"]:
            self._write(options["template"], demo_workbook(), "模板")
            return
        if options["export"]:
            self._write(options["export"], write_setup_workbook(county_content()), "现有县情")
            return
        if not file:
            raise CommandError(
                "请指定县情工作簿：setup_county 文件.xlsx（或 --template 模板.xlsx）。"
            )
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"没有用户“{options['user']}”。")
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"无法打开文件：{error}") from None
        if passwords_out and not passwords_out.lower().endswith(".xlsx"):
            raise CommandError("初始密码表必须保存为 .xlsx 文件。")

        def deliver(report):
            if report.passwords:
                Path(passwords_out).write_bytes(password_sheet(report.passwords))

        report = run_setup(
            data,
            user=actor,
            name=Path(file).name,
            dry_run=dry_run,
            allow_new_accounts=dry_run or bool(passwords_out),
            before_commit=deliver,
        )
        if report.applied:
            record_run(report, Path(file).name, user=actor)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self._print(report, dry_run, passwords_out)
        if not report.ok:
            raise SystemExit(1)

    def _write(self, path, data, what):
        try:
            Path(path).write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入文件：{error}") from None
        self.stdout.write(self.style.SUCCESS(f"已写出{what}：{path}"))

    def _print(self, report, dry_run, passwords_out):
        if not report.ok:
            self.stderr.write(
                self.style.ERROR(
                    f"县情工作簿被拒绝，未写入任何数据。共 {len(report.errors)} 处问题："
                )
            )
            for error in report.sorted_errors():
                self.stderr.write(f"  {error}")
            return
        verb = "预览（未写入）" if dry_run else "县情已更新"
        self.stdout.write(self.style.SUCCESS(f"{verb}：{report.summary()}"))
        for change in report.changes:
            if change.action == "updated":
                fields = "；".join(f"{label}：{old} → {new}" for label, old, new in change.fields)
                self.stdout.write(f"  更新 {change.kind}“{change.label}”：{fields}")
            elif change.action == "removed":
                self.stdout.write(f"  {change.fields[0][2]} {change.kind}“{change.label}”")
        for note in report.notes:
            self.stdout.write(note)
        if report.created_accounts and not dry_run:
            self.stdout.write(
                f"新建 {len(report.created_accounts)} 个账号，一次性初始密码已写入 {passwords_out}"
                "（系统只保存密码的哈希值；首次登录必须修改密码）。"
            )
