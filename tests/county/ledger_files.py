"""Build .xlsx files for ledger tests and the bench: small ones cell by cell, large parcel
ledgers generated deterministically with the quirks real files have."""

import datetime
import io
import random
from pathlib import Path

import python_calamine
from openpyxl import Workbook

PARCEL_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "abandoned_land_ledger.xlsx"
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def xlsx(rows, merges=(), title="Sheet1"):
    """Bytes of a workbook whose first sheet holds ``rows`` (lists; None for empty)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sample_parcel_rows():
    """The 2,791 data rows of the sample parcel ledger (title and header left out)."""
    book = python_calamine.CalamineWorkbook.from_path(str(PARCEL_SAMPLE))
    rows = book.get_sheet_by_index(0).to_python()
    return rows[1], rows[2:]


def generated_parcel_rows(count, seed=17555):
    """``count`` parcel rows like the sample's (same townships, villages, causes, crops and
    consistent statuses), each with its own code; deterministic for a seed.

    Quirks of real files: 亩 typed after some areas, full-width digits in some areas and
    years, some dates written as text (2023年4月1日). Rows are lists in the sample's
    column order (序号 … 备注).
    """
    _, templates = _sample_parcel_rows()
    rng = random.Random(seed)
    rows = []
    for index in range(1, count + 1):
        row = list(rng.choice(templates))
        town, village = row[1], row[2]
        row[0] = index
        row[3] = f"{town[:2]}-{village[:2]}-{index:06d}"
        area = round(rng.uniform(0.5, 30.0), 1)
        if index % 23 == 0:
            row[4] = f"{area}亩"
        elif index % 29 == 0:
            row[4] = str(area).translate(FULL_WIDTH)
        else:
            row[4] = area
        year = int(row[5])
        row[5] = str(year).translate(FULL_WIDTH) if index % 31 == 0 else year
        if isinstance(row[7], datetime.date) and index % 37 == 0:
            date = row[7]
            row[7] = f"{date.year}年{date.month}月{date.day}日"
        rows.append(row)
    return rows


def parcel_ledger(rows, title="示范县撂荒地整治工作台账（截至2023年9月30日）", blank_every=700):
    """Bytes of a parcel ledger: a title row, the header, ``rows`` with a blank line every
    ``blank_every`` rows, and a 合计 row at the end (written with openpyxl's write-only
    mode, so 100,000 rows take seconds)."""
    header, _ = _sample_parcel_rows()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("撂荒地整治台账")
    sheet.append([title])
    sheet.append(list(header))
    for index, row in enumerate(rows, start=1):
        sheet.append(row)
        if blank_every and index % blank_every == 0:
            sheet.append([])
    sheet.append([None, "合计", None, None, f"{len(rows)}块"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def changed_parcel_rows(rows, every=10):
    """A copy of ``rows`` with one row in ``every`` changed (its area and its note)."""
    changed = []
    for index, row in enumerate(rows):
        row = list(row)
        if index % every == 0:
            row[4] = 99.9 if row[4] != 99.9 else 88.8
            row[14] = "面积经复核调整"
        changed.append(row)
    return changed


def sheet(title, header, rows, merges=()):
    """Bytes of a one-sheet ledger: a title row, the header, then ``rows``."""
    return xlsx([[title], header, *rows], merges=merges)


PROBLEM_HEADER = ["序号", "检查时间", "检查方式", "乡镇", "村（社区）/场镇", "问题类别", "问题描述",
                  "责任单位", "整改时限", "整改情况", "是否销号"]  # fmt: skip


def problem_rows(count, places, categories, first_number=10001):
    """``count`` environment problems at ``places`` ((township, village) names, cycled),
    of ``categories`` (names, cycled): three inspections, some closed, some in progress."""
    rows = []
    for index in range(count):
        township, village = places[index % len(places)]
        found = datetime.date(2030, 3, 1 + index % 3)
        state = index % 3
        rows.append([
            first_number + index, found, ("明查", "暗访", "交叉检查")[index % 3], township,
            village, categories[index % len(categories)], f"第{index + 1}处垃圾乱堆",
            "县住建局" if index % 2 else township, found + datetime.timedelta(days=30),
            ("", "正在清运", "已整改到位")[state], "是" if state == 2 else "否",
        ])  # fmt: skip
    return rows


PLAN_HEADER = ["片区名称", "层级", "批次", "涉及乡镇", "涉及村", "牵头单位", "编制单位", "当前阶段",
               "报市级审查时限", "完成时限", "备注"]  # fmt: skip


def plan_rows(count, places):
    """``count`` village-level plan areas, each in one township with one of its villages."""
    rows = []
    for index in range(count):
        township, village = places[index % len(places)]
        rows.append([
            f"测试片区{index + 1:04d}", "村级", "按需编制", township, village, "县自然资源局",
            "某规划院", ("调研座谈", "初步成果")[index % 2], datetime.date(2030, 10, 31),
            datetime.date(2030, 12, 31), None,
        ])  # fmt: skip
    return rows


REFORM_HEADER = ["序号", "改革任务", "具体举措", "牵头县领导", "牵头单位", "责任单位", "完成时限",
                 "工作进展", "完成状态", "备注"]  # fmt: skip


def reform_ledger(items, groups, leaders, units, year=2030, progress="正在按计划推进。"):
    """Bytes of a reform ledger like the sample: a section row per special group, two
    sub-task rows per item with the item's cells merged over them."""
    rows, merges = [[f"示范县{year}年全面深化改革工作台账（测试）"], REFORM_HEADER], []
    per_group = max(items // len(groups), 1)
    number = 0
    for g, group in enumerate(groups):
        count = per_group if g < len(groups) - 1 else items - per_group * (len(groups) - 1)
        if count <= 0:
            continue
        rows.append([f"{'一二三四五六七八九十'[g]}、{group}（{count}项）"])
        for _ in range(count):
            number += 1
            first = len(rows) + 1
            for k in range(2):
                rows.append([
                    number if k == 0 else None, f"第{number}项改革任务" if k == 0 else None,
                    f"具体举措（{k + 1}）", leaders[number % len(leaders)] if k == 0 else None,
                    units[number % len(units)] if k == 0 else None,
                    "、".join(units[(number + k + j) % len(units)] for j in range(2)),
                    ("2030年12月31日", "12月底前", "长期坚持")[(number + k) % 3],
                    progress if k == 0 else None, ("推进中", "已完成")[(number + k) % 2], None,
                ])  # fmt: skip
            merges += [f"{column}{first}:{column}{first + 1}" for column in "ABDE"]
    return xlsx(rows, merges=merges)


def patched(data, old, new):
    """``data`` (an .xlsx) with bytes ``old`` replaced by ``new`` in every part: how a test
    writes what openpyxl refuses to write (a control character as Excel's ``_x0001_``)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(old, new))
    return buffer.getvalue()
