"""``Cache-Control: private, no-store`` on every answer that may carry personal data.

Pages for a signed-in person and API answers name people, units, phone numbers, findings
and places. Without a header, a shared proxy on the county network may keep them, and a
browser may keep them on disk and show them after logout (the back button, a shared office
computer). So any answer to a signed-in request and any ``/api/`` answer (token requests are
authenticated inside DRF, after this middleware has seen an anonymous request) gets
``private, no-store`` — unless the view set its own ``Cache-Control``:

- ``/geo/townships.geojson`` keeps ``private, max-age=300`` and its ETag (outlines are not
  personal; the browser revalidates with ``If-None-Match`` and gets a 304);
- map data keeps ``private, no-cache`` (stored, revalidated every time);
- the field app's pages and its service worker keep Django's ``never_cache`` header (the
  service worker keeps its offline copies in the Cache API, which ignores ``no-store``).

Static files never reach this middleware (whitenoise answers them first, with a year-long
``immutable``), and anonymous pages (the login page, the web app manifest) are left alone.
An API record's ETag (``county.api``) is for ``If-Match`` on writes, not for revalidation,
so its answer is ``no-store`` like the rest.
"""

from django.utils.cache import patch_cache_control

PRIVATE_NO_STORE = {"private": True, "no_store": True}


class PrivateNoStoreMiddleware:
    """Mark answers with personal data as not to be stored by any cache (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, **PRIVATE_NO_STORE)
        return response
