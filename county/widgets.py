"""One set of form widgets for every form and filter (applied by ``county.forms.bootstrapify``).

- Empty choices say what they mean: 请选择乡镇（街道） in a form, 全部 in a filter,
  never ``---------``.
- A select of many options becomes searchable, a multi-select of units a searchable multi-select
  with removable tags (Tom Select, vendored; started by static/js/widgets.js from the
  ``data-widget`` attribute, so no inline script is needed under the CSP).
- A radio list with only one possible choice is a hidden value and a sentence naming it.
- Where a form has both 乡镇 and 村（社区）, the village list follows the chosen township: the
  village select names the township field and the endpoint (``county:villages``) in data
  attributes, and the server offers only that township's villages when one is chosen.
"""

from django import forms
from django.urls import reverse
from django.utils.choices import BlankChoiceIterator
from django.utils.html import format_html

DASHES = "---------"
SEARCHABLE_FROM = 12  # a select of this many options or more gets a search box
MULTI_HELP = "可输入名称搜索，可选多个；点 × 移除。"


class SoleChoiceInput(forms.HiddenInput):
    """The only possible choice: sent as a hidden value and shown as a sentence, not one radio."""

    def __init__(self, text="", attrs=None):
        super().__init__(attrs)
        self.text = text

    @property
    def is_hidden(self):
        return False  # rendered in its place with its label, as a sentence

    def render(self, name, value, attrs=None, renderer=None):
        hidden = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div class="form-control-plaintext fw-semibold py-0" data-sole-choice>{}'
            '<span class="small text-secondary fw-normal ms-2">（只有这一项可选）</span></div>',
            hidden,
            self.text,
        )


def sole_choice(field):
    """A required radio list with one choice becomes that choice, stated (``SoleChoiceInput``)."""
    if not isinstance(field.widget, forms.RadioSelect) or not field.required:
        return
    choices = [c for c in getattr(field, "choices", []) if c[0] not in ("", None)]
    if len(choices) != 1:
        return
    value, text = choices[0]
    field.widget = SoleChoiceInput(text=str(text))
    field.initial = value


def _clean_label(label):
    return str(label or "").rstrip("：:*").strip()


def _option_count(field):
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        return None  # counted by the browser; a model list of units or villages is long enough
    choices = getattr(field, "choices", None)
    inner = getattr(choices, "choices", choices)  # django-filter wraps the list in an iterator
    if not isinstance(inner, (list, tuple)):
        return None  # a callable: listing it here would query when the form is built
    return len(inner)


def _empty_text(field, filtering):
    label = _clean_label(field.label)
    if filtering:
        return "全部"
    return f"请选择{label}" if label else "请选择"


def name_empty_choice(field, filtering=False):
    """Replace ``---------`` by 请选择… (form) or 全部 (filter) in ``field``'s choices.

    Model selects and django-filter's fields read ``empty_label`` lazily; their choices are
    never listed here (that would query the database when a form or filter is built)."""
    text = _empty_text(field, filtering)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = text
        return
    choices = getattr(field, "choices", None)
    if isinstance(choices, BlankChoiceIterator):  # a model field's choices, blank added lazily
        for lazy in (choices, getattr(field.widget, "choices", None)):  # the widget has a copy
            if isinstance(lazy, BlankChoiceIterator):
                lazy.blank_choice = [
                    (v, text if label == DASHES else label) for v, label in lazy.blank_choice
                ]
        return
    if isinstance(field, forms.ChoiceField) and isinstance(choices, (list, tuple)):
        if any(label == DASHES for _, label in choices):
            field.choices = [
                (value, text if label == DASHES else label) for value, label in choices
            ]


def _is_model_select(field):
    return isinstance(field, forms.ModelChoiceField)


def make_searchable(field):
    """Mark long selects and every plain multi-select for Tom Select (static/js/widgets.js)."""
    widget = field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return
    if isinstance(widget, forms.SelectMultiple):
        widget.attrs.setdefault("data-widget", "search-multi")
        widget.attrs.pop("size", None)
        if not field.help_text:
            field.help_text = MULTI_HELP
        return
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.NullBooleanSelect):
        count = _option_count(field)
        if _is_model_select(field) or (count is not None and count >= SEARCHABLE_FROM):
            widget.attrs.setdefault("data-widget", "search-select")


def link_village_to_township(form, township="township", village="village"):
    """The village select follows the township select (in the browser and on the server)."""
    fields = form.fields
    if township not in fields or village not in fields:
        return
    village_field = fields[village]
    if not isinstance(village_field, forms.ModelChoiceField):
        return
    attrs = village_field.widget.attrs
    attrs["data-township-field"] = form.add_prefix(township)
    attrs["data-villages-url"] = reverse("county:villages")
    filtering = getattr(form, "_filtering", False)
    attrs["data-empty-text"] = "全部（先选乡镇）" if filtering else "请先选择乡镇"
    if filtering:
        attrs["data-filtering"] = ""
    if not village_field.help_text and not filtering:
        village_field.help_text = "先选乡镇（街道），这里只列出该乡镇的村（社区）。"
    chosen = _chosen_township(form, township)
    queryset = village_field.queryset
    if queryset is None:
        return
    if chosen:
        village_field.queryset = queryset.filter(township_id=chosen)
        village_field.label_from_instance = lambda v: v.name
        # A village outside the chosen township is refused with the rule, not Django's
        # generic "选择一个有效的选项".
        village_field.error_messages = {
            **village_field.error_messages,
            "invalid_choice": "该村（社区）不属于所选乡镇。",
        }
    elif not filtering and not form.is_bound:
        village_field.queryset = queryset.none()
        if village_field.empty_label in (DASHES, None) or village_field.empty_label.startswith(
            "请选择"
        ):
            village_field.empty_label = "请先选择乡镇"


def _chosen_township(form, name):
    key = form.add_prefix(name)
    if form.is_bound:
        value = form.data.get(key)
    else:
        value = form.initial.get(name) or form.fields[name].initial
        if value is None and getattr(form, "instance", None) is not None:
            value = getattr(form.instance, f"{name}_id", None)
    value = getattr(value, "pk", value)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def enhance(form, filtering=False):
    """Apply the county's widgets to every field of ``form`` (after its fields are final)."""
    form._filtering = filtering
    for field in form.fields.values():
        name_empty_choice(field, filtering=filtering)
        sole_choice(field)
        make_searchable(field)
    link_village_to_township(form)
    return form
