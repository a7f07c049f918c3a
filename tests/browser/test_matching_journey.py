"""A buyer writes a requirement, sees ranked matches with explanations and shortlists two;
staff see the index status. axe finds no violations on the intake, results and status pages."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from buying.models import Shortlist
from catalogue.search_index import revision_search_index
from matching import runtime
from matching.services import index_rebuild_now

from ..accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from ..catalogue.factories import LotFactory, make_offer
from ..suppliers.factories import approved_supplier
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    yield
    runtime.reset()


def continue_(page):
    click_and_wait(page, page.get_by_role("button", name="Continue", exact=True))


def test_buyer_sees_explained_matches_and_shortlists_two(page, live_server):
    lot = LotFactory()
    suppliers = [approved_supplier(lot) for _ in range(3)]
    offers = [
        make_offer(
            suppliers[0],
            lot,
            title="Children's social care case management",
            summary="Case recording for social workers, works offline on visits.",
        ),
        make_offer(
            suppliers[1],
            lot,
            title="Case management for adult social care",
            summary="Assessments and care plans for social workers.",
        ),
        make_offer(
            suppliers[2],
            lot,
            title="Payroll for schools",
            summary="Monthly payroll.",
            description="Pensions and HMRC submissions.",
        ),
    ]
    revision_search_index(revision_ids=[o.published_revision_id for o in offers])
    index_rebuild_now()

    buyer = member(BuyerOrganisationFactory(name="Leeds City Council"))
    sign_in(page, live_server, buyer)
    page.goto("/buying/requirements/new/")
    page.get_by_label("What do you want to call this requirement?").fill("Social care case notes")
    continue_(page)
    page.get_by_label("What problem do you need to solve").fill(
        "Social workers need case management that works offline on home visits."
    )
    continue_(page)
    page.get_by_label("Who will use it?").fill("Social workers")
    page.get_by_label("How many people will use it?").fill("120")
    continue_(page)
    continue_(page)  # needs
    continue_(page)  # budget
    page.get_by_label("Within 6 months").check()
    continue_(page)
    continue_(page)  # location
    continue_(page)  # security
    page.get_by_label("No preference").check()
    continue_(page)
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Submit requirement"))

    assert page.url.endswith("/matches/")
    assert_no_axe_violations(page)
    titles = page.locator(".ndx-result h3").all_inner_texts()
    assert "case management" in titles[0].lower() and "case management" in titles[1].lower()
    assert all("Payroll" not in t for t in titles[:2])
    why = page.locator(".govuk-details__text").first.inner_text()
    assert "Your words appear in" in why and "Semantic similarity" in why

    click_and_wait(
        page, page.locator(".ndx-result").nth(0).get_by_role("button", name="Add to shortlist")
    )
    assert "Added" in page.locator(".govuk-notification-banner").inner_text()
    click_and_wait(
        page, page.locator(".ndx-result").nth(1).get_by_role("button", name="Add to shortlist")
    )
    assert_no_axe_violations(page)
    shortlist = Shortlist.objects.get()
    assert shortlist.items.count() == 2 and shortlist.requirement.title == "Social care case notes"
    click_and_wait(page, page.get_by_role("link", name="View the shortlist (2)"))
    assert_no_axe_violations(page)


def test_staff_see_the_index_status(page, live_server):
    lot = LotFactory()
    offer = make_offer(approved_supplier(lot), lot, title="Managed hosting")
    revision_search_index(revision_ids=[offer.published_revision_id])
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    sign_in(page, live_server, staff)
    page.goto("/staff/matching/")
    assert "None yet" in page.content()
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Rebuild the index now"))
    page.goto("/staff/matching/")
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "Offers indexed\t1" in summary or "Offers indexed\n1" in summary or "1" in summary
    assert "Build" in summary
    assert_no_axe_violations(page)
