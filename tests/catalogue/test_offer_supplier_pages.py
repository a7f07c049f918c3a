"""Suppliers create and edit offers, submit them for approval and manage their documents."""

from decimal import Decimal

import pytest

from catalogue.models import FrameworkMembership, Offer, OfferDocument, OfferRevision
from catalogue.services import offers as services
from tests.accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory, member
from tests.catalogue.factories import LotFactory, make_offer, revision_content
from tests.suppliers.factories import LotApplicationFactory, approved_supplier

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lot():
    return LotFactory()


@pytest.fixture
def supplier(lot):
    return member(approved_supplier(lot), role="admin")


@pytest.fixture
def supplier_client(client, supplier):
    client.force_login(supplier)
    return client


def approve(organisation, lot):
    """Approve an organisation that already has a profile for another lot."""
    LotApplicationFactory(supplier=organisation, lot=lot, status="approved")
    FrameworkMembership.objects.get_or_create(supplier=organisation, framework=lot.framework)


def form_data(**overrides):
    """What a browser posts for a complete offer."""
    data = {
        "title": "Case management for adult social care",
        "summary": "Cloud case management built for councils.",
        "description": "Record assessments, plan care and share records securely.",
        "features": "Assessments\nCare plans",
        "benefits": "Less paperwork",
        "categories": "",
        "cpv_codes": "72000000, 48000000-8",
        "pricing_model": "per_user_month",
        "price": "12.50",
        "list_price": "£1,015.00",
        "vat": "excluding",
        "minimum_term_months": "12",
        "service_levels": "99.9% availability",
        "certifications": ["cyber-essentials", "iso-27001"],
        "other_certifications": "",
        "hosting_location": "uk",
        "accessibility": "full",
    }
    data.update(overrides)
    return data


def templates(response):
    return [t.name for t in response.templates]


def snapshot(offer):
    """Everything about an offer that must not change when a request is refused."""
    offer.refresh_from_db()
    return (
        offer.status,
        offer.status_reason,
        offer.published_revision_id,
        offer.working_revision_id,
        [
            (r.pk, r.status, r.title, r.price, r.documents.count())
            for r in offer.revisions.order_by("number")
        ],
    )


