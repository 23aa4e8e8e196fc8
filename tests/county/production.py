"""Run the application the way production does, as real processes, for the production test.

``ProductionSite`` creates its own PostgreSQL database, migrates it and collects the static
files with ``DEBUG=False`` (county.settings, not the test settings), then starts gunicorn
with ``deploy/gunicorn.conf.py``, Celery workers and one beat. Everything is torn down and
the database dropped at the end.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection(database_url):
    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    connection.autocommit = True
    return connection


class ProductionSite:
    """A throw-away production deployment: database, static files, processes."""

    def __init__(self, workdir, base_database_url, broker_url, cache_url=""):
        self.workdir = Path(workdir)
        self.db_name = f"county_prod_{os.getpid()}_{secrets.token_hex(3)}"
        self.cache_url = cache_url
        parts = urlsplit(base_database_url)
        self.base_database_url = base_database_url
        self.database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail_dir = self.workdir / "mail"
        self.static_root = self.workdir / "static"
        self.media_root = self.workdir / "media"
        self.logs = self.workdir / "logs"
        for folder in (self.mail_dir, self.static_root, self.media_root, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DEBUG", "PYTEST", "CELERY_"))
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="county.settings",
            DEBUG="False",
            SECRET_KEY="prod-test-" + secrets.token_urlsafe(48),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # The browser talks plain HTTP to gunicorn and sends the header nginx would set, so
            # Django sees HTTPS while the browser's Origin says http: trust that one origin.
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{self.port}",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=broker_url,
            CACHE_URL=cache_url,  # the figures cache, as deploy/county.env.example sets it
            STATIC_ROOT=str(self.static_root),
            MEDIA_ROOT=str(self.media_root),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS="2",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        self.processes = {}

    # ---- database and one-off commands ------------------------------------------------
    def create_database(self):
        if self.cache_url:  # figures cached for an earlier site's database must not show
            redis.Redis.from_url(self.cache_url).flushdb()
        connection = _admin_connection(self.base_database_url)
        try:
            connection.cursor().execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.db_name))
            )
        finally:
            connection.close()

    def drop_database(self):
        connection = _admin_connection(self.base_database_url)
        try:
            cursor = connection.cursor()
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [self.db_name],
            )
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.db_name))
            )
        finally:
            connection.close()

    def manage(self, *args, timeout=600):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
        )
        return result.stdout

    def python(self, code):
        """Run ``code`` in a Django shell of the production settings; return its JSON output."""
        output = self.manage("shell", "-c", code)
        return json.loads(output.strip().splitlines()[-1])

    # ---- processes ------------------------------------------------------------------------
    def start(self, name, *command):
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self):
        self.start("web", str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "county.wsgi")

    def start_worker(self, name):
        self.start(
            name,
            str(BIN / "celery"),
            "-A",
            "county",
            "worker",
            "-l",
            "info",
            "-n",
            f"{name}@%h",
            "--concurrency",
            "2",
        )

    def start_beat(self):
        self.start(
            "beat",
            str(BIN / "celery"),
            "-A",
            "county",
            "beat",
            "-l",
            "info",
            "--pidfile=",
            "--max-interval",
            "1",
        )

    def log(self, name):
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def assert_running(self):
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"

    def get(self, path, headers=None):
        """GET without following redirects: (status, headers, body)."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with _NO_REDIRECTS.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self.assert_running()
            try:
                last = self.get("/healthz")
                if last[0] == 200:
                    return json.loads(last[2])
            except OSError as error:
                last = error
            time.sleep(0.5)
        raise AssertionError(f"/healthz never answered 200: {last}\n{self.log('web')[-2000:]}")

    def wait_for_log(self, name, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_running()
            if text in self.log(name):
                return
            time.sleep(0.5)
        raise AssertionError(f"{name} never logged {text!r}:\n{self.log(name)[-3000:]}")

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
