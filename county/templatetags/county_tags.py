"""Template tags of every page (a builtin library: no ``{% load %}`` needed).

Small pieces repeated in every row of a list are written here in Python rather than as
``{% include %}``d templates: an include costs a context push and a template render per row,
which on a 50-row list was a large part of the page's time (issue 12). A list's rows are
kept, rendered, in the figures cache until its data changes (``{% cached_rows %}``).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from county import figures_cache
from county.status import palette

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
def palette_css():
    """The palette's classes (light dots, tones Bootstrap lacks), in every page's head."""
    return format_html("<style>{}</style>", palette.css())


@register.simple_tag
def page_window(page_obj):
    """The page numbers linked around the current page, without walking every page."""
    number, last = page_obj.number, page_obj.paginator.num_pages
    return range(max(1, number - PAGES_AROUND), min(last, number + PAGES_AROUND) + 1)


@register.tag
def cached_rows(parser, token):
    """``{% cached_rows %}…{% endcached_rows %}``: the block rendered once and kept under the
    context's ``rows_key`` (``figures_cache.rows_key``: the day, the user and the full path;
    kept while no table the view read changes), rendered every time when there is no key. A second
    block of the same page names itself: ``{% cached_rows "filter" %}`` (the filter form)."""
    bits = token.split_contents()
    if len(bits) > 2 or (len(bits) == 2 and bits[1][0] not in "'\""):
        raise template.TemplateSyntaxError('用法：{% cached_rows %} 或 {% cached_rows "名称" %}')
    nodelist = parser.parse(("endcached_rows",))
    parser.delete_first_token()
    return CachedRowsNode(nodelist, bits[1][1:-1] if len(bits) == 2 else "")


class CachedRowsNode(template.Node):
    def __init__(self, nodelist, name=""):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        key = context.get("rows_key")
        if not key or "request" not in context:
            return self.nodelist.render(context)
        if self.name:
            key = f"{key}:{self.name}"
        html = figures_cache.rows(
            context["request"], key, lambda: str(self.nodelist.render(context))
        )
        return mark_safe(html)  # our own rendered (escaped) output
