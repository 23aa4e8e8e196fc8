"""Reading untrusted query parameters with Django's own fields, never ``str.isdigit()``.

``"²".isdigit()`` and ``"０".isdigit()`` are true while ``int()`` refuses the first and a
database refuses numbers beyond 2^63; Django's ``IntegerField`` knows both.
"""

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1
_ID_FIELD = forms.IntegerField(min_value=1, max_value=MAX_ID)


def positive_id(value):
    """The value as a database id (1 … 2^63-1), or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return _ID_FIELD.clean(str(value).strip())
    except (ValidationError, ValueError, TypeError):
        return None
