"""Quick checks that the core supply-side workflows fit together."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue import services
from catalogue.models import Offer
from suppliers import services as supplier_services
from tests.accounts.factories import StaffFactory, member
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DynamicMarketFactory,
    LotFactory,
    make_offer,
    revision_content,
)
from tests.suppliers.factories import SupplierProfileFactory, approved_supplier

pytestmark = pytest.mark.django_db


def test_supplier_applies_is_approved_lists_offer_and_buyers_see_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    staff = StaffFactory()
    market = DynamicMarketFactory()
    lot = LotFactory(framework=market)
    question = DeclarationQuestionFactory(framework=market)
    profile = SupplierProfileFactory()
    admin = member(profile.organisation, role="admin")
    application = supplier_services.lot_application_submit(
        actor=admin, lot=lot, answers={f"q{question.pk}": "yes"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        supplier_services.lot_application_approve(actor=staff, application=application)
    assert "Approved" in mailoutbox[0].subject
    offer = services.offer_create(actor=admin, lot=lot, **revision_content())
    services.offer_submit(actor=admin, offer=offer)
    assert not Offer.objects.buyable().exists()
    services.offer_approve(actor=staff, revision=offer.working_revision)
    assert list(Offer.objects.buyable()) == [offer]

    # An edit goes for approval while the published version stays live.
    services.offer_update(actor=admin, offer=offer, **revision_content(title="New title"))
    offer.refresh_from_db()
    assert offer.published_revision.title == revision_content()["title"]
    assert offer.working_revision.title == "New title"
    diff = services.revision_diff(offer.working_revision)
    assert [row["field"] for row in diff] == ["title"]


def test_two_person_rule():
    creator, other = StaffFactory(), StaffFactory()
    framework = services.framework_create(actor=creator, name="Cloud", reference="rm1234")
    LotFactory(framework=framework)
    services.framework_request_live(actor=creator, framework=framework)
    with pytest.raises(PermissionDenied):
        services.framework_approve_live(actor=creator, framework=framework)
    framework.refresh_from_db()
    assert framework.status == "draft"
    services.framework_approve_live(actor=other, framework=framework)
    framework.refresh_from_db()
    assert framework.status == "live" and framework.approved_by == other


def test_suspended_supplier_offers_disappear_and_return():
    from catalogue.models import FrameworkMembership

    staff = StaffFactory()
    lot = LotFactory()
    supplier = approved_supplier(lot)
    offer = make_offer(supplier, lot)
    assert list(Offer.objects.buyable()) == [offer]
    membership = FrameworkMembership.objects.get(supplier=supplier)
    supplier_services.framework_membership_set_status(
        actor=staff, membership=membership, status="suspended", reason="Unpaid levy"
    )
    assert not Offer.objects.buyable().exists()
    supplier_services.framework_membership_set_status(
        actor=staff, membership=membership, status="active"
    )
    assert list(Offer.objects.buyable()) == [offer]


def test_price_above_list_price_is_refused():
    lot = LotFactory()
    supplier = approved_supplier(lot)
    user = member(supplier, role="admin")
    with pytest.raises(ValidationError) as exc:
        services.offer_create(actor=user, lot=lot, **revision_content(price="20", list_price="10"))
    assert "price" in exc.value.message_dict
    assert not Offer.objects.exists()
