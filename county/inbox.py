"""待我审核: one inbox of every request that waits for the user's decision.

Fed by the registry: each workstream declares its :class:`county.registry.Decision` kinds
(what waits, who asked and when, how to accept or send back). A supervisor sees what his
unit's workstreams wait for, never his own requests, and decides right there (accept, or
send back with a required reason) through the workstream's own rule; a county leader reads
the requests on the work he leads; unit staff have no inbox (403). Oldest first (those whose
time is unknown, e.g. imported from a ledger, last), waits over three working days marked
(China's working days: holidays and 调休 from :mod:`county.workdays`).
One query per registered kind (plus its declared prefetches, and one to check the calendar),
whatever the number of requests.

The unit's side is :func:`sent_back_rows`: what was sent back to it and not yet asked
again, shown first in 我的待办.
"""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from . import figures_cache, workdays
from .base_views import ActionStepView, Conflict
from .choices import Role
from .forms import BootstrapFormMixin
from .registry import registry
from .scoping import may
from .status import today

LIMIT_PER_KIND = 200
LATE_AFTER_WORKING_DAYS = 3


def working_days(start, end, calendar=None):
    """Working days after ``start`` up to and including ``end`` (China's holidays and 调休
    counted, :mod:`county.workdays`); 0 if not later."""
    return (calendar or workdays.calendar()).working_days_between(start, end)


def _local_date(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _value(obj, path):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
        if hasattr(obj, "all") and callable(obj.all):  # a many-valued path: not shown
            return None
    return obj


class DecisionForm(BootstrapFormMixin, forms.Form):
    """Accept, or send back with a required reason."""

    action = forms.ChoiceField(
        choices=[("accept", "同意"), ("send_back", "退回")],
        error_messages={"required": "请选择同意或退回。", "invalid_choice": "请选择同意或退回。"},
    )
    note = forms.CharField(
        label="意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "退回时必须填写退回原因"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "send_back" and not data.get("note", "").strip():
            self.add_error("note", "退回时必须填写退回原因。")
        return data


def _kinds_for(user):
    """[(workstream, decision, queryset, may_decide)] of what this user sees in the inbox."""
    if not user.is_authenticated:
        return []
    kinds = []
    for workstream, decision in registry.decisions():
        if may(user, "decide", decision.model):
            kinds.append((workstream, decision, decision.decidable_by(user, workstream.key), True))
        elif may(user, "follow_led_work") and decision.leader_path:
            kinds.append((workstream, decision, decision.led_by(user.leader_id), False))
    return kinds


def has_inbox(user):
    """Supervisors of a workstream with decisions, leaders and admins have an inbox."""
    if not user.is_authenticated:
        return False
    if may(user, "follow_led_work"):
        return True
    return any(may(user, "decide", decision.model) for _w, decision in registry.decisions())


def count_of(queryset):
    """A scalar subquery counting ``queryset``'s rows (0 when none), to put beside others."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted[:1]), 0)


def counts(user, **querysets):
    """Several counts in one query: ``counts(user, a=qs1, b=qs2)`` → ``{"a": 3, "b": 0}``."""
    if not querysets:
        return {}
    from .models import User

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(**{f"_{name}": count_of(qs) for name, qs in querysets.items()})
        .values(*(f"_{name}" for name in querysets))
        .first()
    )
    return {name: (row or {}).get(f"_{name}", 0) for name in querysets}


def waiting_count(user):
    """How many requests wait in the user's inbox (the navigation bar's 待我审核): one query,
    cached until a record of the workstreams concerned, or of ``county``, changes."""
    kinds = _kinds_for(user)
    if not kinds:
        return 0
    labels = ("county", *sorted({workstream.key for workstream, *_rest in kinds}))
    name = "inbox:" + ",".join(f"{d.key}{'+' if may else ''}" for _w, d, _q, may in kinds)

    def compute():
        return sum(counts(user, **{d.key.replace(".", "__"): q for _w, d, q, _m in kinds}).values())

    return figures_cache.cached(labels, name, user, compute, personal=True)


def inbox_rows(user, on=None, kind=None):
    """The inbox's rows, oldest first: what, its parent, which unit asked, when, how long."""
    on = on or today()
    rows, per_kind, truncated = [], [], False
    calendar = workdays.calendar()
    for workstream, decision, queryset, may_decide in _kinds_for(user):
        if kind and decision.key != kind:
            per_kind.append((workstream, decision, None))
            continue
        fetched = list(
            queryset.select_related(*decision.related)
            .prefetch_related(*decision.prefetch)
            .order_by(F(decision.asked_at).asc(nulls_last=True), "pk")[: LIMIT_PER_KIND + 1]
        )
        truncated |= len(fetched) > LIMIT_PER_KIND
        per_kind.append((workstream, decision, len(fetched[:LIMIT_PER_KIND])))
        for obj in fetched[:LIMIT_PER_KIND]:
            asked_at = _value(obj, decision.asked_at)
            waited = working_days(_local_date(asked_at), on, calendar) if asked_at else None
            rows.append(
                {
                    "key": f"{decision.key}:{obj.pk}",
                    "decision": decision,
                    "workstream": workstream,
                    "obj": obj,
                    "info": decision.describe(obj),
                    "url": decision.url(obj),
                    "asked_at": asked_at,
                    "asked_on_day": asked_at is not None
                    and not isinstance(asked_at, datetime.datetime),
                    "waited": waited,
                    "late": waited is not None and waited > LATE_AFTER_WORKING_DAYS,
                    "may_decide": may_decide,
                    "action": reverse("county:inbox_decide", args=[decision.key, obj.pk]),
                }
            )
    # Oldest first; rows whose time is not known (imported from a ledger) come last.
    unknown = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda r: (_sortable(r["asked_at"], unknown), r["key"]))
    return rows, per_kind, truncated


