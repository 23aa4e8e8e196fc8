"""Template tags of every page (a builtin library: no ``{% load %}`` needed).

Small pieces repeated in every row of a list are written here in Python rather than as
``{% include %}``d templates: an include costs a context push and a template render per row,
which on a 50-row list was a large part of the page's time (issue 12).
"""

from django import template
from django.utils.html import format_html

register = template.Library()

PAGES_AROUND = 3  # page links shown on each side of the current page


@register.simple_tag
def light(light, tone, label):
    """A light badge: ``{% light obj.light obj.light_tone obj.light.label %}``."""
    return format_html(
        '<span class="badge rounded-pill text-bg-{}" data-light="{}">'
        '<span class="light light-{} me-1 border border-light"></span>{}</span>',
        tone,
        light,
        tone,
        label,
    )


@register.simple_tag
def page_window(page_obj):
    """The page numbers linked around the current page, without walking every page."""
    number, last = page_obj.number, page_obj.paginator.num_pages
    return range(max(1, number - PAGES_AROUND), min(last, number + PAGES_AROUND) + 1)
