"""catalogue.pricing.estimate_cost: one sum per pricing model, labelled one-off or a year."""

from decimal import Decimal

import pytest

from catalogue.pricing import estimate_cost


@pytest.mark.parametrize(
    ("model", "price", "quantity", "months", "label"),
    [
        ("per_licence", "69.50", 500, None, "£34,750.00 one-off"),
        ("per_unit", "10", 3, None, "£30.00 one-off"),
        ("per_user_month", "25", 500, None, "£150,000.00 a year"),
        ("per_user_month", "25", 500, 24, "£300,000.00 over 24 months"),
        ("fixed", "4000", 500, None, "£4,000.00 one-off"),
        ("per_licence", "99.999", None, None, "£100.00 one-off"),
    ],
)
def test_estimates_follow_the_pricing_model(model, price, quantity, months, label):
    estimate = estimate_cost(pricing_model=model, price=price, quantity=quantity, months=months)
    assert estimate is not None and estimate.label() == label


def test_a_day_rate_or_no_price_has_no_estimate():
    assert estimate_cost(pricing_model="per_day", price="600", quantity=5) is None
    assert estimate_cost(pricing_model="per_licence", price=None, quantity=5) is None


def test_over_budget_by():
    estimate = estimate_cost(pricing_model="per_user_month", price="29", quantity=500)
    assert estimate.amount == Decimal("174000.00") and estimate.is_yearly
    assert estimate.over_budget_by(Decimal("150000")) == Decimal("24000.00")
    assert estimate.over_budget_by(Decimal("200000")) is None
    assert estimate.over_budget_by(None) is None
