"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {
    "NDX_ENV": "production",
    "SECRET_KEY": "s" * 20 + "-production-secret-key-for-the-test-0123456789",
    "DATABASE_URL": "postgres://ndx@db.internal:5432/ndx",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "ndx.example.gov.uk",
}


def run_manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    drop = {*PROD_ENV, "NDX_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_each_secret(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "refuses to start without" in result.stderr
    assert missing in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage(["check"], {**PROD_ENV, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def _settings_value(env: dict[str, str], expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    clean = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "ndx.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_database_url_accepts_sqlite_and_postgres(tmp_path):
    sqlite = _settings_value(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, "settings.DATABASES['default']['ENGINE']"
    )
    assert sqlite == "django.db.backends.sqlite3"
    postgres = _settings_value(
        {"DATABASE_URL": "postgres://u@127.0.0.1:5432/ndx"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
    )
    assert postgres == "django.db.backends.postgresql ndx"


def test_without_redis_tasks_run_in_process_and_with_redis_use_the_broker():
    env_without = {"REDIS_URL": ""}
    assert _settings_value(env_without, "settings.CELERY_TASK_ALWAYS_EAGER") == "True"
    env_with = {"REDIS_URL": "redis://127.0.0.1:6379/3"}
    assert (
        _settings_value(env_with, "settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL")
        == "False redis://127.0.0.1:6379/3"
    )


def test_defaults_need_no_servers():
    value = _settings_value(
        {"DATABASE_URL": "", "REDIS_URL": ""},
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG",
    )
    assert value == "django.db.backends.sqlite3 True True"
