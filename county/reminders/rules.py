"""The reminder rules: who is told what about one dated item on one day.

Pure functions over dates and plain data (no queries), so they are cheap to run over
100,000 items and easy to test.

- Responsible units (every unit that owns the item): 7, 3 and 1 days before the deadline,
  on the day, and when overdue (first overdue day, then every ``overdue_repeat_days``).
  A unit without an active account is listed, and its reminders go to the supervisors.
- Overdue work escalates: to the workstream's supervisors at once, to the lead county
  leader after ``leader_escalation_days``; a 督办单 is issued after ``notice_after_days``.
- Leaders: a weekly summary (on ``weekly_digest_weekday``) of the overdue items they lead
  and the overdue items of the townships they liaise with.

Each rule has its own *day* (the deadline minus 3 for the 3-day rule …), which is part of
the reminder's unique key. A day without a run is therefore caught up the next day, and a
second run on the same day finds every key already recorded.

Working days (:mod:`county.workdays`, given as a calendar snapshot): nothing is sent on a
non-working day (the service does not run then), and a rule whose day is not a working day
is sent on the working day before it — a deadline on a holiday is reminded of the working
day before the holiday, noted in the reminder. The key keeps the rule's own day.
"""

import datetime
from dataclasses import dataclass, field

from ..templatetags.dates import cn_date
from .models import Rule

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Item:
    """One open dated item, as the scan fetched it."""

    kind: str  # DatedWork.key
    workstream: str
    pk: int
    title: str
    deadline: datetime.date
    leader_id: int | None
    unit_ids: tuple[int, ...]  # owning units, the lead unit first
    url: str


@dataclass
class Planned:
    """One reminder to be recorded (a future ``Reminder`` row)."""

    item: Item
    rule: str
    day: datetime.date
    user_id: int
    unit_id: int | None = None
    note: str = ""

    @property
    def key(self):
        return (self.item.kind, self.item.pk, self.rule, self.day, self.user_id)


@dataclass(frozen=True)
class NoticeRequest:
    """An overdue item that should have a 督办单 addressed to its lead unit."""

    item: Item
    unit_id: int
    days_overdue: int


@dataclass
class Directory:
    """Who receives what: the accounts behind units, workstreams and leaders."""

    staff_by_unit: dict[int, list[int]] = field(default_factory=dict)
    supervisors_by_workstream: dict[str, list[int]] = field(default_factory=dict)
    users_by_leader: dict[int, list[int]] = field(default_factory=dict)
    liaison_leaders_by_township: dict[int, list[int]] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    leader_names: dict[int, str] = field(default_factory=dict)


@dataclass
class Plan:
    """Everything one run should record, plus what could not be routed."""

    reminders: dict[tuple, Planned] = field(default_factory=dict)
    notices: list[NoticeRequest] = field(default_factory=list)
    units_without_account: set[int] = field(default_factory=set)
    leaders_without_account: set[int] = field(default_factory=set)
    unrouted: list[str] = field(default_factory=list)

    def add(self, planned):
        self.reminders.setdefault(planned.key, planned)


def unit_rule(deadline, on, repeat_days=7, calendar=None):
    """``(rule, day)`` of the reminder a responsible unit is due on ``on``, or None.

    Without ``calendar`` a rule is due from its own day on; with one, from the working day
    on or before it (``calendar.on_or_before``).
    """
    left = (deadline - on).days
    if left < 0:
        overdue = -left
        repeat = max(repeat_days, 1)
        return Rule.OVERDUE, deadline + (1 + (overdue - 1) // repeat * repeat) * DAY
    for rule, before in ((Rule.DUE, 0), (Rule.DAYS_1, 1), (Rule.DAYS_3, 3), (Rule.DAYS_7, 7)):
        day = deadline - before * DAY
        if (calendar.on_or_before(day) if calendar else day) <= on:
            return rule, day
    return None


def week_start(on, weekday=1):
    """The most recent day on or before ``on`` that is the weekly digest's weekday (1 = Mon)."""
    return on - datetime.timedelta(days=(on.isoweekday() - weekday) % 7)


def plan(items, on, directory, settings, calendar=None):
    """The reminders, escalations and 督办单 that ``items`` call for on day ``on``.

    ``calendar`` (a :class:`county.workdays.calendar.Calendar`): rules falling on
    non-working days are sent the working day before.
    """
    result = Plan()
    weekly_day = week_start(on, settings.weekly_digest_weekday)
    for item in items:
        due = unit_rule(item.deadline, on, settings.overdue_repeat_days, calendar)
        if due is None:
            continue
        rule, day = due
        early = ""
        if day > on and rule in (Rule.DUE, Rule.DAYS_1):  # its day is not a working day
            early = f"{cn_date(day)}为{calendar.name_of(day) or '休息日'}，提前到今天提醒"
        supervisors = directory.supervisors_by_workstream.get(item.workstream, [])
        for unit_id in item.unit_ids:
            staff = directory.staff_by_unit.get(unit_id)
            if staff:
                for user_id in staff:
                    result.add(Planned(item, rule, day, user_id, unit_id, early))
                continue
            result.units_without_account.add(unit_id)
            note = f"代收：{directory.unit_names.get(unit_id, unit_id)}无启用账号"
            note = f"{note}；{early}" if early else note
            for user_id in supervisors:
                result.add(Planned(item, rule, day, user_id, unit_id, note))
            if not supervisors:
                result.unrouted.append(
                    f"{item.title}（{directory.unit_names.get(unit_id, unit_id)}）"
                )
        overdue = (on - item.deadline).days
        if overdue < 1:
            continue
        lead_unit = item.unit_ids[0] if item.unit_ids else None
        for user_id in supervisors:
            result.add(Planned(item, Rule.SUPERVISOR, item.deadline + DAY, user_id, lead_unit))
        leader_users = directory.users_by_leader.get(item.leader_id, []) if item.leader_id else []
        if item.leader_id and not leader_users:
            result.leaders_without_account.add(item.leader_id)
        if overdue >= settings.leader_escalation_days:
            day = item.deadline + settings.leader_escalation_days * DAY
            for user_id in leader_users:
                result.add(Planned(item, Rule.LEADER, day, user_id, lead_unit, "牵头事项"))
        if lead_unit and overdue >= max(settings.notice_after_days, 1):
            result.notices.append(NoticeRequest(item, lead_unit, overdue))
        if item.deadline < weekly_day:  # overdue on the weekly digest's own day
            for user_id in leader_users:
                result.add(Planned(item, Rule.WEEKLY, weekly_day, user_id, lead_unit, "牵头事项"))
            for unit_id in item.unit_ids:
                for leader_id in directory.liaison_leaders_by_township.get(unit_id, []):
                    note = f"联系乡镇：{directory.unit_names.get(unit_id, unit_id)}"
                    for user_id in directory.users_by_leader.get(leader_id, []):
                        result.add(Planned(item, Rule.WEEKLY, weekly_day, user_id, unit_id, note))
    return result
