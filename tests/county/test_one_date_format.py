"""Dates are written one way (2027年2月13日), by county/templatetags/dates.py alone.

The scan reads the project's Python and templates and fails on a date formatted anywhere
else: a strftime, a ``%Y`` format, year/month/day glued with 年月日, a ``|date:``/``|time:``
filter. ISO stays where machines read it; those uses are the short allow-list below.
"""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county.templatetags.dates import cn_date, cn_datetime, cn_weekday

ROOT = Path(__file__).resolve().parents[2]
HOME = Path("county/templatetags/dates.py")
SKIPPED_DIRS = {".venv", "node_modules", "migrations", "tests", "static", "var", ".git"}

PYTHON_RULES = {
    "strftime": re.compile(r"\bstrftime\("),
    "a %-format of a date": re.compile(r"%-?[YymdHMjb]"),
    "年月日 glued from numbers": re.compile(r"\}\s*年\s*\{[^}]*\}\s*月|\.(?:month|day)\}\s*[月日]"),
    "an Excel date format": re.compile(r"yyyy"),
    "Django's date formatting": re.compile(r"\b(?:date_format|naturalday|naturaltime)\b|\|date:"),
}
TEMPLATE_RULES = {
    "a |date or |time filter": re.compile(r"\|\s*(?:date|time)\b(?!:\s*['\"]Y-m-d['\"])"),
    "Django's humanize dates": re.compile(r"\bnatural(?:day|time)\b"),
}
# ISO (or a bare number) where a machine reads it; a line matching one is not a finding.
ALLOWED = [
    # <input type=date> needs ISO values (HTML spec).
    (re.compile(r'DateInput\(attrs=\{"type": "date"\}, format="%Y-%m-%d"\)'), "date inputs"),
    # Compact ISO in cache keys and download file names (never shown as a date).
    (re.compile(r"%Y%m%d"), "cache keys and file names"),
    # A page's own query string (?start=2027-02-13), read back by date inputs.
    (re.compile(r"=\{\w+:%Y-%m-%d\}"), "query strings"),
    # Where uploads are stored: media/…/2027/02/.
    (re.compile(r'upload_to="[\w/]+/%Y/%m/"|\{timezone\.now\(\):%Y/%m\}'), "upload folders"),
    # Excel's number format of the ledgers' real date cells (the cell stays a date).
    (re.compile(r"^DATE_FORMAT = 'yyyy\"年\"m\"月\"d\"日\"'$"), "Excel date cells"),
    # Logging's printf placeholders (%d of a count), not a date.
    (re.compile(r"logger\.\w+\(\"[^\"]*%d"), "log messages"),
]


def findings(text, rules):
    """``[(line number, rule, line)]`` of ``text`` that format a date outside the home."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.strip()
        if code.startswith("#") or any(pattern.search(code) for pattern, _ in ALLOWED):
            continue
        for name, rule in rules.items():
            if rule.search(code):
                found.append((number, name, code))
    return found


def project_files(suffixes):
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if set(relative.parts[:-1]) & SKIPPED_DIRS or path.suffix not in suffixes:
            continue
        if path.is_file():
            yield relative, path.read_text(encoding="utf-8")


def test_scan_finds_a_date_formatted_outside_the_home():
    """The scan itself: each of these would write a date a second way."""
    bad_python = [
        'f"{day:%Y年%-m月%-d日}"',
        'f"{day.year}年{day.month}月{day.day}日"',
        "day.strftime('%Y-%m-%d')",
        'f"截至{day:%Y-%m-%d}"',
    ]
    for line in bad_python:
        assert findings(line, PYTHON_RULES), line
    for line in ['{{ d|date:"Y年n月j日" }}', "{{ d|date }}", '{{ t|time:"H:i" }}']:
        assert findings(line, TEMPLATE_RULES), line
    assert not findings('<input type="date" value="{{ d|date:\'Y-m-d\' }}">', TEMPLATE_RULES)
    assert not findings('f"weekly:{monday:%Y%m%d}"', PYTHON_RULES)


def test_python_writes_dates_only_through_the_one_home():
    found = [
        f"{path}:{number} {rule}: {line}"
        for path, text in project_files({".py"})
        if path != HOME
        for number, rule, line in findings(text, PYTHON_RULES)
    ]
    assert not found, "日期请用 county.templatetags.dates 的 cn_date/cn_datetime：\n" + "\n".join(
        found
    )


def test_templates_write_dates_only_through_the_one_filter():
    found = [
        f"{path}:{number} {rule}: {line}"
        for path, text in project_files({".html", ".txt"})
        if "templates" in path.parts
        for number, rule, line in findings(text, TEMPLATE_RULES)
    ]
    assert not found, "模板中的日期请用 |cn_date 或 |cn_datetime：\n" + "\n".join(found)


def test_the_one_function_writes_days_and_moments():
    import zoneinfo

    assert cn_date(datetime.date(2027, 2, 13)) == "2027年2月13日"
    utc = datetime.datetime(2027, 2, 13, 6, 5, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert cn_datetime(utc) == "2027年2月13日 14:05"  # Asia/Shanghai
    late = datetime.datetime(2027, 2, 13, 17, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert cn_date(late) == "2027年2月14日"
    assert cn_date(None) == cn_datetime("") == ""
    assert cn_weekday(datetime.date(2027, 2, 13)) == "星期六"


@pytest.mark.django_db
def test_import_preview_shows_dates_as_people_read_them(demo, client, user_named):
    from county.registry import registry
    from landplan.models import PlanArea

    supervisor = user_named("sup_d17")
    ledger = registry.get("landplan").ledger
    area = PlanArea.objects.visible_to(supervisor).order_by("pk").first()
    PlanArea.objects.filter(pk=area.pk).update(completion_deadline=datetime.date(2027, 1, 31))
    book = openpyxl.load_workbook(io.BytesIO(ledger.export(PlanArea.objects.filter(pk=area.pk))))
    sheet = book.active
    header_row, column = next(
        (cell.row, cell.column)
        for row in sheet.iter_rows(max_row=5)
        for cell in row
        if cell.value == "完成时限"
    )
    sheet.cell(header_row + 1, column).value = datetime.date(2027, 2, 13)
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("preview.xlsx", out.getvalue())

    client.force_login(supervisor)
    page = client.post(reverse("ledger:import", args=["landplan"]), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200
    assert "2027年2月13日" in html
    assert "2027年1月31日" in html  # the old value, the same way
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", html), re.findall(r"\d{4}-\d{2}-\d{2}", html)
