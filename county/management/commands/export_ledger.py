"""export_ledger KEY OUT.xlsx: the whole ledger as the export pages format it.

Each export is recorded in the audit log as done by 命令行.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from county.audit import Action, record
from county.registry import registry


class Command(BaseCommand):
    help = "导出 Excel 台账（与页面导出格式相同）。"

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("out", help="输出的 .xlsx 文件路径")

    def handle(self, key, out, **options):
        workstream = registry.get(key)
        if workstream is None or workstream.ledger is None:
            known = "、".join(w.key for w in registry if w.ledger)
            raise CommandError(f"没有名为“{key}”的台账（可用：{known}）。")
        ledger = workstream.ledger
        queryset = ledger.model._default_manager.all()
        data = ledger.export(queryset)
        Path(out).write_bytes(data)
        record(
            Action.EXPORT,
            username="命令行",
            target=ledger.title,
            detail=f"{out}（{queryset.count()} 条；命令行 export_ledger）",
        )
        self.stdout.write(self.style.SUCCESS(f"已导出到 {out}（{len(data) // 1024} KB）"))
