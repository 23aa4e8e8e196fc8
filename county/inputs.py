"""Bounds on untrusted input, in one place: ids, dates, text lengths, JSON depth.

- Ids from query strings are read with Django's ``IntegerField``, never ``str.isdigit()``:
  ``"²".isdigit()`` and ``"０".isdigit()`` are true while ``int()`` refuses the first and a
  database refuses numbers beyond 2^63.
- Dates are plausible only between :data:`MIN_DATE` and :data:`MAX_DATE`. Every model
  ``DateField`` of the workstreams carries :func:`check_plausible_date` (so model forms,
  DRF model serializers and the admin check it), :func:`bound_date_fields` adds it to
  the plain form fields and filters, and the ledger's date parsers call it. A year-1
  date used to overflow date arithmetic (a 500), and dates before 1900 exported as
  ``00:00:00`` cells that no ledger import could read back.
- Long texts are capped at :data:`LONG_TEXT` characters by the model field's
  ``max_length``, which model forms and DRF serializers both read; plain forms and
  serializers ask :func:`max_length` for the same number.
- JSON bodies nest at most :data:`MAX_JSON_DEPTH` levels: :class:`BoundedJSONParser`, the
  API's default parser (``REST_FRAMEWORK`` in county/settings.py).
"""

import datetime
import io
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .templatetags.dates import cn_date

MAX_ID = 2**63 - 1
_ID_FIELD = forms.IntegerField(min_value=1, max_value=MAX_ID)

MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)

LONG_TEXT = 4000
MAX_JSON_DEPTH = 32


def positive_id(value):
    """The value as a database id (1 … 2^63-1), or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return _ID_FIELD.clean(str(value).strip())
    except (ValidationError, ValueError, TypeError):
        return None


def date_range_message(value):
    """The Chinese message for a date outside the plausible range."""
    return (
        f"日期“{cn_date(value)}”不在合理范围内"
        f"（{MIN_DATE.year}年至{MAX_DATE.year}年），请检查年份是否写错。"
    )


def is_plausible_date(value):
    """True for a date (or datetime) between MIN_DATE and MAX_DATE."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return MIN_DATE <= value <= MAX_DATE


def check_plausible_date(value):
    """Validator: refuse a date outside MIN_DATE … MAX_DATE with a Chinese message."""
    if value is None or value == "":
        return
    if not is_plausible_date(value):
        raise ValidationError(date_range_message(value), code="implausible_date")


def bound_date_fields(form):
    """Add :func:`check_plausible_date` to every date field of a form or filter form."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and check_plausible_date not in field.validators:
            field.validators.append(check_plausible_date)
        if isinstance(field, forms.MultiValueField):  # date ranges
            for sub in field.fields:
                if isinstance(sub, forms.DateField) and check_plausible_date not in sub.validators:
                    sub.validators.append(check_plausible_date)
    return form


def max_length(model, field_name):
    """The ``max_length`` of a model field: plain forms and serializers use the model's."""
    return model._meta.get_field(field_name).max_length


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(raw, limit=MAX_JSON_DEPTH):
    """True when the JSON text ``raw`` (bytes) opens more than ``limit`` nested [ or {.

    Strings are removed first (brackets inside them do not count); the scan is linear
    and never recurses, whatever the nesting.
    """
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing too-deep nesting and too-large bodies with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raw = b""
        else:
            raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise ParseError(f"请求内容过大，不能超过 {limit // 1024 // 1024} MB。")
        if json_depth_exceeds(raw):
            raise ParseError(f"JSON 嵌套层数过多（超过 {MAX_JSON_DEPTH} 层），请检查提交的数据。")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
