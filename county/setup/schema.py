"""The county set-up workbook: its sheets, their columns, and how sheet names are matched.

One workbook describes a county's organisation: townships, villages, departments (with
the short names clerks type and the workstreams they supervise), county leaders (with
their liaison townships), special reform groups and, optionally, accounts. Each sheet is
read with the ledger engine's header detection, so a header may sit anywhere in the first
rows, in any column order, and common synonyms work.
"""

import re
from dataclasses import dataclass

from county.ledger.columns import Column, header_key

_PARENS = re.compile(r"[(（][^)）]*[)）]")


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook: its title, other names people give it, its columns."""

    key: str
    title: str
    columns: tuple
    synonyms: tuple = ()
    required: bool = True

    def names(self):
        keys = {sheet_key(n) for n in (self.title, *self.synonyms)}
        return keys | {_PARENS.sub("", k) for k in keys}

    def matches(self, sheet_name):
        key = sheet_key(sheet_name)
        return bool(key) and (key in self.names() or _PARENS.sub("", key) in self.names())

    def column(self, key):
        return next(c for c in self.columns if c.key == key)


def sheet_key(name):
    """A sheet name folded for matching: full-width to half-width, no spaces."""
    return header_key(name)


TOWNSHIPS = SheetSpec(
    key="townships",
    title="乡镇（街道）",
    synonyms=("乡镇", "乡镇街道", "镇街", "乡镇（街道）名单"),
    columns=(
        Column("code", "编码", ("单位编码", "代码", "编号"), width=10),
        Column(
            "name",
            "名称",
            ("乡镇名称", "乡镇（街道）名称", "乡镇（街道）", "单位名称"),
            required=True,
            width=18,
        ),
        Column("kind", "类别", ("类型", "乡镇类别"), width=10),
        Column("aliases", "简称", ("简称/别名", "别名", "常用简称"), width=24),
    ),
)

VILLAGES = SheetSpec(
    key="villages",
    title="村（社区）",
    synonyms=("村", "村社区", "村居", "村（居）", "村（社区）名单"),
    columns=(
        Column(
            "township",
            "所属乡镇",
            ("所属乡镇（街道）", "乡镇（街道）", "乡镇", "所属乡镇街道"),
            required=True,
            width=18,
        ),
        Column("name", "名称", ("村（社区）名称", "村（社区）", "村名", "村居名称"), required=True),
        Column("kind", "类别", ("类型",), width=10),
        Column("old_name", "原名称", ("曾用名", "旧名称", "改名前名称"), width=18),
        Column("longitude", "经度", ("东经", "经度（°）"), width=12),
        Column("latitude", "纬度", ("北纬", "纬度（°）"), width=12),
    ),
)

DEPARTMENTS = SheetSpec(
    key="departments",
    title="部门（含简称）",
    synonyms=("部门", "县级部门", "部门（单位）", "部门名单"),
    columns=(
        Column("code", "编码", ("单位编码", "代码", "编号"), width=10),
        Column("name", "名称", ("部门名称", "单位名称", "部门"), required=True, width=26),
        Column("aliases", "简称", ("简称/别名", "别名", "常用简称"), width=24),
        Column("supervises", "督查板块", ("督查工作", "牵头督查板块", "督查的板块"), width=30),
    ),
)

LEADERS = SheetSpec(
    key="leaders",
    title="县级领导（含联系乡镇）",
    synonyms=("县级领导", "领导", "县领导"),
    columns=(
        Column("name", "姓名", ("领导姓名", "县级领导"), required=True, width=12),
        Column("title", "职务", ("领导职务",), required=True, width=22),
        Column("liaison", "联系乡镇", ("联系乡镇（街道）", "联系乡镇街道"), width=36),
        Column("old_name", "原姓名", ("原名称",), width=12),
    ),
)

GROUPS = SheetSpec(
    key="groups",
    title="专项小组",
    synonyms=("改革专项小组", "深改专项小组", "专项小组名单"),
    columns=(
        Column("name", "名称", ("专项小组名称", "专项小组", "小组名称"), required=True, width=40),
        Column("old_name", "原名称", ("曾用名", "旧名称"), width=30),
    ),
)

ACCOUNTS = SheetSpec(
    key="accounts",
    title="账号",
    synonyms=("账户", "用户", "用户账号", "账号名单"),
    required=False,
    columns=(
        Column("username", "用户名", ("登录名", "账号", "登录账号"), required=True, width=14),
        Column("name", "姓名", ("用户姓名",), required=True, width=18),
        Column("role", "角色", ("用户角色",), required=True, width=14),
        Column("unit", "所属单位", ("单位", "单位名称", "所在单位"), width=24),
        Column("phone", "手机号", ("手机", "手机号码", "联系电话", "电话"), width=16),
        Column("email", "电子邮箱", ("邮箱", "电子邮件", "e-mail", "email"), width=26),
    ),
)

SHEETS = (TOWNSHIPS, VILLAGES, DEPARTMENTS, LEADERS, GROUPS, ACCOUNTS)
SHEET_ORDER = {spec.title: index for index, spec in enumerate(SHEETS)}

# How each sheet's records are named in the preview and the audit log.
KIND_LABELS = {
    "townships": "乡镇（街道）",
    "villages": "村（社区）",
    "departments": "部门",
    "leaders": "县级领导",
    "groups": "专项小组",
    "supervisions": "督查分工",
    "accounts": "账号",
}