# --- access --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in_and_buyers_are_refused(client):
    response = client.get("/suppliers/offers/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(member(BuyerOrganisationFactory()))
    for url in ["/suppliers/offers/", "/suppliers/offers/new/"]:
        assert client.get(url).status_code == 403


def test_list_shows_only_own_offers_with_status_and_rejection_reason(
    supplier_client, supplier, lot
):
    org = supplier.organisation
    published = make_offer(org, lot, title="Live product")
    make_offer(org, lot, status="draft", title="Draft product")
    rejected = make_offer(org, lot, status="submitted", title="Rejected product")
    rejected.working_revision.status = OfferRevision.Status.REJECTED
    rejected.working_revision.rejection_reason = "Add a service definition document."
    rejected.working_revision.save()
    other = approved_supplier(lot)
    make_offer(other, lot, title="Somebody else's product")
    services.offer_update(actor=supplier, offer=published, **revision_content(title="New name"))
    services.offer_submit(actor=supplier, offer=published)

    response = supplier_client.get("/suppliers/offers/")
    assert response.status_code == 200
    assert "catalogue/offers/supplier_list.html" in templates(response)
    html = response.content.decode()
    assert "Live product" in html and "Draft product" in html and "Rejected product" in html
    assert "Somebody else" not in html
    assert "Changes waiting for approval" in html
    assert "Add a service definition document." in html
    assert "Published" in html and "Draft" in html


# --- creating ------------------------------------------------------------------------------


def test_supplier_without_approved_lots_is_told_to_apply_first(client):
    user = member(SupplierOrganisationFactory(), role="admin")
    client.force_login(user)
    response = client.get("/suppliers/offers/new/")
    assert response.status_code == 200
    assert "catalogue/offers/no_lots.html" in templates(response)
    assert 'href="/suppliers/frameworks/"' in response.content.decode()
    assert client.post("/suppliers/offers/new/", form_data()).status_code == 200
    assert not Offer.objects.exists()


def test_supplier_with_several_lots_chooses_one(supplier_client, supplier, lot):
    second = LotFactory(framework=lot.framework, name="Cloud hosting")
    approve(supplier.organisation, second)
    not_approved = LotFactory()

    response = supplier_client.get("/suppliers/offers/new/")
    assert "catalogue/offers/choose_lot.html" in templates(response)
    html = response.content.decode()
    assert "Cloud hosting" in html and not_approved.name not in html

    for query in ["?lot=", "?chosen=1"]:
        response = supplier_client.get(f"/suppliers/offers/new/{query}")
        assert "Select the lot this offer is in" in response.content.decode()
        assert "There is a problem" in response.content.decode()
    response = supplier_client.get(f"/suppliers/offers/new/?lot={not_approved.pk}")
    assert "Select one of the lots your organisation is approved for" in response.content.decode()

    response = supplier_client.get(f"/suppliers/offers/new/?lot={second.pk}")
    assert "catalogue/offers/form.html" in templates(response)
    response = supplier_client.post(f"/suppliers/offers/new/?lot={second.pk}", form_data())
    offer = Offer.objects.get()
    assert offer.lot == second
    assert response.status_code == 302 and response.url == f"/suppliers/offers/{offer.pk}/"


def test_supplier_creates_a_draft_offer(supplier_client, supplier, lot):
    response = supplier_client.get("/suppliers/offers/new/")
    assert "catalogue/offers/form.html" in templates(response)
    html = response.content.decode()
    assert 'inputmode="decimal"' in html and "govuk-input__prefix" in html
    assert "govuk-character-count" in html

    response = supplier_client.post("/suppliers/offers/new/", form_data())
    offer = Offer.objects.get()
    assert response.url == f"/suppliers/offers/{offer.pk}/"
    assert offer.supplier == supplier.organisation and offer.status == Offer.Status.DRAFT
    revision = offer.working_revision
    assert revision.number == 1 and revision.status == OfferRevision.Status.DRAFT
    assert revision.price == Decimal("12.50") and revision.list_price == Decimal("1015.00")
    assert revision.features == ["Assessments", "Care plans"]
    assert revision.cpv_codes == ["72000000", "48000000-8"]
    assert revision.certifications == ["cyber-essentials", "iso-27001"]
    assert revision.minimum_term_months == 12

    page = supplier_client.get(response.url).content.decode()
    assert "Case management for adult social care" in page
    assert "Submit for approval" in page and "Delete this draft" in page
    assert "Withdraw this offer" not in page
    assert "£1,015.00" in page


@pytest.mark.parametrize(
    "price, list_price, field, message",
    [
        ("twelve", "15.00", "price", "Enter the national price as a number of pounds"),
        ("-3", "15.00", "price", "The national price must be more than £0"),
        ("12.505", "15.00", "price", "The national price must be in pounds and pence"),
        ("12.50", "abc", "list_price", "Enter the list price as a number of pounds"),
        ("20.00", "15.00", "price", "must be the same as or lower than the list price"),
    ],
)
def test_invalid_prices_are_field_errors_and_nothing_is_saved(
    supplier_client, supplier, lot, price, list_price, field, message
):
    response = supplier_client.post(
        "/suppliers/offers/new/", form_data(price=price, list_price=list_price)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert not Offer.objects.exists()

    offer = make_offer(supplier.organisation, lot, status="draft")
    before = snapshot(offer)
    response = supplier_client.post(
        f"/suppliers/offers/{offer.pk}/edit/", form_data(price=price, list_price=list_price)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert snapshot(offer) == before


def test_every_invalid_answer_is_reported_at_once(supplier_client):
    response = supplier_client.post(
        "/suppliers/offers/new/",
        form_data(
            title="",
            cpv_codes="7200",
            minimum_term_months="lots",
            summary="x" * 501,
            price="x",
            pricing_model="",
            vat="",
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) == {
        "title",
        "cpv_codes",
        "minimum_term_months",
        "summary",
        "price",
        "pricing_model",
        "vat",
    }
    assert errors["pricing_model"] == ["Select how the offer is priced"]
    assert errors["summary"] == ["Summary must be 500 characters or fewer"]
    assert not Offer.objects.exists()


def test_lot_categories_are_checkboxes(supplier_client, supplier):
    lot = LotFactory(categories=["Case management", "Finance"])
    approve(supplier.organisation, lot)
    url = f"/suppliers/offers/new/?lot={lot.pk}"
    html = supplier_client.get(url).content.decode()
    assert 'type="checkbox" value="Finance"' in html
    response = supplier_client.post(url, form_data(categories=["Nonsense"]))
    assert "Select categories from this lot" in response.context["form"].errors["categories"][0]
    assert not Offer.objects.exists()
    supplier_client.post(url, form_data(categories=["Finance"]))
    assert Offer.objects.get().working_revision.categories == ["Finance"]


# --- editing -------------------------------------------------------------------------------


def test_edit_form_is_prefilled_from_the_working_revision(supplier_client, supplier, lot):
    offer = make_offer(
        supplier.organisation, lot, status="draft", cpv_codes=["72000000", "48000000"]
    )
    response = supplier_client.get(f"/suppliers/offers/{offer.pk}/edit/")
    assert "catalogue/offers/form.html" in templates(response)
    form = response.context["form"]
    assert form["title"].value() == "Case management for adult social care"
    assert form["price"].value() == "12.50"
    assert form["cpv_codes"].value() == "72000000, 48000000"
    assert form["features"].value() == "Assessments\nCare plans"
    assert form["minimum_term_months"].value() == "12"
    html = response.content.decode()
    assert 'value="12.50"' in html


def test_editing_a_published_offer_creates_a_new_revision_and_keeps_the_live_one(
    supplier_client, supplier, lot
):
    offer = make_offer(supplier.organisation, lot)
    first = offer.published_revision
    response = supplier_client.get(f"/suppliers/offers/{offer.pk}/edit/")
    assert "buyers keep seeing the published version" in response.content.decode()
    response = supplier_client.post(
        f"/suppliers/offers/{offer.pk}/edit/", form_data(title="Case management 2")
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.published_revision == first
    assert (
        offer.working_revision.number == 2 and offer.working_revision.title == "Case management 2"
    )
    first.refresh_from_db()
    assert first.title == "Case management for adult social care"
    page = supplier_client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "Your changes: version 2" in page and "Live now: version 1" in page


def test_submitted_offer_cannot_be_edited_until_recalled(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="submitted")
    before = snapshot(offer)
    response = supplier_client.get(f"/suppliers/offers/{offer.pk}/edit/")
    assert response.status_code == 302 and response.url == f"/suppliers/offers/{offer.pk}/"
    supplier_client.post(f"/suppliers/offers/{offer.pk}/edit/", form_data(title="Sneaky"))
    assert snapshot(offer) == before
    page = supplier_client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "Recall submission" in page and "Edit offer" not in page

    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/recall/")
    assert response.url == f"/suppliers/offers/{offer.pk}/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DRAFT
    assert offer.working_revision.status == OfferRevision.Status.DRAFT
    assert supplier_client.get(f"/suppliers/offers/{offer.pk}/edit/").status_code == 200


# --- another supplier's offers ---------------------------------------------------------------


def test_another_supplier_gets_404_everywhere_and_nothing_changes(client, lot):
    owner = member(approved_supplier(lot), role="admin")
    draft = make_offer(owner.organisation, lot, status="draft")
    services.offer_document_add(
        actor=owner, offer=draft, title="Spec", name="spec.pdf", content=PDF
    )
    published = make_offer(owner.organisation, lot)
    submitted = make_offer(owner.organisation, lot, status="submitted")
    document = draft.working_revision.documents.get()
    intruder = member(approved_supplier(lot), role="admin")
    client.force_login(intruder)
    offers = [draft, published, submitted]
    before = [snapshot(o) for o in offers]
    for offer in offers:
        pk = offer.pk
        for url in [
            f"/suppliers/offers/{pk}/",
            f"/suppliers/offers/{pk}/edit/",
            f"/suppliers/offers/{pk}/documents/",
            f"/suppliers/offers/{pk}/withdraw/",
            f"/suppliers/offers/{pk}/delete/",
        ]:
            assert client.get(url).status_code == 404, url
        for url, data in [
            (f"/suppliers/offers/{pk}/edit/", form_data(title="Hijacked")),
            (f"/suppliers/offers/{pk}/submit/", {}),
            (f"/suppliers/offers/{pk}/recall/", {}),
            (f"/suppliers/offers/{pk}/withdraw/", {"reason": "x"}),
            (f"/suppliers/offers/{pk}/delete/", {}),
            (f"/suppliers/offers/{pk}/documents/", {"title": "X"}),
            (f"/suppliers/offers/{pk}/documents/{document.pk}/remove/", {}),
        ]:
            assert client.post(url, data).status_code == 404, url
    assert [snapshot(o) for o in offers] == before
    # The intruder cannot reach the document through their own offer either.
    own = make_offer(intruder.organisation, lot, status="draft")
    response = client.post(f"/suppliers/offers/{own.pk}/documents/{document.pk}/remove/")
    assert response.status_code == 404
    assert OfferDocument.objects.filter(pk=document.pk).exists()


# --- submitting, withdrawing, deleting -------------------------------------------------------


def test_submitting_an_incomplete_offer_shows_what_is_missing(supplier_client, supplier, lot):
    offer = make_offer(
        supplier.organisation, lot, status="draft", summary="", price=None, hosting_location=""
    )
    before = snapshot(offer)
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/submit/")
    assert response.status_code == 200
    assert "catalogue/offers/form.html" in templates(response)
    errors = response.context["form"].errors
    assert errors["summary"] == ["Enter a summary"]
    assert errors["price"] == ["Enter the national price"]
    assert errors["hosting_location"] == ["Select where data is hosted"]
    assert "Your offer was not submitted" in response.content.decode()
    assert snapshot(offer) == before


def test_submitting_puts_the_offer_in_the_queue(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/submit/")
    assert response.url == f"/suppliers/offers/{offer.pk}/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUBMITTED
    assert list(OfferRevision.objects.awaiting_review()) == [offer.working_revision]
    page = supplier_client.get(response.url).content.decode()
    assert "waiting for approval by the NDX team" in page
    # Submitting again is refused with a message, not an error page.
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/submit/", follow=True)
    assert "There are no changes to submit" in response.content.decode()


def test_submit_and_recall_need_post(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    assert supplier_client.get(f"/suppliers/offers/{offer.pk}/submit/").status_code == 405
    assert supplier_client.get(f"/suppliers/offers/{offer.pk}/recall/").status_code == 405


def test_withdrawing_hides_the_offer_from_buyers_but_not_from_the_supplier(
    supplier_client, client, supplier, lot
):
    offer = make_offer(supplier.organisation, lot)
    response = supplier_client.get(f"/suppliers/offers/{offer.pk}/withdraw/")
    assert "catalogue/offers/confirm_withdraw.html" in templates(response)
    response = supplier_client.post(
        f"/suppliers/offers/{offer.pk}/withdraw/", {"reason": "Product retired"}
    )
    assert response.url == f"/suppliers/offers/{offer.pk}/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN and offer.status_reason == "Product retired"
    page = supplier_client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "You withdrew this offer" in page and "Product retired" in page
    assert supplier_client.get(f"/catalogue/offers/{offer.pk}/").status_code == 200
    supplier_client.logout()
    assert supplier_client.get(f"/catalogue/offers/{offer.pk}/").status_code == 404
    buyer = member(BuyerOrganisationFactory())
    supplier_client.force_login(buyer)
    assert supplier_client.get(f"/catalogue/offers/{offer.pk}/").status_code == 404


def test_withdrawing_a_draft_is_refused(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    before = snapshot(offer)
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/withdraw/", follow=True)
    assert "Only a published offer can be withdrawn" in response.content.decode()
    assert snapshot(offer) == before


def test_deleting_a_draft(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    response = supplier_client.get(f"/suppliers/offers/{offer.pk}/delete/")
    assert "catalogue/offers/confirm_delete.html" in templates(response)
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/delete/")
    assert response.url == "/suppliers/offers/"
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_a_published_offer_cannot_be_deleted(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot)
    page = supplier_client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "Delete this draft" not in page and "Withdraw this offer" in page
    before = snapshot(offer)
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/delete/", follow=True)
    assert "A published offer cannot be deleted" in response.content.decode()
    assert snapshot(offer) == before


# --- documents -----------------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_documents_page_uploads_a_pdf(supplier_client, supplier, lot, media):
    offer = make_offer(supplier.organisation, lot, status="draft")
    url = f"/suppliers/offers/{offer.pk}/documents/"
    response = supplier_client.get(url)
    assert "catalogue/offers/documents.html" in templates(response)
    assert 'enctype="multipart/form-data"' in response.content.decode()
    response = supplier_client.post(
        url, {"title": "Service definition", "file": upload("Service definition.pdf", PDF)}
    )
    assert response.status_code == 302 and response.url == url
    document = offer.working_revision.documents.get()
    assert document.title == "Service definition"
    assert document.original_name == "Service definition.pdf"
    assert document.size == len(PDF)
    assert (media / document.file.name).read_bytes() == PDF
    html = supplier_client.get(url).content.decode()
    assert "Service definition" in html and "Remove<span" in html


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"title": "Logo", "file": ("logo.png", PNG, "image/png")}, "file", "must be a PDF"),
        (
            {"title": "Fake", "file": ("fake.pdf", PNG, "application/pdf")},
            "file",
            "this file is not a real PDF",
        ),
        ({"title": "Nothing"}, "file", "Select a PDF to upload"),
        ({"title": "", "file": ("spec.pdf", PDF, "application/pdf")}, "title", "Enter a title"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(
    supplier_client, supplier, lot, media, data, field, message
):
    offer = make_offer(supplier.organisation, lot, status="draft")
    if "file" in data:
        data = {**data, "file": upload(*data["file"])}
    before = snapshot(offer)
    response = supplier_client.post(f"/suppliers/offers/{offer.pk}/documents/", data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert "There is a problem" in response.content.decode()
    assert snapshot(offer) == before
    assert not OfferDocument.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_oversized_upload_is_refused(supplier_client, supplier, lot, media, monkeypatch):
    monkeypatch.setattr(OfferDocument, "MAX_BYTES", 100)
    offer = make_offer(supplier.organisation, lot, status="draft")
    big = PDF + b"0" * 200
    response = supplier_client.post(
        f"/suppliers/offers/{offer.pk}/documents/",
        {"title": "Big", "file": upload("big.pdf", big)},
    )
    assert response.status_code == 200
    assert "must be smaller than 10MB" in response.context["form"].errors["file"][0]
    assert not OfferDocument.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_uploading_to_a_published_offer_creates_a_new_revision(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot)
    url = f"/suppliers/offers/{offer.pk}/documents/"
    assert "creates a new version" in supplier_client.get(url).content.decode()
    supplier_client.post(url, {"title": "Pricing", "file": upload("pricing.pdf", PDF)})
    offer.refresh_from_db()
    assert offer.published_revision.documents.count() == 0
    assert offer.working_revision.number == 2
    assert offer.working_revision.documents.get().title == "Pricing"


def test_removing_a_document(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    document = services.offer_document_add(
        actor=supplier, offer=offer, title="Spec", name="spec.pdf", content=PDF
    )
    url = f"/suppliers/offers/{offer.pk}/documents/{document.pk}/remove/"
    assert supplier_client.get(url).status_code == 405
    response = supplier_client.post(url)
    assert response.url == f"/suppliers/offers/{offer.pk}/documents/"
    assert not OfferDocument.objects.exists()


def test_documents_of_a_submitted_offer_cannot_be_changed(supplier_client, supplier, lot):
    offer = make_offer(supplier.organisation, lot, status="draft")
    document = services.offer_document_add(
        actor=supplier, offer=offer, title="Spec", name="spec.pdf", content=PDF
    )
    services.offer_submit(actor=supplier, offer=offer)
    before = snapshot(offer)
    html = supplier_client.get(f"/suppliers/offers/{offer.pk}/documents/").content.decode()
    assert "Upload document" not in html and "waiting for approval" in html
    response = supplier_client.post(
        f"/suppliers/offers/{offer.pk}/documents/",
        {"title": "More", "file": upload("more.pdf", PDF)},
    )
    assert "waiting for approval" in str(response.context["form"].errors)
    supplier_client.post(f"/suppliers/offers/{offer.pk}/documents/{document.pk}/remove/")
    assert snapshot(offer) == before
