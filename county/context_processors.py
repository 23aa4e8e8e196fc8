"""Template context shared by every page: the workstream navigation."""

from django.urls import NoReverseMatch, reverse

from .registry import registry


def navigation(request):
    items = []
    for workstream in registry:
        try:
            url = reverse(workstream.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": workstream.label, "url": url, "icon": workstream.icon})
    return {"nav_workstreams": items}
