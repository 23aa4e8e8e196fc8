"""Checking the set-up workbook against itself and the database, then applying it.

All or nothing: every problem of every sheet is listed, and a single one means nothing
is written. A run is idempotent: records are saved only when a value differs, so a
second run of the same workbook adds no history. Units keep their identity through
their 编码 (a rename keeps the unit and its history); units the workbook no longer
lists are deactivated, never deleted. Villages, leaders and special groups are matched
by name (or by the 原名称 column, for a rename); one no longer listed is deleted when
nothing refers to it, and kept, with a note, when something does.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from county import places
from county.audit import Action, record
from county.choices import Role, TownshipKind, UnitKind, VillageKind
from county.ledger.changes import bulk_create_with_history, save_changes
from county.ledger.errors import LedgerFileError
from county.models import Leader, SpecialGroup, Supervision, Unit, User, Village
from county.naming import normalize_name, split_names
from county.registry import registry
from county.scoping import ASSESSMENT, ASSESSMENT_LABEL

from .passwords import OneTimePasswords
from .reader import read_workbook
from .report import SetupReport
from .schema import ACCOUNTS, DEPARTMENTS, KIND_LABELS, LEADERS, TOWNSHIPS

REASON = "县情初始化"
CODE = re.compile(r"^[A-Z0-9_-]{1,20}$")
PHONE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
ROLE_WORDS = {
    "系统管理员": Role.ADMIN,
    "管理员": Role.ADMIN,
    "admin": Role.ADMIN,
    "督查人员": Role.SUPERVISOR,
    "督查员": Role.SUPERVISOR,
    "督查": Role.SUPERVISOR,
    "supervisor": Role.SUPERVISOR,
    "县级领导": Role.LEADER,
    "领导": Role.LEADER,
    "leader": Role.LEADER,
    "单位工作人员": Role.STAFF,
    "工作人员": Role.STAFF,
    "经办人": Role.STAFF,
    "staff": Role.STAFF,
}
TOWNSHIP_KIND_WORDS = {"镇": "镇", "乡": "乡", "街道": "街道", "街道办事处": "街道", "民族乡": "乡"}
VILLAGE_KIND_WORDS = {
    "村": "村",
    "社区": "社区",
    "村委会": "村",
    "居委会": "社区",
    "社区居委会": "社区",
}


class _Rollback(Exception):
    pass


def key(text):
    """How names are compared: full-width folded, no spaces."""
    return normalize_name(text)


def clean_name(text):
    """A name as it will be stored: white space removed, characters kept as written."""
    return re.sub(r"\s+", "", str(text or ""))


def where(entry):
    return f"「{entry.sheet}」第{entry.number}行"


@dataclass(eq=False)
class UnitPlan:
    entry: object
    kind: str
    name: str
    code: str
    township_kind: str
    aliases: list
    order: int
    supervises: list = field(default_factory=list)
    existing: Unit | None = None
    instance: Unit | None = None

    @property
    def label(self):
        return KIND_LABELS["townships" if self.kind == UnitKind.TOWNSHIP else "departments"]


@dataclass(eq=False)
class NamedPlan:
    """A village, leader or group: matched by name, or by its former name."""

    entry: object
    name: str
    old_name: str = ""
    values: dict = field(default_factory=dict)
    township: UnitPlan | None = None  # villages
    liaison: list = field(default_factory=list)  # leaders: UnitPlans
    existing: object = None
    instance: object = None


@dataclass(eq=False)
class AccountPlan:
    entry: object
    username: str
    name: str
    role: str
    unit: UnitPlan | None
    leader: NamedPlan | None
    phone: str
    email: str
    existing: User | None = None


def match_by_name(plans, existing, scope=lambda plan: None):
    """Pair plans with existing records: by name first, then by former name.

    ``existing`` maps (scope, name) to a record; returns the records left unpaired.
    """
    paired = set()
    for plan in plans:
        found = existing.get((scope(plan), plan.name))
        if found is not None and found.pk not in paired:
            plan.existing = found
            paired.add(found.pk)
    for plan in plans:
        if plan.existing is None and plan.old_name:
            found = existing.get((scope(plan), plan.old_name))
            if found is not None and found.pk not in paired:
                plan.existing = found
                paired.add(found.pk)
    return [record for record in existing.values() if record.pk not in paired]


def in_use(obj):
    """Whether any other record refers to ``obj`` (history rows aside)."""
    for relation in obj._meta.related_objects:
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            try:
                getattr(obj, accessor)
            except ObjectDoesNotExist:
                continue
            return True
        if getattr(obj, accessor).exists():
            return True
    return False


class CountySetup:
    """One run over one workbook: :meth:`check` lists every problem, :meth:`apply` writes."""

    def __init__(self, data, report, user=None, passwords=None, reason=REASON, dry_run=False):
        self.data = data
        self.report = report
        self.user = user
        self.passwords = passwords or OneTimePasswords()
        self.reason = reason
        self.dry_run = dry_run
        self.units = []
        self.villages = []
        self.leaders = []
        self.groups = []
        self.accounts = []
        self.removed_villages = []
        self.removed_leaders = []
        self.removed_groups = []
        self.new_accounts = []

    def error(self, entry, column, message):
        label = entry.label(column) if column else ""
        self.report.sheet_error(entry.sheet, entry, label, message)

    # ---- checking -------------------------------------------------------------------
    def check(self):
        for spec, entries in (
            (TOWNSHIPS, self.data.townships),
            (DEPARTMENTS, self.data.departments),
        ):
            if not entries and not any(
                getattr(e, "sheet", "") == spec.title for e in self.report.errors
            ):
                self.report.sheet_error(spec.title, None, "", "没有数据行：至少要有一个单位。")
        self._check_units()
        self._check_villages()
        self._check_leaders()
        self._check_groups()
        self._check_supervisions()
        if self.data.accounts is not None:
            self._check_accounts()

    def _unit_plan(self, entry, kind, order):
        name = clean_name(entry["name"])
        code = key(entry["code"]).upper()
        if code and not CODE.match(code):
            self.error(
                entry, "code", f"编码“{entry['code']}”只能由字母、数字、- 和 _ 组成，最长 20 位"
            )
            code = ""
        aliases = []
        for alias in split_names(entry["aliases"]):
            if key(alias) != key(name) and key(alias) not in {key(a) for a in aliases}:
                aliases.append(alias)
        township_kind = ""
        if kind == UnitKind.TOWNSHIP:
            word = key(entry["kind"])
            if word:
                township_kind = TOWNSHIP_KIND_WORDS.get(word, "")
                if not township_kind:
                    allowed = "、".join(TownshipKind.values)
                    self.error(entry, "kind", f"“{entry['kind']}”不是可选值（可选：{allowed}）")
            else:
                township_kind = next((k for k in ("街道", "镇", "乡") if name.endswith(k)), "")
                if not township_kind:
                    self.error(entry, "name", "无法从名称判断类别，请在「类别」列填写镇、乡或街道")
        return UnitPlan(entry, kind, name, code, township_kind, aliases, order)

    def _check_units(self):
        db_units = list(Unit.objects.all())
        by_code = {u.code.upper(): u for u in db_units}
        by_name = {key(u.name): u for u in db_units}
        names, codes, claimed = {}, {}, {}
        sheets = (
            (UnitKind.TOWNSHIP, self.data.townships),
            (UnitKind.DEPARTMENT, self.data.departments),
        )
        for kind, entries in sheets:
            for order, entry in enumerate(entries, start=1):
                if not entry["name"]:
                    continue
                plan = self._unit_plan(entry, kind, order)
                if key(plan.name) in names:
                    first = names[key(plan.name)]
                    self.error(
                        entry, "name", f"单位名称“{plan.name}”重复（{where(first.entry)}已有）"
                    )
                    continue
                names[key(plan.name)] = plan
                if plan.code:
                    if plan.code in codes:
                        first = codes[plan.code]
                        self.error(
                            entry,
                            "code",
                            f"编码“{plan.code}”重复（{where(first.entry)}“{first.name}”已用）",
                        )
                        continue
                    codes[plan.code] = plan
                    existing = by_code.get(plan.code)
                else:
                    existing = by_name.get(key(plan.name))
                if existing is not None and existing.kind != kind:
                    if plan.code:
                        self.error(
                            entry,
                            "code",
                            f"编码“{plan.code}”在系统中是{existing.get_kind_display()}"
                            f"“{existing.name}”，不能用于{UnitKind(kind).label}",
                        )
                    else:
                        self.error(
                            entry,
                            "name",
                            f"“{plan.name}”在系统中是{existing.get_kind_display()}，不能列在本表",
                        )
                    continue
                if existing is not None and existing.pk in claimed:
                    first = claimed[existing.pk]
                    self.error(
                        entry,
                        "name",
                        f"与{where(first.entry)}是系统中的同一个单位“{existing.name}”"
                        f"（编码 {existing.code}）",
                    )
                    continue
                if existing is not None:
                    claimed[existing.pk] = plan
                    plan.existing = existing
                    plan.code = existing.code
                self.units.append(plan)
        for plan in self.units:
            holder = by_name.get(key(plan.name))
            if holder is not None and holder.pk not in claimed:
                state = "" if holder.is_active else "（已停用）"
                self.error(
                    plan.entry,
                    "code" if plan.code else "name",
                    f"名称“{plan.name}”在系统中属于编码为 {holder.code} 的单位{state}；"
                    f"如果是同一单位，请把编码填为 {holder.code}",
                )
        self._check_aliases()
        self._assign_codes(by_code)
        self._townships = self._lookup(UnitKind.TOWNSHIP)
        self._departments = self._lookup(UnitKind.DEPARTMENT)

    def _check_aliases(self):
        owners = {key(plan.name): (plan, "名称") for plan in self.units}
        for plan in self.units:
            for alias in plan.aliases:
                owner = owners.get(key(alias))
                if owner is not None and owner[0] is not plan:
                    other, what = owner
                    self.error(
                        plan.entry,
                        "aliases",
                        f"简称“{alias}”与{where(other.entry)}“{other.name}”的{what}重复",
                    )
                else:
                    owners.setdefault(key(alias), (plan, "简称"))

    def _assign_codes(self, by_code):
        taken = set(by_code) | {plan.code for plan in self.units if plan.code}
        for plan in self.units:
            if plan.code:
                continue
            prefix = "T" if plan.kind == UnitKind.TOWNSHIP else "D"
            number = 1 + max(
                (int(c[1:]) for c in taken if c.startswith(prefix) and c[1:].isdecimal()),
                default=0,
            )
            plan.code = f"{prefix}{number:02d}"
            taken.add(plan.code)

    def _lookup(self, kind):
        """Name, short name or code -> the unit's plan, for one kind."""
        found = {}
        for plan in self.units:
            if plan.kind == kind:
                for name in (plan.name, *plan.aliases):
                    found.setdefault(key(name), plan)
                found.setdefault(plan.code, plan)
        return found

    def _unknown(self, text, what):
        """“没有这个…”, saying so when the name is the old name of a unit renamed here."""
        renamed = next(
            (
                plan
                for plan in self.units
                if plan.existing is not None
                and key(plan.existing.name) == key(text)
                and key(plan.name) != key(text)
            ),
            None,
        )
        if renamed is not None:
            return (
                f"没有这个{what}“{text}”：编码 {renamed.code} 的单位在本工作簿中已改名为"
                f"“{renamed.name}”，请在这里也改用新名称或简称"
            )
        return f"没有这个{what}“{text}”"

    def _find_township(self, entry, column, text):
        name = key(text)
        plan = self._townships.get(name) or self._townships.get(name.upper())
        if plan is None:
            if name in self._departments:
                self.error(entry, column, f"“{text}”是部门，不是乡镇（街道）")
            else:
                self.error(entry, column, self._unknown(text, "乡镇"))
        return plan

    def _find_unit(self, text):
        name = key(text)
        for lookup in (self._departments, self._townships):
            plan = lookup.get(name) or lookup.get(name.upper())
            if plan is not None:
                return plan
        return None

    def _village_point(self, entry):
        """经度 and 纬度 of a village, when the sheet has the columns (both or neither)."""
        point = {}
        for key, parse in (
            ("longitude", places.parse_longitude),
            ("latitude", places.parse_latitude),
        ):
            if key not in entry.labels:
                continue
            point[key] = None
            if entry[key]:
                try:
                    point[key] = parse(entry[key])
                except ValueError as error:
                    self.error(entry, key, str(error))
        if point and (point.get("longitude") is None) != (point.get("latitude") is None):
            missing = "latitude" if point.get("latitude") is None else "longitude"
            if not entry[missing]:
                self.error(entry, missing, "经度和纬度须同时填写")
        return point

    def _check_villages(self):
        seen = {}
        for entry in self.data.villages:
            if not entry["name"] or not entry["township"]:
                continue
            township = self._find_township(entry, "township", entry["township"])
            name = clean_name(entry["name"])
            word = key(entry["kind"])
            if word:
                kind = VILLAGE_KIND_WORDS.get(word, "")
                if not kind:
                    allowed = "、".join(VillageKind.values)
                    self.error(entry, "kind", f"“{entry['kind']}”不是可选值（可选：{allowed}）")
            else:
                kind = VillageKind.COMMUNITY if name.endswith("社区") else VillageKind.VILLAGE
            if township is None:
                continue
            if (township, key(name)) in seen:
                first = seen[(township, key(name))]
                self.error(
                    entry,
                    "name",
                    f"“{township.name}{name}”重复（{where(first)}已有）",
                )
                continue
            seen[(township, key(name))] = entry
            values = {"kind": kind, **self._village_point(entry)}
            plan = NamedPlan(entry, name, clean_name(entry["old_name"]), values)
            plan.township = township
            self.villages.append(plan)
        townships = [
            p.existing.pk for p in self.units if p.existing and p.kind == UnitKind.TOWNSHIP
        ]
        existing = {
            (v.township_id, v.name): v for v in Village.objects.filter(township_id__in=townships)
        }
        self.removed_villages = match_by_name(
            self.villages,
            existing,
            scope=lambda plan: plan.township.existing.pk if plan.township.existing else None,
        )

    def _check_leaders(self):
        seen = {}
        for order, entry in enumerate(self.data.leaders, start=1):
            if not entry["name"]:
                continue
            name = clean_name(entry["name"])
            if key(name) in seen:
                self.error(entry, "name", f"县级领导“{name}”重复（{where(seen[key(name)])}已有）")
                continue
            seen[key(name)] = entry
            liaison = []
            for township_name in split_names(entry["liaison"]):
                township = self._find_township(entry, "liaison", township_name)
                if township is not None and township not in liaison:
                    liaison.append(township)
            plan = NamedPlan(
                entry,
                name,
                clean_name(entry["old_name"]),
                {"title": entry["title"].strip(), "order": order},
            )
            plan.liaison = liaison
            self.leaders.append(plan)
        existing = {(None, leader.name): leader for leader in Leader.objects.all()}
        self.removed_leaders = match_by_name(self.leaders, existing)

    def _check_groups(self):
        seen = {}
        for order, entry in enumerate(self.data.groups, start=1):
            if not entry["name"]:
                continue
            name = clean_name(entry["name"])
            if key(name) in seen:
                self.error(entry, "name", f"专项小组“{name}”重复（{where(seen[key(name)])}已有）")
                continue
            seen[key(name)] = entry
            self.groups.append(
                NamedPlan(entry, name, clean_name(entry["old_name"]), {"order": order})
            )
        existing = {(None, group.name): group for group in SpecialGroup.objects.all()}
        self.removed_groups = match_by_name(self.groups, existing)

    def _check_supervisions(self):
        workstreams = {}
        for workstream in registry:
            workstreams[key(workstream.label)] = workstream.key
            workstreams[key(workstream.key)] = workstream.key
        # 考核: the assessment office, whose supervisors set the 考核 formula (county.scoping)
        workstreams[key(ASSESSMENT_LABEL)] = workstreams[key(ASSESSMENT)] = ASSESSMENT
        allowed = "、".join([*(w.label for w in registry), ASSESSMENT_LABEL])
        for plan in self.units:
            for label in split_names(plan.entry["supervises"]):
                found = workstreams.get(key(label))
                if found is None:
                    self.error(
                        plan.entry,
                        "supervises",
                        f"没有这个工作板块“{label}”（可填：{allowed}）",
                    )
                elif found not in plan.supervises:
                    plan.supervises.append(found)

    def _check_accounts(self):
        entries = [e for e in self.data.accounts if e["username"]]
        usernames = [key(e["username"]) for e in entries]
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=usernames).select_related("unit", "leader")
        }
        holders = {
            u.leader_id: u
            for u in User.objects.filter(leader__isnull=False).only("username", "leader")
        }
        leaders = {key(plan.name): plan for plan in self.leaders}
        validator = UnicodeUsernameValidator()
        seen, leader_seen = {}, {}
        for entry in entries:
            username = key(entry["username"])
            try:
                validator(username)
                if len(username) > 150:
                    raise ValidationError("")
            except ValidationError:
                self.error(
                    entry,
                    "username",
                    f"用户名“{entry['username']}”只能由字母、数字和 @ . + - _ 组成，最长 150 位",
                )
                continue
            if username in seen:
                self.error(
                    entry, "username", f"用户名“{username}”重复（{where(seen[username])}已有）"
                )
                continue
            seen[username] = entry
            name = clean_name(entry["name"])
            role = ROLE_WORDS.get(key(entry["role"]).lower()) if entry["role"] else None
            if entry["role"] and role is None:
                allowed = "、".join(Role.labels)
                self.error(entry, "role", f"没有这个角色“{entry['role']}”（可填：{allowed}）")
            unit = None
            if entry["unit"] and role != Role.LEADER:
                unit = self._find_unit(entry["unit"])
                if unit is None:
                    self.error(entry, "unit", self._unknown(entry["unit"], "单位"))
            elif role in (Role.STAFF, Role.SUPERVISOR):
                self.error(
                    entry,
                    "unit",
                    "单位工作人员和督查人员必须填写所属单位",
                )
            leader = None
            if role == Role.LEADER and name:
                leader = leaders.get(key(name))
                if leader is None:
                    self.error(
                        entry,
                        "name",
                        f"县级领导账号的姓名“{name}”不在「{LEADERS.title}」表中",
                    )
                elif key(name) in leader_seen:
                    self.error(
                        entry,
                        "name",
                        f"县级领导“{name}”已有账号（{where(leader_seen[key(name)])}）",
                    )
                    leader = None
                else:
                    leader_seen[key(name)] = entry
                    holder = holders.get(leader.existing.pk) if leader.existing else None
                    if holder is not None and holder.username != username:
                        self.error(
                            entry,
                            "name",
                            f"县级领导“{name}”在系统中已对应账号“{holder.username}”",
                        )
            if role == Role.SUPERVISOR and unit is not None and not unit.supervises:
                self.report.note(
                    f"督查人员“{username}”所在的“{unit.name}”在「{DEPARTMENTS.title}」中"
                    "没有督查板块，登录后只能查看。"
                )
            phone = key(entry["phone"])
            if phone and not PHONE.match(phone):
                self.error(entry, "phone", f"手机号“{entry['phone']}”格式不对")
            email = key(entry["email"])
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    self.error(entry, "email", f"电子邮箱“{entry['email']}”格式不对")
            if role is None:
                continue
            plan = AccountPlan(entry, username, name, role, unit, leader, phone, email)
            plan.existing = existing.get(username)
            if plan.existing is None:
                self.new_accounts.append(plan)
            self.accounts.append(plan)

    # ---- writing --------------------------------------------------------------------
    def apply(self):
        self._apply_units()
        self._apply_villages()
        self._apply_named(
            Leader, self.leaders, self.removed_leaders, KIND_LABELS["leaders"], self._leader_values
        )
        self._apply_named(
            SpecialGroup,
            self.groups,
            self.removed_groups,
            KIND_LABELS["groups"],
            lambda plan: {"name": plan.name, **plan.values},
        )
        self._apply_supervisions()
        if self.data.accounts is not None:
            self._apply_accounts()

    def _save(self, kind, instance, values, entry, label):
        creating = instance.pk is None
        changed = save_changes(instance, values, self.user, self.reason)
        if creating:
            self.report.add_created(kind, label, row=entry)
        elif changed:
            self.report.add_updated(kind, label, changed, row=entry)
        else:
            self.report.add_unchanged(kind)
        return changed

    def _apply_units(self):
        held = dict(Unit.objects.values_list("name", "pk"))
        pending = list(self.units)
        while pending:
            ready = [
                p for p in pending if held.get(p.name) in (None, getattr(p.existing, "pk", -1))
            ]
            if not ready:
                # Names swapped between units: park one under a temporary name first.
                plan = next(p for p in pending if p.existing is not None)
                del held[plan.existing.name]
                plan.existing.name = f"{plan.existing.name}（改名中 {plan.code}）"
                plan.existing._history_user = self.user
                plan.existing._change_reason = self.reason
                plan.existing.save(update_fields=["name"])
                held[plan.existing.name] = plan.existing.pk
                continue
            for plan in ready:
                instance = plan.existing or Unit()
                if plan.existing is not None:
                    held.pop(plan.existing.name, None)
                values = {
                    "code": plan.code,
                    "name": plan.name,
                    "kind": plan.kind,
                    "township_kind": plan.township_kind,
                    "aliases": "\n".join(plan.aliases),
                    "order": plan.order,
                    "is_active": True,
                }
                self._save(plan.label, instance, values, plan.entry, plan.name)
                plan.instance = instance
                held[plan.name] = instance.pk
                pending.remove(plan)
        kept = {plan.instance.pk for plan in self.units}
        for unit in Unit.objects.filter(is_active=True).exclude(pk__in=kept):
            save_changes(unit, {"is_active": False}, self.user, self.reason)
            label = KIND_LABELS["townships" if unit.kind == UnitKind.TOWNSHIP else "departments"]
            self.report.add_removed(label, unit.name, "停用")
            users = unit.users.filter(is_active=True).count()
            if users:
                self.report.note(
                    f"“{unit.name}”不在工作簿中，已停用（保留其历史记录）；"
                    f"它的 {users} 个账号仍可登录，如需停用请在系统管理中处理。"
                )

    def _remove(self, kind, records):
        for record_ in records:
            if in_use(record_):
                self.report.note(f"{kind}“{record_}”不在工作簿中，但仍被业务记录引用，已保留。")
                continue
            label = str(record_)
            record_._history_user = self.user
            record_._change_reason = self.reason
            record_.delete()
            self.report.add_removed(kind, label, "删除")

    def _apply_villages(self):
        kind = KIND_LABELS["villages"]
        self._remove(kind, self.removed_villages)
        new = []
        for plan in self.villages:
            values = {"name": plan.name, **plan.values}
            if plan.existing is None:
                new.append(plan)
                continue
            self._save(kind, plan.existing, values, plan.entry, f"{plan.township.name}{plan.name}")
        objs = [
            Village(township=plan.township.instance, name=plan.name, **plan.values) for plan in new
        ]
        bulk_create_with_history(Village, objs, user=self.user, reason=self.reason)
        for plan in new:
            self.report.add_created(kind, f"{plan.township.name}{plan.name}", row=plan.entry)

    def _leader_values(self, plan):
        return {
            "name": plan.name,
            **plan.values,
            "liaison_townships": [township.instance for township in plan.liaison],
        }

    def _apply_named(self, model, plans, removed, kind, values):
        self._remove(kind, removed)
        for plan in plans:
            instance = plan.existing or model()
            self._save(kind, instance, values(plan), plan.entry, plan.name)
            plan.instance = instance

    def _apply_supervisions(self):
        kind = KIND_LABELS["supervisions"]
        wanted = {}
        for plan in self.units:
            for workstream in plan.supervises:
                wanted[(plan.instance.pk, workstream)] = plan
        existing = {
            (s.unit_id, s.workstream): s for s in Supervision.objects.select_related("unit")
        }
        for pair, supervision in existing.items():
            if pair not in wanted:
                label = str(supervision)
                supervision._history_user = self.user
                supervision._change_reason = self.reason
                supervision.delete()
                self.report.add_removed(kind, label, "删除")
        for (unit_pk, workstream), plan in wanted.items():
            if (unit_pk, workstream) in existing:
                self.report.add_unchanged(kind)
                continue
            supervision = Supervision(unit=plan.instance, workstream=workstream)
            self._save(
                kind,
                supervision,
                {"unit": plan.instance, "workstream": workstream},
                plan.entry,
                f"{plan.name} 督查 {_supervised_label(workstream)}",
            )

    def _apply_accounts(self):
        kind = KIND_LABELS["accounts"]
        for plan in self.accounts:
            values = {
                "role": plan.role,
                "unit": plan.unit.instance if plan.unit else None,
                "leader": plan.leader.instance if plan.leader else None,
                "phone": plan.phone,
                "email": plan.email,
            }
            user = plan.existing or User(username=plan.username)
            if user.get_full_name() != plan.name:
                values.update(last_name=plan.name, first_name="")
            label = f"{plan.username}（{plan.name}）"
            if plan.existing is not None:
                self._save(kind, user, values, plan.entry, label)
                continue
            for name, value in values.items():
                setattr(user, name, value)
            user.must_change_password = self.passwords.must_change
            if self.passwords.superuser_admins and plan.role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            clear = None
            if self.dry_run:
                user.set_unusable_password()
            else:
                user.password, clear = self.passwords.make()
            user.save()
            self.report.add_created(kind, label, row=plan.entry)
            self.report.created_accounts.append(plan.username)
            if clear:
                self.report.passwords.append(
                    {
                        "username": plan.username,
                        "name": plan.name,
                        "role": Role(plan.role).label,
                        "unit": plan.unit.name if plan.unit else "",
                        "password": clear,
                    }
                )


