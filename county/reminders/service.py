"""One reminder run: scan, issue 督办单, record reminders, build and deliver digests.

``run(day)`` is what the Celery task and ``manage.py send_reminders`` call. It is safe
to run any number of times, concurrently, or after a run that died half way:

1. the scan (:mod:`.scan`) and the rules (:mod:`.rules`) say which reminders are due;
2. each is inserted with its unique key (item, rule, day, person) and ``ON CONFLICT DO
   NOTHING`` (``bulk_create(ignore_conflicts=True)``) *before* anything is sent — a key
   that is already there is never sent again;
3. each person with undelivered reminders gets one pending digest for the day
   (unique per person and day), and every pending digest — this run's and any left by a
   killed run — is delivered by :func:`.digest.deliver`.

On a day that is not a working day (:mod:`county.workdays`: weekends, public holidays,
调休 counted) nothing is recorded or sent; the next working day's run catches up, and
rules falling on the days off are sent the working day before them (:mod:`.rules`).
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Q
from simple_history.utils import bulk_create_with_history

from county import history, workdays
from county.status import today

from . import digest as digests
from .models import ESCALATION_RULES, Digest, Reminder, ReminderSettings, SupervisionNotice
from .rules import plan
from .scan import directory, scan_items


@dataclass
class Report:
    """What one run did (or, in a dry run, would do)."""

    day: datetime.date
    dry_run: bool = False
    items: int = 0
    planned: int = 0
    recorded: int = 0
    escalations: int = 0
    sent: int = 0
    digests: list = field(default_factory=list)  # [(user, [(urgency label, n)], email)]
    notices: list = field(default_factory=list)  # numbers issued in this run
    units_without_account: list = field(default_factory=list)
    leaders_without_account: list = field(default_factory=list)
    unrouted: list = field(default_factory=list)
    emails_failed: int = 0
    day_off: str = ""  # the day is not a working day: its name (国庆节) or 休息日

    @property
    def already_sent(self):
        return self.planned - self.recorded

    def as_json(self):
        data = {
            "date": self.day.isoformat(),
            "sent": self.sent,
            "already_sent": self.already_sent,
            "digests": len(self.digests),
            "escalations": self.escalations,
        }
        if self.day_off:
            data["day_off"] = self.day_off
        return data


def run(day=None, *, dry_run=False, send_email=True):
    """Run the reminders for ``day`` (default today); a dry run changes nothing."""
    day = day or today()
    if not dry_run:
        return _run(day, send_email=send_email)
    with transaction.atomic():
        report = _run(day, send_email=False)
        transaction.set_rollback(True)
    report.dry_run = True
    return report


def _run(day, *, send_email):
    settings = ReminderSettings.load()
    report = Report(day=day)
    calendar = workdays.calendar()
    if not calendar.is_working_day(day):
        report.day_off = calendar.name_of(day) or "休息日"
        return report
    items = scan_items(day, calendar)
    people = directory()
    result = plan(items, day, people, settings, calendar)
    report.items = len(items)
    report.planned = len(result.reminders)
    report.units_without_account = sorted(
        people.unit_names.get(u, str(u)) for u in result.units_without_account
    )
    report.leaders_without_account = sorted(
        people.leader_names.get(i, str(i)) for i in result.leaders_without_account
    )
    report.unrouted = result.unrouted

    numbers, report.notices = issue_notices(result.notices, day)
    token = uuid.uuid4().hex
    rows = []
    for planned in sorted(result.reminders.values(), key=lambda p: p.key):
        item = planned.item
        note = planned.note
        number = numbers.get((item.kind, item.pk, item.deadline))
        if number and planned.rule != "weekly" and (day - item.deadline).days > 0:
            note = f"{note}；已下发{number}" if note else f"已下发{number}"
        rows.append(
            Reminder(
                item_key=item.kind,
                object_id=item.pk,
                rule=planned.rule,
                day=planned.day,
                user_id=planned.user_id,
                workstream=item.workstream,
                title=item.title,
                deadline=item.deadline,
                days_overdue=max((day - item.deadline).days, 0),
                unit_id=planned.unit_id,
                note=note[:200],
                url=item.url[:300],
                run=token,
            )
        )
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    mine = Reminder.objects.filter(run=token).aggregate(
        recorded=Count("pk"), escalations=Count("pk", filter=Q(rule__in=ESCALATION_RULES))
    )
    report.recorded, report.escalations = mine["recorded"], mine["escalations"]

    waiting = Reminder.objects.filter(digest__isnull=True).values_list("user_id", flat=True)
    Digest.objects.bulk_create(
        [Digest(user_id=u, day=day) for u in sorted(set(waiting))], ignore_conflicts=True
    )
    pending = Digest.objects.filter(status=Digest.Status.PENDING).order_by("day", "pk")
    delivered_now = []
    for digest_id in list(pending.values_list("pk", flat=True)):
        delivered = digests.deliver(digest_id)
        if delivered is None:
            continue
        digest, reminders = delivered
        email = digest.email_status
        if send_email:
            email = digests.send_email(digest_id) or email
        delivered_now.append(digest)
        report.sent += len(reminders)
        report.digests.append((digest.user, digests.counts(reminders), email))
    if send_email:  # e-mails left by a killed run or a mail server that was down
        retry = Digest.objects.filter(
            status=Digest.Status.SENT,
            email_status__in=[Digest.Email.PENDING, Digest.Email.FAILED],
            email_attempts__lt=digests.MAX_EMAIL_ATTEMPTS,
        )
        tried = {digest.pk for digest in delivered_now}
        for digest_id in list(retry.values_list("pk", flat=True)):
            if digest_id not in tried:
                digests.send_email(digest_id)
    report.emails_failed = sum(1 for *_, email in report.digests if email == Digest.Email.FAILED)
    return report


def issue_notices(requests, day):
    """Create the missing 督办单 with consecutive numbers; returns (all numbers, new ones).

    Numbering holds a row lock on the settings row, so two runs never take the same
    number; the unique (item, deadline) constraint makes a second issue impossible.
    """
    if not requests:
        return {}, []
    with transaction.atomic():
        ReminderSettings.objects.select_for_update().filter(pk=1).first()
        earliest = min(r.item.deadline for r in requests)
        existing = {
            (kind, pk, deadline): f"督办〔{year}〕第{seq:03d}号"
            for kind, pk, deadline, year, seq in SupervisionNotice.objects.filter(
                item_key__in={r.item.kind for r in requests}, deadline__gte=earliest
            ).values_list("item_key", "object_id", "deadline", "year", "seq")
        }
        last = SupervisionNotice.objects.filter(year=day.year).aggregate(m=Max("seq"))["m"] or 0
        new = []
        for request in requests:
            item = request.item
            key = (item.kind, item.pk, item.deadline)
            if key in existing:
                continue
            last += 1
            notice = SupervisionNotice(
                year=day.year,
                seq=last,
                item_key=item.kind,
                object_id=item.pk,
                workstream=item.workstream,
                title=item.title,
                deadline=item.deadline,
                days_overdue=request.days_overdue,
                unit_id=request.unit_id,
                url=item.url[:300],
                issued_on=day,
            )
            existing[key] = notice.number
            new.append(notice)
        if new:
            bulk_create_with_history(
                new, SupervisionNotice, batch_size=500, default_change_reason=history.TASK
            )
    return existing, [n.number for n in new]
