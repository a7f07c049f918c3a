"""Content-Security-Policy with a fresh nonce per response; no inline styles or scripts
without it anywhere in our templates."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_has_a_strict_csp_with_a_fresh_nonce(client):
    first = client.get("/")
    second = client.get("/")
    policy = first["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]


def test_templates_have_no_inline_styles_or_unnonced_scripts():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if any(part in {".venv", "node_modules", "staticfiles"} for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"<style|\sstyle=\"", text):
            offenders.append(f"{path.relative_to(ROOT)}: inline style")
        for tag in re.findall(r"<script[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: inline script without a nonce")
    assert not offenders, offenders
