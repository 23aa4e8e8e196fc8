"""Writing the set-up workbook: the template (the demo county as the example) and the
county as it stands (to edit and import again).

One sheet per table, a styled and frozen header, column widths, drop-down lists for the
fixed choices, and a first sheet 填写说明 that the reader ignores.
"""

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from county.choices import Role, TownshipKind, VillageKind
from county.scoping import ASSESSMENT, ASSESSMENT_LABEL

from .schema import ACCOUNTS, DEPARTMENTS, GROUPS, LEADERS, SHEETS, TOWNSHIPS, VILLAGES

DEMO_WORKBOOK = Path(__file__).resolve().parents[1] / "demo" / "demo_county.xlsx"
TEMPLATE_NAME = "县情初始化模板（示范县示例）.xlsx"

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_REQUIRED_FONT = Font(name="黑体", size=11, bold=True, color="C00000")
_HEADER_FONT = Font(name="黑体", size=11, bold=True)
VALIDATION_ROWS = 2000

CHOICES = {
    (TOWNSHIPS.key, "kind"): TownshipKind.values,
    (VILLAGES.key, "kind"): VillageKind.values,
    (ACCOUNTS.key, "role"): Role.labels,
}

INSTRUCTIONS = [
    ("县情初始化工作簿：填写说明", None),
    ("", None),
    (
        "一个工作簿描述一个县的组织架构。系统管理员在“县情初始化”页面上传（或运行 "
        "python manage.py setup_county 文件.xlsx），先预览全部改动和问题，确认后才写入。",
        None,
    ),
    ("有任何一处问题，整个工作簿都不会写入；所有问题以“「工作表」第N行「列名」：原因”列出。", None),
    (
        "表头可以放在前 10 行中的任意一行，列的顺序不限；标红的列必须填写。本说明页不会被导入。",
        None,
    ),
    ("", None),
    ("工作表", "填写要点"),
    (
        TOWNSHIPS.title,
        "每行一个乡镇或街道。编码（如 T01）是单位的永久标识：改名时保持编码不变，"
        "历史记录随之保留。类别填镇、乡或街道（可留空，按名称结尾判断）。简称可填多个，用顿号分隔。",
    ),
    (
        VILLAGES.title,
        "每行一个村或社区，“所属乡镇”填乡镇全称、简称或编码。类别可留空"
        "（以“社区”结尾的是社区）。改名时在“原名称”填旧名，已有的记录随之改名。",
    ),
    (
        DEPARTMENTS.title,
        "每行一个县级部门（含供电、通信等公司）。简称是台账里常用的写法，"
        "如“县住建局”，多个用顿号分隔，不能与其他单位的名称或简称重复。督查板块填该部门督查的"
        "工作：全面深化改革、城乡环境、国土空间规划、撂荒地整治，多个用顿号分隔；负责考核的单位"
        "（其督查人员调整考核计分公式）填“考核”。",
    ),
    (LEADERS.title, "每行一位县级领导，行的顺序即排列顺序。联系乡镇填乡镇名称，多个用顿号分隔。"),
    (GROUPS.title, "每行一个改革专项小组，行的顺序即排列顺序。"),
    (
        ACCOUNTS.title,
        "可选。每行一个账号：用户名（登录用，字母数字）、姓名、角色（系统管理员、"
        "督查人员、县级领导、单位工作人员）、所属单位、手机号、电子邮箱。新账号获得一次性初始密码，"
        "确认导入后以 Excel 下发一次，首次登录必须修改；已有账号只更新姓名、角色、单位和联系方式，"
        "密码不变。县级领导账号的姓名须与「县级领导」表一致。",
    ),
    ("", None),
    (
        "重复导入",
        "同一工作簿再导入一次不会改动任何数据。工作簿中不再出现的单位会被停用（不会删除）；"
        "不再出现的村（社区）、县级领导、专项小组如仍被业务记录引用则保留，否则删除。"
        "不在工作簿中的账号不受影响。",
    ),
]


def _style_header(sheet, spec, row=1):
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=row, column=index)
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[row].height = 22
    sheet.freeze_panes = f"A{row + 1}"


