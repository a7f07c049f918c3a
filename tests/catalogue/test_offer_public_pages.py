"""The public offer page and its documents: only buyable offers, except to their supplier and staff."""

from decimal import Decimal

import pytest

from catalogue.models import Framework, FrameworkMembership, Offer
from catalogue.services import offers as services
from catalogue.templatetags.catalogue_tags import money, paragraphs
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.auth import Client
from tests.catalogue.factories import LotFactory, make_offer, revision_content
from tests.suppliers.factories import approved_supplier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]

PDF = b"%PDF-1.4\n% a small test document\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lot():
    return LotFactory(name="Cloud software", direct_award_allowed=False)


@pytest.fixture
def supplier(lot):
    organisation = approved_supplier(lot, is_vcse=True)
    return member(organisation, role="admin")


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def viewers(supplier, lot):
    """Everyone who is not the offer's supplier or staff."""
    return {
        "anonymous": client_for(),
        "buyer": client_for(member(BuyerOrganisationFactory())),
        "other supplier": client_for(member(approved_supplier(lot))),
    }


def templates(response):
    return [t.name for t in response.templates]


def test_money_filter():
    assert money(Decimal("1234.5")) == "£1,234.50"
    assert money(Decimal("0.10")) == "£0.10"
    assert money(1000000) == "£1,000,000.00"
    assert money(None) == "" and money("") == "" and money("abc") == ""


def test_paragraphs_filter():
    assert paragraphs("One\nline\n\n  \nTwo") == ["One\nline", "Two"]
    assert paragraphs("") == []


def test_buyable_offer_page_shows_the_published_revision(supplier, lot):
    offer = make_offer(supplier.organisation, lot, description="First paragraph.\n\nSecond.")
    for name, client in viewers(supplier, lot).items():
        response = client.get(f"/catalogue/offers/{offer.pk}/")
        assert response.status_code == 200, name
        assert "catalogue/offers/detail.html" in templates(response)
    html = response.content.decode()
    for text in [
        "Case management for adult social care",
        "Cloud case management built for councils.",
        '<p class="govuk-body">First paragraph.</p>',
        "Assessments",
        "Less paperwork",
        "72000000",
        "£12.50</span> per user per month",
        "List price: £15.00 per user per month",
        "Save £2.50 (17%)",
        "excluding VAT",
        "Minimum term: 12 months",
        "99.9% availability",
        "Cyber Essentials",
        "UK only",
        "Fully conforms to WCAG 2.2 AA",
        f'href="/suppliers/{offer.supplier_id}/"',
        "Size: Small",
        ">SME<",
        ">VCSE<",
        lot.framework.name,
        lot.framework.reference,
        "Lot ",
        "Further competition",
        "Version 1, published",
    ]:
        assert text in html, text
    assert "not published" not in html and "Manage this offer" not in html


