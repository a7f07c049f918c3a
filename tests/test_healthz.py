"""/healthz reports the database and, where configured, Redis; 503 when one is down."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_healthz_ok_with_database_up(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.django_db
def test_healthz_checks_real_redis_when_configured(client, requires_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


def _healthz_in_subprocess(env: dict[str, str]) -> tuple[int, str]:
    """Ask /healthz in a fresh process whose settings point at servers that are down."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ndx.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    return int(status), body


def test_healthz_503_when_database_is_down():
    # Nothing listens on port 1: the connection is refused, as when PostgreSQL is stopped.
    status, body = _healthz_in_subprocess(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/ndx", "REDIS_URL": ""}
    )
    assert status == 503
    assert '"database": "error: OperationalError"' in body


def test_healthz_503_when_redis_is_down(tmp_path):
    status, body = _healthz_in_subprocess(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    assert status == 503
    assert '"database": "ok"' in body
    assert '"redis": "error: ConnectionError"' in body
