"""The HTML checker the page tests use finds our errors (tests/html_validity.py)."""

from tests.html_validity import validate_pages

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head>
<body><p>Calculated at <time datetime="{moment}">19:40</time></p></body></html>"""


def test_a_time_with_microseconds_is_an_error_and_without_is_not():
    errors = validate_pages(
        {
            "bad": PAGE.format(moment="2026-12-04T19:40:00.123456+00:00"),
            "good": PAGE.format(moment="2026-12-04T19:40:00+0000"),
        }
    )
    assert len(errors) == 1
    assert errors[0].startswith("bad line 2: Bad value “2026-12-04T19:40:00.123456+00:00”")
