"""A supplier organisation's admin, doing the whole job through the real pages in headless
Chromium.

The supplier (already approved on a further-competition lot, with one published offer) changes
its profile; lists a new offer with a PDF document and submits it, then sees it waiting for
approval; answers a buyer's further-competition invitation with a response; and responds in
public to a buyer's published review of its offer. axe runs on every distinct page reached.
"""

import re

import pytest

from buying.models import CompetitionResponse
from catalogue.models import Offer, OfferRevision
from reviews import services as review_services
from reviews.models import Review
from suppliers.models import SupplierProfile

from ...accounts.factories import member
from ...buying.award_helpers import CompetitionSetup
from ...reviews.factories import ContractFactory, review_data
from ..helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPPLIER = "Northwind Digital Ltd"
NEW_OFFER = "Discovery and alpha for case management"
REVIEW_TITLE = "Reliable, and the team knows social care"
# The smallest valid PDF: a catalogue, one empty page, a cross-reference table and a trailer.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """Four suppliers approved on a further-competition lot, each with a published offer; a
    buyer's competition open for responses, inviting all four; and a published review of the
    first supplier's offer, written (through the service) by another buyer."""
    setup = CompetitionSetup(prices=("10.00", "9.00", "11.00", "10.50"))
    competition = setup.published()
    offer = setup.offers[0]
    contract = ContractFactory(offer=offer, title="Case management for York")
    reviewer = member(contract.organisation, role="admin")
    review = review_services.review_create(
        actor=reviewer, contract=contract, data=review_data(title=REVIEW_TITLE)
    )
    assert review.status == Review.Status.PUBLISHED
    return {
        "setup": setup,
        "competition": competition,
        "offer": offer,
        "review": review,
        "supplier": setup.suppliers[0],
        "invitation": setup.invitation(competition, 0),
    }


def go(page, name, *, exact: bool = True) -> None:
    click_and_wait(page, page.get_by_role("link", name=name, exact=exact).first)


def press(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True).first)


def banner(page) -> str:
    return page.locator(".govuk-notification-banner").inner_text()


def change_profile(journey, page) -> None:
    page.goto("/")
    journey.check(page)
    go(page, "Supplier dashboard")
    assert page.get_by_role("heading", name="Supplier dashboard").is_visible()
    assert SUPPLIER in page.inner_text("main")
    journey.check(page)
    go(page, "Change your profile")
    journey.check(page)
    page.get_by_label("Trading name (optional)").fill("Northwind")
    page.get_by_label("About your organisation (optional)").fill(
        "Case management for children's and adult social care, built with social workers."
    )
    page.get_by_label("Website (optional)").fill("https://northwind.example.com")
    page.get_by_label("Contact name").fill("Rosa Diaz")
    press(page, "Save profile")
    assert "Profile saved" in banner(page)
    assert page.locator(".govuk-error-summary").count() == 0
    journey.check(page, "saved")
    profile = SupplierProfile.objects.get(organisation__name=SUPPLIER)
    assert (profile.trading_name, profile.contact_name) == ("Northwind", "Rosa Diaz")
    go(page, "Back to supplier dashboard")
    journey.check(page, "profile changed")


