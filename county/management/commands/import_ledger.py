"""import_ledger KEY FILE [--dry-run] [--json]: the same engine as the import pages.

A written import is recorded in the audit log as done by 命令行 (or by ``--user``).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from county.audit import Action, record
from county.models import User
from county.registry import registry


class Command(BaseCommand):
    help = "导入 Excel 台账（全部成功才写入）。KEY 为板块名：reforms、environment 等。"

    def add_arguments(self, parser):
        parser.add_argument("key", help="板块：" + "、".join(w.key for w in registry if w.ledger))
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查和预览，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--year", type=int, help="台账年度（默认从标题识别）")
        parser.add_argument("--user", help="记入变更历史的用户名")

    def handle(self, key, file, dry_run=False, json=False, year=None, user=None, **options):
        workstream = registry.get(key)
        if workstream is None or workstream.ledger is None:
            known = "、".join(w.key for w in registry if w.ledger)
            raise CommandError(f"没有名为“{key}”的台账（可用：{known}）。")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户“{user}”。")
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"无法打开文件：{error}") from None
        report = workstream.ledger.run_import(data, actor, dry_run=dry_run, name=file, year=year)
        if report.ok and not dry_run:
            record(
                Action.IMPORT,
                user=actor,
                username="命令行",
                target=workstream.ledger.title,
                detail=f"{file}：{report.summary()}（命令行 import_ledger）",
            )
        if json:
            self.stdout.write(_json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self._print(report, dry_run)
        if not report.ok:
            raise SystemExit(1)

    def _print(self, report, dry_run):
        if report.ok:
            verb = "预览（未写入）" if dry_run else "导入完成"
            self.stdout.write(self.style.SUCCESS(f"{verb}：{report.summary()}"))
            for note in report.notes:
                self.stdout.write(note)
            return
        self.stderr.write(
            self.style.ERROR(f"导入被拒绝，未写入任何数据。共 {len(report.errors)} 处问题：")
        )
        for error in report.sorted_errors():
            self.stderr.write(f"  {error}")


_json = json
