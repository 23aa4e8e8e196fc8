"""The form renderer (county/renderers.py) writes exactly what Django's widget templates write.

Widget by widget (escaping, safe labels, True/False/None attributes, option groups, selected
options, localized labels, the empty input) and then page by page: every page reachable from
the navigation, as three kinds of user, rendered with both renderers, must be the same HTML.
"""

import re
from urllib.parse import urlsplit

import pytest
from django import forms
from django.core.cache import cache
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe

from county.renderers import FastSelectRenderer

FAST = "county.renderers.FastSelectRenderer"
DJANGO = "django.forms.renderers.DjangoTemplates"


class Everything(forms.Form):
    name = forms.CharField(initial='a "quoted" <b>name</b> & more')
    count = forms.IntegerField(initial=12345, widget=forms.NumberInput(attrs={"min": 0}))
    empty = forms.CharField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False, initial=True)
    secret = forms.CharField(widget=forms.HiddenInput(attrs={"data-x": True, "data-y": False}))
    kind = forms.ChoiceField(
        choices=[("", "全部"), ("a", "甲 <一>"), ("b", mark_safe("<i>乙</i>")), (3, 2026)],
        initial="b",
        widget=forms.Select(attrs={"data-widget": "search-select", "data-none": None}),
    )
    grouped = forms.ChoiceField(
        choices=[
            ("乡镇", [("1", "城关镇"), ("2", "东兴镇")]),
            ("部门", [("3", "县委办")]),
            ("4", "其他"),
        ],
        initial="2",
    )
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")], initial=["x", "z"]
    )
    maybe = forms.NullBooleanField(initial=False)
    text = forms.CharField(widget=forms.Textarea, initial="第一行\n<第二行>")
    radio = forms.ChoiceField(choices=[("1", "一"), ("2", "二")], widget=forms.RadioSelect)


def test_each_widget_is_written_as_djangos_templates_write_it():
    for data in (None, {"name": "<x>", "many": ["y"], "kind": "3", "maybe": "unknown"}):
        fast = Everything(data=data, renderer=FastSelectRenderer())
        slow = Everything(data=data, renderer=DjangoTemplates())
        for name in fast.fields:
            assert str(fast[name]) == str(slow[name]), name
        assert str(fast) == str(slow)
        assert "<option" in str(fast) and "<input" in str(fast)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|data-csrf="[^"]*"|csrf[^"]*"[^"]*"')
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/logout", "/accounts/logout", "/field/")


def page_links(html):
    for href in re.findall(r'href="(/[^"#]*)"', html):
        path = urlsplit(href).path
        if not path.startswith(SKIP) and not re.search(r"export|download|xlsx|docx|template", path):
            yield href.replace("&amp;", "&")


@pytest.mark.parametrize("username", ["sup_d18", "t01", "leader01"])
def test_every_page_is_the_same_html_with_either_renderer(
    client, user_named, username, monkeypatch
):
    import county.renderers

    written = []
    real = county.renderers.select_html
    monkeypatch.setattr(county.renderers, "select_html", lambda w: written.append(1) or real(w))
    client.force_login(user_named(username))
    seen, queue, compared = set(), ["/"], 0
    while queue and compared < 50:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        cache.clear()  # each renderer writes the page itself (no rows or form from the cache)
        with override_settings(FORM_RENDERER=DJANGO):
            slow = client.get(path, follow=True)
        if slow.status_code != 200 or "text/html" not in slow.get("Content-Type", ""):
            continue
        cache.clear()
        with override_settings(FORM_RENDERER=FAST):
            fast = client.get(path, follow=True)
        slow_html, fast_html = (CSRF.sub("", r.content.decode()) for r in (slow, fast))
        assert fast_html == slow_html, path
        compared += 1
        queue.extend(link for link in page_links(slow_html) if link not in seen)
    assert compared >= 30  # the navigation, the lists and their forms, the records' pages
    assert len(written) >= 10  # and the selects were written by the fast path
