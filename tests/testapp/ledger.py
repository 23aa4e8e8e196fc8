"""The test workstream's ledger: the smallest example of a county.ledger.Ledger.

Everything but one rule is declared: 事项 is the key and must be filled, 牵头单位 must be
filled, each column names the field it writes. The one rule: 完成时限 writes its date.
"""

from county.ledger import Column, Ledger, parsers

from .models import Dossier


class DossierLedger(Ledger):
    key = "testing"
    title = "测试事项台账"
    model = Dossier
    kind = "事项"
    columns = [
        Column("title", "事项", synonyms=("事项名称",), required="缺少事项名称", width=30,
               key=True, attr="title"),
        Column("unit", "牵头单位", parser=parsers.unit(), required="缺少牵头单位", attr="unit"),
        Column("co_units", "配合单位", synonyms=("责任单位",), parser=parsers.units,
               attr="co_units"),
        Column("deadline", "完成时限", parser=parsers.deadline),
        Column("done", "是否完成", synonyms=("完成状态",), parser=parsers.yes_no, attr="done"),
    ]  # fmt: skip

    def clean(self, row, values, stored, report):
        if row.has_column("deadline"):
            deadline = row["deadline"]
            values["deadline"] = deadline.date if deadline else None
        return values

    def label_of(self, row, values):
        return row["title"]

    def export_rows(self, queryset):
        for dossier in queryset.order_by("pk").prefetch_related("co_units"):
            yield {
                "title": dossier.title,
                "unit": dossier.unit,
                "co_units": list(dossier.co_units.all()),
                "deadline": dossier.deadline,
                "done": dossier.done,
            }
