"""Excel import and export of the parcel ledger through the shared engine."""

import datetime
import io
import json
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum

from abandoned_land.models import Parcel
from tests.abandoned_land.conftest import workbook

STATUS_COUNTS = {
    "planted": 1274,
    "consolidated": 801,
    "remediated": 422,
    "surveyed": 197,
    "reabandoned": 97,
}


@pytest.fixture
def imported(ledger, sample_file):
    Parcel.objects.all().delete()
    report = ledger.run_import(sample_file.read_bytes(), None, name=sample_file.name)
    assert report.ok, [str(e) for e in report.errors]
    return report


def test_sample_imports_2791_parcels_and_19910_4_mu(imported):
    assert imported.counts["created"] == 2791
    assert Parcel.objects.count() == 2791
    assert Parcel.objects.aggregate(s=Sum("area"))["s"] == Decimal("19910.40")
    assert Counter(Parcel.objects.values_list("status", flat=True)) == STATUS_COUNTS
    assert Parcel.history.filter(history_type="+").count() >= 2791


def test_sample_cells_are_read_as_written(imported):
    first = Parcel.objects.select_related("township", "village").get(code="红岩-坪阳-00001")
    assert (first.township.name, first.village.name, first.area) == (
        "红岩乡",
        "坪阳村",
        Decimal("7.80"),
    )
    assert (first.year_abandoned, first.cause, first.method) == (2019, "灌溉条件差", "农户自行复耕")
    assert first.remediated_on == datetime.date(2023, 4, 1)
    assert (first.crop, first.season, first.operator) == ("马铃薯", "winter", "坪阳村农业公司")
    assert (first.operator_type, first.status) == ("company", "planted")
    surveyed = Parcel.objects.get(code="永安-石顺-02789")
    assert surveyed.status == "surveyed" and surveyed.remediated_on is None and surveyed.crop == ""
    remediated = Parcel.objects.get(code="龙泉-东明-02790")
    assert remediated.status == "remediated" and remediated.is_at_risk
    assert Parcel.objects.filter(crop="柑橘").exclude(season="perennial").count() == 0
    assert Parcel.objects.filter(operator_type="farmer").count() == 547  # 个人 in the sample


def test_second_import_changes_nothing(imported, ledger, sample_file):
    history = Parcel.history.count()
    report = ledger.run_import(sample_file.read_bytes(), None)
    assert report.ok and report.counts["unchanged"] == 2791
    assert report.counts["created"] == report.counts["updated"] == 0
    assert Parcel.history.count() == history


def test_export_reimports_without_change(imported, ledger):
    Parcel.objects.filter(code="龙泉-东明-02790").update(
        planting_deadline=datetime.date(2030, 5, 31)
    )
    data = ledger.export(Parcel.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[3]]
    assert headers[:5] == ["序号", "乡镇", "村（社区）", "地块编号", "面积（亩）"]
    assert "种植时限" in headers and sheet.max_row == 3 + 2791
    report = ledger.run_import(data, None)
    assert report.ok and report.counts["unchanged"] == 2791, report.changes[:3]


def test_variant_file_with_mu_suffix_full_width_digits_and_total_row(ledger):
    data = workbook(
        [
            [
                1,
                "城关镇",
                "南乐村",
                "VAR-0001",
                "12.5亩",
                "２０２０",
                "种植收益低",
                "2026-03-01",
                "合作社托管",
                "油菜",
                "秋冬种",
                "南乐村合作社",
                "合作社",
                "已种植",
                None,
            ],
            [],
            [
                2,
                "城关镇",
                "南乐村",
                "VAR-0002",
                "８．６",
                2021,
                None,
                "2026年3月2日",
                "农户自行复耕",
                None,
                None,
                "张某",
                "农户",
                "已整治",
                None,
            ],
            [
                None,
                "合计",
                None,
                None,
                "21.1亩",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            ],
        ]
    )
    report = ledger.run_import(data, None)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["created"] == 2
    first, second = Parcel.objects.filter(code__startswith="VAR-").order_by("code")
    assert first.area == Decimal("12.50") and first.year_abandoned == 2020
    assert (first.season, first.operator_type) == ("winter", "cooperative")
    assert second.area == Decimal("8.60") and second.remediated_on == datetime.date(2026, 3, 2)
    assert second.is_at_risk and second.operator_type == "farmer"


