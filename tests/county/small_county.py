"""A tiny county of known work, far from the demo's dates, for the ranking and 周报 tests."""

import datetime

from django.utils import timezone

from county.choices import Role, TownshipKind, UnitKind
from county.models import Unit, User

D = datetime.date


def at(day):
    """Noon of ``day`` in the county's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def unit(code, name, kind=UnitKind.DEPARTMENT, order=900):
    extra = {"township_kind": TownshipKind.TOWN} if kind == UnitKind.TOWNSHIP else {}
    return Unit.objects.create(code=code, name=name, kind=kind, order=order, **extra)


def staff(username, of):
    return User.objects.create_user(username, password="x", role=Role.STAFF, unit=of)


def item(number):
    from reforms.models import ReformItem

    return ReformItem.objects.create(year=2001, number=number, title=f"测试改革任务{number}")


def task(parent, units, deadline, done_on=None, name="测试举措"):
    from reforms.choices import TaskStatus
    from reforms.models import SubTask

    status = TaskStatus.DONE if done_on else TaskStatus.IN_PROGRESS
    row = SubTask.objects.create(
        item=parent, name=name, deadline=deadline, status=status, completed_on=done_on
    )
    row.units.set(units)
    return row


def problem(township, found_on, deadline, closed_on=None, **values):
    from environment.choices import ProblemStatus
    from environment.models import Problem, ProblemCategory

    status = ProblemStatus.CLOSED if closed_on else ProblemStatus.RECTIFYING
    return Problem.objects.create(
        number=Problem.next_number(),
        township=township,
        category=ProblemCategory.objects.first(),
        description="测试问题",
        found_on=found_on,
        deadline=deadline,
        status=status,
        closed_on=closed_on,
        **values,
    )
