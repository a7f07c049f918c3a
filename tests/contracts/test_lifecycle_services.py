"""A contract's life: mobilising, active, ended by the beat task, extended, terminated; the value
worked out from the pricing model; headroom; the timeline in plain words."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.dates import add_months, months_between, working_days_after
from contracts.models import Contract
from contracts.services import benefits, lifecycle
from tests.contracts.helpers import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_the_value_comes_from_the_pricing_model(world):
    """500 users for 12 months at £25 per user per month is £150,000, not £12,500."""
    today = timezone.localdate()
    start = today + timedelta(days=14)
    contract = world.award(end_date=add_months(start, 12) - timedelta(days=1))
    assert contract.quantity == Decimal("6000") and contract.value == Decimal("150000.00")
    assert contract.units == Decimal("500") and contract.term_months == 12
    assert contract.award_value == contract.value


def test_before_its_start_date_a_contract_is_mobilising_never_active(world):
    contract = world.award(start_in=14)
    assert contract.status == Contract.Status.MOBILISING and not contract.is_active
    with pytest.raises(ValidationError, match="mobilising until then"):
        lifecycle.contract_start(contract=contract)
    assert lifecycle.contracts_move_due(today=contract.start_date)["started"] == 1
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert lifecycle.contracts_move_due(today=contract.start_date)["started"] == 0  # idempotent
    with pytest.raises(ValidationError, match="already started"):
        lifecycle.contract_start(contract=contract, today=contract.start_date)


def test_a_contract_starting_today_is_active(world):
    assert world.award(start_in=0).status == Contract.Status.ACTIVE


def test_the_beat_ends_a_contract_only_once_its_benefits_are_assessed(world):
    contract = world.award(start_in=0, days=30)
    after = contract.end_date + timedelta(days=1)
    assert lifecycle.contracts_move_due(today=after) == {
        "started": 0,
        "ended": 0,
        "awaiting_benefits": 1,
    }
    with pytest.raises(ValidationError, match="before the contract is closed as ended"):
        lifecycle.contract_end(contract=contract, today=after)
    benefits.contract_benefits_not_assessed(
        actor=world.buyer, contract=contract, reason="The service was replaced nationally."
    )
    assert lifecycle.contracts_move_due(today=after)["ended"] == 1
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ENDED and contract.ended_on == contract.end_date
    with pytest.raises(ValidationError, match="cannot be ended again"):
        lifecycle.contract_end(contract=contract, today=after)


def test_a_contract_cannot_end_before_its_end_date(world):
    contract = world.award(start_in=0)
    with pytest.raises(ValidationError, match="terminate it if it must end early"):
        lifecycle.contract_end(contract=contract)


def test_extension_within_the_allowance_only(world):
    contract = world.award(start_in=0, max_extension_months="6")
    latest = add_months(contract.end_date, 6)
    with pytest.raises(ValidationError) as exc:
        lifecycle.contract_extend(
            actor=world.buyer, contract=contract, new_end_date=latest + timedelta(days=1)
        )
    assert "The extension allowed at award is 6 months" in str(exc.value)
    with pytest.raises(ValidationError, match="must be after"):
        lifecycle.contract_extend(
            actor=world.buyer, contract=contract, new_end_date=contract.end_date
        )
    lifecycle.contract_extend(actor=world.buyer, contract=contract, new_end_date=latest)
    contract.refresh_from_db()
    assert contract.end_date == latest and contract.extension_left_months == 0
    assert contract.original_end_date < contract.end_date


def test_no_extension_when_none_was_allowed(world):
    contract = world.award(start_in=0)
    with pytest.raises(ValidationError, match="No extension was allowed"):
        lifecycle.contract_extend(
            actor=world.buyer, contract=contract, new_end_date=contract.end_date + timedelta(days=5)
        )


def test_termination_needs_a_reason_and_happens_once(world):
    contract = world.award(start_in=0)
    with pytest.raises(ValidationError, match="Enter why"):
        lifecycle.contract_terminate(actor=world.buyer, contract=contract, reason=" ")
    with pytest.raises(PermissionDenied):
        lifecycle.contract_terminate(actor=world.other_buyer, contract=contract, reason="No")
    lifecycle.contract_terminate(actor=world.buyer, contract=contract, reason="Supplier insolvency")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    assert contract.termination_reason == "Supplier insolvency"
    with pytest.raises(ValidationError, match="terminated early, so it cannot be terminated"):
        lifecycle.contract_terminate(actor=world.buyer, contract=contract, reason="Again")
    with pytest.raises(ValidationError, match="cannot be extended"):
        lifecycle.contract_extend(
            actor=world.buyer, contract=contract, new_end_date=contract.end_date + timedelta(days=1)
        )


def test_timeline_speaks_plainly(world):
    world.buyer.full_name = "Priya Shah"
    world.buyer.save()
    contract = world.award(start_in=0)
    lifecycle.contract_terminate(actor=world.buyer, contract=contract, reason="Moved in-house")
    texts = [item["text"] for item in lifecycle.contract_timeline(contract)]
    assert texts == [
        "Contract awarded by Priya Shah",
        "Contract ended early: Moved in-house by Priya Shah",
    ]


@pytest.mark.parametrize("state", sorted(Contract.LIFECYCLE.states()))
@pytest.mark.parametrize("name", sorted(Contract.LIFECYCLE.moves))
def test_every_declared_contract_move(state, name):
    contract = Contract(status=state)
    declared = state in Contract.LIFECYCLE.moves[name].sources
    assert Contract.LIFECYCLE.can(contract, name) is declared
    if not declared:
        with pytest.raises(ValidationError):
            Contract.LIFECYCLE.apply(contract, name)


def test_award_after_the_framework_ended_is_refused(world):
    world.lot.framework.ends_on = timezone.localdate() - timedelta(days=1)
    world.lot.framework.starts_on = None
    world.lot.framework.save()
    with pytest.raises(ValidationError, match="ended on .* so nothing more can be awarded"):
        world.award()


def test_award_past_the_framework_maximum_value_is_refused_with_the_figures():
    world = World(max_value="200000")
    world.award(units="500", start_in=0, end_date=add_months(timezone.localdate(), 12))
    with pytest.raises(ValidationError) as exc:
        world.award(units="200")  # £60,000 more
    text = str(exc.value)
    assert "maximum value of £200,000.00" in text and "£150,000.00 has been awarded" in text
    assert "£50,000.00 is left" in text


def test_estimate_warns_when_far_from_the_budget(world):
    from buying.services.awards import direct_award_estimate, direct_award_terms

    requirement_like = type("R", (), {"budget_max": Decimal("20000"), "budget_min": None})()
    start = timezone.localdate() + timedelta(days=14)
    estimate = direct_award_estimate(
        terms=direct_award_terms(shortlist_item=world.shortlist.items.get()),
        units="500",
        quantity="",
        unit_price="25",
        start_date=start,
        end_date=add_months(start, 12) - timedelta(days=1),
        requirement=requirement_like,
    )
    assert estimate["value"] == Decimal("150000.00")
    assert estimate["working"] == "500 users × 12 months × £25.00 per user per month = £150,000.00"
    assert "650% more than the requirement's budget of £20,000.00" in estimate["warning"]


def test_cost_avoidance_from_a_stated_previous_price_and_from_the_lot_median(world):
    first = world.award(start_in=0, baseline_unit_price="28.00")
    assert first.baseline_method == Contract.BaselineMethod.PREVIOUS_CONTRACT
    assert first.cost_avoidance == (Decimal("28") - Decimal("25")) * first.quantity
    # Fewer than 3 comparable contracts on the lot: no median, so no baseline.
    second = world.award(start_in=0, unit_price="24.00")
    assert second.baseline_method == "" and second.cost_avoidance is None
    world.award(start_in=0, unit_price="22.00")
    fourth = world.award(start_in=0, unit_price="20.00")  # median of 25, 24 and 22
    assert fourth.baseline_method == Contract.BaselineMethod.LOT_MEDIAN
    assert fourth.baseline_unit_price == Decimal("24.00")
    assert fourth.cost_avoidance == (Decimal("24") - Decimal("20")) * fourth.quantity


def test_dates():
    from datetime import date

    assert months_between(date(2026, 1, 15), date(2027, 1, 14)) == 12
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    # Friday 18 December 2026 + 8 working days skips the weekend, Christmas and Boxing Day.
    assert working_days_after(date(2026, 12, 18), 8) == date(2027, 1, 4)