def list_offer_with_document(journey, page, lot) -> Offer:
    go(page, f"List an offer in {lot}, {lot.framework.name}")
    assert page.get_by_role("heading", name="Create an offer").is_visible()
    journey.check(page)
    page.get_by_label("Title", exact=True).fill(NEW_OFFER)
    page.get_by_label("Summary", exact=True).fill("A discovery and alpha in twelve weeks.")
    page.get_by_label("Description", exact=True).fill(
        "We research with your social workers.\n\nThen we build and test a prototype."
    )
    page.get_by_label("Features", exact=True).fill("User research\nPrototype")
    page.get_by_label("Benefits", exact=True).fill("Evidence for your business case")
    page.get_by_label("per day").check()
    page.get_by_label("National price").fill("650.00")
    page.get_by_label("List price").fill("800.00")
    page.get_by_label("excluding VAT").check()
    page.get_by_label("Service levels").fill("A team of four, on site two days a week.")
    page.get_by_label("Cyber Essentials", exact=True).check()
    page.get_by_label("UK only").check()
    page.get_by_label("Fully conforms to WCAG 2.2 AA").check()
    press(page, "Save as draft")
    assert "Offer saved as a draft" in banner(page)
    assert page.get_by_role("heading", name=NEW_OFFER, level=1).is_visible()
    offer = Offer.objects.get(working_revision__title=NEW_OFFER)
    assert offer.status == Offer.Status.DRAFT
    journey.check(page, "draft")

    # Upload the service definition, a PDF.
    press(page, "Manage documents")
    journey.check(page)
    page.get_by_label("Document title").fill("Service definition")
    page.get_by_label("Upload a PDF").set_input_files(
        files=[{"name": "service-definition.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    press(page, "Upload document")
    assert "Service definition added" in banner(page)
    documents = page.get_by_role("table", name="Documents on version 1").inner_text()
    assert "service-definition.pdf" in documents
    journey.check(page, "uploaded")
    go(page, "Back to the offer")

    press(page, "Submit for approval")
    assert "Version 1 submitted" in banner(page)
    assert "waiting for approval by the NDX team" in page.inner_text("main")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUBMITTED
    assert offer.working_revision.status == OfferRevision.Status.SUBMITTED
    assert offer.working_revision.documents.count() == 1
    journey.check(page, "submitted")

    # The offer's status, in the list of the organisation's offers.
    go(page, "Back to your offers")
    row = page.get_by_role("row", name=re.compile(re.escape(NEW_OFFER))).inner_text()
    assert "Waiting for approval" in row
    published = page.get_by_role("row", name=re.compile("Northwind case management")).inner_text()
    assert "Published" in published
    journey.check(page)
    return offer


def respond_to_competition(journey, page, competition, invitation) -> None:
    go(page, "Supplier dashboard")
    go(page, competition.title)
    assert page.url.endswith(f"/suppliers/competitions/{invitation.pk}/")
    assert page.get_by_role("heading", name=competition.title, level=1).is_visible()
    assert "Leeds City Council" in page.inner_text("main")
    journey.check(page)
    go(page, "Respond")  # a link styled as a button
    journey.check(page)
    page.get_by_label("Your unit price").fill("9.75")  # at or below the frozen £10.00
    page.get_by_label("Your response on quality").fill(
        "We have delivered case management to six councils; our plan is attached."
    )
    page.get_by_label("Your response on social value").fill("Two apprenticeships in Leeds")
    press(page, "Submit your response")
    assert page.url.endswith(f"/suppliers/competitions/{invitation.pk}/")
    assert "Response submitted" in banner(page)
    response = page.locator("main").inner_text()
    assert "£9.75" in response and "Change your response" in response
    journey.check(page, "responded")
    stored = CompetitionResponse.objects.get(invitation=invitation)
    assert str(stored.unit_price) == "9.75"

    go(page, "Further competitions")
    assert competition.title in page.inner_text("main")
    journey.check(page)


def respond_to_review(journey, page, review, offer) -> None:
    go(page, "Reviews")
    assert page.url.endswith("/reviews/supplier/")
    assert REVIEW_TITLE in page.inner_text("main")
    journey.check(page)
    click_and_wait(
        page,
        page.get_by_role("link", name=re.compile(rf"^Respond publicly\s?to “{REVIEW_TITLE}”$")),
    )
    journey.check(page)
    page.get_by_label("Your public response").fill(
        "Thank you. Offline sync now also covers attachments."
    )
    press(page, "Publish response")
    assert page.url.endswith(f"/reviews/{review.pk}/")
    assert "Your response is published" in banner(page)
    assert "Offline sync now also covers attachments" in page.inner_text("main")
    journey.check(page)
    review.refresh_from_db()
    assert review.response.text.startswith("Thank you.")

    # Buyers see the response under the review on the offer's page.
    click_and_wait(page, page.locator(".govuk-caption-l").get_by_role("link", name=str(offer)))
    assert page.url.endswith(f"/catalogue/offers/{offer.pk}/")
    main = page.inner_text("main")
    assert REVIEW_TITLE in main and "Response from" in main
    journey.check(page)


def test_supplier_lists_an_offer_responds_to_a_competition_and_a_review(journey, world):
    page = journey.open("supplier", world["supplier"])
    change_profile(journey, page)
    list_offer_with_document(journey, page, world["setup"].lot)
    respond_to_competition(journey, page, world["competition"], world["invitation"])
    respond_to_review(journey, page, world["review"], world["offer"])
