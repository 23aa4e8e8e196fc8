"""The yardstick: django-import-export 4.4.3 importing the parcel ledger into the same model.

A development-only dependency (bench/requirements.txt), never imported by the application.
Its fastest documented configuration: ``use_bulk`` with ``batch_size=1000``, ``skip_diff``,
the cached instance loader, cached foreign-key widgets, one transaction, no row values or
instances kept in the result. It is given what it needs to read the same file: the
header below the title row (tablib's ``skip_lines``), blank and 合计 rows dropped before
the import, and widgets that read 亩 after numbers, full-width digits, Chinese dates and
choice labels with the project's own parsers. Its bulk writes save no history rows (ours
do).
"""

from django.db.models import F
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from tablib import Dataset

from abandoned_land.choices import (
    OPERATOR_TYPE_ALIASES,
    SEASON_ALIASES,
    OperatorType,
    ParcelStatus,
    Season,
)
from abandoned_land.models import Parcel
from county.ledger import parsers
from county.ledger.errors import CellError
from county.models import Unit, Village


class ParsedWidget(widgets.Widget):
    """A cell read by one of the project's parsers (None and '' stay empty)."""

    def __init__(self, parse, empty=None):
        super().__init__()
        self.parse, self.empty = parse, empty

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return self.empty
        try:
            return self.parse(value)
        except CellError as error:
            raise ValueError(str(error)) from None


class VillageWidget(widgets.CachedForeignKeyWidget):
    """A village by its name within the row's township, from one cached query."""

    def get_queryset(self, value, row, *args, **kwargs):
        return Village.objects.select_related(None).annotate(township_name=F("township__name"))

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {"name": value, "township_name": row["乡镇"]}


def _field(attribute, column, widget=None):
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class ParcelResource(resources.ModelResource):
    """The parcel ledger's columns, mapped as django-import-export maps them."""

    township = _field("township", "乡镇", widgets.CachedForeignKeyWidget(Unit, "name"))
    village = _field("village", "村（社区）", VillageWidget(Village, "name"))
    code = _field("code", "地块编号", widgets.CharWidget())
    area = _field("area", "面积（亩）", ParsedWidget(parsers.decimal))
    year_abandoned = _field("year_abandoned", "撂荒年份", ParsedWidget(parsers.integer))
    cause = _field("cause", "撂荒原因", widgets.CharWidget())
    remediated_on = _field("remediated_on", "整治时间", ParsedWidget(parsers.date))
    method = _field("method", "整治方式", widgets.CharWidget())
    crop = _field("crop", "种植作物", widgets.CharWidget())
    season = _field("season", "种植季节", ParsedWidget(parsers.choice(Season, SEASON_ALIASES), ""))
    operator = _field("operator", "经营主体", widgets.CharWidget())
    operator_type = _field(
        "operator_type",
        "经营主体类型",
        ParsedWidget(parsers.choice(OperatorType, OPERATOR_TYPE_ALIASES), ""),
    )
    status = _field("status", "状态", ParsedWidget(parsers.choice(ParcelStatus)))
    note = _field("note", "备注", widgets.CharWidget())

    class Meta:
        model = Parcel
        fields = (
            "township", "village", "code", "area", "year_abandoned", "cause", "remediated_on",
            "method", "crop", "season", "operator", "operator_type", "status", "note",
        )  # fmt: skip
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_html_diff = True
        use_transactions = True
        store_row_values = False
        store_instance = False

    def before_import(self, dataset, **kwargs):
        """Drop blank lines and the 合计 row (the engine skips them itself)."""
        keep = [row for row in dataset.dict if row.get("地块编号")]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in keep:
            dataset.append([row[h] for h in headers])


def iex_import(data):
    """Import the ledger's bytes with django-import-export; returns its result (raises on
    any row error)."""
    dataset = Dataset().load(data, format="xlsx", skip_lines=1)
    result = ParcelResource().import_data(dataset, dry_run=False, raise_errors=True)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("django-import-export reported errors")
    return result
