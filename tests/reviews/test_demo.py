"""The reviews demo: nothing to do without contracts; reviews for started contracts; idempotent."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import demo
from reviews.models import HelpfulVote, Review, ReviewResponse
from tests.accounts.factories import member

from .factories import ContractFactory

pytestmark = pytest.mark.django_db


def counts():
    return Review.objects.count(), ReviewResponse.objects.count(), HelpfulVote.objects.count()


def test_no_contracts_no_reviews():
    out = io.StringIO()
    demo.seed(out, {})
    assert counts() == (0, 0, 0)
    assert "nothing to review" in out.getvalue()


def test_started_contracts_get_reviews_once():
    contracts = [ContractFactory() for _ in range(4)]
    for contract in contracts:
        member(contract.organisation, role="admin")
        member(contract.supplier, role="admin")
    future = ContractFactory(start_date=timezone.localdate() + timedelta(days=10))
    member(future.organisation)
    out = io.StringIO()
    demo.seed(out, {})
    assert Review.objects.count() == 4
    assert Review.objects.filter(status="held").count() == 1
    assert not Review.objects.filter(contract=future).exists()
    published = Review.objects.filter(status="published")
    for review in published:
        review.offer.refresh_from_db()
        assert review.offer.rating_count == 1
    first = counts()
    demo.seed(io.StringIO(), {})
    assert counts() == first
    assert demo.describe()
