"""Staff review submitted offers (with a diff), approve or reject them, suspend and reinstate."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue.models import Offer, OfferRevision
from catalogue.services import offers as services
from ndx.audit.models import AuditEntry
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.auth import Client
from tests.catalogue.factories import LotFactory, make_offer, revision_content
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPTESTSECR"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lot():
    return LotFactory()


@pytest.fixture
def supplier(lot):
    return member(approved_supplier(lot, legal_name="Acme Software Ltd"), role="admin")


@pytest.fixture
def staff():
    user = StaffFactory()
    TOTP.activate(user, SECRET)
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def templates(response):
    return [t.name for t in response.templates]


def submitted_offer(supplier, lot, **content):
    offer = services.offer_create(actor=supplier, lot=lot, **revision_content(**content))
    services.offer_submit(actor=supplier, offer=offer)
    offer.refresh_from_db()
    return offer


def public_page(offer):
    """The offer's public page as an anonymous visitor sees it."""
    return Client().get(f"/catalogue/offers/{offer.pk}/")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_only_staff_with_mfa_may_use_the_staff_offer_pages(client, supplier, lot):
    offer = submitted_offer(supplier, lot)
    urls = [
        "/staff/offers/",
        f"/staff/offers/review/{offer.working_revision_id}/",
        f"/staff/offers/{offer.pk}/",
    ]
    for url in urls:
        assert "/accounts/login/" in client.get(url).url
    for user in (supplier, member(BuyerOrganisationFactory())):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
        response = client.post(
            f"/staff/offers/review/{offer.working_revision_id}/", {"action": "approve"}
        )
        assert response.status_code == 403
        assert client.post(f"/staff/offers/{offer.pk}/suspend/", {"reason": "x"}).status_code == 403
    client.force_login(StaffFactory())
    assert client.get("/staff/offers/").url == "/accounts/2fa/totp/activate/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUBMITTED


def test_staff_home_links_to_the_queue(staff_client):
    assert 'href="/staff/offers/"' in staff_client.get("/staff/").content.decode()


def test_queue_lists_submissions_oldest_first_with_new_or_change(staff_client, supplier, lot):
    older = submitted_offer(supplier, lot, title="Older offer")
    published = make_offer(supplier.organisation, lot, title="Published offer")
    services.offer_update(
        actor=supplier, offer=published, **revision_content(title="Published offer v2")
    )
    services.offer_submit(actor=supplier, offer=published)
    make_offer(supplier.organisation, lot, status="draft", title="Draft offer")

    response = staff_client.get("/staff/offers/")
    assert "catalogue/staff/offer_queue.html" in templates(response)
    assert list(response.context["revisions"]) == [
        older.working_revision,
        OfferRevision.objects.get(title="Published offer v2"),
    ]
    html = response.content.decode()
    assert html.index("Older offer") < html.index("Published offer v2")
    assert "Draft offer" not in html
    assert "New offer" in html and "Change</strong>" in html
    assert supplier.organisation.name in html


def test_reviewing_and_approving_a_new_offer_publishes_it(staff_client, supplier, lot):
    offer = submitted_offer(supplier, lot)
    services.offer_recall(actor=supplier, offer=offer)
    services.offer_document_add(
        actor=supplier, offer=offer, title="Service definition", name="sd.pdf", content=PDF
    )
    services.offer_submit(actor=supplier, offer=offer)
    revision = OfferRevision.objects.get()
    url = f"/staff/offers/review/{revision.pk}/"

    response = staff_client.get(url)
    assert "catalogue/staff/review.html" in templates(response)
    diff_fields = [row["field"] for row in response.context["diff"]]
    assert diff_fields == list(OfferRevision.CONTENT_FIELDS) + ["documents"]
    html = response.content.decode()
    assert "New offer: everything it says" in html
    assert "Acme Software Ltd" in html and "Small" in html
    assert "Service definition" in html
    assert "Approve and publish" in html and "Reason for rejecting" in html
    assert public_page(offer).status_code == 404

    response = staff_client.post(url, {"action": "approve"})
    assert response.status_code == 302 and response.url == "/staff/offers/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED and offer.published_revision == revision
    assert AuditEntry.objects.filter(action="offer.approved").exists()
    page = public_page(offer)
    assert page.status_code == 200
    assert "Case management for adult social care" in page.content.decode()

    # Once decided, the review page has no buttons and approving again is refused.
    other_staff = StaffFactory()
    TOTP.activate(other_staff, SECRET)
    staff_client.force_login(other_staff)
    html = staff_client.get(url).content.decode()
    assert "Approve and publish" not in html and "not waiting for approval" in html
    response = staff_client.post(url, {"action": "approve"}, follow=True)
    assert "This version is not waiting for approval" in response.content.decode()


