"""No cache keeps personal data: ``Cache-Control: private, no-store`` (county/web/private_cache.py).

Every answer to a signed-in request and every API answer carries it, unless its view chose
its own header (the township outlines revalidate by ETag; the field app keeps ``never_cache``);
static files and anonymous public answers are left as they were.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def signed_in(client, user_named):
    client.force_login(user_named("d21"))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/todo/",
        "/reforms/",
        "/reforms/tasks/",
        "/environment/",
        "/abandoned_land/parcels/",
        "/cockpit/",
        reverse("county:profile"),
        "/api/reforms/items/",
        "/api/environment/problems/",
        "/api/abandoned_land/parcels/",
    ],
)
def test_signed_in_pages_and_api_answers_are_private_and_not_stored(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_not_found_page_for_a_signed_in_user_is_not_stored_either(signed_in):
    response = signed_in.get("/reforms/tasks/999999999/")
    assert response.status_code == 404
    assert {"private", "no-store"} <= directives(response)


def test_a_token_api_answer_is_not_stored(user_named):
    token, _ = Token.objects.get_or_create(user=user_named("d21"))
    response = Client().get("/api/reforms/items/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_api_record_with_an_etag_is_not_stored(signed_in):
    listing = signed_in.get("/api/reforms/subtasks/").json()
    first = (listing.get("results") if isinstance(listing, dict) else listing)[0]
    response = signed_in.get(f"/api/reforms/subtasks/{first['id']}/")
    assert response.status_code == 200 and response.has_header("ETag")  # for If-Match
    assert {"private", "no-store"} <= directives(response)


def test_an_anonymous_api_refusal_is_not_stored(client):
    response = client.get("/api/reforms/items/")
    assert response.status_code in (401, 403)
    assert "no-store" in directives(response)


def test_the_township_outlines_still_revalidate_by_etag(signed_in):
    first = signed_in.get(reverse("county:townships_geojson"))
    assert first.status_code == 200
    assert directives(first) == {"private", "max-age=300"}
    again = signed_in.get(reverse("county:townships_geojson"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_field_app_keeps_its_own_headers(signed_in):
    page = signed_in.get(reverse("field:app"))
    worker = Client().get(reverse("field:sw"))
    assert page.status_code == 200 and worker.status_code == 200
    # Django's never_cache: the service worker's offline copies live in the Cache API instead
    for response in (page, worker):
        assert {"no-cache", "no-store", "must-revalidate", "private"} <= directives(response)
    assert worker["Service-Worker-Allowed"] == reverse("field:app")


def test_anonymous_public_answers_are_left_alone(client):
    manifest = client.get(reverse("field:manifest"))
    assert manifest.status_code == 200 and "no-store" not in directives(manifest)
    login = client.get(reverse("login"))  # Django marks it never_cache itself
    assert login.status_code == 200 and "no-store" in directives(login)


def test_static_files_keep_whitenoise_caching(settings, user_named):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # a new handler: whitenoise reads its settings when the stack is built
    client.force_login(user_named("d21"))
    response = client.get(f"/{settings.STATIC_URL.lstrip('/')}js/app.js")
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)
