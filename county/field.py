"""The installable field app (PWA) at ``/field/``: the page, its service worker and manifest.

The phone-first page (``templates/county/field.html``, scripts in ``static/js/field/``)
records 新建问题, 整改 and 巡查 offline and sends them when the network returns. What it
records and where it sends it belongs to the workstreams (``environment/field.py``,
``abandoned_land/field.py``); this module only serves the shell:

- ``/field/sw.js``: the service worker, served from ``/field/`` so that its scope covers the
  app; rendered from a template so that its list of files to keep offline carries the
  static files' real (hashed, in production) URLs and its version changes with them;
- ``/field/manifest.webmanifest``: name, icons (``static/img/field/``), start URL, colours;
- ``/field/session/``: who is signed in (signed out: the login redirect) and a fresh CSRF
  token for the uploads (a page kept by the service worker may carry an old one).
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .registry import registry

SCRIPTS = ("js/field/store.js", "js/field/queue.js", "js/field/photos.js", "js/field/app.js")
STYLES = ("vendor/bootstrap-5.3.9/bootstrap.min.css", "css/field.css")
ICONS = ("img/field/icon-192.png", "img/field/icon-512.png")
SW_REVISION = b"1"  # raise when the service worker template changes


def references():
    """{workstream key: URL of its field reference data} for the workstreams that offer one
    (a route named ``<key>:field_reference``); the data names the URLs to send records to."""
    found = {}
    for workstream in registry:
        try:
            found[workstream.key] = reverse(f"{workstream.key}:field_reference")
        except NoReverseMatch:
            continue
    return found


def shell_files():
    """The URLs the service worker keeps for offline use (the page itself first)."""
    return [
        reverse("field:app"),
        reverse("field:manifest"),
        *(static(name) for name in (*STYLES, *SCRIPTS, *ICONS)),
    ]


@login_required
@require_GET
@never_cache
def app(request):
    """The field app's page (one page; its sections are shown by the script)."""
    return render(
        request,
        "county/field.html",
        {
            "scripts": SCRIPTS,
            "styles": STYLES,
            "icon": ICONS[0],
            "config": {
                "sw": reverse("field:sw"),
                "session": reverse("field:session"),
                "login": reverse("login"),
                "user": request.user.username,  # a queued record's owner
                "references": references(),
            },
        },
    )


@require_GET
@never_cache
def service_worker(request):
    """The service worker script; no login (a browser fetches it to check for updates)."""
    files = shell_files()
    digest = hashlib.sha256(json.dumps(files).encode() + SW_REVISION)
    for name in (*STYLES, *SCRIPTS):  # a changed script is a new version, in the demo too
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    version = digest.hexdigest()[:12]
    refs = list(references().values())
    body = render_to_string(
        "county/field_sw.js",
        {
            "files": json.dumps(files),
            "references": json.dumps(refs),
            "imports": json.dumps([static(name) for name in SCRIPTS[:2]])[1:-1],
            "version": version,
            "shell": reverse("field:app"),
            "session": reverse("field:session"),
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:app")
    return response


@require_GET
def manifest(request):
    """The web app manifest (installable: name, icons, start URL, standalone display)."""
    start = reverse("field:app")
    data = {
        "name": "县域督查 · 现场采集",
        "short_name": "现场采集",
        "lang": "zh-CN",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f8f9fa",
        "theme_color": "#1d5d4f",
        "icons": [
            {"src": static(ICONS[0]), "sizes": "192x192", "type": "image/png"},
            {"src": static(ICONS[1]), "sizes": "512x512", "type": "image/png"},
            {
                "src": static(ICONS[1]),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
@require_GET
@never_cache
def session(request):
    """Who is signed in, and a CSRF token for the uploads (signed out: the login redirect)."""
    user = request.user
    return JsonResponse(
        {
            "signed_in": True,
            "user": user.username,
            "name": str(user),
            "unit": user.unit.name if user.unit_id else "",
            "csrf": get_token(request),
        }
    )


app_name = "field"
urlpatterns = [
    path("", app, name="app"),
    path("sw.js", service_worker, name="sw"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("session/", session, name="session"),
]