def _sortable(value, epoch):
    if value is None:
        return epoch
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    return datetime.datetime.combine(value, datetime.time.min, tzinfo=datetime.UTC)


def sent_back_rows(user, limit=50):
    """What was sent back to the user's unit and not yet asked again (我的待办, first group).

    One query counts every kind at once; only the kinds with rows are then fetched.
    """
    if not user.is_authenticated or not user.unit_id or user.role != Role.STAFF:
        return []
    kinds = [
        (w, d)
        for w, d in registry.decisions()
        if d.sent_back is not None and d.describe_sent_back is not None
    ]
    found = counts(
        user, **{f"k{i}": d.sent_back_for(user.unit_id) for i, (_w, d) in enumerate(kinds)}
    )
    rows = []
    for index, (workstream, decision) in enumerate(kinds):
        if not found[f"k{index}"]:
            continue
        order = f"-{decision.sent_back_at}" if decision.sent_back_at else "-pk"
        queryset = (
            decision.sent_back_for(user.unit_id)
            .select_related(*decision.sent_back_related)
            .prefetch_related(*decision.sent_back_prefetch)
            .order_by(order, "-pk")[:limit]
        )
        for obj in queryset:
            rows.append(
                {
                    "workstream": workstream,
                    "decision": decision,
                    "info": decision.describe_sent_back(obj),
                    "url": decision.url(obj),
                }
            )
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda r: _sortable(r["info"].get("at"), epoch), reverse=True)
    return rows


class InboxDecide(ActionStepView):
    """Accept or send back one request from the inbox; back to the inbox with a message.

    The row must still wait and the user must be allowed to decide it (a supervisor of the
    workstream who did not ask); the workstream's rule then locks, re-checks and decides.
    On failure the inbox is shown again with the error under that row (400, or 409 when the
    request was meanwhile decided or the rule refused).
    """

    form_class = DecisionForm
    template_name = "county/inbox.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        found = {d.key: (w, d) for w, d in registry.decisions()}.get(kwargs["key"])
        if found is None:
            raise Http404("没有这类审核事项。")
        self.workstream, self.decision = found
        self.model = self.decision.model

    def get_queryset(self):
        base = self.decision.queryset() if self.decision.queryset else self.model.objects.all()
        return base.visible_to(self.request.user)

    def lock_object(self, obj):
        """Lock the record first (``Decision.lock_parent``), then the request row."""
        if self.decision.lock_parent is not None:
            self.decision.lock_parent(obj)
        return super().lock_object(obj)

    def check(self, obj):
        if not may(self.request.user, "decide", self.model):
            raise PermissionDenied(f"只有{self.workstream.label}的督查人员可以审核。")

    def perform(self, form, obj):
        user = self.request.user
        still = self.decision.decidable_by(user, self.workstream.key).filter(pk=obj.pk)
        if not still.exists():
            raise Conflict("该事项已不在待审核状态（可能已被他人处理），或是您本人提出的申请。")
        note = form.cleaned_data["note"].strip()
        if form.cleaned_data["action"] == "accept":
            return self.decision.accept(obj, user, note)
        return self.decision.send_back(obj, user, note)

    def get_success_url(self, obj):
        return reverse("county:inbox")

    def get_context_data(self, obj, form, **kwargs):
        return inbox_context(self.request, failed=(f"{self.decision.key}:{obj.pk}", form))


def inbox_context(request, failed=None):
    user = request.user
    kind = request.GET.get("kind") or None
    rows, per_kind, truncated = inbox_rows(user, kind=kind)
    for row in rows:
        row["form"] = failed[1] if failed and failed[0] == row["key"] else DecisionForm()
    shown = {row["key"] for row in rows}
    orphan = failed[1] if failed and failed[0] not in shown else None  # no longer waiting
    return {
        "rows": rows,
        "orphan_errors": [e for errors in orphan.errors.values() for e in errors] if orphan else [],
        "counts": per_kind,
        "kind": kind,
        "truncated": truncated,
        "late_after": LATE_AFTER_WORKING_DAYS,
        "late": sum(1 for row in rows if row["late"]),
        "today": today(),
        "is_leader": may(user, "follow_led_work"),
    }


@login_required
def inbox(request):
    """待我审核: supervisors decide here; leaders read the requests on the work they lead."""
    if not has_inbox(request.user):
        raise PermissionDenied("“待我审核”只对督查人员和县级领导开放。")
    return render(request, "county/inbox.html", inbox_context(request))


inbox_decide = InboxDecide.as_view()
