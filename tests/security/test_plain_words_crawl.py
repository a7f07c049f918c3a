"""Plain words on every page the permission matrix visits: each page is fetched once, as the
first role the matrix expects to see it (200), and fails when it shows an audit action code
("shortlist.frozen") or a count of one with a plural noun ("1 months")."""

import pytest

from tests.plain_words import assert_plain_words

from .conftest import ROLES, sign_in
from .test_permission_matrix import ROWS, Row

pytestmark = pytest.mark.django_db


def _viewer(entry: Row) -> str | None:
    """The first role that sees the page, preferring the owner (A) roles, then staff."""
    for role in ROLES:
        if entry.expected.get(role) == 200:
            return role
    return None


PAGES = [(entry, _viewer(entry)) for entry in ROWS if _viewer(entry) is not None]


def test_the_crawl_covers_most_of_the_matrix():
    assert len(PAGES) >= len(ROWS) // 2


@pytest.mark.parametrize(("entry", "role"), PAGES, ids=[f"{e.id}-{r}" for e, r in PAGES])
def test_page_speaks_plain_words(client, world, entry: Row, role: str):
    url = entry.url(world)
    response = sign_in(client, world, role).get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
        return
    if "html" not in response.get("Content-Type", ""):
        return
    assert_plain_words(response.content.decode(), url)


def test_a_count_does_not_run_across_element_edges():
    from tests.plain_words import plain_words_problems

    cells = "<dl><dt>Rows</dt><dd>1</dd><dt>Offers created</dt><dd>1</dd></dl>"
    assert plain_words_problems(cells) == []
    assert plain_words_problems("<p>Imported 1 offers</p>") == [
        "count that disagrees with its noun: '1 offers'"
    ]
    assert plain_words_problems("<li>shortlist.frozen by Priya</li>") == [
        "audit action code 'shortlist.frozen'"
    ]
