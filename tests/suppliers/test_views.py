"""Supplier pages and staff pages for applications and standing: access, content and actions."""

import html
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue.models import Framework, FrameworkMembership, Offer
from suppliers.models import LotApplication, SupplierProfile
from tests.accounts.factories import (
    BuyerOrganisationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DraftFrameworkFactory,
    DynamicMarketFactory,
    FrameworkFactory,
    LotFactory,
    make_offer,
)
from tests.suppliers.factories import (
    FrameworkMembershipFactory,
    LotApplicationFactory,
    SupplierProfileFactory,
    approved_supplier,
)

pytestmark = pytest.mark.django_db


def templates(response):
    return [t.name for t in response.templates]


def text(response):
    """The page's HTML, unescaped, without whitespace around tags."""
    content = html.unescape(response.content.decode())
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", content))


@pytest.fixture
def supplier_admin():
    profile = SupplierProfileFactory(legal_name="Bright Idea Limited")
    return member(profile.organisation, role="admin")


@pytest.fixture
def staff():
    user = StaffFactory()
    TOTP.activate(user, "JBSWY3DPEHPK3PXPTESTSECR")
    return user


@pytest.fixture
def open_lot():
    framework = FrameworkFactory(
        name="Cloud Compute", status=Framework.Status.OPEN, approved_at=None
    )
    return LotFactory(framework=framework, name="Hosting")


SUPPLIER_PAGES = ["/suppliers/", "/suppliers/profile/", "/suppliers/frameworks/"]
STAFF_PAGES = ["/staff/applications/", "/staff/suppliers/"]


