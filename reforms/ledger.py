"""The reform ledger's Excel columns, and how its rows become items and sub-tasks.

One row is one sub-task; the item-level cells (序号, 改革任务, 牵头县领导, 牵头单位 …)
are merged over an item's rows, or left blank on its continuation rows. Section
rows ("一、经济体制和生态文明体制改革专项小组（22项）") set the special group.
"""

import re

from django.db.models import Count, Prefetch

from county.ledger import CellError, Column, Ledger, Section, parsers
from county.naming import normalize_name

from .choices import Source, TaskStatus, Track
from .filtersets import ReformItemFilter
from .models import ProgressReport, ReformItem, SubTask

_SECTION_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十百\d]+[)）]?[、.．]?")
_SECTION_COUNT = re.compile(r"[（(]\s*(\d+)\s*项\s*[)）]$")
TRACK_WORDS = {"规定动作": Track.MANDATED, "后半篇": Track.FOLLOW_UP, "微改革": Track.INNOVATION}
STATUS_ALIASES = {
    "完成": TaskStatus.DONE,
    "已办结": TaskStatus.DONE,
    "正在推进": TaskStatus.IN_PROGRESS,
    "进行中": TaskStatus.IN_PROGRESS,
    "序时推进": TaskStatus.IN_PROGRESS,
    "按序时推进": TaskStatus.IN_PROGRESS,
    "逾期": TaskStatus.LAGGING,
    "滞后推进": TaskStatus.LAGGING,
    "未开始": TaskStatus.NOT_STARTED,
    "未开展": TaskStatus.NOT_STARTED,
}
_status_choice = parsers.choice(TaskStatus, STATUS_ALIASES)


def parse_status(value, context):
    """完成状态 (a status word) or 是否完成 (是/否): a TaskStatus, or False for "not done"."""
    try:
        return _status_choice(value, context)
    except CellError:
        pass
    try:
        return TaskStatus.DONE if parsers.yes_no(value) else False
    except CellError:
        raise CellError(
            f"“{parsers.text(value)}”不是可选的完成状态（可选：{'、'.join(TaskStatus.labels)}，"
            "或是/否）"
        ) from None


def parse_group(value, context):
    group = find_group(value, context)
    if group is None:
        raise CellError(f"未知专项小组“{parsers.text(value)}”")
    return group


def find_group(text, context):
    name = normalize_name(_SECTION_COUNT.sub("", _SECTION_NUMBER.sub("", normalize_name(text))))
    for candidate in (name, name + "专项小组", name.removesuffix("专项小组")):
        if candidate in context.groups:
            return context.groups[candidate]
    for key, group in context.groups.items():  # "经济体制和生态文明体制改革" → its group
        if key.removesuffix("专项小组") == name.removesuffix("专项小组"):
            return group
    return None


SOURCE_ALIASES = {
    "对接方案": Source.CITY_DOCKING,
    "对接市级方案": Source.CITY_DOCKING,
    "市委深改委专项改革方案": Source.CITY_DOCKING,
    "自主": Source.COUNTY,
    "自主创新": Source.COUNTY,
    "县委": Source.COUNTY,
}
TRACK_ALIASES = {"规定": Track.MANDATED, "后半篇": Track.FOLLOW_UP, "微创新": Track.INNOVATION}

KIND_ITEM, KIND_TASK = "改革任务", "细分任务"
EXPORT_CHUNK = 500


