"""Rate limits on search, reviews and competition responses: a clear 429 page, nothing saved."""

import pytest

from ndx.ratelimit import client_key, hit, parse_rate

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert parse_rate("120/m") == (120, 60)
    assert parse_rate("30/h") == (30, 3600)


def test_search_is_limited_per_client(client, settings):
    settings.NDX_RATE_LIMITS = {**settings.NDX_RATE_LIMITS, "search": "3/m"}
    for _ in range(3):
        assert client.get("/catalogue/", {"q": "x"}).status_code == 200
    response = client.get("/catalogue/", {"q": "x"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You have done that too many times" in response.content.decode()
    # Another visitor (another address) is not affected.
    assert client.get("/catalogue/", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_review_posts_are_limited_and_nothing_is_saved(client, settings):
    from reviews.models import Review
    from tests.accounts.factories import BuyerOrganisationFactory, member

    settings.NDX_RATE_LIMITS = {**settings.NDX_RATE_LIMITS, "reviews": "2/h"}
    buyer = member(BuyerOrganisationFactory())
    client.force_login(buyer)
    statuses = [client.post("/reviews/1/helpful/").status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert not Review.objects.exists()


def test_limits_are_per_user_when_signed_in(rf, django_user_model):
    request = rf.get("/")
    request.user = django_user_model.objects.create_user(email="a@example.gov.uk")
    assert client_key(request) == f"user:{request.user.pk}"


def test_unlimited_scope_always_allowed(settings):
    settings.NDX_RATE_LIMITS = {}
    assert hit("search", "ip:1.2.3.4") == (True, 0)