def run_setup(
    source,
    *,
    user=None,
    name="",
    dry_run=False,
    passwords=None,
    accounts=True,
    allow_new_accounts=True,
    reason=REASON,
    before_commit=None,
):
    """Check and apply one set-up workbook, all or nothing; returns a :class:`SetupReport`.

    ``dry_run`` does everything and rolls back (no password is hashed). ``accounts=False``
    ignores the 账号 sheet. With ``allow_new_accounts=False`` an account to be created is
    an error (the command does so when it has nowhere to deliver passwords).
    ``before_commit(report)`` runs inside the transaction after a successful apply: if it
    raises, nothing is written.
    """
    report = SetupReport()
    report.dry_run = dry_run
    try:
        data = read_workbook(source, report, name)
    except LedgerFileError as error:
        report.error(None, "", str(error))
        return report
    if not accounts:
        data.accounts = None
    if any(error.row is None for error in report.errors):
        return report  # a missing sheet or header: fix the structure first
    setup = CountySetup(
        data, report, user=user, passwords=passwords, reason=reason, dry_run=dry_run
    )
    try:
        with transaction.atomic():
            setup.check()
            if setup.new_accounts and not allow_new_accounts:
                names = "、".join(p.username for p in setup.new_accounts[:10])
                more = "等" if len(setup.new_accounts) > 10 else ""
                report.sheet_error(
                    ACCOUNTS.title,
                    None,
                    "",
                    f"将新建 {len(setup.new_accounts)} 个账号（{names}{more}），"
                    "请用 --passwords-out 指定初始密码表的保存位置。",
                )
            if report.ok:
                setup.apply()
            if dry_run or not report.ok:
                raise _Rollback
            if before_commit is not None:
                before_commit(report)
    except _Rollback:
        pass
    except IntegrityError as error:
        report.error(None, "", f"写入时与系统中已有的数据冲突，未写入任何数据（{error}）。")
    report.applied = report.ok and not dry_run
    if not report.applied:
        report.passwords = []
    return report


def record_run(report, name, *, request=None, user=None):
    """Write the audit log entries of an applied run (the set-up, and accounts created)."""
    actor = {"request": request, "user": user}
    if request is None and user is None:
        actor["username"] = "（命令行）"
    record(Action.SETUP, target=name, detail=report.summary(), **actor)
    if report.created_accounts:
        names = "、".join(report.created_accounts)
        record(
            Action.ACCOUNTS,
            target=name,
            detail=f"批量创建账号 {len(report.created_accounts)} 个"
            f"（一次性初始密码，首次登录须修改）：{names}",
            **actor,
        )


def _supervised_label(workstream):
    """A 督查板块's label: a workstream's, or 考核 for the assessment office."""
    return ASSESSMENT_LABEL if workstream == ASSESSMENT else registry.label(workstream)