class ReformLedger(Ledger):
    """示范县全面深化改革工作台账."""

    key = "reforms"
    title = "全面深化改革工作台账"
    sheet_name = "改革台账"
    model = ReformItem
    filterset_class = ReformItemFilter
    success_url_name = "reforms:list"
    per_year = True  # items are numbered per year: one sheet per year, the year in its title
    group_kind = "改革任务"
    columns = [
        Column("number", "序号", synonyms=("编号",), parser=parsers.integer, required=True,
               width=6, merge=True, key=True),
        Column("title", "改革任务",
               synonyms=("改革事项", "任务名称", "改革任务名称", "重点改革任务", "改革项目"),
               required="缺少改革任务名称", width=24, merge=True),
        Column("group", "专项小组", synonyms=("所属专项小组", "牵头专项小组"),
               parser=parse_group, width=16, merge=True),
        Column("track", "类别", synonyms=("改革类别", "任务类别", "任务类型"),
               parser=parsers.choice(Track, TRACK_ALIASES), width=10, merge=True),
        Column("source", "来源", synonyms=("任务来源", "改革来源"),
               parser=parsers.choice(Source, SOURCE_ALIASES), width=12, merge=True),
        Column("subtask", "具体举措",
               synonyms=("细分任务", "具体任务", "工作举措", "主要举措", "具体措施"),
               required="缺少具体举措（细分任务名称）", width=28),
        Column("lead_leader", "牵头县领导",
               synonyms=("牵头领导", "县级牵头领导", "责任领导", "牵头县级领导"),
               parser=parsers.leader, width=9, merge=True),
        Column("lead_unit", "牵头单位", synonyms=("牵头部门",), parser=parsers.unit(),
               width=14, merge=True),
        Column("units", "责任单位", synonyms=("配合单位", "责任部门", "协同单位", "参与单位"),
               parser=parsers.units, width=18),
        Column("deadline", "完成时限",
               synonyms=("时限", "完成时间", "时间节点", "完成期限", "时限要求"),
               parser=parsers.deadline, width=13),
        Column("progress", "工作进展", synonyms=("进展情况", "推进情况", "进展", "工作推进情况"),
               width=30),
        Column("status", "完成状态", synonyms=("是否完成", "状态", "推进状态", "完成情况"),
               parser=parse_status, width=9),
        Column("in_assessment", "纳入年度考核", synonyms=("是否纳入年度考核", "年度考核"),
               parser=parsers.yes_no, width=8, merge=True),
        Column("note", "备注", synonyms=("说明",), width=12),
    ]  # fmt: skip

    # ---- import: items (merged rows) and their sub-tasks ------------------------------
    def import_rows(self, rows, report, user):
        """The engine groups the rows into items (merged 序号 … cells, or blank on the rows
        below) and checks keys and required cells; the rules here: sections give the
        special group and the track, each row is a sub-task matched by name then position,
        a changed 工作进展 is also a progress report."""
        sections = self._sections(rows, report)
        groups = self.group_rows(rows, report)
        for group in groups:
            self._check(group, report)
            self._section_of(group, sections)["count"] += 1
        for section in sections.values():
            self._close_section(section, report)
        if not report.ok:
            return  # everything is rolled back anyway; spare the writes
        years = sorted(set(report.years))
        items = self.table(ReformItem, user, m2m=("co_units",), scope={"year__in": years})
        tasks = self.table(SubTask, user, m2m=("units",), scope={"item__year__in": years})
        reports = self.table(ProgressReport, user)
        stored_items = {(s["year"], s["number"]): s for s in items.load()}
        stored_tasks = {}
        for task in sorted(tasks.load(), key=lambda t: (t["order"], t.pk)):
            stored_tasks.setdefault(task["item"], []).append(task)
        for group in groups:
            stored = stored_items.get(group.key)
            item_tasks = stored_tasks.get(stored.pk, []) if stored else []
            self._write_item(group, self._section_of(group, sections), stored, item_tasks,
                             (items, tasks, reports), report, user)  # fmt: skip
        items.flush()
        tasks.flush()
        reports.flush()

    def _sections(self, rows, report):
        """Section row → its special group, track and declared count (a track section
        keeps the group above it); items above a sheet's first section have their own."""
        sections, previous, sheet = {}, None, None
        for row in rows:
            if row.sheet is not sheet:
                sheet = row.sheet
                previous = sections[None, sheet] = self._empty_section(None)
            if isinstance(row, Section):
                previous = sections[row] = self._section(row, report, previous)
        return sections

    @staticmethod
    def _section_of(group, sections):
        if group.section is None:
            return sections[None, group.first.sheet]
        return sections[group.section]

    @staticmethod
    def _empty_section(title):
        return {"group": None, "track": None, "row": None, "declared": None, "count": 0,
                "title": title}  # fmt: skip

    def _section(self, row, report, previous):
        text = row.title
        count = _SECTION_COUNT.search(normalize_name(text))
        section = self._empty_section(text)
        section.update(track=previous["track"], row=row.number,
                       declared=int(count[1]) if count else None)  # fmt: skip
        for word, track in TRACK_WORDS.items():
            if word in text:
                section["track"] = track
                section["group"] = previous["group"]
                return section
        group = find_group(text, row.sheet.context)
        if group is None:
            report.error(row.number, "专项小组", f"未知专项小组“{text}”，请先在系统管理中添加")
        section["group"] = group
        return section

    def _close_section(self, section, report):
        declared = section.get("declared")
        if declared is not None and declared != section["count"]:
            report.note(
                f"第{section['row']}行“{section['title']}”写明 {declared} 项，"
                f"文件中实际有 {section['count']} 项，请核对。"
            )

    def _check(self, group, report):
        first = group.first
        for row in group.rows:
            if row.has_column("deadline") and row.is_blank("deadline"):
                report.error(row, row.label("deadline"), "缺少完成时限（长期任务请填“长期坚持”）")
            units_blank = not row.has_column("units") or row.is_blank("units")
            if units_blank and first.is_blank("lead_unit"):
                report.error(row, row.label("units"), "缺少责任单位")

    def _item_values(self, group, section):
        first = group.first
        values = {"title": first["title"]}
        for key in ("lead_leader", "lead_unit"):
            if first.has_column(key):
                values[key] = first[key]
        # A blank or missing cell keeps what the system has for these.
        for key in ("track", "source", "in_assessment"):
            if first[key] is not None:
                values[key] = first[key]
        if "track" not in values and section["track"]:
            values["track"] = section["track"]
        group_ = first["group"] or section["group"]
        if group_ is not None:
            values["group"] = group_
        return values

    def _write_item(self, group, section, stored, stored_tasks, tables, report, user):
        items = tables[0]
        values = self._item_values(group, section)
        task_values = [self._subtask_values(row, values) for row in group.rows]
        co_units = []
        for task in task_values:
            co_units += [u for u in task["units"] if u not in co_units]
        year, number = group.key
        label = f"{number}. {values['title']}"
        if stored is None:
            item = items.save({"year": year, "number": number, **values}, {"co_units": co_units})
            report.add_created(KIND_ITEM, label, group.first)
        else:
            item = stored
            changed = items.save(values, {"co_units": co_units}, stored)
            if changed:
                report.add_updated(KIND_ITEM, label, changed, group.first)
            else:
                report.add_unchanged(KIND_ITEM)
        matched = _match_subtasks(stored_tasks, [t["name"] for t in task_values])
        for order, (row, task_value, task) in enumerate(
            zip(group.rows, task_values, matched, strict=True), start=1
        ):
            self._write_subtask(item, number, order, row, task_value, task, tables, report,
                                user)  # fmt: skip
        leftover = [t for t in stored_tasks if t not in matched]
        if leftover:
            names = "、".join(f"“{t['name']}”" for t in leftover)
            report.note(f"{label}：系统中的细分任务 {names} 不在文件中，未作改动。")

    def _subtask_values(self, row, item_values):
        units = row["units"] if row.has_column("units") else None
        if not units and item_values.get("lead_unit"):
            units = [item_values["lead_unit"]]
        values = {"name": row["subtask"], "units": units or []}
        deadline = row["deadline"]
        if deadline is not None:
            values["deadline"] = deadline.date
            values["long_term"] = deadline.long_term
        if row.has_column("note"):
            values["note"] = row["note"] or ""
        values["_status"] = row["status"] if row.has_column("status") else None
        values["_progress"] = row["progress"] if row.has_column("progress") else None
        return values

    def _write_subtask(self, item, number, order, row, values, task, tables, report, user):
        _, tasks, reports = tables
        status = values.pop("_status")
        progress = values.pop("_progress")
        units = values.pop("units")
        values["order"] = order
        if status is False:  # 是否完成 = 否: not done, whatever the detail
            if task is None or task["status"] == TaskStatus.DONE:
                values["status"] = TaskStatus.IN_PROGRESS
        elif status:
            values["status"] = status
        if values.get("status") == TaskStatus.DONE:
            values["percent"] = 100
        label = f"{number}-{order} {values['name']}"
        if task is None:
            new = tasks.save({"item": item, "progress": progress or "", **values},
                             {"units": units})  # fmt: skip
            if progress:
                reports.save(_import_report(new, progress, values.get("percent", 0), user))
            report.add_created(KIND_TASK, label, row)
            return
        if progress is not None and progress != (task["progress"] or None):
            values["progress"] = progress
            percent = values.get("percent", task["percent"])
            reports.save(_import_report(task, progress, percent, user))
        changed = tasks.save(values, {"units": units}, task)
        if changed:
            report.add_updated(KIND_TASK, label, changed, row)
        else:
            report.add_unchanged(KIND_TASK)

    # ---- export: one sheet per year (Ledger.export_sheets) ----------------------------
    def export_rows(self, queryset):
        counts = dict(
            queryset.order_by()
            .values_list("group_id")
            .annotate(n=Count("pk", distinct=True))
            .values_list("group_id", "n")
        )
        items = (
            queryset.select_related("group", "lead_leader", "lead_unit")
            .prefetch_related(
                Prefetch("subtasks", queryset=SubTask.objects.prefetch_related("units"))
            )
            .order_by("group__order", "year", "number")
        )
        current_group = object()
        for item in items.iterator(chunk_size=EXPORT_CHUNK):
            if item.group_id != current_group:
                current_group = item.group_id
                if item.group is not None:
                    number = _chinese_number(item.group.order)
                    yield Section(f"{number}、{item.group.name}（{counts[item.group_id]}项）")
            for task in item.subtasks.all():
                yield {
                    "_group": item.pk,
                    "number": item.number,
                    "title": item.title,
                    "group": item.group.name if item.group else None,
                    "track": item.get_track_display(),
                    "source": item.get_source_display(),
                    "subtask": task.name,
                    "lead_leader": item.lead_leader.name if item.lead_leader else None,
                    "lead_unit": item.lead_unit,
                    "units": [u.name for u in task.units.all()],
                    "deadline": "长期坚持" if task.long_term else task.deadline,
                    "progress": task.progress or None,
                    "status": task.get_status_display(),
                    "in_assessment": item.in_assessment,
                    "note": task.note or None,
                }


def _import_report(task, text, percent, user):
    """A progress report written by the import (``from_import``), for a sub-task's new text."""
    return {
        "subtask": task,
        "text": text,
        "percent": percent,
        "author": user,
        "unit": getattr(user, "unit", None),
        "from_import": True,
    }


def _match_subtasks(existing, names):
    """Pair each file row with an existing sub-task: same name first, then by position."""
    by_name = {}
    for task in existing:
        by_name.setdefault(normalize_name(task["name"]), []).append(task)
    matched = []
    for name in names:
        candidates = by_name.get(normalize_name(name or ""))
        matched.append(candidates.pop(0) if candidates else None)
    unused = [t for t in existing if t not in matched]
    for index, task in enumerate(matched):
        if task is None and unused:
            matched[index] = unused.pop(0)
    return matched


_DIGITS = "零一二三四五六七八九"


def _chinese_number(n):
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)
