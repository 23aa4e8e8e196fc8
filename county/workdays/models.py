"""The calendar table: one row per day that differs from the Monday–Friday rule.

Imported from ``county/models.py``, so the model belongs to the ``county`` app.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from county.inputs import check_plausible_date
from county.templatetags.dates import cn_date


class DayKind(models.TextChoices):
    """Why a day differs from the Monday–Friday rule."""

    HOLIDAY = "holiday", "法定节假日"
    WORKDAY = "workday", "调休上班日"


class CalendarDay(models.Model):
    """A public holiday (法定节假日, weekend days inside the holiday included) or a
    make-up working day (调休上班日, a Saturday or Sunday worked), as the State Council
    announces them each year. Every other day follows Monday–Friday.
    """

    date = models.DateField("日期", unique=True, validators=[check_plausible_date])
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=40, help_text="节日名称，如“春节”“国庆节”。")
    # Part of the cache key of county.workdays.calendar: an edit moves it forward.
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self):
        return f"{cn_date(self.date)} {self.name}（{self.get_kind_display()}）"
