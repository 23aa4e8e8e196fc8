"""The test workstream's ledger: the smallest example of a county.ledger.Ledger."""

from county.ledger import Column, Ledger, Section, parsers, save_changes

from .models import Dossier


class DossierLedger(Ledger):
    key = "testing"
    title = "测试事项台账"
    model = Dossier
    columns = [
        Column("title", "事项", synonyms=("事项名称",), required=True, width=30),
        Column("unit", "牵头单位", parser=parsers.unit(), required=True),
        Column("co_units", "配合单位", synonyms=("责任单位",), parser=parsers.units),
        Column("deadline", "完成时限", parser=parsers.deadline),
        Column("done", "是否完成", synonyms=("完成状态",), parser=parsers.yes_no),
    ]

    def import_rows(self, rows, report, user):
        existing = {d.title: d for d in Dossier.objects.all()}
        seen = {}
        for row in rows:
            if isinstance(row, Section):
                continue
            title = row["title"]
            if not title:
                report.error(row, row.label("title"), "缺少事项名称")
                continue
            if title in seen:
                report.error(row, row.label("title"), f"与第{seen[title]}行重复")
                continue
            seen[title] = row.number
            if row.is_blank("unit"):
                report.error(row, row.label("unit"), "缺少牵头单位")
            if not row.ok or row["unit"] is None:
                continue
            deadline = row["deadline"]
            values = {
                "unit": row["unit"],
                "co_units": row.get("co_units", []),
                "deadline": deadline.date if deadline else None,
                "done": bool(row["done"]),
            }
            dossier = existing.get(title) or Dossier(title=title)
            creating = dossier.pk is None
            changed = save_changes(dossier, values, user)
            if creating:
                report.add_created("事项", title, row)
            elif changed:
                report.add_updated("事项", title, changed, row)
            else:
                report.add_unchanged("事项")

    def export_rows(self, queryset):
        for dossier in queryset.order_by("pk").prefetch_related("co_units"):
            yield {
                "title": dossier.title,
                "unit": dossier.unit,
                "co_units": list(dossier.co_units.all()),
                "deadline": dossier.deadline,
                "done": dossier.done,
            }
