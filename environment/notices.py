"""Figures of a notice (通报) for a period, the cockpit figures, and the Word draft.

For the problems found in the period (发现日期 within it), per township:
- 发现: how many;
- 销号: how many are closed now (已销号);
- 逾期: how many are not closed and past their deadline on the notice date;
- 整改率: 销号 ÷ 发现, in per cent with one decimal;
- 反弹: recurrences found by 回头看 (the sum of their 反弹次数);
- 顽固: how many are 顽固问题.
Townships are ranked by 整改率 (high first), then fewer 逾期, then fewer 发现;
equal keys share a rank; townships with nothing found are listed unranked.

The draft for a period (these figures, the page and its Word file) is read by those the
``draft`` declaration of ``environment.Notice`` names (county.scoping); an issued notice is
read by everyone as it was issued: :func:`issued_content` reads its stored Word file, never
the figures again.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.urls import reverse

from county.models import Unit
from county.registry import NONE_LATE, RATE_THRESHOLD, Figure
from county.status import today
from county.templatetags.dates import cn_date

from .choices import NOT_CLOSED, ProblemStatus
from .registration import PROBLEM_STATUS


def rate_of(closed, found):
    return round(closed * 100 / found, 1) if found else None


@dataclass
class TownshipRow:
    """One township's line of a notice."""

    township: Unit
    found: int = 0
    closed: int = 0
    overdue: int = 0
    pending: int = 0
    recurrences: int = 0
    stubborn: int = 0
    rank: int | None = None

    @property
    def rate(self):
        return rate_of(self.closed, self.found)


@dataclass
class NoticeFigures:
    """Everything a notice shows."""

    start: datetime.date
    end: datetime.date
    on: datetime.date
    rows: list[TownshipRow]
    totals: TownshipRow
    serious: list = field(default_factory=list)
    stubborn: list = field(default_factory=list)
    accountabilities: list = field(default_factory=list)

    def row_for(self, township_name):
        return next(r for r in self.rows if r.township.name == township_name)


def period_problems(start, end):
    from .models import Problem

    return Problem.objects.filter(found_on__gte=start, found_on__lte=end)


def notice_figures(start, end, on=None):
    """The figures of a notice for problems found from ``start`` to ``end``, as of ``on``."""
    from .models import Accountability

    on = on or today()
    problems = period_problems(start, end)
    counts = {
        row["township"]: row
        for row in problems.values("township").annotate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
            overdue=Count("pk", filter=PROBLEM_STATUS.overdue_q(on)),
            pending=Count("pk", filter=Q(status=ProblemStatus.PENDING)),
            recurrences=Sum("recurrence_count"),
            stubborn=Count("pk", filter=Q(stubborn_of__isnull=False)),
        )
    }
    rows = []
    for township in Unit.objects.townships().order_by("order", "name"):
        c = counts.get(township.pk, {})
        rows.append(
            TownshipRow(
                township=township,
                found=c.get("found", 0),
                closed=c.get("closed", 0),
                overdue=c.get("overdue", 0),
                pending=c.get("pending", 0),
                recurrences=c.get("recurrences") or 0,
                stubborn=c.get("stubborn", 0),
            )
        )
    rank_rows(rows)
    totals = TownshipRow(township=None)
    for name in ("found", "closed", "overdue", "pending", "recurrences", "stubborn"):
        setattr(totals, name, sum(getattr(r, name) for r in rows))
    listed = problems.for_list().order_by("township__order", "number")
    return NoticeFigures(
        start=start,
        end=end,
        on=on,
        rows=rows,
        totals=totals,
        serious=list(listed.filter(is_serious=True)),
        stubborn=list(listed.filter(Q(stubborn_of__isnull=False) | Q(recurrence_count__gt=0))),
        accountabilities=list(
            Accountability.objects.filter(date__gte=start, date__lte=end)
            .select_related("unit")
            .order_by("date", "pk")
        ),
    )


def rank_rows(rows):
    """Rank by rate (high first), then fewer overdue, then fewer found; ties share a rank."""

    def key(row):
        return (-row.rate, row.overdue, row.found)

    ranked = sorted((r for r in rows if r.found), key=key)
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row.rank = rank
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.township.order))
    return rows


def cockpit_figures(user):
    """The environment panel of the cockpit, over the problems this user may see."""
    from .models import Problem

    on = today()
    c = Problem.objects.visible_to(user).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=NOT_CLOSED)),
        overdue=Count("pk", filter=PROBLEM_STATUS.overdue_q(on)),
        pending=Count("pk", filter=Q(status=ProblemStatus.PENDING)),
        closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        stubborn=Count("pk", filter=Q(stubborn_of__isnull=False)),
    )
    url = reverse("environment:problem_list")
    rate = rate_of(c["closed"], c["total"])
    return [
        Figure("问题总数", c["total"], url),
        Figure("未销号", c["open"], f"{url}?status=open", "primary"),
        Figure("逾期未整改", c["overdue"], f"{url}?overdue=1", threshold=NONE_LATE),
        Figure("待验收", c["pending"], f"{url}?status=pending", "warning"),
        Figure("整改率", "—" if rate is None else f"{rate}%", "", threshold=RATE_THRESHOLD),
        Figure("顽固问题", c["stubborn"], reverse("environment:stubborn_list"), "danger"),
    ]


