"""The operations audit log page (/audit/): who logged in, imported, exported, decided, backed up.

Only the county's administrators (role 管理员 or a superuser) may read it; everyone else
gets the 403 page with the rule. Newest first, filtered by action, user name, object and
date (dates are the county's, Asia/Shanghai), 50 per page.
"""

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django_filters.views import FilterView

from .filtersets import BootstrapFilterSet
from .models import AuditEvent
from .scoping import may

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Action = AuditEvent.Action
# Badge colour of each action; what needs a second look stands out.
TONES = {
    Action.LOGIN_FAILED: "danger",
    Action.IMPORT: "primary",
    Action.EXPORT: "info",
    Action.DECISION: "success",
    Action.SETUP: "warning",
    Action.ACCOUNTS: "warning",
    Action.BACKUP: "dark",
}


class AuditEventFilter(BootstrapFilterSet):
    """Filters of the audit log: 操作, 用户, 对象, 日期从/至."""

    action = django_filters.ChoiceFilter(
        label="操作", choices=AuditEvent.Action.choices, empty_label="全部"
    )
    username = django_filters.CharFilter(label="用户", lookup_expr="icontains")
    target = django_filters.CharFilter(label="对象", lookup_expr="icontains")
    date_from = django_filters.DateFilter(
        label="日期从", field_name="time", lookup_expr="date__gte", widget=DATE_WIDGET
    )
    date_to = django_filters.DateFilter(
        label="日期至", field_name="time", lookup_expr="date__lte", widget=DATE_WIDGET
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "username", "target", "date_from", "date_to"]


class AuditLogView(LoginRequiredMixin, FilterView):
    """操作日志: the audit log, for administrators only."""

    model = AuditEvent
    filterset_class = AuditEventFilter
    template_name = "county/audit.html"
    paginate_by = 50
    strict = False  # an invalid date shows its error and the unfiltered list

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not may(user, "audit"):
            raise PermissionDenied("只有系统管理员可以查看操作日志。")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return AuditEvent.objects.order_by("-time", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        for event in context["object_list"]:
            event.tone = TONES.get(event.action, "secondary")
        return context