# --- access -----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, open_lot):
    application = LotApplicationFactory(lot=open_lot)
    membership = FrameworkMembershipFactory()
    urls = SUPPLIER_PAGES + STAFF_PAGES
    urls += [
        f"/suppliers/frameworks/lots/{open_lot.pk}/apply/",
        f"/staff/applications/{application.pk}/",
        f"/staff/frameworks/{membership.framework_id}/suppliers/",
        f"/staff/memberships/{membership.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url
    response = client.post(f"/suppliers/applications/{application.pk}/withdraw/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_buyers_get_403_on_supplier_pages(client, open_lot):
    client.force_login(member(BuyerOrganisationFactory(), role="admin"))
    application = LotApplicationFactory(lot=open_lot)
    for url in SUPPLIER_PAGES + [f"/suppliers/frameworks/lots/{open_lot.pk}/apply/"]:
        assert client.get(url).status_code == 403, url
    response = client.post(f"/suppliers/applications/{application.pk}/withdraw/")
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_suppliers_and_buyers_get_403_on_staff_pages(client, supplier_admin, open_lot):
    application = LotApplicationFactory(lot=open_lot)
    membership = FrameworkMembershipFactory()
    for user in (supplier_admin, member(BuyerOrganisationFactory(), role="admin")):
        client.force_login(user)
        for url in STAFF_PAGES + [
            f"/staff/applications/{application.pk}/",
            f"/staff/frameworks/{membership.framework_id}/suppliers/",
            f"/staff/memberships/{membership.pk}/",
        ]:
            assert client.get(url).status_code == 403, url
        response = client.post(f"/staff/applications/{application.pk}/", {"decision": "approve"})
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_supplier_nav_links_to_the_dashboard(client, supplier_admin):
    client.force_login(supplier_admin)
    assert 'href="/suppliers/"' in text(client.get("/account/"))
    client.force_login(member(BuyerOrganisationFactory()))
    assert "Supplier dashboard" not in text(client.get("/account/"))


def test_staff_home_links_to_the_supplier_staff_pages(client, staff):
    client.force_login(staff)
    content = text(client.get("/staff/"))
    assert 'href="/staff/applications/"' in content
    assert 'href="/staff/suppliers/"' in content


# --- dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_profile_applications_standing_and_lots(client, supplier_admin, open_lot):
    organisation = supplier_admin.organisation
    LotApplicationFactory(supplier=organisation, lot=open_lot)
    rejected_lot = LotFactory(framework=open_lot.framework, name="Storage")
    LotApplicationFactory(
        supplier=organisation, lot=rejected_lot, status="rejected", reason="No ISO 27001"
    )
    live_lot = LotFactory(framework=FrameworkFactory(name="Digital Outcomes"), name="Agile")
    approved_supplier(live_lot, organisation=organisation)
    suspended_lot = LotFactory(framework=FrameworkFactory(name="Old Deals"), name="Legacy")
    approved_supplier(suspended_lot, organisation=organisation)
    FrameworkMembership.objects.filter(framework=suspended_lot.framework).update(
        status="suspended", reason="Unpaid management levy"
    )
    client.force_login(supplier_admin)
    response = client.get("/suppliers/")
    assert response.status_code == 200
    assert "suppliers/dashboard.html" in templates(response)
    content = text(response)
    assert "Bright Idea Limited" in content
    assert "Small" in content and ">SME<" in content
    assert "Complete" in content
    assert "Waiting for review" in content
    assert "Reason: No ISO 27001" in content
    assert "Unpaid management levy" in content and "Suspended" in content
    assert f'href="/suppliers/offers/new/?lot={live_lot.pk}"' in content
    assert f"?lot={suspended_lot.pk}" not in content  # suspended: cannot list offers
    assert 'href="/suppliers/offers/"' in content
    assert f'action="/suppliers/applications/{open_lot.applications.get().pk}/withdraw/"' in (
        content
    )


def test_dashboard_asks_for_a_complete_profile(client):
    user = member(SupplierOrganisationFactory(name="New Co"), role="member")
    client.force_login(user)
    response = client.get("/suppliers/")
    content = text(response)
    assert response.status_code == 200
    assert "Complete your profile before you apply" in content
    assert "Companies House number" in content
    assert "View your profile" in content  # members cannot change it
    assert "Withdraw" not in content
    assert "has not applied to any lots" in content


# --- profile ----------------------------------------------------------------------------------


def profile_post(**overrides):
    data = {
        "legal_name": "New Co Limited",
        "companies_house_number": "sc123456",
        "address_line_1": "2 Rose Street",
        "town": "Edinburgh",
        "postcode": "eh2 2pr",
        "region": "scotland",
        "headcount_band": "50-249",
        "turnover_band": "gt44m",
        "balance_sheet_band": "le38m",
        "is_vcse": "true",
        "contact_name": "Ada",
        "contact_email": "ada@newco.example.com",
    }
    data.update(overrides)
    return data


def test_an_admin_fills_in_the_profile_and_sees_size_and_sme_status(client):
    admin = member(SupplierOrganisationFactory(name="New Co"), role="admin")
    client.force_login(admin)
    response = client.get("/suppliers/profile/")
    assert response.status_code == 200
    assert "suppliers/profile_form.html" in templates(response)
    content = text(response)
    assert 'name="headcount_band" type="radio"' in content
    assert '<select class="govuk-select" id="id_region" name="region"' in content
    assert 'value="New Co"' in content  # the legal name starts as the organisation's name

    response = client.post("/suppliers/profile/", profile_post())
    assert response.status_code == 302 and response.url == "/suppliers/profile/"
    profile = SupplierProfile.objects.get(organisation=admin.organisation)
    assert profile.companies_house_number == "SC123456"
    assert (profile.size, profile.is_sme, profile.is_vcse) == ("medium", True, True)
    response = client.get(response.url)
    content = text(response)
    assert "Profile saved. Your organisation's size is medium; SME status: sme." in content
    assert "Medium" in content


def test_profile_errors_are_shown_and_nothing_saved(client, supplier_admin):
    SupplierProfileFactory(companies_house_number="SC123456")
    client.force_login(supplier_admin)
    before = SupplierProfile.objects.get(organisation=supplier_admin.organisation).legal_name
    response = client.post("/suppliers/profile/", profile_post(legal_name="", contact_email="x"))
    assert response.status_code == 200
    content = text(response)  # every problem at once, each linked to its field
    assert '<a href="#id_legal_name">Enter your organisation\'s legal name</a>' in content
    assert '<a href="#id_contact_email">Enter an email address in the correct format' in content
    response = client.post("/suppliers/profile/", profile_post())
    content = text(response)
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "already has this Companies House number" in content
    assert 'href="#id_companies_house_number"' in content
    profile = SupplierProfile.objects.get(organisation=supplier_admin.organisation)
    assert profile.legal_name == before


def test_members_see_the_profile_read_only(client, supplier_admin):
    colleague = member(supplier_admin.organisation, role="member")
    client.force_login(colleague)
    response = client.get("/suppliers/profile/")
    assert response.status_code == 200
    assert "suppliers/profile.html" in templates(response)
    content = text(response)
    assert "Only an admin of your organisation can change this profile" in content
    assert "<form" not in content.split('id="main-content"')[1]
    assert "Bright Idea Limited" in content
    client.post("/suppliers/profile/", profile_post())
    profile = SupplierProfile.objects.get(organisation=supplier_admin.organisation)
    assert profile.legal_name == "Bright Idea Limited"


# --- frameworks and applying ------------------------------------------------------------------


def test_frameworks_page_lists_only_frameworks_taking_applications(
    client, supplier_admin, open_lot
):
    market_lot = LotFactory(
        framework=DynamicMarketFactory(name="Open Market"), direct_award_allowed=False
    )
    FrameworkFactory(name="Live Fixed Framework")
    DraftFrameworkFactory(name="Secret Draft")
    LotApplicationFactory(supplier=supplier_admin.organisation, lot=market_lot)
    client.force_login(supplier_admin)
    response = client.get("/suppliers/frameworks/")
    assert response.status_code == 200
    assert "suppliers/frameworks.html" in templates(response)
    content = text(response)
    assert "Cloud Compute" in content and "Open Market" in content
    assert "Live Fixed Framework" not in content and "Secret Draft" not in content
    assert f'href="/suppliers/frameworks/lots/{open_lot.pk}/apply/"' in content
    assert f'href="/suppliers/frameworks/lots/{market_lot.pk}/apply/"' not in content
    assert "Waiting for review" in content
    assert "Further competition" in content and "Direct award allowed" in content


def test_frameworks_page_warns_a_suspended_supplier(client, supplier_admin, open_lot):
    FrameworkMembershipFactory(
        supplier=supplier_admin.organisation,
        framework=open_lot.framework,
        status="suspended",
        reason="Late returns",
    )
    client.force_login(supplier_admin)
    content = text(client.get("/suppliers/frameworks/"))
    assert "Your organisation is suspended on this framework: Late returns" in content
    assert f"/lots/{open_lot.pk}/apply/" not in content


def test_apply_page_renders_the_declaration_questions(client, supplier_admin, open_lot):
    yes_no = DeclarationQuestionFactory(framework=open_lot.framework, hint="Read them first.")
    written = DeclarationQuestionFactory(
        framework=open_lot.framework, kind="text", text="How do you support users?"
    )
    client.force_login(supplier_admin)
    response = client.get(f"/suppliers/frameworks/lots/{open_lot.pk}/apply/")
    assert response.status_code == 200
    assert "suppliers/apply.html" in templates(response)
    content = text(response)
    assert "Apply to Lot" in content and "Cloud Compute" in content
    assert f'name="q{yes_no.pk}" type="radio" value="yes"' in content
    assert "Read them first." in content
    assert f'<textarea class="govuk-textarea govuk-js-character-count" id="id_q{written.pk}"' in (
        content
    )
    assert "profile is not complete" not in content


def test_applying_sends_an_application(client, supplier_admin, open_lot):
    yes_no = DeclarationQuestionFactory(framework=open_lot.framework)
    written = DeclarationQuestionFactory(framework=open_lot.framework, kind="text", text="Why?")
    client.force_login(supplier_admin)
    url = f"/suppliers/frameworks/lots/{open_lot.pk}/apply/"
    response = client.post(url, {f"q{yes_no.pk}": "yes", f"q{written.pk}": "Because."})
    assert response.status_code == 302 and response.url == "/suppliers/"
    application = LotApplication.objects.get()
    assert application.supplier == supplier_admin.organisation
    assert [a["answer"] for a in application.answers] == ["yes", "Because."]
    assert "Application sent" in text(client.get("/suppliers/"))


def test_wrong_or_missing_answers_are_shown_and_nothing_saved(client, supplier_admin, open_lot):
    yes_no = DeclarationQuestionFactory(framework=open_lot.framework)
    written = DeclarationQuestionFactory(framework=open_lot.framework, kind="text", text="Why?")
    client.force_login(supplier_admin)
    url = f"/suppliers/frameworks/lots/{open_lot.pk}/apply/"
    response = client.post(url, {f"q{yes_no.pk}": "no"})
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert "To join this framework the answer must be yes" in content
    assert f'href="#id_q{yes_no.pk}"' in content
    assert "Answer the question: Why?" in content
    assert f'href="#id_q{written.pk}"' in content
    assert not LotApplication.objects.exists()


def test_applying_twice_shows_an_error(client, supplier_admin, open_lot):
    LotApplicationFactory(supplier=supplier_admin.organisation, lot=open_lot)
    client.force_login(supplier_admin)
    response = client.post(f"/suppliers/frameworks/lots/{open_lot.pk}/apply/", {})
    assert response.status_code == 200
    assert "already applied to this lot" in text(response)
    assert LotApplication.objects.count() == 1


def test_an_incomplete_profile_is_sent_to_complete_it(client, open_lot):
    admin = member(SupplierOrganisationFactory(), role="admin")
    client.force_login(admin)
    url = f"/suppliers/frameworks/lots/{open_lot.pk}/apply/"
    assert "Complete your profile" in text(client.get(url))
    response = client.post(url, {})
    content = text(response)
    assert response.status_code == 200
    assert "Complete your organisation's profile before applying" in content
    assert 'href="/suppliers/profile/"' in content
    assert not LotApplication.objects.exists()


def test_apply_is_for_admins_and_open_lots_only(client, supplier_admin, open_lot):
    client.force_login(member(supplier_admin.organisation, role="member"))
    assert client.get(f"/suppliers/frameworks/lots/{open_lot.pk}/apply/").status_code == 403
    client.force_login(supplier_admin)
    closed_lot = LotFactory(framework=FrameworkFactory())
    draft_lot = LotFactory(framework=DraftFrameworkFactory())
    for lot in (closed_lot, draft_lot):
        response = client.post(f"/suppliers/frameworks/lots/{lot.pk}/apply/", {})
        assert response.status_code == 404
    assert client.get("/suppliers/frameworks/lots/99999/apply/").status_code == 404
    assert not LotApplication.objects.exists()


def test_a_supplier_withdraws_its_application(client, supplier_admin, open_lot):
    application = LotApplicationFactory(supplier=supplier_admin.organisation, lot=open_lot)
    client.force_login(supplier_admin)
    url = f"/suppliers/applications/{application.pk}/withdraw/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response.url == "/suppliers/"
    application.refresh_from_db()
    assert application.status == "withdrawn"
    response = client.post(url, follow=True)
    assert "Only an application waiting for review can be withdrawn" in text(response)


def test_another_supplier_cannot_withdraw_your_application(client, supplier_admin, open_lot):
    application = LotApplicationFactory(supplier=supplier_admin.organisation, lot=open_lot)
    other = member(SupplierProfileFactory().organisation, role="admin")
    client.force_login(other)
    response = client.post(f"/suppliers/applications/{application.pk}/withdraw/")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


# --- staff: applications ----------------------------------------------------------------------


def test_staff_see_applications_waiting_first_and_can_filter(client, staff, open_lot):
    older_pending = LotApplicationFactory(
        lot=open_lot, supplier=SupplierOrganisationFactory(name="Pending Ltd")
    )
    LotApplicationFactory(
        lot=open_lot, status="rejected", supplier=SupplierOrganisationFactory(name="Rejected Ltd")
    )
    client.force_login(staff)
    response = client.get("/staff/applications/")
    assert response.status_code == 200
    assert "suppliers/staff_applications.html" in templates(response)
    content = text(response)
    assert content.index("Pending Ltd") < content.index("Rejected Ltd")
    assert f'href="/staff/applications/{older_pending.pk}/"' in content
    content = text(client.get("/staff/applications/?status=rejected"))
    assert "Rejected Ltd" in content and "Pending Ltd" not in content
    assert "2 applications" not in content and "1 application" in content
    assert client.get("/staff/applications/?status=bogus").status_code == 200


def test_staff_review_an_application_and_approve_it(
    client, staff, open_lot, django_capture_on_commit_callbacks, mailoutbox
):
    question = DeclarationQuestionFactory(framework=open_lot.framework)
    profile = SupplierProfileFactory(legal_name="Reviewed Ltd", companies_house_number="OC123456")
    admin = member(profile.organisation, role="admin")
    application = LotApplicationFactory(
        supplier=profile.organisation,
        lot=open_lot,
        answers=[{"question_id": question.pk, "question": question.text, "answer": "yes"}],
    )
    client.force_login(staff)
    response = client.get(f"/staff/applications/{application.pk}/")
    assert response.status_code == 200
    assert "suppliers/staff_application.html" in templates(response)
    content = text(response)
    assert "OC123456" in content and question.text in content
    assert "Approve application" in content and "Reject application" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/applications/{application.pk}/", {"decision": "approve"})
    assert response.status_code == 302 and response.url == "/staff/applications/"
    application.refresh_from_db()
    assert application.status == "approved"
    assert FrameworkMembership.objects.get(supplier=profile.organisation).status == "active"
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert mailoutbox[0].subject.startswith("Approved:")
    # Deciding again is refused with a message.
    response = client.post(
        f"/staff/applications/{application.pk}/", {"decision": "approve"}, follow=True
    )
    assert "already been decided" in text(response)
    assert "Approve application" not in text(response)


def test_staff_reject_with_a_reason_and_the_supplier_is_told(
    client, staff, supplier_admin, open_lot, django_capture_on_commit_callbacks, mailoutbox
):
    application = LotApplicationFactory(supplier=supplier_admin.organisation, lot=open_lot)
    client.force_login(staff)
    url = f"/staff/applications/{application.pk}/"
    response = client.post(url, {"decision": "reject", "reason": "   "})
    assert response.status_code == 200
    assert "Enter the reason for rejecting this application" in text(response)
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "reject", "reason": "No insurance certificate"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reason) == ("rejected", "No insurance certificate")
    assert mailoutbox[0].subject.startswith("Not approved:")
    assert "No insurance certificate" in mailoutbox[0].body
    client.force_login(supplier_admin)
    assert "Reason: No insurance certificate" in text(client.get("/suppliers/"))


# --- staff: standing --------------------------------------------------------------------------


@pytest.fixture
def listed():
    lot = LotFactory(framework=FrameworkFactory(name="Cloud Software"))
    supplier = approved_supplier(lot, legal_name="Listed Ltd")
    offer = make_offer(supplier, lot, title="Case management")
    membership = FrameworkMembership.objects.get(supplier=supplier)
    return lot, supplier, offer, membership


def test_staff_see_suppliers_on_each_framework(client, staff, listed):
    lot, supplier, offer, membership = listed
    client.force_login(staff)
    response = client.get("/staff/suppliers/")
    assert response.status_code == 200
    assert "suppliers/staff_supplier_frameworks.html" in templates(response)
    assert f'href="/staff/frameworks/{lot.framework_id}/suppliers/"' in text(response)
    response = client.get(f"/staff/frameworks/{lot.framework_id}/suppliers/")
    assert response.status_code == 200
    assert "suppliers/staff_framework_suppliers.html" in templates(response)
    content = text(response)
    assert supplier.name in content and str(lot) in content and "Active" in content
    assert f'href="/staff/memberships/{membership.pk}/"' in content
    assert client.get("/staff/frameworks/99999/suppliers/").status_code == 404


def test_staff_suspend_and_reinstate_a_supplier(client, staff, listed):
    lot, supplier, offer, membership = listed
    client.force_login(staff)
    url = f"/staff/memberships/{membership.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "suppliers/staff_membership.html" in templates(response)
    assert "Case management" in text(response)
    response = client.post(url, {"status": "suspended", "reason": ""})
    assert response.status_code == 200
    assert "Enter the reason" in text(response)
    assert list(Offer.objects.buyable()) == [offer]
    response = client.post(url, {"status": "suspended", "reason": "Unpaid levy"})
    assert response.status_code == 302
    assert not Offer.objects.buyable().exists()
    content = text(client.get(url))
    assert "is now suspended" in content and "Unpaid levy" in content
    assert 'value="suspended"' not in content  # already suspended
    response = client.post(url, {"status": "active"})
    assert response.status_code == 302
    assert list(Offer.objects.buyable()) == [offer]


def test_staff_remove_a_supplier_and_let_it_apply_again(client, staff, listed):
    lot, supplier, offer, membership = listed
    client.force_login(staff)
    url = f"/staff/memberships/{membership.pk}/"
    assert client.post(url, {"status": "removed", "reason": "Fraud"}).status_code == 302
    assert not Offer.objects.buyable().exists()
    content = text(client.get(url))
    assert "Let them apply again" in content and 'name="status"' not in content
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == f"/staff/frameworks/{lot.framework_id}/suppliers/"
    assert not FrameworkMembership.objects.exists()


def test_staff_membership_page_needs_a_choice(client, staff, listed):
    *_, membership = listed
    client.force_login(staff)
    response = client.post(f"/staff/memberships/{membership.pk}/", {"reason": "x"})
    assert response.status_code == 200
    assert "Select suspend, remove or reinstate" in text(response)
    membership.refresh_from_db()
    assert membership.status == "active"


# --- public supplier page ---------------------------------------------------------------------


def test_public_supplier_page(client, listed):
    lot, supplier, offer, membership = listed
    SupplierProfile.objects.filter(organisation=supplier).update(
        is_vcse=True, description="Software for councils.", website="https://listed.example.com"
    )
    hidden = LotFactory(framework=FrameworkFactory(name="Suspended Framework"))
    FrameworkMembershipFactory(supplier=supplier, framework=hidden.framework, status="suspended")
    hidden_offer = make_offer(supplier, hidden, title="Hidden thing")
    draft = make_offer(supplier, lot, status="draft", title="Draft thing")
    response = client.get(f"/suppliers/{supplier.pk}/")
    assert response.status_code == 200
    assert "suppliers/public_profile.html" in templates(response)
    content = text(response)
    assert "Listed Ltd" in content
    assert ">SME<" in content and ">VCSE<" in content
    assert "Yorkshire and The Humber" in content and "Small" in content
    assert "Software for councils." in content
    assert 'href="https://listed.example.com"' in content
    assert "Sam Seller" in content and "mailto:sales" in content
    assert "Cloud Software" in content and "Suspended Framework" not in content
    assert f'href="/catalogue/offers/{offer.pk}/"' in content
    assert f"/catalogue/offers/{hidden_offer.pk}/" not in content
    assert f"/catalogue/offers/{draft.pk}/" not in content


def test_public_supplier_page_404s(client):
    buyer = BuyerOrganisationFactory()
    no_profile = SupplierOrganisationFactory()
    for pk in (buyer.pk, no_profile.pk, 99999):
        assert client.get(f"/suppliers/{pk}/").status_code == 404
