"""Forms of the spatial-planning pages: stage change (with its confirm step), details, notes."""

from django import forms

from county.concurrency import VersionedFormMixin
from county.forms import BootstrapFormMixin
from county.inputs import max_length
from county.status import today
from county.templatetags.dates import cn_date

from .choices import Stage
from .models import PlanArea, ProgressNote, StageChange, check_move


class StageForm(BootstrapFormMixin, forms.Form):
    """Move an area to its next stage, or back to 修改完善 with a reason."""

    to_stage = forms.TypedChoiceField(label="变更为", coerce=int, widget=forms.RadioSelect)
    date = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="到达新阶段的日期",
    )
    note = forms.CharField(
        label="说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length(StageChange, "note"),
        help_text="退回修改完善时必须填写审查意见或原因。",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        self.fields["to_stage"].choices = [
            (s.value, s.label if s == Stage(area.stage) + 1 else f"{s.label}（审查退回）")
            for s in area.allowed_targets
        ]
        if len(self.fields["to_stage"].choices) == 1:
            self.fields["to_stage"].initial = self.fields["to_stage"].choices[0][0]
        self.fields["date"].initial = today()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError("日期不能晚于今天。")
        last = self.area.stage_changes.order_by("-date", "-pk").first()
        if last and date < last.date:
            raise forms.ValidationError(f"日期不能早于上一次阶段变更（{cn_date(last.date)}）。")
        return date

    def clean(self):
        data = super().clean()
        target = data.get("to_stage")
        if target is not None:
            try:
                check_move(self.area.stage, target, data.get("note") or "")
            except forms.ValidationError as error:
                field = "note" if "原因" in error.messages[0] else "to_stage"
                self.add_error(field, error)
        return data

    @property
    def target_label(self):
        return Stage(self.cleaned_data["to_stage"]).label


class AreaForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """Details a supervisor or the lead unit may change (not the stage: that has its own form)."""

    class Meta:
        model = PlanArea
        fields = ["compiler", "city_review_deadline", "completion_deadline", "note"]
        widgets = {
            "city_review_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completion_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "city_review_deadline": "不能晚于完成时限；报市级审查之前的片区按此时限亮灯。",
            "completion_deadline": "报市级审查之后的片区按此时限亮灯。",
        }

    def clean(self):
        data = super().clean()
        city, done = data.get("city_review_deadline"), data.get("completion_deadline")
        if city and done and city > done:
            self.add_error("city_review_deadline", "报市级审查时限不能晚于完成时限。")
        return data


class NoteForm(BootstrapFormMixin, forms.ModelForm):
    """A progress note on an area."""

    class Meta:
        model = ProgressNote
        fields = ["date", "text"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = today()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError("日期不能晚于今天。")
        return date
