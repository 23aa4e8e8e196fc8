"""Production settings: check --deploy is clean with only the documented variables."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="county.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="k3y-" + "x7Gq9!pZr2" * 6,
        ALLOWED_HOSTS="dc.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="False", ALLOWED_HOSTS="dc.example.gov.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_collectstatic_works_with_production_settings(tmp_path):
    result = run_manage(
        "collectstatic",
        "--noinput",
        DEBUG="False",
        SECRET_KEY="k3y-" + "x7Gq9!pZr2" * 6,
        ALLOWED_HOSTS="dc.example.gov.cn",
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/echarts-6.1.0/echarts.min.js" in manifest
    assert list(tmp_path.glob("vendor/bootstrap-5.3.9/bootstrap.min.*.css.gz"))
