"""Every id taken from a URL gives 404 when it is out of range, on SQLite and PostgreSQL alike:
`GET /suppliers/9223372036854775808/` (one past the largest 64-bit id) used to answer 500."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.accounts.factories import member

pytestmark = pytest.mark.django_db

TOO_BIG = "9223372036854775808"  # 2**63
HUGE = "9" * 19
LARGEST = str(2**63 - 1)


def _routes(resolvers=None, prefix=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


ID_ROUTES = sorted({r for r in _routes() if "<id:" in r})


def _url(route: str, value: str) -> str:
    url = re.sub(r"<id:\w+>", value, route)
    url = re.sub(r"<slug:\w+>", "x", url)
    url = re.sub(r"<(str:)?\w+>", "x", url)
    return "/" + url.lstrip("^").rstrip("$")


def test_every_id_in_our_urls_uses_the_bounded_converter():
    assert len(ID_ROUTES) > 50
    ours = [r for r in _routes() if not r.startswith(("admin/", "accounts/"))]
    assert not [r for r in ours if "<int:" in r]


@pytest.mark.parametrize("route", ID_ROUTES)
@pytest.mark.parametrize("value", [TOO_BIG, HUGE, "1" + "0" * 25])
def test_out_of_range_ids_are_404(client, route, value):
    client.force_login(member())
    assert client.get(_url(route, value)).status_code == 404
    client.logout()
    assert client.get(_url(route, value)).status_code == 404


def test_the_largest_id_is_looked_up_and_not_found(client):
    response = client.get(f"/suppliers/{LARGEST}/")
    assert response.status_code == 404
    assert client.get(f"/suppliers/{TOO_BIG}/").status_code == 404
