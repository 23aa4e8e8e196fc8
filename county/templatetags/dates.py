"""Dates as people read them — the one place a date is written for a reader (a builtin library).

``2027年2月13日`` for a day and ``2027年2月13日 14:05`` for a moment (in the site's time zone),
in every page, export title, import preview, e-mail, notice and Word document: Python calls
:func:`cn_date` / :func:`cn_datetime`, templates use ``{{ value|cn_date }}`` and
``{{ value|cn_datetime }}``. An empty value reads as "" (so ``|default:"—"`` still works).

Machine formats stay ISO and are not written here: ``<input type=date>`` values, the API,
cache keys, file names and real date cells of the Excel ledgers.
``tests/county/test_one_date_format.py`` fails on a date formatted anywhere else.
This module imports nothing of the project.
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value):
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter(expects_localtime=True)
def cn_date(value):
    """2027年2月13日 (a moment: the day it falls on in the site's time zone); None → ""."""
    if value in (None, ""):
        return ""
    return _day(_local(value))


@register.filter(expects_localtime=True)
def cn_datetime(value):
    """2027年2月13日 14:05 for a moment; a plain day reads as :func:`cn_date`; None → ""."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if not isinstance(value, datetime.datetime):
        return _day(value)
    return f"{_day(value)} {value.hour:02d}:{value.minute:02d}"


def cn_month(year, month):
    """2027年2月: a month as a period's name (the ranking's 月度 periods)."""
    return f"{year}年{month}月"


@register.filter(expects_localtime=True)
def cn_weekday(value):
    """星期六: the day of the week a date falls on (the holiday calendar's preview)."""
    if value in (None, ""):
        return ""
    return "星期" + "一二三四五六日"[_local(value).weekday()]
