"""Event notifications: people are told when something happens, not only by the nightly scan.

A workstream's rule calls :func:`notify` when a request is made, decided or sent back, when
a leader writes a 批示 …::

    notify("reforms.completion.requested", supervisors_of("reforms"),
           "申请完成销号：…", body, url, actor=user)

Nothing happens until the change's transaction commits (``transaction.on_commit(...,
robust=True)``): a rolled-back change never notifies, and a failure after the commit (the
database, Redis for the e-mail queue) is logged, never a 500 for the person who acted. Then:

1. each recipient gets an in-app notification at once (the bell) and an :class:`EventNotice`
   row under the unique key (event id, person) — a second delivery of the same event fails
   on that key and writes nothing;
2. if anyone should get an e-mail, :func:`send_event_emails` is queued on Celery; it sends
   each pending e-mail once under a row lock, so a retried or duplicated task sends nothing
   twice. ``User.email_muted`` is respected (the in-app notice is never muted).

Decisions are also written to the operations audit log (:func:`record_decision`).
"""

import logging
import uuid

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .audit import Action, record
from .choices import Role
from .models import User
from .reminders.models import EventNotice, Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 3
RETRY_SECONDS = 120


def supervisors_of(workstream):
    """Active supervisors of the units that supervise ``workstream``."""
    return User.objects.filter(
        is_active=True, role=Role.SUPERVISOR, unit__supervisions__workstream=workstream
    )


def staff_of(*units):
    """Active staff of the given units (Unit objects or ids; None is skipped)."""
    ids = {getattr(unit, "pk", unit) for unit in units if unit is not None}
    return User.objects.filter(is_active=True, role=Role.STAFF, unit_id__in=ids)


def _ids(recipients):
    ids = set()
    for recipient in recipients:
        if recipient is None:
            continue
        if hasattr(recipient, "values_list"):  # a queryset of users
            ids.update(recipient.values_list("pk", flat=True))
        elif isinstance(recipient, (list, tuple, set, frozenset)):
            ids.update(_ids(recipient))
        else:
            ids.add(getattr(recipient, "pk", recipient))
    return ids


def notify(event_key, recipients, title, body="", url="", *, actor=None):
    """Tell ``recipients`` about an event once the current transaction commits.

    ``recipients`` is any mix of users, user ids and querysets of users; the ``actor`` (the
    person who caused the event) is never told about his own action. Returns the event id,
    or None when nobody is to be told.
    """
    ids = _ids([recipients])
    if actor is not None:
        ids.discard(getattr(actor, "pk", actor))
    if not ids:
        return None
    event_id = uuid.uuid4()
    payload = (event_id, event_key, sorted(ids), title[:200], body, url[:300])
    transaction.on_commit(lambda: deliver(*payload), robust=True)
    return event_id


def deliver(event_id, event_key, user_ids, title, body="", url=""):
    """Write the in-app notifications (once per person) and queue the e-mails."""
    with transaction.atomic():
        if EventNotice.objects.filter(event_id=event_id).exists():
            return 0  # delivered already
        users = list(User.objects.filter(pk__in=user_ids, is_active=True))
        notifications = Notification.objects.bulk_create(
            [Notification(user=user, title=title, body=body, url=url) for user in users]
        )
        notices = [
            EventNotice(
                event_id=event_id,
                event_key=event_key,
                user=user,
                notification=notification,
                email_status=_email_status(user),
            )
            for user, notification in zip(users, notifications, strict=True)
        ]
        EventNotice.objects.bulk_create(notices)
    if any(n.email_status == EventNotice.Email.PENDING for n in notices):
        send_event_emails.delay(str(event_id))
    return len(notices)


def _email_status(user):
    if user.email_muted:
        return EventNotice.Email.MUTED
    if not user.email:
        return EventNotice.Email.NO_ADDRESS
    return EventNotice.Email.PENDING


def email_text(notification):
    from .reminders.digest import site_url

    lines = [notification.title, "", notification.body.strip()]
    if notification.url:
        lines += ["", f"查看：{site_url()}{notification.url}"]
    lines += ["", "——县域改革工作督查平台（可在“个人信息”中关闭邮件提醒）"]
    return "\n".join(line for line in lines if line is not None).strip() + "\n"


@shared_task(
    bind=True,
    name="county.events.send_event_emails",
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_event_emails(self, event_id):
    """Send the e-mails of one event, each at most once; returns how many were sent."""
    sent, failed = 0, 0
    waiting = EventNotice.objects.filter(
        event_id=event_id,
        email_status__in=[EventNotice.Email.PENDING, EventNotice.Email.FAILED],
        email_attempts__lt=MAX_EMAIL_ATTEMPTS,
    )
    for pk in list(waiting.values_list("pk", flat=True)):
        with transaction.atomic():
            notice = (
                waiting.select_for_update(skip_locked=True, of=("self",))
                .select_related("user", "notification")
                .filter(pk=pk)
                .first()
            )
            if notice is None:
                continue  # another worker has it, or it is sent
            status = _email_status(notice.user)
            if status != EventNotice.Email.PENDING or notice.notification is None:
                notice.email_status = status
                notice.save(update_fields=["email_status"])
                continue
            notice.email_attempts += 1
            try:
                send_mail(
                    f"【督查平台】{notice.notification.title}",
                    email_text(notice.notification),
                    None,
                    [notice.user.email],
                )
            except Exception as error:  # the mail server is down: retry a little later
                log.warning("事件邮件发送失败 %s: %s", notice.user, error)
                notice.email_status = EventNotice.Email.FAILED
                notice.email_error = str(error)[:300]
                failed += 1
            else:
                notice.email_status = EventNotice.Email.SENT
                notice.email_error = ""
                notice.emailed_at = timezone.now()
                sent += 1
            notice.save(
                update_fields=["email_status", "email_attempts", "email_error", "emailed_at"]
            )
    if (
        failed
        and self.request.retries < MAX_EMAIL_ATTEMPTS - 1
        and not self.request.called_directly
    ):
        raise self.retry(countdown=RETRY_SECONDS)
    return sent


def current_request():
    """The web request being served (django-simple-history's middleware keeps it), or None."""
    return getattr(HistoricalRecords.context, "request", None)


def record_decision(user, target, detail):
    """Write a decision to the operations audit log (with the request's address, if any)."""
    return record(
        Action.DECISION, request=current_request(), user=user, target=target, detail=detail
    )
