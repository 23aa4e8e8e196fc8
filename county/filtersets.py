"""Base FilterSet: one FilterSet serves the HTML list, the API and the Excel export."""

import django_filters

from .forms import bootstrapify
from .inputs import bound_date_fields


class BootstrapFilterSet(django_filters.FilterSet):
    """A FilterSet whose form renders with small Bootstrap widgets; dates in the plausible range."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_bootstrapped", False):
            bootstrapify(form, filtering=True)
            for field in form.fields.values():
                css = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = css.replace(
                    "form-control", "form-control-sm form-control"
                ).replace("form-select", "form-select form-select-sm")
            bound_date_fields(form)
            form._bootstrapped = True
        return form