def _add_choices(sheet, spec):
    for index, column in enumerate(spec.columns, start=1):
        values = CHOICES.get((spec.key, column.key))
        if not values:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(values) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="请从列表中选择",
            error="可选：" + "、".join(values),
        )
        validation.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
        sheet.add_data_validation(validation)


def _instructions(workbook):
    sheet = workbook.active
    sheet.title = "填写说明"
    for first, second in INSTRUCTIONS:
        sheet.append([first] if second is None else [first, second])
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    header = next(i for i, (first, _) in enumerate(INSTRUCTIONS, start=1) if first == "工作表")
    for cell in sheet[header]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for number, (first, second) in enumerate(INSTRUCTIONS, start=1):
        if second is None and first and number > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=2)
            sheet.row_dimensions[number].height = 32
        elif second:
            sheet.row_dimensions[number].height = 15 * (1 + len(second) // 38)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 80


def write_setup_workbook(content, accounts=True):
    """The workbook as .xlsx bytes; ``content`` maps a sheet key to rows (dicts by column key)."""
    workbook = Workbook()
    _instructions(workbook)
    for spec in SHEETS:
        if spec is ACCOUNTS and not accounts:
            continue
        sheet = workbook.create_sheet(spec.title)
        sheet.append([column.header for column in spec.columns])
        _style_header(sheet, spec)
        for row in content.get(spec.key, []):
            sheet.append([row.get(column.key) or None for column in spec.columns])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text that starts with "=" stays text
        _add_choices(sheet, spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def demo_workbook():
    """The template: the demo county (示范县) as the example, as committed."""
    return DEMO_WORKBOOK.read_bytes()


def county_content(accounts=True):
    """The county as it stands in the database, as workbook content (active units only)."""
    from county.models import Leader, SpecialGroup, Supervision, Unit, User, Village
    from county.registry import registry

    units = Unit.objects.filter(is_active=True).order_by("order", "code")
    supervised = {}
    for unit_id, workstream in Supervision.objects.values_list("unit_id", "workstream"):
        supervised.setdefault(unit_id, set()).add(workstream)
    content = {
        TOWNSHIPS.key: [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.township_kind,
                "aliases": "、".join(u.alias_list),
            }
            for u in units.townships()
        ],
        DEPARTMENTS.key: [
            {
                "code": u.code,
                "name": u.name,
                "aliases": "、".join(u.alias_list),
                "supervises": "、".join(
                    [w.label for w in registry if w.key in supervised.get(u.pk, ())]
                    + [ASSESSMENT_LABEL] * (ASSESSMENT in supervised.get(u.pk, ()))
                ),
            }
            for u in units.departments()
        ],
        VILLAGES.key: [
            {
                "township": v.township.name,
                "name": v.name,
                "kind": v.kind,
                "longitude": v.longitude,
                "latitude": v.latitude,
            }
            for v in Village.objects.filter(township__is_active=True)
            .select_related("township")
            .order_by("township__order", "township__code", "pk")
        ],
        LEADERS.key: [
            {
                "name": leader.name,
                "title": leader.title,
                "liaison": "、".join(
                    t.name for t in sorted(leader.liaison_townships.all(), key=lambda t: t.order)
                ),
            }
            for leader in Leader.objects.prefetch_related("liaison_townships")
        ],
        GROUPS.key: [{"name": g.name} for g in SpecialGroup.objects.all()],
    }
    if accounts:
        users = User.objects.filter(is_active=True).select_related("unit", "leader")
        content[ACCOUNTS.key] = [_account_row(user) for user in users.order_by("pk")]
    return content


def _account_row(user):
    leader = user.leader if user.role == Role.LEADER and user.leader_id else None
    return {
        "username": user.username,
        "name": leader.name if leader else user.get_full_name() or user.username,
        # A superuser made by createsuperuser keeps the default role; he administers all.
        "role": Role.ADMIN.label if user.is_superuser else user.get_role_display(),
        "unit": user.unit.name if user.unit_id and not leader else "",
        "phone": user.phone,
        "email": user.email,
    }
