"""Structured logs: JSON lines with request_id and user, X-Request-ID in and out, 500s logged."""

import copy
import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import include, path, reverse

from county.request_id import SANE_ID

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("示例故障：数据库里有一条坏数据")


# This module is also the URLconf of the 500 test: the project's URLs plus one failing view.
urlpatterns = [path("boom/", boom), path("", include("county.urls"))]


@pytest.fixture
def json_log(settings):
    """The project's logging set up as in production (JSON, INFO); returns the lines written."""
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["root"]["level"] = "INFO"
    config["loggers"]["django"]["level"] = "INFO"
    logging.config.dictConfig(config)
    stream = io.StringIO()
    (console,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    console.setStream(stream)  # instead of stderr, to read the lines back

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logging.config.dictConfig(settings.LOGGING)


def test_every_line_of_a_request_carries_its_id_and_user(client, user_named, json_log):
    client.force_login(user_named("d21"))
    response = client.get(reverse("county:todo"))
    missing = client.get("/no-such-page/")
    request_id = response["X-Request-ID"]
    assert SANE_ID.match(request_id)
    assert missing["X-Request-ID"] != request_id  # one id per request

    lines = json_log()
    (access,) = [x for x in lines if x["logger"] == "county.request" and x["path"] == "/todo/"]
    assert access["level"] == "INFO"
    assert access["request_id"] == request_id and access["user"] == "d21"
    assert access["method"] == "GET" and access["status"] == 200
    assert isinstance(access["duration_ms"], float) and "time" in access
    assert access["message"].startswith("GET /todo/ 200 ")
    # Django's own line about the 404 carries the id of that request and the user.
    (not_found,) = [x for x in lines if x["logger"] == "django.request"]
    assert not_found["level"] == "WARNING" and "Not Found" in not_found["message"]
    assert not_found["request_id"] == missing["X-Request-ID"]
    assert not_found["user"] == "d21"


def test_the_user_of_a_login_and_of_a_logout_is_named(client, demo, json_log):
    from county.management.commands.load_demo import DEMO_PASSWORD

    client.post(reverse("login"), {"username": "t02", "password": DEMO_PASSWORD})
    client.post(reverse("logout"))
    access = [x for x in json_log() if x["logger"] == "county.request"]
    assert [(x["method"], x["path"], x["user"]) for x in access] == [
        ("POST", "/login/", "t02"),
        ("POST", "/logout/", "t02"),
    ]


def test_anonymous_and_static_requests_are_logged_without_user(client, demo, json_log):
    client.get(reverse("login"))
    (line,) = [x for x in json_log() if x["logger"] == "county.request"]
    assert line["user"] == "" and line["status"] == 200 and line["request_id"]


@pytest.mark.parametrize(
    "incoming",
    ["3f2a9c4e1b7d4e6f8a0b1c2d3e4f5a6b", "req-2026.12.01_web1-0001", "ABCDEFGH"],
)
def test_a_sane_incoming_request_id_is_kept(client, demo, json_log, incoming):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming
    (line,) = [x for x in json_log() if x["logger"] == "county.request"]
    assert line["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "short",  # under 8 characters
        "x" * 65,  # over 64
        "abc def ghi",  # spaces
        'abcdefgh"}, {"user": "admin',  # an attempt to forge log fields
        "abcdefgh\r\nX-Evil: 1",
        "请求编号一二三四五六七八",
    ],
)
def test_an_insane_incoming_request_id_is_replaced(client, demo, incoming):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert SANE_ID.match(response["X-Request-ID"]) and len(response["X-Request-ID"]) == 32


@pytest.mark.urls(__name__)
def test_a_server_error_is_logged_with_traceback_request_id_and_user(user_named, json_log):
    client = Client(raise_request_exception=False)
    client.force_login(user_named("sup_d03"))
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()
    (error,) = [x for x in json_log() if x["level"] == "ERROR"]
    assert error["logger"] == "django.request"
    assert error["request_id"] == response["X-Request-ID"] and error["user"] == "sup_d03"
    assert "Traceback" in error["exc_info"] and "示例故障" in error["exc_info"]


def test_a_line_outside_any_request_has_empty_request_fields(json_log):
    logging.getLogger("county.backup").warning("备份目录空间不足")
    (line,) = json_log()
    assert line["message"] == "备份目录空间不足"
    assert line["request_id"] == "" and line["user"] == ""


def test_the_request_id_middleware_runs_first(settings):
    assert settings.MIDDLEWARE[0] == "county.request_id.RequestIdMiddleware"


def _formatter(**env):
    code = (
        "from county import settings; "
        "print(settings.LOGGING['handlers']['console']['formatter'], settings.LOG_LEVEL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "k" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "false"}, "json INFO"),
        ({"DEBUG": "true"}, "text WARNING"),
        ({"DEBUG": "true", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}, "json INFO"),
        ({"DEBUG": "false", "LOG_FORMAT": "text"}, "text INFO"),
    ],
)
def test_json_logs_are_the_default_in_production(env, expected):
    clean = {"LOG_FORMAT": "", "LOG_LEVEL": ""}
    result = _formatter(**{**clean, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_log_format_is_refused():
    result = _formatter(LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT 只能是 json 或 text" in result.stderr
