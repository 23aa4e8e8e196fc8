"""Forms of 撂荒地整治; usable on a phone, every error in Chinese next to its field.

The forms only collect and check the input; :meth:`Parcel.apply_update` applies the
loop's rules (which status may follow which, what 复撂荒 needs) and its errors are
put back next to the fields.
"""

from django import forms

from county.concurrency import VersionedFormMixin
from county.forms import BootstrapFormMixin
from county.inputs import max_length
from county.models import Unit, Village
from county.status import today

from . import rules
from .choices import CAUSES, CROPS, METHODS, ParcelStatus
from .models import Inspection, Parcel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLANTING_FIELDS = [
    "status",
    "remediated_on",
    "method",
    "crop",
    "season",
    "operator",
    "operator_type",
]
# Only supervisors change these: the parcel's base data and its planting deadline.
BASE_FIELDS = [
    "code",
    "area",
    "year_abandoned",
    "cause",
    "note",
    "planting_deadline",
]
# Who owns the parcel: never a plain edit, only the 调整乡镇/村 step (``reassign``, issue 20).
OWNER_FIELDS = ["township", "village"]
SUGGESTIONS = {"cause": CAUSES, "method": METHODS, "crop": CROPS}


class ParcelUpdateForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """Township staff: status, remediation and planting (种什么、谁来种), with a finding.

    Supervisors get the parcel's base data and the planting deadline too (``full=True``);
    a parcel entering 已整治 gets the next season's deadline (rules.next_planting_deadline).
    Its township and village are not here: they move through :class:`ParcelReassignForm`.
    """

    finding = forms.CharField(
        label="巡查情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(Inspection, "finding"),
        help_text="登记复撂荒时必填；其他时候可记录现场看到的情况。",
    )
    inspected_on = forms.DateField(label="巡查日期", widget=DATE, initial=today)

    class Meta:
        model = Parcel
        fields = BASE_FIELDS[:-1] + PLANTING_FIELDS + BASE_FIELDS[-1:]
        widgets = {
            "remediated_on": DATE,
            "planting_deadline": DATE,
            "note": forms.TextInput(),
        }

    def __init__(self, *args, user=None, full=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not full:
            for name in BASE_FIELDS:
                del self.fields[name]
        current = self.instance.status if self.instance.pk else ParcelStatus.SURVEYED
        allowed = rules.allowed_statuses(current, supervisor=full)
        self.fields["status"].choices = [(v, ParcelStatus(v).label) for v in allowed]
        self.fields["status"].help_text = "按“整治→种植→巩固”推进；地块再次撂荒请选“复撂荒”。"
        for name in SUGGESTIONS:
            if name in self.fields:
                self.fields[name].widget.attrs["list"] = f"suggest-{name}"
        self.suggestions = {k: v for k, v in SUGGESTIONS.items() if k in self.fields}
        for field in self.fields.values():
            if isinstance(field.widget, (forms.TextInput, forms.NumberInput, forms.DateInput)):
                field.widget.attrs.setdefault("autocomplete", "off")

    def _post_clean(self):
        # The model's rules run in Parcel.apply_update, against the stored parcel.
        pass

    def clean_inspected_on(self):
        return _not_future(self.cleaned_data["inspected_on"])

    def update_values(self):
        """The parcel's new values; an untouched deadline is left to the rules."""
        skip = {"finding", "inspected_on"}
        if "planting_deadline" not in self.changed_data:
            skip.add("planting_deadline")
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class ParcelReassignForm(BootstrapFormMixin, forms.Form):
    """调整乡镇/村 of a parcel (``reassign``): its township and village, and why."""

    township = forms.ModelChoiceField(
        label="乡镇（街道）",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择乡镇（街道）。"},
    )
    village = forms.ModelChoiceField(
        label="村（社区）",
        queryset=Village.objects.none(),
        error_messages={"required": "请选择村（社区）。"},
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

    def clean(self):
        data = super().clean()
        township, village = data.get("township"), data.get("village")
        if township and village and village.township_id != township.pk:
            self.add_error("village", "该村（社区）不属于所选乡镇。")
        return data


class InspectionForm(BootstrapFormMixin, forms.Form):
    """A plain inspection (巡查) without a status change."""

    inspected_on = forms.DateField(label="巡查日期", widget=DATE, initial=today)
    finding = forms.CharField(
        label="巡查情况",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length(Inspection, "finding"),
        error_messages={"required": "请填写巡查情况。"},
    )

    def clean_inspected_on(self):
        return _not_future(self.cleaned_data["inspected_on"])


def _not_future(value):
    if value and value > today():
        raise forms.ValidationError("巡查日期不能晚于今天。")
    return value
