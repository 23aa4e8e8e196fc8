"""Give every form and filter field Bootstrap classes, so templates stay short."""

from django import forms


def bootstrapify(form):
    """Add Bootstrap classes (and is-invalid on errors) to every widget of ``form``."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class BootstrapFormMixin:
    """Mixin for Django forms: Bootstrap classes on all widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)
