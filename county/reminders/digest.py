"""One digest per person per day: grouping, wording, and exactly-once delivery.

:func:`deliver` claims a pending digest with a conditional UPDATE (pending → sent),
attaches the person's not-yet-delivered reminders, writes the in-app notification, and
commits all of it in one transaction. A concurrent run's UPDATE matches no row; a worker
killed before the commit leaves the digest pending for the next run. E-mail follows in
its own short transaction (:func:`send_email`), holding the row lock while it talks to
the mail server, so SMTP trouble never holds back the in-app notice.
"""

import logging
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from county.registry import registry
from county.templatetags.dates import cn_date

from .models import (
    URGENCY_OF_RULE,
    URGENCY_ORDER,
    Digest,
    Notification,
    Reminder,
    Urgency,
)

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 3


def site_url():
    """The address put in front of links in e-mails (SITE_URL setting or variable)."""
    return settings.SITE_URL.rstrip("/")


def most_urgent(reminders):
    """One row per item: an item both escalated and in the weekly summary is shown once."""
    rank = {u: i for i, u in enumerate(URGENCY_ORDER)}
    best = {}
    for reminder in reminders:
        key = (reminder.item_key, reminder.object_id)
        urgency = URGENCY_OF_RULE.get(reminder.rule, Urgency.OVERDUE)
        if key not in best or rank[urgency] < rank[URGENCY_OF_RULE[best[key].rule]]:
            best[key] = reminder
    return list(best.values())


def group(reminders):
    """Reminders grouped by workstream (registry order) and urgency (逾期 first).

    Returns ``[{"label", "key", "urgencies": [{"label", "key", "rows"}]}]``.
    """
    order = {w.key: i for i, w in enumerate(registry)}
    by_ws = {}
    for reminder in most_urgent(reminders):
        urgency = URGENCY_OF_RULE.get(reminder.rule, Urgency.OVERDUE)
        by_ws.setdefault(reminder.workstream, {}).setdefault(urgency, []).append(reminder)
    groups = []
    for key in sorted(by_ws, key=lambda k: (order.get(k, len(order)), k)):
        urgencies = []
        for urgency in URGENCY_ORDER:
            rows = by_ws[key].get(urgency)
            if rows:
                rows.sort(key=lambda r: (r.deadline, r.title))
                urgencies.append({"key": urgency, "label": Urgency(urgency).label, "rows": rows})
        groups.append({"key": key, "label": registry.label(key), "urgencies": urgencies})
    return groups


def counts(reminders):
    """How many items per urgency, most urgent first: ``[(label, n), …]``."""
    tally = Counter(URGENCY_OF_RULE.get(r.rule, Urgency.OVERDUE) for r in most_urgent(reminders))
    return [(Urgency(u).label, tally[u]) for u in URGENCY_ORDER if tally[u]]


def subject_for(day, reminders):
    parts = "，".join(f"{label}{n}项" for label, n in counts(reminders))
    return f"【督办提醒】{cn_date(day)}：{parts}"


def deliver(digest_id):
    """Deliver one pending digest in-app; returns ``(digest, reminders)`` or None."""
    with transaction.atomic():
        claimed = Digest.objects.filter(pk=digest_id, status=Digest.Status.PENDING).update(
            status=Digest.Status.SENT, sent_at=timezone.now()
        )
        if not claimed:
            return None  # another run delivered it
        digest = Digest.objects.select_related("user").get(pk=digest_id)
        Reminder.objects.filter(user_id=digest.user_id, digest__isnull=True).update(digest=digest)
        reminders = list(digest.reminders.select_related("unit"))
        if not reminders:  # an older pending digest of this person took them all
            digest.delete()
            return None
        user = digest.user
        digest.subject = subject_for(digest.day, reminders)[:200]
        if user.email_muted:
            digest.email_status = Digest.Email.MUTED
        elif not user.email:
            digest.email_status = Digest.Email.NO_ADDRESS
        digest.save(update_fields=["subject", "email_status"])
        notification = Notification.objects.create(
            user=user,
            title=digest.subject,
            body=render_text(digest, reminders),
            digest=digest,
        )
        Notification.objects.filter(pk=notification.pk).update(
            url=reverse("county:notification", args=[notification.pk])
        )
    return digest, reminders


def render_text(digest, reminders):
    return render_to_string(
        "county/reminders/digest_email.txt",
        {
            "user": digest.user,
            "day": digest.day,
            "groups": group(reminders),
            "total": len(most_urgent(reminders)),
            "site": site_url(),
        },
    )


def send_email(digest_id):
    """Send the e-mail of a delivered digest once; returns the new e-mail status or None."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(skip_locked=True)
            .filter(
                pk=digest_id,
                status=Digest.Status.SENT,
                email_status__in=[Digest.Email.PENDING, Digest.Email.FAILED],
                email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            )
            .select_related("user")
            .first()
        )
        if digest is None:
            return None
        body = Notification.objects.filter(digest=digest).values_list("body", flat=True).first()
        digest.email_attempts += 1
        try:
            send_mail(digest.subject, body or "", None, [digest.user.email])
        except Exception as error:  # SMTP down: keep the in-app notice, retry next run
            log.warning("提醒邮件发送失败 %s: %s", digest.user, error)
            digest.email_status = Digest.Email.FAILED
            digest.email_error = str(error)[:300]
        else:
            digest.email_status = Digest.Email.SENT
            digest.email_error = ""
        digest.save(update_fields=["email_status", "email_attempts", "email_error"])
        return digest.email_status
