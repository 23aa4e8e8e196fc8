"""Forms of the ledger's records; every error is in Chinese next to its field."""

from django import forms
from django.db.models import Max

from county.concurrency import VersionedFormMixin
from county.forms import BootstrapFormMixin, bootstrapify
from county.inputs import max_length
from county.models import Unit
from county.status import today

from .choices import RecheckResult
from .models import Experience, FollowUpProblem, Innovation, Recheck, ReformItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(BootstrapFormMixin):
    """A Bootstrap form with an ``adjust`` hook for changing fields; new fields get styled too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.adjust()
        bootstrapify(self)

    def adjust(self):
        """Change fields here."""


def item_choices(field, user=None):
    """Reform items as "序号. 任务" without a query per row; staff choose among theirs."""
    items = ReformItem.objects.visible_to(user) if user is not None else ReformItem.objects
    field.queryset = items.order_by("-year", "number")
    field.label_from_instance = lambda item: f"{item.year}年 {item.number}. {item.title}"[:60]


class FollowUpProblemForm(VersionedFormMixin, StyledForm, forms.ModelForm):
    """A supervisor of reforms records or corrects a follow-up problem; its lead unit is set
    when it is recorded, then changed only by 调整牵头单位 (:class:`ReassignForm`)."""

    class Meta:
        model = FollowUpProblem
        fields = ["number", "area", "problem", "measures", "lead_unit", "deadline", "item"]
        widgets = {
            "deadline": DATE,
            "problem": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "number": {"unique": "该序号已被其他问题使用。", "required": "请填写序号。"},
            "area": {"required": "请填写领域。"},
            "problem": {"required": "请填写问题。"},
            "lead_unit": {"required": "请选择牵头单位。"},
        }

    def adjust(self):
        if self.instance.pk:
            del self.fields["lead_unit"]
        else:
            self.fields["lead_unit"].queryset = Unit.objects.all()
        item_choices(self.fields["item"])
        if not self.instance.pk:
            last = FollowUpProblem.objects.aggregate(n=Max("number"))["n"] or 0
            self.initial.setdefault("number", last + 1)


class RecheckForm(StyledForm, forms.Form):
    """回头看 of a rectified problem."""

    checked_on = forms.DateField(
        label="回头看日期", widget=DATE, error_messages={"required": "请填写回头看日期。"}
    )
    result = forms.ChoiceField(
        label="回头看结果",
        choices=RecheckResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择回头看结果。"},
    )
    note = forms.CharField(
        label="情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(Recheck, "note"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].widget.attrs["class"] = "form-check-input"

    def adjust(self):
        self.initial.setdefault("checked_on", today())

    def clean_checked_on(self):
        value = self.cleaned_data["checked_on"]
        if value > today():
            raise forms.ValidationError("回头看日期不能晚于今天。")
        return value

    def clean(self):
        data = super().clean()
        if data.get("result") == RecheckResult.RECURRED and not data.get("note", "").strip():
            self.add_error("note", "问题反弹时请说明反弹情况。")
        return data


class RectifiedForm(BootstrapFormMixin, forms.Form):
    """The lead unit reports the problem rectified."""

    note = forms.CharField(
        label="整改情况",
        max_length=90,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "请简要说明整改情况。",
            "max_length": "请控制在 %(limit_value)d 字以内（当前 %(show_value)d 字）。",
        },
    )


class InnovationForm(VersionedFormMixin, StyledForm, forms.ModelForm):
    """A unit's staff edit their own project; supervisors of reforms also set reporting, and
    the unit when they record one (later changed only by 调整承担单位, :class:`ReassignForm`)."""

    staff_fields = ["title", "innovation_point", "experience", "item"]

    class Meta:
        model = Innovation
        fields = ["title", "unit", "innovation_point", "experience", "item", "reported_on"]
        widgets = {
            "reported_on": DATE,
            "innovation_point": forms.Textarea(attrs={"rows": 3}),
            "experience": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"reported_on": "填写报送日期即视为已报县委改革办；清空则为未报送。"}
        error_messages = {
            "title": {"required": "请填写项目名称。"},
            "unit": {"required": "请选择承担单位。"},
        }

    def __init__(self, *args, supervisor=False, user=None, **kwargs):
        self.supervisor = supervisor
        self.user = user
        super().__init__(*args, **kwargs)

    def adjust(self):
        if self.supervisor and not self.instance.pk:
            self.fields["unit"].queryset = Unit.objects.all()
        elif self.supervisor:
            del self.fields["unit"]
        else:
            for name in list(self.fields):
                if name not in self.staff_fields:
                    del self.fields[name]
        item_choices(self.fields["item"], None if self.supervisor else self.user)

    def clean_reported_on(self):
        value = self.cleaned_data["reported_on"]
        if value and value > today():
            raise forms.ValidationError("报送日期不能晚于今天。")
        return value

    def save(self, commit=True):
        if "reported_on" in self.fields:
            self.instance.reported = self.cleaned_data["reported_on"] is not None
        return super().save(commit)


class ReassignForm(BootstrapFormMixin, forms.Form):
    """调整牵头单位/承担单位 of a record (``reassign``): the new unit and why."""

    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), error_messages={"required": "请选择单位。"}
    )
    reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=90,
        error_messages={"required": "请填写调整理由。"},
    )

    def __init__(self, *args, label="单位", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        self.fields["unit"].label = label


class ExperienceForm(VersionedFormMixin, StyledForm, forms.ModelForm):
    """A supervisor of reforms records a published typical experience."""

    class Meta:
        model = Experience
        fields = ["title", "outlet", "level", "published_on", "unit", "item"]
        widgets = {"published_on": DATE}
        error_messages = {
            "title": {"required": "请填写标题。"},
            "outlet": {"required": "请填写刊载载体。"},
            "level": {"required": "请选择层级。"},
            "published_on": {"required": "请填写刊载日期。"},
        }

    def adjust(self):
        self.fields["unit"].queryset = Unit.objects.all()
        item_choices(self.fields["item"])

    def clean_published_on(self):
        value = self.cleaned_data["published_on"]
        if value > today():
            raise forms.ValidationError("刊载日期不能晚于今天。")
        return value