def test_village_outside_its_township_is_refused(ledger):
    before = Parcel.objects.count()
    data = workbook(
        [
            [
                1,
                "城关镇",
                "坪阳村",
                "BAD-0001",
                3,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ]
        ]
    )
    report = ledger.run_import(data, None)
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "第3行「村（社区）」：“坪阳村”不是城关镇的村（社区）"
    ]
    assert Parcel.objects.count() == before


def test_bad_file_lists_every_problem_and_writes_nothing(ledger):
    before = Parcel.objects.count()
    data = workbook(
        [
            [
                1,
                "火星镇",
                "南乐村",
                "BAD-1",
                3,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ],
            [
                2,
                "城关镇",
                "南乐村",
                "BAD-2",
                "很多",
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ],
            [
                3,
                "城关镇",
                "南乐村",
                "BAD-3",
                3,
                2020,
                None,
                "2026-03-01",
                "合作社托管",
                None,
                None,
                None,
                None,
                "已种植",
                None,
            ],
            [
                4,
                "城关镇",
                "南乐村",
                "BAD-4",
                3,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已荒废",
                None,
            ],
            [
                5,
                "城关镇",
                "南乐村",
                "BAD-5",
                3,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ],
            [
                6,
                "城关镇",
                "南乐村",
                "BAD-5",
                3,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ],
            [
                7,
                "城关镇",
                "南乐村",
                "BAD-7",
                0,
                2020,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "已排查",
                None,
            ],
            [8, "城关镇", "南乐村", "BAD-8", 1, 1880, *[None] * 7, "已排查", None],
        ]
    )
    report = ledger.run_import(data, None)
    messages = [str(e) for e in report.sorted_errors()]
    assert any(m.startswith("第3行「乡镇」") and "火星镇" in m for m in messages)
    assert any(m.startswith("第4行「面积（亩）」") and "不是有效的数字" in m for m in messages)
    assert any(m.startswith("第5行「种植作物」") for m in messages)
    assert any(m.startswith("第5行「经营主体」") for m in messages)
    assert any(m.startswith("第6行「状态」") and "已荒废" in m for m in messages)
    assert any(m.startswith("第8行「地块编号」") and "重复" in m for m in messages)
    assert any(m.startswith("第9行「面积（亩）」") and "大于0" in m for m in messages)
    assert any(m.startswith("第10行「撂荒年份」") for m in messages)
    assert Parcel.objects.count() == before and not Parcel.objects.filter(code="BAD-5").exists()


def test_commands_import_and_export_with_json_summary(ledger, sample_file, tmp_path):
    Parcel.objects.all().delete()
    out = io.StringIO()
    call_command("import_ledger", "abandoned_land", str(sample_file), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["errors"] == [] and summary["created"] == 2791
    target = tmp_path / "out.xlsx"
    call_command("export_ledger", "abandoned_land", str(target), stdout=io.StringIO())
    assert openpyxl.load_workbook(target).active.max_row == 3 + 2791


def test_demo_load_is_idempotent_and_gives_deadlines(ledger):
    from abandoned_land.demo import load_demo

    Parcel.objects.all().delete()
    load_demo(io.StringIO())
    count, history = Parcel.objects.count(), Parcel.history.count()
    assert count == 2791
    remediated = Parcel.objects.filter(status="remediated")
    assert not remediated.filter(planting_deadline=None).exists()
    load_demo(io.StringIO())
    assert Parcel.objects.count() == count and Parcel.history.count() == history


def test_upload_preview_confirm_pages(client, user_named, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    supervisor = user_named("sup_d21")
    client.force_login(supervisor)
    data = workbook(
        [
            [1, "城关镇", "南乐村", "PAGE-0001", "3.3亩", 2022, "灌溉条件差", None, None, None,
             None, None, None, "已排查", None],
        ]
    )  # fmt: skip
    upload = SimpleUploadedFile("撂荒地台账.xlsx", data)
    preview = client.post(reverse("ledger:import", args=["abandoned_land"]), {"file": upload})
    assert preview.status_code == 200 and preview.context["report"].ok
    assert not Parcel.objects.filter(code="PAGE-0001").exists()  # a preview writes nothing
    token = preview.context["token"]
    done = client.post(reverse("ledger:confirm", args=["abandoned_land"]), {"token": token})
    assert done.status_code == 302 and done.url == reverse("abandoned_land:parcel_list")
    parcel = Parcel.objects.get(code="PAGE-0001")
    assert parcel.area == Decimal("3.30")
    assert parcel.history.get().history_user == supervisor
