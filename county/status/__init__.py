"""The one status rule for dated work: 已完成 / 逾期 / 临期 / 正常 / 长期, shown as lights."""

import datetime

from django.db import models
from django.utils import timezone

DUE_SOON_DAYS = 7


class Light(models.TextChoices):
    DONE = "done", "已完成"
    OVERDUE = "overdue", "逾期"
    DUE_SOON = "due_soon", "临期"
    NORMAL = "normal", "正常"
    LONG_TERM = "long_term", "长期"


# Bootstrap colour of each light: red, yellow, green; long-term work is blue.
LIGHT_TONES = {
    Light.DONE: "success",
    Light.OVERDUE: "danger",
    Light.DUE_SOON: "warning",
    Light.NORMAL: "success",
    Light.LONG_TERM: "info",
}


def today():
    """Today's date in the county's time zone."""
    return timezone.localdate()


def light_for(deadline, done=False, on=None):
    """The light of a record with ``deadline`` (None means long-term)."""
    if done:
        return Light.DONE
    if deadline is None:
        return Light.LONG_TERM
    on = on or today()
    if deadline < on:
        return Light.OVERDUE
    if deadline <= on + datetime.timedelta(days=DUE_SOON_DAYS):
        return Light.DUE_SOON
    return Light.NORMAL


def days_overdue(deadline, on=None):
    on = on or today()
    return max((on - deadline).days, 0) if deadline else 0
