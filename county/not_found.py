"""The Chinese 404 page for records and pages the application itself refuses, DEBUG or not.

With ``DEBUG`` on, Django answers an ``Http404`` raised by a view with its English technical
page; a clerk trying the demo (``/reforms/items/?page=99``, a record outside his units) should
see the same Chinese page as in production. URLs that match no route still get Django's
technical page in DEBUG: that one helps whoever is writing a URL. The API answers its own 404
(DRF catches ``Http404`` inside the view) and never reaches this middleware.
"""

from django.http import Http404
from django.views.defaults import page_not_found


class ChineseNotFoundMiddleware:
    """Render ``templates/404.html`` for an ``Http404`` raised by a view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
