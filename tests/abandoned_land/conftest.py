"""Fixtures of the abandoned_land tests: the sample ledger, parcels, an API client."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from rest_framework.test import APIClient

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "abandoned_land_ledger.xlsx"
HEADER = [
    "序号",
    "乡镇",
    "村（社区）",
    "地块编号",
    "面积（亩）",
    "撂荒年份",
    "撂荒原因",
    "整治时间",
    "整治方式",
    "种植作物",
    "种植季节",
    "经营主体",
    "经营主体类型",
    "状态",
    "备注",
]


@pytest.fixture
def sample_file():
    return SAMPLE


@pytest.fixture
def ledger(demo):
    from county.registry import registry

    return registry.get("abandoned_land").ledger


def workbook(rows, header=HEADER, title="示范县撂荒地整治工作台账"):
    """An .xlsx with a title row, the header row and ``rows`` (bytes)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def make_parcel(demo, unit_named):
    """make_parcel("城关镇", **fields) → a Parcel (已整治) in the township's first village."""
    from abandoned_land.models import Parcel

    counter = iter(range(1, 10_000))

    def make(township="城关镇", **fields):
        town = unit_named(township)
        values = {
            "village": town.villages.order_by("name").first(),
            "code": f"TEST-{township}-{next(counter):04d}",
            "area": Decimal("5.50"),
            "year_abandoned": 2020,
            "cause": "劳动力外出务工",
            "remediated_on": datetime.date(2026, 3, 1),
            "method": "农户自行复耕",
            "status": "remediated",
        }
        values.update(fields)
        return Parcel.objects.create(township=town, **values)

    return make


@pytest.fixture
def api():
    return APIClient()
