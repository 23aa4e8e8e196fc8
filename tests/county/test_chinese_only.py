"""Chinese whatever the browser asks: Django's, DRF's and our messages with Accept-Language: en."""

import pytest
from django.urls import reverse

ENGLISH = "en-US,en;q=0.9"


@pytest.fixture
def english(client):
    """A test client that asks for English on every request, as an English browser does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = ENGLISH
    return client


def test_login_error_is_chinese_for_an_english_browser(english, demo):
    page = english.post(reverse("login"), {"username": "d21", "password": "nope"})
    text = page.content.decode()
    assert "请输入一个正确的" in text
    assert "Please enter" not in text
    assert page.headers.get("Content-Language", "zh-hans") == "zh-hans"


@pytest.mark.parametrize(
    ("username", "url_name"),
    [
        ("sup_d03", "reforms:item_create"),
        ("sup_d18", "environment:problem_create"),
    ],
)
def test_required_field_errors_are_chinese(english, user_named, username, url_name):
    english.force_login(user_named(username))
    page = english.post(reverse(url_name), {})
    text = page.content.decode()
    assert page.status_code == 200
    assert "字段是必填项。" in text
    assert "This field is required" not in text


def test_api_validation_error_is_chinese(english, user_named):
    english.force_login(user_named("sup_d18"))
    response = english.post("/api/environment/problems/", {}, content_type="application/json")
    assert response.status_code == 400
    body = str(response.json())
    assert "该字段是必填项。" in body
    assert "This field is required" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_the_app_refuses_shows_the_chinese_404(english, user_named, settings, debug):
    settings.DEBUG = debug
    english.force_login(user_named("sup_d03"))
    response = english.get(reverse("reforms:list"), {"page": 99})
    assert response.status_code == 404
    text = response.content.decode()
    assert "没有找到该页面或记录" in text
    assert "Page not found" not in text


def test_chinese_404_for_a_record_that_does_not_exist(english, user_named, settings):
    settings.DEBUG = True
    english.force_login(user_named("d21"))
    response = english.get(reverse("reforms:item", args=[999999]))
    assert response.status_code == 404
    assert "没有找到该页面或记录" in response.content.decode()


ENGLISH_MARKERS = ("This field", "Page not found", "Select a valid", "Enter a valid", "Please ")


@pytest.mark.parametrize("username", ["d21", "sup_d18", "leader01"])
def test_navigation_pages_stay_chinese_for_an_english_browser(english, user_named, username):
    from county.registry import registry

    english.force_login(user_named(username))
    urls = [reverse(name) for name in ("county:todo", "county:cockpit", "county:profile")]
    real = ("reforms", "landplan", "abandoned_land", "environment")  # not the test app's
    urls += [reverse(registry.get(key).url_name) for key in real]
    for url in urls:
        response = english.get(url, follow=True)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert '<html lang="zh-hans">' in text
        for marker in ENGLISH_MARKERS:
            assert marker not in text, (url, marker)
