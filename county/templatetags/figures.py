"""``{% figure n %}``: marks a link as a figure that opens a list of exactly ``n`` rows.

Put inside the ``<a>`` that opens the list: ``<a href="…"{% figure figure.value %}>``. It
writes ``data-figure="n"`` when ``n`` is a count of rows (an int), nothing for a rate, an
area or "—", so tests/county/test_one_truth.py can collect every (number, link) pair of every
page and hold the list it opens, and the API with the same filters, to that number.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def figure(n):
    if isinstance(n, int) and not isinstance(n, bool):
        return format_html(' data-figure="{}"', n)
    return ""
