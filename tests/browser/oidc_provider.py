"""Start the test OpenID Connect provider (tests/browser/oidc_idp) in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Provider:
    issuer: str
    client_id: str
    secret: str
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict, *args: str, code: str | None = None) -> None:
    command = (
        [sys.executable, "-m", "django", *args] if code is None else [sys.executable, "-c", code]
    )
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def start_provider(
    tmp_path: Path, *, redirect_uri: str, users: list[tuple[str, str, str]]
) -> Provider:
    """users: (username, email, full name), each with the password "idp-password"."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "idp-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.oidc_idp.settings",
        "IDP_DB": str(tmp_path / "idp.sqlite3"),
        "IDP_KEY_FILE": str(key_file),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    _manage(env, "migrate", "--verbosity", "0")
    client_id, secret = "ndx-test-client", "ndx-test-secret-" + "z" * 20
    setup = (
        "import django; django.setup()\n"
        "from django.contrib.auth.models import User\n"
        "from oauth2_provider.models import Application\n"
        f"for username, email, name in {users!r}:\n"
        "    first, _, last = name.partition(' ')\n"
        "    User.objects.create_user(username, email, 'idp-password', first_name=first, last_name=last)\n"
        "Application.objects.create(name='NDX', client_id=%r, client_secret=%r,\n"
        "    client_type='confidential', authorization_grant_type='authorization-code',\n"
        "    redirect_uris=%r, algorithm='RS256', skip_authorization=True)\n"
    ) % (client_id, secret, redirect_uri)
    _manage(env, code=setup)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "runserver",
            f"localhost:{port}",
            "--noreload",
            "--nothreading",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://localhost:{port}/o"
    deadline = time.time() + 30
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if time.time() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("the test OpenID Connect provider did not start")
        time.sleep(0.2)
    return Provider(issuer=issuer, client_id=client_id, secret=secret, process=process)
