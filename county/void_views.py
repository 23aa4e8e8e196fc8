"""The 作废 page of a voidable record (see :mod:`county.voiding`)."""

from django import forms
from django.urls import reverse

from .base_views import ActionStepView, Conflict
from .forms import BootstrapFormMixin
from .voiding import VOID_REASON_MAX, AlreadyVoided


class VoidForm(BootstrapFormMixin, forms.Form):
    """The reason for voiding a record."""

    reason = forms.CharField(
        label="作废原因",
        max_length=VOID_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：重复录入、录入错误。作废后的记录保留在变更历史中。",
        error_messages={"required": "作废必须说明原因。"},
    )


class VoidView(ActionStepView):
    """作废 a record: its own page with the reason, for the workstream's supervisors.

    A subclass sets ``model`` and ``success_url_name`` (the list to return to).
    """

    form_class = VoidForm
    form_template_name = "county/void.html"
    success_url_name = None

    permission_action = "delete"  # voiding is a record's delete (county.scoping)
    permission_denied_message = "只有该板块的督查人员可以作废记录。"

    def lock_object(self, obj):
        return self.model.lock_for_void(obj.pk)

    def perform(self, form, obj):
        try:
            obj.void(self.request.user, form.cleaned_data["reason"])
        except AlreadyVoided as error:
            raise Conflict(error.messages) from None
        return f"已作废：{obj}。"

    def get_success_url(self, obj):
        return reverse(self.success_url_name)

    def get_context_data(self, obj, form, **kwargs):
        context = super().get_context_data(obj, form, **kwargs)
        context["verbose_name"] = obj._meta.verbose_name
        return context
