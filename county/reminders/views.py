"""Pages of the reminders: notification centre, 督办单 and the e-mail switch.

- 通知中心: a person's in-app notices, newest first, paginated; mark one or all as read.
- 督办单: staff see their unit's notices and acknowledge them; supervisors, leaders and
  admins see all of them.
- 邮件提醒: each person may mute e-mail (never the in-app notices).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from county.models import User
from county.registry import registry
from county.scoping import may, restrict
from county.status import days_overdue

from .digest import group
from .models import Notification, Reminder, SupervisionNotice

PAGE_SIZE = 10


@login_required
def notifications(request):
    """The notification centre: newest first, ten per page, each digest's items linked."""
    qs = Notification.objects.filter(user=request.user).select_related("digest")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(
        Notification.objects.filter(pk__in=[n.pk for n in page.object_list])
        .select_related("digest")
        .prefetch_related(
            Prefetch("digest__reminders", queryset=Reminder.objects.select_related("unit"))
        )
    )
    by_pk = {n.pk: n for n in rows}
    entries = []
    for n in page.object_list:
        full = by_pk[n.pk]
        reminders = list(full.digest.reminders.all()) if full.digest_id else []
        entries.append({"n": full, "groups": group(reminders), "count": len(reminders)})
    return render(
        request,
        "county/reminders/notifications.html",
        {
            "entries": entries,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": paginator.num_pages > 1,
            "query_string": "unread=1" if only_unread else "",
            "only_unread": only_unread,
        },
    )


@login_required
def notification(request, pk):
    """One notice in full; opening it marks it read."""
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk).update(read_at=timezone.now())
    reminders = list(n.digest.reminders.select_related("unit")) if n.digest_id else []
    return render(
        request,
        "county/reminders/notification.html",
        {"n": n, "groups": group(reminders), "count": len(reminders)},
    )


def _back(request, default="county:notifications"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def notification_read(request, pk):
    Notification.objects.filter(pk=pk, user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request):
    done = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, f"已将 {done} 条通知标为已读。")
    return _back(request)


def notices_visible_to(user):
    """督办单 a user may see (``county.scoping``: readers of all, else his unit's)."""
    return restrict(
        SupervisionNotice.objects.select_related("unit", "acknowledged_by"), user, "view"
    )


def can_acknowledge(user, notice):
    return not notice.is_acknowledged and may(user, "acknowledge", notice)


@login_required
def notices(request):
    qs = notices_visible_to(request.user)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif state == "done":
        qs = qs.filter(acknowledged_at__isnull=False)
    paginator = Paginator(qs, 20)
    page = paginator.get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.workstream_label = registry.label(notice.workstream)
    return render(
        request,
        "county/reminders/notices.html",
        {
            "notices": page.object_list,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": paginator.num_pages > 1,
            "query_string": f"state={state}" if state else "",
            "state": state,
        },
    )


@login_required
def notice(request, pk):
    """One 督办单; the responsible unit's staff acknowledge it here (签收)."""
    obj = get_object_or_404(notices_visible_to(request.user), pk=pk)
    may_ack = can_acknowledge(request.user, obj)
    error = ""
    if request.method == "POST":
        if not may(request.user, "acknowledge", obj):
            raise PermissionDenied("只有责任单位的工作人员可以签收本督办单。")
        response = request.POST.get("response", "").strip()
        obj = SupervisionNotice.objects.select_for_update().get(pk=obj.pk)  # ATOMIC_REQUESTS
        if obj.is_acknowledged:
            messages.error(request, f"{obj.number}已经签收过了（可能已由同事签收）。")
            return redirect("county:notice", pk=obj.pk)
        if not response:
            error = "请填写整改说明（已采取或将采取的措施、预计完成时间）。"
        else:
            obj.response = response[:2000]
            obj.acknowledged_at = timezone.now()
            obj.acknowledged_by = request.user
            obj.save()
            messages.success(request, f"已签收{obj.number}。")
            return redirect("county:notice", pk=obj.pk)
    return render(
        request,
        "county/reminders/notice.html",
        {
            "notice": obj,
            "may_ack": may_ack,
            "error": error,
            "workstream_label": registry.label(obj.workstream),
            "overdue_now": days_overdue(obj.deadline),
        },
    )


@login_required
@require_POST
def email_toggle(request):
    """Switch the user's e-mail reminders on or off (in-app notices always stay on)."""
    muted = request.POST.get("email_muted") == "1"
    User.objects.filter(pk=request.user.pk).update(email_muted=muted)
    messages.success(request, "已关闭邮件提醒，站内通知照常。" if muted else "已开启邮件提醒。")
    return redirect("county:profile")
