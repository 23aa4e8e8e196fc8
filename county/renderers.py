"""The form renderer: Django's own templates, with selects and inputs written in Python.

Django renders every ``<option>`` of a select through two template includes. A list's filter
form, with selects of the county's 240 units, spent more time there than the page spent in
SQL (issue 12: a list page must take at most twice its SQL). This renderer writes exactly
the markup of Django's ``select.html``, ``select_option.html``, ``attrs.html`` and
``input.html`` (a test compares both renderers, widget by widget and page by page) and hands
every other template to Django. Overriding one of those templates in a project directory
would be ignored here, so none is overridden.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
# every widget template that is nothing but ``{% include "django/forms/widgets/input.html" %}``
INPUTS = {
    WIDGETS + f"{name}.html"
    for name in (
        "input checkbox color date datetime email hidden number password search tel text time url"
    ).split()
}


def _text(value):
    """``{{ value }}`` in a template: localized, then escaped unless already safe."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _raw(value):
    """``{{ value|stringformat:'s' }}``: ``str()`` of the value (not localized), escaped."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def attrs_html(attrs):
    """``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True, no False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_raw(value)}"')
    return "".join(parts)


def input_html(widget):
    value = widget["value"]
    shown = "" if value is None else f' value="{_raw(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{attrs_html(widget['attrs'])}>"
    )


def select_html(widget):
    parts = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_raw(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # select_option.html ends in a newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _plain_options(widget):
    return all(
        option["template_name"] == OPTION
        for _g, options, _i in widget["optgroups"]
        for option in options
    )


class FastSelectRenderer(DjangoTemplates):
    """``FORM_RENDERER``: selects and inputs in Python, everything else by Django's templates."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS:
                return mark_safe(input_html(widget))
            if template_name == SELECT and _plain_options(widget):
                return mark_safe(select_html(widget))
        return super().render(template_name, context, request)
