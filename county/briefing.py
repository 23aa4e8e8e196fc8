"""周报 (the weekly briefing): the week's closures, new overdue work, requests decided and
通报 issued, per workstream and per township, as a page that prints on A4 and as Word.

Each workstream gives its figures through ``Workstream.weekly(date_from, date_to)`` as
:class:`WeekFigure`s (``county/`` never imports a workstream). A week runs Monday to Sunday in
the county's time zone (Asia/Shanghai); work "newly overdue" this week is dated work whose
deadline passed during the week (up to today) without being done by it.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.db.models import Count

from . import figures_cache
from .models import Unit
from .registry import registry
from .status import today
from .templatetags.dates import cn_date

KINDS = (
    ("closed", "完成 / 销号"),
    ("new_overdue", "新增逾期"),
    ("decided", "审核申请"),
    ("notices", "印发通报"),
)


@dataclass(frozen=True)
class WeekFigure:
    """One figure of a workstream's week: ``key`` is one of :data:`KINDS`; ``by_unit`` the
    same count per unit (the briefing keeps the townships); ``lines`` names what it counts
    when that is short (the titles of the 通报 issued); ``url`` the list of exactly its
    ``total`` rows, where a list can select them ("" otherwise)."""

    key: str
    label: str
    total: int
    by_unit: dict = field(default_factory=dict)
    lines: tuple = ()
    url: str = ""


def count_by(queryset, unit_path):
    """``{unit_id: n}``: rows of ``queryset`` per unit along ``unit_path``, in one query."""
    rows = queryset.order_by().values(unit_path).annotate(n=Count("pk", distinct=True))
    return {row[unit_path]: row["n"] for row in rows if row[unit_path] is not None}


def new_overdue_window(date_from, date_to, on=None):
    """The deadlines that passed in the week (up to ``on``): overdue from the day after."""
    on = on or today()
    last_day = min(date_to, on)
    one = datetime.timedelta(days=1)
    return date_from - one, last_day - one


def monday_of(text, on=None):
    """The Monday of the week named by ``?week=`` (any day of it), this week by default."""
    on = on or today()
    try:
        day = datetime.date.fromisoformat((text or "").strip())
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        day = on
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class WorkstreamWeek:
    """A workstream's lines of the briefing."""

    label: str
    figures: list
    totals: dict  # kind → n

    def cells(self):
        return [self.totals.get(key, 0) for key, _ in KINDS]

    def linked_cells(self):
        """``[(n, url)]`` per kind: the url of the one figure that makes ``n``, if it has one."""
        cells = []
        for key, _ in KINDS:
            mine = [f for f in self.figures if f.key == key]
            url = mine[0].url if len(mine) == 1 else ""
            cells.append((self.totals.get(key, 0), url))
        return cells


@dataclass
class Briefing:
    """The whole week: per workstream, per township, and the 通报 issued."""

    start: datetime.date
    end: datetime.date
    on: datetime.date
    workstreams: list
    townships: list  # [(Unit, [n per kind])]
    totals: list  # [n per kind]
    notices: list  # titles

    @property
    def title(self):
        return f"工作周报（{cn_date(self.start)}—{cn_date(self.end)}）"

    @property
    def previous(self):
        return self.start - datetime.timedelta(days=7)

    @property
    def next(self):
        following = self.start + datetime.timedelta(days=7)
        return following if following <= self.on else None


def briefing(monday, on=None):
    """The briefing of the week starting ``monday``."""
    on = on or today()
    end = monday + datetime.timedelta(days=6)
    weeks, per_unit, notices = [], {}, []
    for workstream in registry:
        if not workstream.weekly:
            continue
        figures = figures_cache.cached(  # until the workstream's data changes
            workstream.key,
            f"weekly:{monday:%Y%m%d}:{end:%Y%m%d}",
            None,
            lambda w=workstream: w.weekly(monday, end),
        )
        totals = {}
        for figure in figures:
            totals[figure.key] = totals.get(figure.key, 0) + figure.total
            for unit_id, n in figure.by_unit.items():
                mine = per_unit.setdefault(unit_id, {})
                mine[figure.key] = mine.get(figure.key, 0) + n
            if figure.key == "notices":
                notices.extend(figure.lines)
        weeks.append(WorkstreamWeek(workstream.label, figures, totals))
    townships = [
        (unit, [per_unit.get(unit.pk, {}).get(key, 0) for key, _ in KINDS])
        for unit in Unit.objects.townships().filter(is_active=True).order_by("order", "name")
    ]
    totals = [sum(w.totals.get(key, 0) for w in weeks) for key, _ in KINDS]
    return Briefing(monday, end, on, weeks, townships, totals, notices)


def build_docx(week):
    """The briefing as a Word document (python-docx, as the 通报 is drafted)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(week.title)
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = "方正小标宋简体"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    closed, late, decided, issued = week.totals
    doc.add_paragraph(
        f"本周（{cn_date(week.start)}至{cn_date(week.end)}），各项工作完成或销号{closed}项，"
        f"新增逾期{late}项，审核申请{decided}件，印发通报{issued}期。"
    )
    headers = [label for _, label in KINDS]

    doc.add_paragraph("一、分板块情况", style="Heading 2")
    _table(doc, ["工作板块", *headers], [[w.label, *w.cells()] for w in week.workstreams])
    for w in week.workstreams:
        details = "；".join(f"{f.label}{f.total}" for f in w.figures)
        doc.add_paragraph(f"{w.label}：{details or '本周无数据'}。", style="List Bullet")

    doc.add_paragraph("二、分乡镇（街道）情况", style="Heading 2")
    _table(doc, ["乡镇（街道）", *headers], [[u.name, *cells] for u, cells in week.townships])

    doc.add_paragraph("三、本周印发的通报", style="Heading 2")
    for title in week.notices or ["本周未印发通报。"]:
        doc.add_paragraph(title, style="List Bullet")
    closing = doc.add_paragraph(f"县委全面深化改革委员会办公室\n{cn_date(week.on)}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, headers, rows):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)
