"""Forms of the reform ledger; every error is said in Chinese next to its field.

A create form sets the first units of an item or a sub-task; the edit forms leave out the
units and the status, which change only through their steps (``reassign``, 申请完成/审核).
"""

from django import forms
from django.conf import settings

from county.concurrency import VersionedFormMixin
from county.evidence import check_evidence
from county.forms import BootstrapFormMixin
from county.inputs import max_length
from county.models import Leader, SpecialGroup, Unit
from county.status import today

from .choices import TaskStatus
from .models import (
    CompletionRequest,
    DeadlineChange,
    Instruction,
    ProgressReport,
    ReformItem,
    SubTask,
)

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class EvidenceMixin:
    """The ``files`` field of a form: evidence checked by ``county.evidence``, at most MAX_FILES.

    ``cleaned_data["files"]`` holds :class:`county.evidence.CheckedFile` objects: the
    content, content type and extension found by the check, the original name for display.
    """

    accept = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,image/*"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = self.accept

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES} 个文件。")
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_evidence(upload))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return checked


def evidence_field():
    return MultipleFileField(
        label="佐证材料",
        required=False,
        help_text=(
            f"可选，最多 {MAX_FILES} 个文件，每个不超过 "
            f"{settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB；支持 PDF、图片、Word、Excel、PPT。"
        ),
    )


class ProgressForm(EvidenceMixin, BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label="进展情况",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "本阶段做了什么、取得什么成效、下一步安排"}
        ),
        max_length=max_length(ProgressReport, "text"),
    )
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    files = evidence_field()


class DeadlineChangeForm(BootstrapFormMixin, forms.Form):
    new_deadline = forms.DateField(
        label="申请调整为",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    long_term = forms.BooleanField(label="改为长期任务（长期坚持）", required=False)
    reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length(DeadlineChange, "reason"),
    )

    def __init__(self, *args, subtask=None, **kwargs):
        self.subtask = subtask
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not data.get("long_term") and not data.get("new_deadline"):
            self.add_error("new_deadline", "请填写新的完成时限，或勾选“改为长期任务”。")
        new = data.get("new_deadline")
        if new and not data.get("long_term"):
            if self.subtask and self.subtask.deadline == new and not self.subtask.long_term:
                self.add_error("new_deadline", "新的完成时限与原时限相同。")
            if new < today():
                self.add_error("new_deadline", "新的完成时限不能早于今天。")
        return data


class CompletionRequestForm(EvidenceMixin, BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="完成情况说明",
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "完成了哪些工作，取得了什么成果（可附佐证材料）"}
        ),
        max_length=max_length(CompletionRequest, "reason"),
    )
    files = evidence_field()


class DecisionForm(BootstrapFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "同意"), ("0", "退回")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="审核意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(CompletionRequest, "decision_note"),
    )

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not data.get("note", "").strip():
            self.add_error("note", "退回时必须填写退回理由。")
        return data


class InstructionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label="批示内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length(Instruction, "text"),
    )
    given_on = forms.DateField(
        label="批示日期",
        initial=today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class VersionedModelForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A ModelForm that refuses to overwrite a record changed by someone else meanwhile.

    The form carries the record's version (``county.concurrency``); a stale form is
    refused with both versions and what differs, and the save checks again under the lock.
    """


class ItemForm(VersionedModelForm):
    """A new item, with its lead unit and co units (later changed only by ``reassign``)."""

    class Meta:
        model = ReformItem
        fields = [
            "year",
            "number",
            "title",
            "group",
            "track",
            "source",
            "lead_leader",
            "lead_unit",
            "co_units",
            "in_assessment",
            "note",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "co_units": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = SpecialGroup.objects.all()
        self.fields["lead_leader"].queryset = Leader.objects.all()
        for name in ("lead_unit", "co_units"):
            if name in self.fields:
                self.fields[name].queryset = Unit.objects.filter(is_active=True)


class ItemEditForm(ItemForm):
    """An item's data; its units change through 调整责任单位 (``reassign``)."""

    class Meta(ItemForm.Meta):
        fields = [f for f in ItemForm.Meta.fields if f not in ("lead_unit", "co_units")]


OPEN_STATUSES = [(value, label) for value, label in TaskStatus.choices if value != TaskStatus.DONE]


class SubTaskForm(VersionedModelForm):
    """A new sub-task, with its units and an open status (已完成 only through 申请完成/审核)."""

    class Meta:
        model = SubTask
        fields = ["name", "units", "deadline", "long_term", "status", "note"]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "units": forms.SelectMultiple(attrs={"size": 8}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "units": "可输入名称搜索，可选多个；每个单位都会收到这项任务的提醒。",
            "deadline": "填写完成时限，或勾选下面的“长期任务”（长期坚持的工作不设时限）。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].choices = OPEN_STATUSES
            self.fields["status"].help_text = "已完成须由责任单位申请完成、督查单位审核。"

    def clean(self):
        data = super().clean()
        if not data.get("long_term") and not data.get("deadline"):
            self.add_error("deadline", "请填写完成时限，或勾选“长期任务”。")
        return data


class SubTaskEditForm(SubTaskForm):
    """A sub-task's data; its units change through 调整责任单位, its status through its steps."""

    class Meta(SubTaskForm.Meta):
        fields = ["name", "deadline", "long_term", "note"]


class ReassignForm(BootstrapFormMixin, forms.Form):
    """调整责任单位: the new units and why (kept in the history)."""

    reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=90,
        error_messages={"required": "请填写调整理由。"},
    )


class SubTaskReassignForm(ReassignForm):
    units = forms.ModelMultipleChoiceField(
        label="责任单位",
        queryset=Unit.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "请至少选择一个责任单位。"},
    )
    field_order = ["units", "reason"]


class ItemReassignForm(ReassignForm):
    lead_unit = forms.ModelChoiceField(
        label="牵头单位",
        queryset=Unit.objects.filter(is_active=True),
        error_messages={"required": "请选择牵头单位。"},
    )
    co_units = forms.ModelMultipleChoiceField(
        label="责任单位",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    field_order = ["lead_unit", "co_units", "reason"]
