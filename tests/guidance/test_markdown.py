"""The safe Markdown subset: raw HTML and scripts are escaped, never passed through."""

import pytest

from guidance.markdown import render, render_html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> there",
        '<img src=x onerror="alert(1)">',
        "<div onclick=alert(1)>click</div>",
        "<iframe src=https://evil.example></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_escaped(source):
    html = render_html(source)
    assert "<script" not in html
    assert "<img" not in html
    assert "<div" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert '<a href="javascript' not in html
    assert "&lt;" in html  # shown as text


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "//evil.example/path",
    ],
)
def test_dangerous_links_are_left_as_text(link):
    html = render_html(f"[click]({link})")
    assert "<a " not in html
    assert "click" in html


def test_images_are_off():
    html = render_html("![tracker](https://evil.example/pixel.png)")
    assert "<img" not in html


def test_attributes_cannot_be_injected_through_a_link():
    html = render_html('[x](https://example.com/" onmouseover="alert(1))')
    assert 'onmouseover="' not in html


def test_gov_uk_classes_and_section_anchors():
    rendered = render(
        "# Top\n\nSome *text* and a [link](https://www.gov.uk/).\n\n## Top\n\n- one\n- two\n\n"
        "1. first\n\n> inset\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n### Small"
    )
    html = rendered.html
    assert '<h2 class="govuk-heading-l" id="top">Top</h2>' in html
    assert '<h2 class="govuk-heading-l" id="top-2">Top</h2>' in html
    assert '<h3 class="govuk-heading-m" id="small">Small</h3>' in html
    assert '<p class="govuk-body">' in html
    assert '<a href="https://www.gov.uk/" class="govuk-link">link</a>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<blockquote class="govuk-inset-text">' in html
    assert '<table class="govuk-table">' in html
    assert '<td class="govuk-table__cell">1</td>' in html
    assert "style=" not in html  # table alignment would need inline styles, which CSP blocks
    assert "<h1" not in html  # the page title is the only h1
    assert [s.anchor for s in rendered.sections] == ["top", "top-2", "small"]


def test_paths_on_the_service_and_mail_links_are_allowed():
    html = render_html("[a](/guidance/social-value/#scoring) [b](mailto:help@ndx.example) [c](#x)")
    assert html.count("<a ") == 3
