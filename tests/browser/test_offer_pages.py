"""axe finds no violations on the offer pages: supplier editing, staff review, the public page."""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue import services
from catalogue.models import Offer

from ..accounts.factories import StaffFactory, SupplierOrganisationFactory, member
from ..catalogue.factories import LotFactory, make_offer, revision_content
from ..suppliers.factories import LotApplicationFactory, approved_supplier
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%%EOF\n"
SCREENSHOTS = os.environ.get("NDX_SCREENSHOTS")  # a directory, to look at the pages


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    """A supplier approved on two lots with offers in several states, and a staff member."""
    lot = LotFactory(name="Cloud software", categories=["Case management", "Finance"])
    second = LotFactory(framework=lot.framework, name="Cloud hosting")
    organisation = approved_supplier(lot, is_vcse=True)
    LotApplicationFactory(supplier=organisation, lot=second, status="approved")
    supplier = member(organisation, role="admin")
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")

    draft = make_offer(organisation, lot, status="draft", title="Draft offer")
    services.offer_document_add(
        actor=supplier, offer=draft, title="Service definition", name="sd.pdf", content=PDF
    )
    published = make_offer(
        organisation,
        lot,
        title="Adult social care case management",
        description="Record assessments and plan care.\n\nShare records securely with partners.",
        categories=["Case management"],
        certifications=["cyber-essentials-plus", "iso-27001"],
        price="1234.50",
        list_price="1500.00",
    )
    services.offer_update(
        actor=supplier,
        offer=published,
        **revision_content(
            title="Adult social care case management",
            description="Record assessments and plan care.\n\nShare records securely.",
            categories=["Case management", "Finance"],
            price="1199.00",
            list_price="1500.00",
            certifications=["cyber-essentials-plus"],
        ),
    )
    services.offer_document_add(
        actor=supplier, offer=published, title="Pricing", name="pricing.pdf", content=PDF
    )
    change = services.offer_submit(actor=supplier, offer=published)
    new = make_offer(
        organisation, lot, status="draft", title="Brand new offer", categories=["Finance"]
    )
    new_revision = services.offer_submit(actor=supplier, offer=new)
    rejected = make_offer(
        organisation, lot, status="draft", title="Rejected offer", categories=["Finance"]
    )
    services.offer_submit(actor=supplier, offer=rejected)
    services.offer_reject(
        actor=staff, revision=rejected.working_revision, reason="Add a pricing document."
    )
    suspended = make_offer(organisation, lot, title="Suspended offer")
    services.offer_suspend(actor=staff, offer=suspended, reason="Complaint received")
    return {
        "lot": lot,
        "supplier": supplier,
        "staff": staff,
        "draft": draft,
        "published": published,
        "change": change,
        "new_revision": new_revision,
        "rejected": rejected,
        "suspended": suspended,
    }


def test_supplier_offer_pages_have_no_axe_violations(page, live_server, world):
    sign_in(page, live_server, world["supplier"])
    draft, published = world["draft"], world["published"]
    for url in [
        "/suppliers/offers/",
        "/suppliers/offers/new/",
        f"/suppliers/offers/new/?lot={world['lot'].pk}",
        f"/suppliers/offers/{draft.pk}/",
        f"/suppliers/offers/{draft.pk}/edit/",
        f"/suppliers/offers/{draft.pk}/documents/",
        f"/suppliers/offers/{draft.pk}/delete/",
        f"/suppliers/offers/{published.pk}/",
        f"/suppliers/offers/{published.pk}/documents/",
        f"/suppliers/offers/{published.pk}/withdraw/",
        f"/suppliers/offers/{world['rejected'].pk}/",
        f"/suppliers/offers/{world['suspended'].pk}/",
        f"/catalogue/offers/{draft.pk}/",
        f"/catalogue/offers/{published.pk}/",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_no_axe_violations(page)
        screenshot(page, "supplier" + url.replace("/", "_").replace("?", "_"))

    # Errors: choosing no lot, bad prices, an upload that is not a PDF.
    page.goto("/suppliers/offers/new/")
    click_and_wait(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)

    page.goto(f"/suppliers/offers/new/?lot={world['lot'].pk}")
    page.get_by_label("Title").fill("Payments platform")
    page.get_by_label("National price").fill("12.555")
    page.get_by_label("List price").fill("ten pounds")
    click_and_wait(page, page.get_by_role("button", name="Save as draft"))
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "must be in pounds and pence" in summary
    assert "Select how the offer is priced" in summary
    assert_no_axe_violations(page)
    screenshot(page, "offer_form_errors")
    page.get_by_label("National price").fill("12.50")
    page.get_by_label("List price").fill("15")
    page.get_by_label("Finance").check()
    page.get_by_label("per user per month").check()
    page.get_by_label("excluding VAT").check()
    click_and_wait(page, page.get_by_role("button", name="Save as draft"))
    assert "Offer saved as a draft" in page.content()
    offer = Offer.objects.get(working_revision__title="Payments platform")
    assert offer.working_revision.categories == ["Finance"]

    click_and_wait(page, page.get_by_role("button", name="Manage documents"))
    page.get_by_label("Document title").fill("Logo")
    page.get_by_label("Upload a PDF").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n"}]
    )
    click_and_wait(page, page.get_by_role("button", name="Upload document"))
    assert "The selected file must be a PDF" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)
    page.get_by_label("Upload a PDF").set_input_files(
        files=[{"name": "terms.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    click_and_wait(page, page.get_by_role("button", name="Upload document"))
    assert "Logo added" in page.content()
    assert_no_axe_violations(page)


def test_supplier_without_lots_page_has_no_axe_violations(page, live_server):
    sign_in(page, live_server, member(SupplierOrganisationFactory(), role="admin"))
    page.goto("/suppliers/offers/new/")
    assert "You cannot create an offer yet" in page.content()
    assert_no_axe_violations(page)


def test_staff_offer_pages_have_no_axe_violations(page, live_server, world):
    sign_in(page, live_server, world["staff"])
    for url in [
        "/staff/offers/",
        f"/staff/offers/review/{world['change'].pk}/",
        f"/staff/offers/review/{world['new_revision'].pk}/",
        f"/staff/offers/{world['published'].pk}/",
        f"/staff/offers/{world['suspended'].pk}/",
        f"/staff/offers/{world['rejected'].pk}/",
        f"/catalogue/offers/{world['draft'].pk}/",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_no_axe_violations(page)
        screenshot(page, "staff" + url.replace("/", "_"))
    page.goto(f"/staff/offers/review/{world['change'].pk}/")
    screenshot(page, "staff_review_change")
    page.goto(f"/staff/offers/review/{world['new_revision'].pk}/")
    screenshot(page, "staff_review_new")

    click_and_wait(page, page.get_by_role("button", name="Reject"))
    assert "Enter the reason for rejecting" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)

    page.goto(f"/staff/offers/{world['published'].pk}/")
    click_and_wait(page, page.get_by_role("button", name="Suspend offer"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)

    page.goto(f"/staff/offers/review/{world['change'].pk}/")
    click_and_wait(page, page.get_by_role("button", name="Approve and publish"))
    assert "approved and published" in page.content()
    assert_no_axe_violations(page)


def test_public_offer_page_has_no_axe_violations(page, world):
    page.goto(f"/catalogue/offers/{world['published'].pk}/")
    assert "Adult social care case management" in page.content()
    assert "£1,234.50" in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "public_offer")
    # The pricing document is on the version waiting for approval, not the published one.
    assert page.get_by_role("link", name="Pricing").count() == 0
