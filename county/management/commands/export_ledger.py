"""export_ledger KEY OUT.xlsx [--year Y] [--filter field=value …]: the ledger as the export
pages format it, with the same filters as the list pages.

The workbook streams to OUT (memory does not grow with the number of rows); a ledger kept
per year has one sheet per year. Each export is recorded in the audit log as done by 命令行.
"""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from county.audit import Action, record
from county.registry import registry


class Command(BaseCommand):
    help = "导出 Excel 台账（与页面导出格式相同，可按年度和页面的筛选条件导出）。"

    def add_arguments(self, parser):
        parser.add_argument("key", help="板块：" + "、".join(w.key for w in registry if w.ledger))
        parser.add_argument("out", help="输出的 .xlsx 文件路径")
        parser.add_argument("--year", type=int, help="只导出这一年度（按年度管理的台账）")
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="字段=值",
            help="与列表页相同的筛选条件，可重复，如 --filter status=planted",
        )

    def handle(self, key, out, year=None, filters=(), **options):
        workstream = registry.get(key)
        if workstream is None or workstream.ledger is None:
            known = "、".join(w.key for w in registry if w.ledger)
            raise CommandError(f"没有名为“{key}”的台账（可用：{known}）。")
        ledger = workstream.ledger
        queryset = self._filtered(ledger, filters)
        if year is not None:
            if not ledger.per_year:
                raise CommandError(f"“{ledger.title}”不按年度管理，不能使用 --year。")
            queryset = queryset.filter(**{ledger.year_field: year})
        ledger.export_to(queryset, out)
        count = queryset.count()
        conditions = "；".join([*(f"年度={year}",) * (year is not None), *filters]) or "全部"
        record(
            Action.EXPORT,
            username="命令行",
            target=ledger.title,
            detail=f"{out}（{count} 条；筛选：{conditions}；命令行 export_ledger）",
        )
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 条到 {out}"))

    def _filtered(self, ledger, pairs):
        """All records (voided ones left out), narrowed by the list page's filters."""
        queryset = ledger.model._default_manager.all()
        if not pairs:
            return queryset
        if ledger.filterset_class is None:
            raise CommandError(f"“{ledger.title}”没有筛选条件。")
        params = QueryDict(mutable=True)
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"筛选条件“{pair}”应写成 字段=值。")
            params.appendlist(name.strip(), value.strip())
        filterset = ledger.filterset_class(params, queryset=queryset)
        unknown = sorted(set(params) - set(filterset.filters))
        if unknown:
            known = "、".join(filterset.filters)
            raise CommandError(f"未知的筛选条件：{'、'.join(unknown)}（可用：{known}）。")
        if not filterset.is_valid():
            problems = "；".join(
                f"{name}：{'，'.join(errors)}" for name, errors in filterset.errors.items()
            )
            raise CommandError(f"筛选条件有误：{problems}")
        return filterset.qs
