"""Our GOV.UK components must produce the markup of the govuk-frontend version installed from npm.

Each component we use is rendered with every example in that package's own fixtures.json and
compared with the fixture's HTML after normalising whitespace (and equivalent ways of writing
the same HTML: attribute spacing and entity encoding such as &quot; versus &#34;).
"""

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ndx.govuk import render_component

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS_DIR = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "components"

# Every component the site renders through ndx.govuk.
USED = [
    "back-link",
    "button",
    "character-count",
    "checkboxes",
    "error-message",
    "error-summary",
    "fieldset",
    "file-upload",
    "footer",
    "header",
    "hint",
    "input",
    "inset-text",
    "label",
    "notification-banner",
    "pagination",
    "panel",
    "password-input",
    "phase-banner",
    "radios",
    "select",
    "service-navigation",
    "skip-link",
    "summary-list",
    "table",
    "tag",
    "textarea",
    "warning-text",
]


class _Canonical(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        rendered = " ".join(f'{k}="{"" if v is None else v}"' for k, v in attrs)
        self.tokens.append(f"<{tag} {rendered}>" if rendered else f"<{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(f"</{tag}>")

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.tokens.append(text)


def canonical(html: str) -> list[str]:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _fixtures():
    if not COMPONENTS_DIR.exists():
        return []
    cases = []
    for component in USED:
        data = json.loads((COMPONENTS_DIR / component / "fixtures.json").read_text())
        for fixture in data["fixtures"]:
            cases.append(pytest.param(component, fixture, id=f"{component}:{fixture['name']}"))
    return cases


def test_installed_govuk_frontend_is_the_pinned_version():
    if not COMPONENTS_DIR.exists():
        pytest.skip("govuk-frontend is not installed: run `npm ci`")
    package = json.loads((COMPONENTS_DIR.parents[2] / "package.json").read_text())
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["govuk-frontend"]
    assert package["version"] == pinned


@pytest.mark.parametrize(("component", "fixture"), _fixtures())
def test_component_matches_govuk_frontend_fixture(component, fixture):
    rendered = render_component(component, fixture["options"])
    assert canonical(rendered) == canonical(fixture["html"])


def test_fixture_comparison_notices_a_real_difference():
    """The normaliser must not hide differences that matter."""
    assert canonical('<a class="x" href="#">Go</a>') != canonical('<a class="y" href="#">Go</a>')
    assert canonical("<p>one two</p>") != canonical("<p>one  three</p>")
    assert canonical('<p title="&quot;">a</p>') == canonical('<p title="&#34;" >a</p>')