def default_title(start, end):
    return f"关于{cn_date(start)}至{cn_date(end)}城乡环境综合提质督查情况的通报"


def build_docx(figures, title=None):
    """A Word draft of the notice that the supervisor edits and issues."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    title = title or default_title(figures.start, figures.end)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = "方正小标宋简体"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")

    doc.add_paragraph("各乡镇（街道），县级有关部门：")
    t = figures.totals
    total_rate = "—" if t.rate is None else f"{t.rate}%"
    doc.add_paragraph(
        f"{cn_date(figures.start)}至{cn_date(figures.end)}，县城乡环境综合提质工作督查组采取明查暗访、"
        f"交叉检查、日常巡查等方式开展督查，共发现问题{t.found}个。截至{cn_date(figures.on)}，"
        f"已整改销号{t.closed}个，整改率{total_rate}；逾期未整改{t.overdue}个；"
        f"回头看发现反弹{t.recurrences}次；顽固问题{t.stubborn}个。现将有关情况通报如下。"
    )

    doc.add_paragraph("一、各乡镇（街道）问题整改情况及排名", style="Heading 2")
    headers = ["排名", "乡镇（街道）", "发现问题", "已销号", "逾期", "整改率", "反弹", "顽固问题"]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in figures.rows:
        values = [
            row.rank or "—",
            row.township.name,
            row.found,
            row.closed,
            row.overdue,
            "—" if row.rate is None else f"{row.rate}%",
            row.recurrences,
            row.stubborn,
        ]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)

    doc.add_paragraph("二、严重问题", style="Heading 2")
    _problem_lines(doc, figures.serious, "本期无严重问题。")
    doc.add_paragraph("三、顽固（反弹）问题", style="Heading 2")
    _problem_lines(doc, figures.stubborn, "本期无顽固问题。")
    if figures.accountabilities:
        doc.add_paragraph("四、问责情况", style="Heading 2")
        for item in figures.accountabilities:
            doc.add_paragraph(
                f"{cn_date(item.date)}，对{item.unit.name}{item.get_measure_display()}：{item.reason}",
                style="List Bullet",
            )
    doc.add_paragraph("下一步要求", style="Heading 2")
    doc.add_paragraph(
        "各乡镇（街道）和有关部门要认真梳理认领通报问题，健全工作台账，及时整改销号，"
        "并适时开展“回头看”，对反复出现的顽固问题深入研究根除，确保问题动态清零。"
    )
    closing = doc.add_paragraph(f"县城乡环境综合提质工作领导小组办公室\n{cn_date(today())}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _problem_lines(doc, problems, empty):
    if not problems:
        doc.add_paragraph(empty)
        return
    for p in problems:
        units = "、".join(u.name for u in p.responsible_units)
        extra = []
        if p.is_stubborn:
            extra.append("顽固问题")
        if p.recurrence_count:
            extra.append(f"反弹{p.recurrence_count}次")
        tag = f"（{'，'.join(extra)}）" if extra else ""
        doc.add_paragraph(
            f"第{p.number}号 {p.township.name}{p.place_label}：{p.description}{tag}。"
            f"责任单位：{units}；整改时限：{cn_date(p.deadline)}；状态：{p.get_status_display()}。",
            style="List Number",
        )


def issued_content(notice):
    """The blocks of an issued notice's stored Word file, in order: ``("title", text)``,
    ``("heading", text)``, ``("paragraph", text)``, ``("item", text)`` and ``("table", rows)``
    (rows of cell texts). Empty when the file is missing or unreadable."""
    from docx import Document
    from docx.table import Table

    if not notice.document:
        return []
    try:
        with notice.document.open("rb") as stored:
            doc = Document(io.BytesIO(stored.read()))
    except Exception:  # a missing or damaged file: the page offers the download only
        return []
    blocks = []
    for part in doc.iter_inner_content():
        if isinstance(part, Table):
            blocks.append(("table", [[cell.text for cell in row.cells] for row in part.rows]))
            continue
        text = part.text.strip()
        if not text:
            continue
        style = (part.style.name if part.style is not None else "") or ""
        if not blocks:
            kind = "title"
        elif style.startswith(("Heading", "Title")):
            kind = "heading"
        elif style.startswith("List"):
            kind = "item"
        else:
            kind = "paragraph"
        blocks.append((kind, text))
    return blocks
