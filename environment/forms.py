"""Forms of the environment workstream; every error is in Chinese next to its field.

A problem's township and departments are set when it is recorded, then changed only by
调整责任单位 (:class:`ProblemReassignForm`, the ``reassign`` step); its status only by the
loop's steps — never by the edit form (issue 20).
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from county.concurrency import VersionedFormMixin
from county.evidence import OFFICE, check_evidence
from county.forms import BootstrapFormMixin
from county.inputs import LONG_TEXT, max_length
from county.models import Unit, Village
from county.status import is_overdue, today

from .choices import PhotoKind, RecheckResult
from .models import (
    Accountability,
    Inspection,
    Notice,
    Photo,
    Problem,
    ProblemCategory,
    Recheck,
    Rectification,
)
from .photos import MAX_PHOTOS_PER_UPLOAD, check_photos

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """Several photos from one input; on a phone it opens the rear camera."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", f"可直接拍照，最多 {MAX_PHOTOS_PER_UPLOAD} 张。")
        super().__init__(*args, **kwargs)
        self.error_messages["required"] = "请上传至少一张照片。"

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(d, initial) for d in data if d]
            if not files and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
        else:
            files = [single(data, initial)] if data else []
            if not files and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
        return check_photos(files) if files else []


class ProblemForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A supervisor records (or corrects) a problem and assigns it."""

    found_photos = PhotoField(label="发现照片", required=False)

    class Meta:
        model = Problem
        fields = [
            "inspection",
            "found_on",
            "township",
            "village",
            "at_market_town",
            "place",
            "category",
            "description",
            "departments",
            "deadline",
            "is_serious",
        ]
        widgets = {
            "found_on": DATE,
            "deadline": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "departments": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"deadline": "默认发现后 7 天；过了整改时限仍未销号即为逾期，亮红灯。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        if "township" in self.fields:  # the edit form leaves the units out
            self.fields["township"].queryset = Unit.objects.townships()
            self.fields["departments"].queryset = Unit.objects.departments()
        self.fields["village"].queryset = Village.objects.select_related("township")
        self.fields["inspection"].queryset = Inspection.objects.filter(
            pk__in=Inspection.objects.order_by("-date").values("pk")[:200]
        )
        if not self.instance.pk:
            self.initial.setdefault("found_on", today())
            self.initial.setdefault("deadline", today() + datetime.timedelta(days=7))

    def save_new(self, user):
        """A new problem under the next number, with its found-photos (the page and the field
        app alike; call inside a transaction). Returns ``(problem, stubborn)``: stubborn when
        it repeats a closed one (顽固问题)."""
        self.instance.number = Problem.next_number()
        problem = self.save()
        for checked in self.cleaned_data["found_photos"]:
            Photo.create_from_upload(checked, problem=problem, kind=PhotoKind.FOUND, user=user)
        return problem, problem.refresh_stubborn()


class ProblemEditForm(ProblemForm):
    """A supervisor corrects a problem's data; its units change through 调整责任单位."""

    class Meta(ProblemForm.Meta):
        fields = [f for f in ProblemForm.Meta.fields if f not in ("township", "departments")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.township_id:  # only the villages of the problem's township
            self.fields["village"].queryset = Village.objects.filter(
                township_id=self.instance.township_id
            )


class ProblemReassignForm(BootstrapFormMixin, forms.Form):
    """调整责任单位 of a problem: its township (and village) and departments, and why."""

    township = forms.ModelChoiceField(
        label="乡镇（街道）",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择乡镇（街道）。"},
    )
    village = forms.ModelChoiceField(
        label="村（社区）",
        queryset=Village.objects.none(),
        required=False,
        help_text="调整到其他乡镇时重新选择；不选则为场镇或未定。",
    )
    departments = forms.ModelMultipleChoiceField(
        label="责任部门（单位）",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=90,
        error_messages={"required": "请填写调整理由。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Unit.objects.townships()
        self.fields["village"].queryset = Village.objects.select_related("township")
        self.fields["departments"].queryset = Unit.objects.departments()

    def clean(self):
        data = super().clean()
        township, village = data.get("township"), data.get("village")
        if township and village and village.township_id != township.pk:
            self.add_error("village", "该村（社区）不属于所选乡镇。")
        return data


class RectificationForm(BootstrapFormMixin, forms.Form):
    """The responsible unit reports the rectification, with after-photos."""

    note = forms.CharField(
        label="整改情况说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length(Rectification, "note"),
        error_messages={"required": "请简要说明整改情况。"},
    )
    photos = PhotoField(label="整改后照片")


class RejectForm(BootstrapFormMixin, forms.Form):
    """A supervisor sends a rectification back."""

    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(Rectification, "decision_note"),
        error_messages={"required": "退回必须填写原因。"},
    )


class AcceptForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label="验收意见",
        required=False,
        widget=forms.TextInput(),
        max_length=max_length(Rectification, "decision_note"),
    )


class RecheckForm(BootstrapFormMixin, forms.Form):
    """回头看 of a closed problem."""

    result = forms.ChoiceField(
        label="回头看结果", choices=RecheckResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(Recheck, "note"),
    )
    new_deadline = forms.DateField(label="新的整改时限（反弹时必填）", required=False, widget=DATE)
    photos = PhotoField(label="回头看照片", required=False)

    def clean(self):
        data = super().clean()
        if data.get("result") == RecheckResult.RECURRED:
            deadline = data.get("new_deadline")
            if not deadline:
                self.add_error("new_deadline", "问题反弹时必须重新确定整改时限。")
            elif is_overdue(deadline):  # already past: 逾期 the day it is set
                self.add_error("new_deadline", "新的整改时限不能早于今天。")
        return data


class InspectionForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["date", "kind", "inspectors", "townships", "notes"]
        widgets = {
            "date": DATE,
            "townships": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = Unit.objects.townships()
        self.fields["townships"].error_messages["required"] = "请至少选择一个检查乡镇。"
        self.fields["townships"].widget.attrs["class"] = ""
        if not self.instance.pk:
            self.initial.setdefault("date", today())


class CategoryForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ProblemCategory
        fields = ["name", "group", "order", "is_active"]
        error_messages = {"name": {"unique": "已有同名的问题类别。"}}


_NUMBERS = re.compile(r"\d+")


class AccountabilityForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """通报批评 / 约谈 / 追责问责 of a unit; problems are typed as their numbers."""

    problem_numbers = forms.CharField(
        label="相关问题编号",
        required=False,
        max_length=LONG_TEXT,
        help_text="多个编号用顿号或空格分隔，如“12、35、108”。",
    )

    class Meta:
        model = Accountability
        fields = ["unit", "measure", "date", "reason"]
        widgets = {"date": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["problem_numbers"] = "、".join(
                str(n) for n in self.instance.problems.values_list("number", flat=True)
            )
        else:
            self.initial.setdefault("date", today())

    def clean_problem_numbers(self):
        numbers = sorted({int(n) for n in _NUMBERS.findall(self.cleaned_data["problem_numbers"])})
        problems = list(Problem.objects.filter(number__in=numbers))
        missing = sorted(set(numbers) - {p.number for p in problems})
        if missing:
            raise ValidationError(f"没有这些编号的问题：{'、'.join(map(str, missing))}。")
        return problems

    def save(self, commit=True):
        record = super().save(commit=commit)
        if commit:
            record.problems.set(self.cleaned_data["problem_numbers"])
        return record


class NoticePeriodForm(BootstrapFormMixin, forms.Form):
    """The period of a notice."""

    start = forms.DateField(label="发现日期从", widget=DATE)
    end = forms.DateField(label="至", widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "截止日期不能早于起始日期。")
        return data


class NoticeIssueForm(BootstrapFormMixin, forms.ModelForm):
    """Issue a notice: the Word file as edited by the supervisor."""

    class Meta:
        model = Notice
        fields = ["title", "period_start", "period_end", "issued_on", "document"]
        widgets = {"period_start": DATE, "period_end": DATE, "issued_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].required = True
        self.fields["issued_on"].error_messages["required"] = "请填写印发日期。"
        self.fields["document"].required = True
        self.fields["document"].error_messages["required"] = "请上传修改定稿后的通报（Word 文件）。"
        self.fields["document"].widget.attrs["accept"] = ".docx"

    def clean_document(self):
        """A real .docx, checked by ``county.evidence``; stored under a generated name."""
        document = self.cleaned_data["document"]
        if not isinstance(document, UploadedFile):
            return document  # the file already stored
        word = "请上传 Word 文件（.docx）。"
        try:
            checked = check_evidence(
                document, kinds=(OFFICE,), limit=20 * 1024 * 1024, noun="通报文件"
            )
        except ValidationError as error:
            raise ValidationError([*error.messages, word]) from None
        if checked.extension != "docx":
            raise ValidationError(word)
        return checked.as_file()

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "截止日期不能早于起始日期。")
        return data