def test_edit_of_a_published_offer_is_reviewed_as_a_diff_and_replaces_it_on_approval(
    staff_client, supplier, lot
):
    offer = submitted_offer(supplier, lot)
    services.offer_approve(actor=StaffFactory(), revision=offer.working_revision)
    offer.refresh_from_db()
    first = offer.published_revision

    supplier_client = client_for(supplier)
    data = {
        **revision_content(title="Case management 2"),
        "price": "11.00",
        "features": "Assessments\nCare plans",
        "benefits": "Less paperwork",
        "cpv_codes": "72000000",
        "certifications": ["cyber-essentials"],
    }
    data = {k: v for k, v in data.items() if v is not None}
    supplier_client.post(f"/suppliers/offers/{offer.pk}/edit/", data)
    supplier_client.post(f"/suppliers/offers/{offer.pk}/submit/")
    offer.refresh_from_db()
    second = offer.working_revision
    assert second.number == 2 and second.status == OfferRevision.Status.SUBMITTED

    response = staff_client.get("/staff/offers/")
    assert list(response.context["revisions"]) == [second]
    response = staff_client.get(f"/staff/offers/review/{second.pk}/")
    diff = response.context["diff"]
    assert [row["field"] for row in diff] == ["title", "price"]
    assert diff[1]["old"] == "£12.50" and diff[1]["new"] == "£11.00"
    html = response.content.decode()
    assert "What changed since version 1" in html
    assert "Case management for adult social care" in html and "Case management 2" in html

    page = public_page(offer).content.decode()
    assert "Case management for adult social care" in page and "Case management 2" not in page
    assert "Version 1" in page

    staff_client.post(f"/staff/offers/review/{second.pk}/", {"action": "approve"})
    page = public_page(offer).content.decode()
    assert "Case management 2" in page and "Version 2" in page and "£11.00" in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OfferRevision.Status.SUPERSEDED and first.published_at is not None
    assert second.status == OfferRevision.Status.PUBLISHED

    html = staff_client.get(f"/staff/offers/{offer.pk}/").content.decode()
    assert "Version 1" in html and "Version 2" in html and "Superseded" in html
    # Past versions can be looked at later, each compared with the version before it.
    response = staff_client.get(f"/staff/offers/review/{second.pk}/")
    assert [row["field"] for row in response.context["diff"]] == ["title", "price"]
    assert "What changed since version 1" in response.content.decode()
    assert "Approve and publish" not in response.content.decode()
    response = staff_client.get(f"/staff/offers/review/{first.pk}/")
    assert "How it differs from version 2, published now" in response.content.decode()


def test_rejecting_needs_a_reason_which_the_supplier_sees(staff_client, supplier, lot):
    offer = submitted_offer(supplier, lot)
    url = f"/staff/offers/review/{offer.working_revision_id}/"
    response = staff_client.post(url, {"action": "reject", "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Enter the reason for rejecting this offer"
    ]
    assert "There is a problem" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUBMITTED
    assert offer.working_revision.status == OfferRevision.Status.SUBMITTED

    response = staff_client.post(
        url, {"action": "reject", "reason": "Add the accessibility statement."}
    )
    assert response.url == "/staff/offers/"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.REJECTED
    assert offer.working_revision.rejection_reason == "Add the accessibility statement."

    client = client_for(supplier)
    for url in ["/suppliers/offers/", f"/suppliers/offers/{offer.pk}/"]:
        assert "Add the accessibility statement." in client.get(url).content.decode()
    page = client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "Edit offer" in page and "Submit for approval" in page


def test_suspending_needs_a_reason_hides_the_offer_and_reinstating_restores_it(
    staff_client, supplier, lot
):
    offer = make_offer(supplier.organisation, lot)
    url = f"/staff/offers/{offer.pk}/"
    response = staff_client.get(url)
    assert "catalogue/staff/offer.html" in templates(response)
    assert "Suspend offer" in response.content.decode()

    response = staff_client.post(f"{url}suspend/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Enter the reason for suspending this offer"
    ]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED

    response = staff_client.post(f"{url}suspend/", {"reason": "Complaint under investigation"})
    assert response.url == url
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUSPENDED
    assert public_page(offer).status_code == 404
    buyer_client = client_for(member(BuyerOrganisationFactory()))
    assert buyer_client.get(f"/catalogue/offers/{offer.pk}/").status_code == 404
    client = client_for(supplier)
    page = client.get(f"/suppliers/offers/{offer.pk}/").content.decode()
    assert "Complaint under investigation" in page and "Edit offer" not in page
    assert client.get(f"/catalogue/offers/{offer.pk}/").status_code == 200

    html = staff_client.get(url).content.decode()
    assert "Reinstate offer" in html and "Suspend offer" not in html
    assert staff_client.get(f"{url}reinstate/").status_code == 405
    response = staff_client.post(f"{url}reinstate/")
    assert response.url == url
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    assert public_page(offer).status_code == 200


def test_suspending_a_draft_and_reinstating_a_live_offer_are_refused(staff_client, supplier, lot):
    draft = make_offer(supplier.organisation, lot, status="draft")
    response = staff_client.post(f"/staff/offers/{draft.pk}/suspend/", {"reason": "x"})
    assert "Only a published offer can be suspended" in response.content.decode()
    live = make_offer(supplier.organisation, lot)
    response = staff_client.post(f"/staff/offers/{live.pk}/reinstate/", follow=True)
    assert "This offer is not suspended" in response.content.decode()
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Offer.Status.DRAFT and live.status == Offer.Status.PUBLISHED


def test_unknown_offers_and_revisions_are_404(staff_client):
    assert staff_client.get("/staff/offers/review/999/").status_code == 404
    assert staff_client.get("/staff/offers/999/").status_code == 404