def test_unpublished_offers_are_404_except_to_their_supplier_and_staff(supplier, lot):
    draft = make_offer(supplier.organisation, lot, status="draft", title="Secret draft")
    for name, client in viewers(supplier, lot).items():
        assert client.get(f"/catalogue/offers/{draft.pk}/").status_code == 404, name
    response = client_for(supplier).get(f"/catalogue/offers/{draft.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This offer is not published (draft). Buyers cannot see it." in html
    assert "Secret draft" in html and "Version 1, not published" in html
    assert "Manage this offer" in html
    response = client_for(StaffFactory()).get(f"/catalogue/offers/{draft.pk}/")
    assert response.status_code == 200 and "not published" in response.content.decode()


@pytest.mark.parametrize("change", ["withdrawn", "suspended", "framework closed", "supplier"])
def test_offers_that_are_not_buyable_are_hidden(supplier, lot, change):
    offer = make_offer(supplier.organisation, lot)
    if change in ("withdrawn", "suspended"):
        Offer.objects.filter(pk=offer.pk).update(status=change)
    elif change == "framework closed":
        Framework.objects.filter(pk=lot.framework_id).update(status="closed")
    else:
        FrameworkMembership.objects.filter(supplier=supplier.organisation).update(
            status="suspended"
        )
    for name, client in viewers(supplier, lot).items():
        assert client.get(f"/catalogue/offers/{offer.pk}/").status_code == 404, name
    html = client_for(supplier).get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert "Buyers cannot see" in html


def test_supplier_sees_the_published_version_and_a_note_of_pending_changes(supplier, lot):
    offer = make_offer(supplier.organisation, lot)
    services.offer_update(
        actor=supplier,
        offer=offer,
        **{"title": "Renamed", "summary": "s", "description": "d", "price": "1", "list_price": "2"},
    )
    html = client_for(supplier).get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert "Case management for adult social care" in html and "Renamed" not in html
    assert "You have changes to this offer (version 2)" in html
    html = client_for().get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert "Renamed" not in html and "You have changes" not in html


def test_unknown_offer_is_404():
    assert client_for().get("/catalogue/offers/999/").status_code == 404


# --- documents -----------------------------------------------------------------------------


def test_documents_of_the_published_revision_can_be_downloaded_by_anyone(supplier, lot):
    offer = services.offer_create(actor=supplier, lot=lot, **revision_content())
    document = services.offer_document_add(
        actor=supplier, offer=offer, title="Terms", name="Our terms.pdf", content=PDF
    )
    revision = services.offer_submit(actor=supplier, offer=offer)
    services.offer_approve(actor=StaffFactory(), revision=revision)
    url = f"/catalogue/offers/{offer.pk}/documents/{document.pk}/"
    for name, client in viewers(supplier, lot).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'inline; filename="Our terms.pdf"'
        assert b"".join(response.streaming_content) == PDF
    page = client_for().get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert f'href="{url}"' in page and "Terms" in page


def test_documents_of_unpublished_revisions_are_only_for_the_supplier_and_staff(supplier, lot):
    offer = make_offer(supplier.organisation, lot)
    # A document added after publication sits on revision 2, which buyers cannot see yet.
    document = services.offer_document_add(
        actor=supplier, offer=offer, title="Draft terms", name="draft.pdf", content=PDF
    )
    offer.refresh_from_db()
    assert document.revision == offer.working_revision
    url = f"/catalogue/offers/{offer.pk}/documents/{document.pk}/"
    for name, client in viewers(supplier, lot).items():
        assert client.get(url).status_code == 404, name
    assert client_for(supplier).get(url).status_code == 200
    assert client_for(StaffFactory()).get(url).status_code == 200
    public = client_for().get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert "Draft terms" not in public


def test_documents_of_draft_offers_and_of_other_offers_are_404(supplier, lot):
    draft = make_offer(supplier.organisation, lot, status="draft")
    document = services.offer_document_add(
        actor=supplier, offer=draft, title="Spec", name="spec.pdf", content=PDF
    )
    url = f"/catalogue/offers/{draft.pk}/documents/{document.pk}/"
    for name, client in viewers(supplier, lot).items():
        assert client.get(url).status_code == 404, name
    assert client_for(supplier).get(url).status_code == 200
    # A document id under another (buyable) offer's address is not found.
    live = make_offer(supplier.organisation, lot)
    wrong = f"/catalogue/offers/{live.pk}/documents/{document.pk}/"
    assert client_for().get(wrong).status_code == 404
    assert client_for(supplier).get(wrong).status_code == 404


def test_missing_file_is_404(supplier, lot, tmp_path):
    offer = services.offer_create(actor=supplier, lot=lot, title="Offer")
    document = services.offer_document_add(
        actor=supplier, offer=offer, title="Terms", name="terms.pdf", content=PDF
    )
    (tmp_path / document.file.name).unlink()
    url = f"/catalogue/offers/{offer.pk}/documents/{document.pk}/"
    assert client_for(supplier).get(url).status_code == 404
