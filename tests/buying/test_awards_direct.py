"""Direct award services: a contract at the exact revision and price, its saving and time to
award; every refusal is clear and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from buying.models import Requirement, Shortlist
from buying.services import awards as award_services
from buying.services import requirements as requirement_services
from buying.services import shortlists as shortlist_services
from catalogue.models import Offer
from contracts.models import Contract
from ndx.audit.models import AuditEntry
from suppliers.models import FrameworkMembership
from tests.catalogue.factories import LotFactory

from .award_helpers import buyer_user, frozen_shortlist, snapshot, supplier_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot():
    return LotFactory(name="Cloud software", direct_award_allowed=True)


@pytest.fixture
def buyer():
    return buyer_user()


@pytest.fixture
def offer(lot):
    return supplier_offer(lot, "Northwind Digital Ltd", price="12.50", list_price="15.00")[0]


@pytest.fixture
def shortlist(buyer, offer):
    return frozen_shortlist(buyer, [offer])


def terms(**overrides):
    today = timezone.localdate()
    values = {
        "justification": "Best fit for our adult social care teams at the lowest price.",
        "quantity": "450",
        "unit_price": "12.00",
        "start_date": today + timedelta(days=10),
        "end_date": today + timedelta(days=10 + 365),
        "kpis": "99.9% availability\nFix priority 1 incidents in 4 hours",
    }
    values.update(overrides)
    return values


def award_item(buyer, shortlist, **overrides):
    item = shortlist.items.get()
    return award_services.direct_award_create(
        actor=buyer, shortlist_item=item, **terms(**overrides)
    )


def assert_refused(call, field, message):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    errors = (
        exc.value.message_dict
        if hasattr(exc.value, "error_dict")
        else {"__all__": exc.value.messages}
    )
    assert field in errors, errors
    assert message in " ".join(errors[field]), errors
    assert snapshot() == before


# --- a successful award -----------------------------------------------------------------------


def test_award_from_a_frozen_shortlist_item_creates_the_contract(buyer, shortlist, offer):
    item = shortlist.items.get()
    contract = award_item(buyer, shortlist)
    assert contract.route == Contract.Route.DIRECT_AWARD
    assert contract.organisation == buyer.organisation
    assert contract.supplier == offer.supplier
    assert contract.offer == offer and contract.revision == item.revision
    assert contract.quantity == Decimal("450.00")
    assert contract.unit_price == Decimal("12.00")
    assert contract.national_price == Decimal("12.50")
    assert contract.list_price == Decimal("15.00")
    assert contract.value == Decimal("5400.00")  # 12.00 x 450
    assert contract.saving == Decimal("1350.00")  # (15.00 - 12.00) x 450
    assert contract.kpis == ["99.9% availability", "Fix priority 1 incidents in 4 hours"]
    assert contract.shortlist == shortlist
    assert contract.awarded_by == buyer
    assert contract.reference == f"NDX-{timezone.now():%Y}-{contract.pk:05d}"
    assert contract.time_to_award is not None and contract.time_to_award >= timedelta(0)
    entry = AuditEntry.objects.get(action="contract.awarded")
    assert entry.object_id == str(contract.pk) and entry.detail["value"] == "5400.00"


def test_award_sets_the_shortlist_outcome_to_awarded(buyer, shortlist):
    contract = award_item(buyer, shortlist)
    shortlist.refresh_from_db()
    assert shortlist.outcome == Shortlist.Outcome.AWARDED
    assert contract.reference in shortlist.outcome_note
    assert AuditEntry.objects.filter(action="shortlist.outcome_recorded").count() == 1
    # a second award from the same shortlist is allowed and leaves the outcome as it is
    award_item(buyer, shortlist)
    assert AuditEntry.objects.filter(action="shortlist.outcome_recorded").count() == 1


def test_the_frozen_revision_and_price_are_used_even_after_the_offer_changes(
    buyer, shortlist, offer
):
    frozen_revision = shortlist.items.get().revision
    new = offer.revisions.create(
        number=2, status="published", title="Renamed", price=Decimal("9.00"), list_price=None
    )
    Offer.objects.filter(pk=offer.pk).update(published_revision=new)
    contract = award_item(buyer, shortlist, unit_price="12.50")
    assert contract.revision == frozen_revision
    assert contract.national_price == Decimal("12.50")


def test_time_to_award_runs_from_the_requirement(buyer, offer):
    requirement = requirement_services.requirement_start(actor=buyer, title="Case management")
    Requirement.objects.filter(pk=requirement.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    requirement.refresh_from_db()
    shortlist = frozen_shortlist(buyer, [offer], requirement=requirement)
    contract = award_item(buyer, shortlist)
    assert contract.requirement == requirement
    assert timedelta(days=29) < contract.time_to_award < timedelta(days=31)


def test_award_of_a_single_offer(buyer, offer):
    requirement = requirement_services.requirement_start(actor=buyer, title="Case management")
    contract = award_services.direct_award_create(
        actor=buyer, offer=offer, requirement=requirement, **terms()
    )
    assert contract.revision == offer.published_revision
    assert contract.shortlist is None and contract.requirement == requirement
    assert contract.national_price == Decimal("12.50")


def test_award_at_exactly_the_national_price_is_allowed(buyer, shortlist):
    contract = award_item(buyer, shortlist, unit_price="12.50")
    assert contract.unit_price == Decimal("12.50")


def test_contracts_above_5m_need_three_kpis(buyer, shortlist):
    contract = award_item(buyer, shortlist, quantity="500000", unit_price="12.00", kpis="A\nB\nC")
    assert contract.value == Decimal("6000000.00") and len(contract.kpis) == 3


# --- refusals ---------------------------------------------------------------------------------


def test_award_above_the_national_price_is_refused(buyer, shortlist):
    assert_refused(
        lambda: award_item(buyer, shortlist, unit_price="12.51"),
        "unit_price",
        "The price must be at or below the national price of £12.50",
    )


def test_single_offer_award_above_the_national_price_is_refused(buyer, offer):
    assert_refused(
        lambda: award_services.direct_award_create(
            actor=buyer, offer=offer, **terms(unit_price="13")
        ),
        "unit_price",
        "at or below the national price of £12.50",
    )


def test_direct_award_on_a_further_competition_lot_is_refused(buyer):
    lot = LotFactory(name="Digital outcomes", direct_award_allowed=False)
    offer, _ = supplier_offer(lot, "Kestrel Software Ltd")
    shortlist = frozen_shortlist(buyer, [offer])
    assert_refused(
        lambda: award_item(buyer, shortlist),
        "__all__",
        "does not allow direct award: run a further competition",
    )
    assert_refused(
        lambda: award_services.direct_award_create(actor=buyer, offer=offer, **terms()),
        "__all__",
        "does not allow direct award",
    )


def test_kpis_are_required_above_5m(buyer, shortlist):
    assert_refused(
        lambda: award_item(buyer, shortlist, quantity="500000", kpis="Only one"),
        "kpis",
        "Contracts worth more than £5,000,000.00 need at least 3 KPIs",
    )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"quantity": ""}, "quantity", "Enter the quantity"),
        ({"quantity": "lots"}, "quantity", "Enter the quantity as a number, like 250"),
        ({"quantity": "0"}, "quantity", "The quantity must be more than 0"),
        ({"quantity": "-4"}, "quantity", "The quantity must be 0 or more"),
        ({"quantity": "1.234"}, "quantity", "no more than 2 decimal places"),
        ({"unit_price": ""}, "unit_price", "Enter the unit price"),
        ({"unit_price": "£1e5"}, "unit_price", "Enter the unit price as a number"),
        ({"justification": "   "}, "justification", "Enter why you are awarding"),
        ({"justification": "x" * 5001}, "justification", "5,000 characters or fewer"),
        ({"start_date": None}, "start_date", "Enter the start date"),
        ({"end_date": None}, "end_date", "Enter the end date"),
        ({"kpis": "\n".join(["k"] * 21)}, "kpis", "Enter 20 KPIs or fewer"),
        ({"kpis": "k" * 301}, "kpis", "300 characters or fewer"),
    ],
)
def test_bad_terms_are_refused(buyer, shortlist, overrides, field, message):
    assert_refused(lambda: award_item(buyer, shortlist, **overrides), field, message)


def test_start_in_the_past_and_end_before_start_are_refused(buyer, shortlist):
    today = timezone.localdate()
    assert_refused(
        lambda: award_item(buyer, shortlist, start_date=today - timedelta(days=1)),
        "start_date",
        "The start date must be today or in the future",
    )
    assert_refused(
        lambda: award_item(buyer, shortlist, start_date=today, end_date=today),
        "end_date",
        "The end date must be after the start date",
    )


def test_an_open_shortlist_cannot_be_awarded_from(buyer, offer):
    shortlist = shortlist_services.shortlist_create(actor=buyer, name="Open list")
    shortlist_services.shortlist_add_offer(actor=buyer, shortlist=shortlist, offer_id=offer.pk)
    assert_refused(
        lambda: award_item(buyer, shortlist), "__all__", "Freeze the shortlist before awarding"
    )


def test_a_shortlist_with_another_outcome_cannot_be_awarded_from(buyer, shortlist):
    shortlist_services.shortlist_record_outcome(
        actor=buyer, shortlist=shortlist, outcome="cancelled"
    )
    assert_refused(
        lambda: award_item(buyer, shortlist), "__all__", "outcome is recorded as “Cancelled”"
    )


def test_an_offer_no_longer_buyable_cannot_be_awarded(buyer, shortlist, offer):
    FrameworkMembership.objects.filter(supplier=offer.supplier).update(status="suspended")
    assert_refused(lambda: award_item(buyer, shortlist), "__all__", "can no longer be bought")
    assert_refused(
        lambda: award_services.direct_award_create(actor=buyer, offer=offer, **terms()),
        "__all__",
        "That offer is not available to buy",
    )


def test_an_offer_without_a_national_price_cannot_be_directly_awarded(buyer, lot):
    offer, _ = supplier_offer(lot, "Ash CIC", price="1", list_price=None)
    offer.published_revision.price = None
    offer.published_revision.save()
    assert_refused(
        lambda: award_services.direct_award_create(actor=buyer, offer=offer, **terms()),
        "__all__",
        "has no national price",
    )


def test_another_organisation_cannot_award_from_the_shortlist(shortlist):
    other = buyer_user("Kent County Council")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        award_item(other, shortlist)
    assert snapshot() == before


def test_another_organisations_requirement_cannot_be_used(buyer, offer):
    other = buyer_user("Kent County Council")
    requirement = requirement_services.requirement_start(actor=other, title="Theirs")
    with pytest.raises(PermissionDenied):
        award_services.direct_award_create(
            actor=buyer, offer=offer, requirement=requirement, **terms()
        )
    assert not Contract.objects.exists()


def test_suppliers_cannot_award(offer, shortlist):
    supplier_user = offer.supplier.memberships.get().user
    with pytest.raises(PermissionDenied):
        award_services.direct_award_create(actor=supplier_user, offer=offer, **terms())
    assert not Contract.objects.exists()
