"""Forms of the county core, and Bootstrap styling for every form and filter."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .inputs import bound_date_fields
from .widgets import enhance


class LoginForm(AuthenticationForm):
    """The login form with Bootstrap classes and Chinese placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "placeholder": "用户名", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "placeholder": "密码"}
        )


def bootstrapify(form, filtering=False):
    """Add Bootstrap classes and the county's widgets (county.widgets) to every field of ``form``.

    ``filtering``: a filter form, whose empty choice reads 全部 rather than 请选择….
    """
    enhance(form, filtering=filtering)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if css not in widget.attrs.get("class", "").split():
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def mark_invalid(form):
    """Add Bootstrap's is-invalid to the widgets of fields with errors (after validation)."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class BootstrapFormMixin:
    """Mixin for Django forms: Bootstrap classes on all widgets, is-invalid on errors.

    Styling reads no errors in ``__init__``, so a subclass may still change its fields
    and querysets after ``super().__init__()``; errors are marked once validation ran.
    Every date field is limited to the plausible range of ``county.inputs``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)
        bound_date_fields(self)

    def _final_widgets(self):
        # Once, when first rendered or validated: the subclass has set its querysets by then.
        if not getattr(self, "_widgets_final", False):
            self._widgets_final = True
            enhance(self)

    def __getitem__(self, name):
        self._final_widgets()
        return super().__getitem__(name)

    def full_clean(self):
        self._final_widgets()
        super().full_clean()
        mark_invalid(self)
