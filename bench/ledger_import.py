"""Benchmark: importing the reform ledger, against plain openpyxl reading the same file.

Run (any DATABASE_URL works; a throw-away test database is created and dropped):
    DATABASE_URL=postgres://county:county@127.0.0.1:5432/county \
    .venv/bin/python bench/ledger_import.py
Prints, for the 88-item sample and a generated 5,000-item ledger (10,000 sub-task rows,
merged item cells, section rows): openpyxl read time, first import, unchanged re-import,
export, and the ratio of the first import to the plain read.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from county.ledger.writer import merge  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "reform_ledger_2023.xlsx"
HEADER = [
    "序号",
    "改革任务",
    "具体举措",
    "牵头县领导",
    "牵头单位",
    "责任单位",
    "完成时限",
    "工作进展",
    "完成状态",
    "备注",
]
DEADLINES = ["2023年12月31日", "2023年10月底前", "12月底前", "长期坚持", "2024年6月底", "6月底前"]
STATUSES = ["推进中", "已完成", "滞后", "未启动"]


def generated_ledger(items, groups, leaders, units):
    """A ledger like the sample, ``items`` long, two sub-task rows per item."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["示范县2023年全面深化改革工作台账（压力测试）"])
    sheet.append(HEADER)
    per_group = items // len(groups)
    number = 0
    for g, group in enumerate(groups):
        count = per_group if g < len(groups) - 1 else items - per_group * (len(groups) - 1)
        sheet.append([f"{'一二三四五六'[g]}、{group}（{count}项）"])
        for _ in range(count):
            number += 1
            row = sheet.max_row + 1
            for k in range(2):
                sheet.append(
                    [
                        number if k == 0 else None,
                        f"第{number}项改革任务" if k == 0 else None,
                        f"具体举措（{k + 1}）",
                        leaders[number % len(leaders)] if k == 0 else None,
                        units[number % len(units)] if k == 0 else None,
                        "、".join(units[(number + k + j) % len(units)] for j in range(2)),
                        DEADLINES[(number + k) % len(DEADLINES)],
                        "正在按计划推进，已完成阶段性任务。",
                        STATUSES[(number + k) % len(STATUSES)],
                        None,
                    ]
                )
            for column in "ABDE":
                merge(sheet, f"{column}{row}:{column}{row + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def openpyxl_read(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return sum(1 for _ in workbook.active.iter_rows(values_only=True))


def measure(label, data):
    from reforms.ledger import ReformLedger
    from reforms.models import ReformItem

    ReformItem.objects.all().delete()
    ledger = ReformLedger()
    read, rows = timed(lambda: openpyxl_read(data))
    first, report = timed(lambda: ledger.run_import(data))
    assert report.ok, [str(e) for e in report.errors[:5]]
    again, unchanged = timed(lambda: ledger.run_import(data))
    assert unchanged.counts["created"] == unchanged.counts["updated"] == 0
    export, _ = timed(lambda: ledger.export(ReformItem.objects.all()))
    print(
        f"{label}: {rows} rows, {report.counts['created']} records | "
        f"openpyxl read {read:.2f} s | "
        f"first import {first:.2f} s ({first / read:.1f}x the read) | "
        f"unchanged re-import {again:.2f} s ({again / read:.1f}x) | export {export:.2f} s",
        flush=True,
    )


def main():
    from county.models import Leader, SpecialGroup, Unit

    print(f"database: {connection.vendor}")
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(DEBUG=False):
            call_command("load_demo", "--no-accounts", stdout=io.StringIO())
        measure("sample (88 items)", SAMPLE.read_bytes())
        big = generated_ledger(
            5000,
            list(SpecialGroup.objects.values_list("name", flat=True)),
            list(Leader.objects.values_list("name", flat=True)),
            list(Unit.objects.departments().values_list("name", flat=True)),
        )
        measure("generated (5,000 items)", big)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
