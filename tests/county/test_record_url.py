"""``county.registry.record_url``: the same URL as ``reverse``, reversed once per name."""

from django.urls import get_script_prefix, reverse, set_script_prefix

from county.registry import record_url

NAMES = [
    "environment:problem_detail",
    "environment:inspection_detail",
    "abandoned_land:parcel_detail",
    "landplan:area_detail",
    "reforms:subtask",
]


def test_record_url_is_reverse_under_any_script_prefix():
    before = get_script_prefix()
    try:
        for prefix in ("/", "/county/"):
            set_script_prefix(prefix)
            for name in NAMES:
                for pk in (1, 42, 2147480001):
                    assert record_url(name, pk) == reverse(name, args=[pk])
    finally:
        set_script_prefix(before)
