"""Playbook pages, staff editing in versions (audited), journey links and case studies."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import ContractOutcome
from guidance import services
from guidance.content import shipped_pages
from guidance.markdown import render
from guidance.models import CaseStudy, GuidancePage, GuidanceVersion
from guidance.templatetags.guidance_tags import STEP_GUIDANCE
from ndx.audit.models import AuditEntry
from tests.accounts.factories import StaffFactory, member
from tests.auth import Client
from tests.reviews.factories import ContractFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]

SLUGS = {
    "choosing-a-route",
    "writing-requirements",
    "social-value",
    "sustainability",
    "accessibility",
    "smes-and-vcses",
    "managing-a-contract",
}


@pytest.fixture
def staff_client():
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(staff)
    client.user = staff
    return client


def test_the_seven_pages_ship_with_the_service():
    assert set(GuidancePage.objects.values_list("slug", flat=True)) == SLUGS
    assert GuidanceVersion.objects.filter(number=1).count() == len(SLUGS)


def test_every_journey_step_links_a_section_that_exists():
    sections = {
        page["slug"]: {section.anchor for section in render(page["body"]).sections}
        for page in shipped_pages()
    }
    for step, (slug, anchor, text) in STEP_GUIDANCE.items():
        assert anchor in sections[slug], f"{step} links {slug}#{anchor}, which does not exist"
        assert text


def test_anyone_reads_the_playbook(client):
    response = client.get(reverse("guidance:index"))
    assert response.status_code == 200
    assert "Choosing a route" in response.content.decode()
    response = client.get(reverse("guidance:page", args=["choosing-a-route"]))
    body = response.content.decode()
    assert 'id="when-you-can-award-directly"' in body
    assert 'href="#when-you-can-award-directly"' in body  # the contents list
    assert client.get(reverse("guidance:page", args=["no-such-page"])).status_code == 404


def test_staff_edit_saves_a_new_version_and_audits_it(staff_client):
    page = GuidancePage.objects.get(slug="social-value")
    url = reverse("guidance:staff_edit", args=[page.slug])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {"title": "Social value", "summary": page.summary, "body": "## New\n\n<b>bold</b> text"},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.version == 2
    assert page.versions.count() == 2
    assert page.versions.get(number=1).body != page.body  # the earlier wording is kept
    entry = AuditEntry.objects.get(action="guidance.page_updated")
    assert entry.detail == {"version": 2, "changed": ["body"]}
    public = Client().get(reverse("guidance:page", args=[page.slug])).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in public and "<b>bold</b>" not in public


def test_an_unchanged_save_writes_no_version(staff_client):
    page = GuidancePage.objects.get(slug="accessibility")
    data = {"title": page.title, "summary": page.summary, "body": page.body}
    services.guidance_page_update(actor=staff_client.user, page=page, data=data)
    assert page.versions.count() == 1


def test_a_body_without_a_heading_is_refused(staff_client):
    page = GuidancePage.objects.get(slug="accessibility")
    url = reverse("guidance:staff_edit", args=[page.slug])
    response = staff_client.post(url, {"title": "A", "summary": "B", "body": "Just text"})
    assert response.status_code == 200
    assert "at least one heading" in response.content.decode()
    page.refresh_from_db()
    assert page.version == 1


def test_only_staff_edit():
    buyer = member()
    page = GuidancePage.objects.first()
    with pytest.raises(Exception, match="Only platform staff"):
        services.guidance_page_update(
            actor=buyer, page=page, data={"title": "x", "summary": "y", "body": "## z"}
        )


CASE = {
    "title": "Faster housing repairs",
    "problem": "Repairs took weeks to book.",
    "approach": "We bought a scheduling service by direct award.",
    "outcomes": "Repairs are booked the same day.",
    "figures": "£40,000 a year saved",
    "supplier_agreed": "on",
}


def test_a_buyer_offers_a_case_study_and_staff_publish_it(staff_client):
    contract = achieved(ContractFactory())
    buyer = member(contract.organisation)
    client = Client()
    client.force_login(buyer)
    page = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    offer_url = reverse("guidance:case_study_offer", args=[contract.pk])
    assert offer_url in page
    response = client.post(offer_url, CASE)
    assert response.status_code == 302
    study = CaseStudy.objects.get(contract=contract)
    assert study.status == "offered"
    # Not public until staff publish it.
    assert Client().get(reverse("guidance:case_study", args=[study.pk])).status_code == 404
    assert client.post(offer_url, CASE).status_code == 302  # offered once only
    assert CaseStudy.objects.count() == 1

    response = staff_client.post(reverse("guidance:staff_case_study_publish", args=[study.pk]))
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.is_published
    public = Client().get(reverse("guidance:case_study", args=[study.pk])).content.decode()
    assert "Repairs are booked the same day." in public
    offer_page = Client().get(reverse("catalogue:offer_detail", args=[contract.offer_id]))
    assert reverse("guidance:case_study", args=[study.pk]) in offer_page.content.decode()
    assert AuditEntry.objects.filter(action="case_study.published").count() == 1


def achieved(contract):
    """The buyer has recorded one of the contract's outcomes as achieved."""
    ContractOutcome.objects.create(
        contract=contract, text="Repairs done the same day", assessment="achieved"
    )
    return contract


def test_a_case_study_needs_an_outcome_recorded_as_achieved():
    contract = ContractFactory()
    ContractOutcome.objects.create(contract=contract, text="Faster", assessment="partly")
    buyer = member(contract.organisation)
    with pytest.raises(ValidationError, match="outcomes as achieved first"):
        services.case_study_offer(actor=buyer, contract=contract, data=CASE)
    client = Client()
    client.force_login(buyer)
    page = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "Once you record one of this contract" in page
    assert reverse("guidance:case_study_offer", args=[contract.pk]) not in page


def test_a_case_study_needs_the_suppliers_agreement():
    contract = achieved(ContractFactory())
    client = Client()
    client.force_login(member(contract.organisation))
    data = {**CASE, "supplier_agreed": ""}
    response = client.post(reverse("guidance:case_study_offer", args=[contract.pk]), data)
    assert response.status_code == 200
    assert "Confirm that the supplier agrees" in response.content.decode()
    assert not CaseStudy.objects.exists()


def test_another_buyer_cannot_offer_someone_elses_contract():
    contract = achieved(ContractFactory())
    client = Client()
    client.force_login(member())
    response = client.post(reverse("guidance:case_study_offer", args=[contract.pk]), CASE)
    assert response.status_code == 404
    assert not CaseStudy.objects.exists()


def test_staff_decline_and_withdraw(staff_client):
    contract = achieved(ContractFactory())
    study = services.case_study_offer(
        actor=member(contract.organisation),
        contract=contract,
        data={**CASE, "supplier_agreed": True},
    )
    url = reverse("guidance:staff_case_study_decline", args=[study.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 400
    assert staff_client.post(url, {"reason": "Names a member of the public."}).status_code == 302
    study.refresh_from_db()
    assert study.status == "declined"
    assert not study.can_publish


@pytest.mark.parametrize("state", sorted(CaseStudy.LIFECYCLE.states()))
@pytest.mark.parametrize("move", sorted(CaseStudy.LIFECYCLE.moves))
def test_case_study_moves_are_allowed_exactly_as_declared(state, move):
    study = CaseStudy(status=state)
    declared = state in CaseStudy.LIFECYCLE.moves[move].sources
    assert CaseStudy.LIFECYCLE.can(study, move) is declared
