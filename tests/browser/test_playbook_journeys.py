"""Issue 15 journeys in Chromium with axe on every page: a buyer follows the route
recommendation to a direct award and sees what others paid on the award form; a staff user
pools three requirements into one competition that ends in three contracts at one price."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from buying.models import DemandPool, Requirement
from buying.services import competitions as competition_services
from contracts.models import Contract
from guidance.content import install_missing
from guidance.models import GuidancePage, GuidanceVersion
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import LotFactory, make_offer
from tests.reviews.factories import ContractFactory

from ..buying.award_helpers import CompetitionSetup, buyer_user, frozen_shortlist, supplier_offer
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, label_prefix: str, day) -> None:
    group = page.get_by_role("group", name=label_prefix)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_route_recommendation_to_a_direct_award_with_the_price_spread(page, live_server):
    # Transactional tests empty the database between tests, data migrations included: put the
    # shipped playbook pages back, as the migration does.
    install_missing(GuidancePage, GuidanceVersion)
    lot = LotFactory(name="Cloud software", direct_award_allowed=True)
    offer, _ = supplier_offer(lot, "Northwind Digital Ltd", price="12.50", list_price="15")
    for price in ["12.50", "12.00", "11.80", "11.50", "11.00"]:
        ContractFactory(
            offer=offer,
            organisation=BuyerOrganisationFactory(),
            unit_price=Decimal(price),
            national_price=Decimal("12.50"),
        )
    buyer = buyer_user()
    need = Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        status=Requirement.Status.SUBMITTED,
        title="Case management",
        problem="Social workers need one place for case notes.",
        users_description="Social workers",
        budget_max=Decimal("20000"),
        lot=lot,
        framework=lot.framework,
    )
    shortlist = frozen_shortlist(buyer, [offer], requirement=need)
    sign_in(page, live_server, buyer)

    page.goto(f"/buying/shortlists/{shortlist.pk}/")
    advice = page.locator("[data-route]").inner_text()
    assert "Recommended route: Direct award" in advice
    assert "below the £100,000 direct award limit" in advice
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("link", name="When each route is allowed"))
    assert page.url.endswith("/guidance/choosing-a-route/#when-you-can-award-directly")
    assert page.locator("#when-you-can-award-directly").is_visible()
    assert_no_axe_violations(page)

    page.goto(f"/buying/shortlists/{shortlist.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Award directly"))
    spread = page.locator(".ndx-price-spread").inner_text()
    assert "5 buyers paid between £11.00 and £12.50 on 5 contracts; the median was £11.80." in (
        spread
    )
    assert page.get_by_role("link", name="When you can award directly").is_visible()
    assert_no_axe_violations(page)

    start = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Quantity").fill("450")
    page.get_by_label("Unit price").fill("11.80")
    fill_date(page, "Contract start date", start)
    fill_date(page, "Contract end date", start + timedelta(days=364))
    page.get_by_label("Key performance indicators (KPIs)").fill("99.9% availability")
    page.get_by_label("Why are you awarding this contract directly?").fill("Best fit.")
    click_and_wait(page, page.get_by_role("button", name="Award the contract", exact=True))
    contract = Contract.objects.get(organisation=buyer.organisation)
    assert page.url.endswith(f"/buying/contracts/{contract.pk}/")
    assert "This contract took" in page.locator("main").inner_text()
    assert_no_axe_violations(page)


def test_staff_pool_three_requirements_into_three_contracts_at_one_price(
    page, live_server, settings, tmp_path
):
    from matching import runtime
    from matching import services as matching_services

    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    setup = CompetitionSetup()
    for index, title in enumerate(["Housing repairs booking", "Repairs operative scheduling"]):
        make_offer(setup.offers[index].supplier, setup.lot, title=title, summary=title)
    buyers = [setup.buyer] + [
        member(BuyerOrganisationFactory(name=n)) for n in ("Kirklees", "Sheffield")
    ]
    for index, buyer in enumerate(buyers):
        Requirement.objects.create(
            organisation=buyer.organisation,
            created_by=buyer,
            status=Requirement.Status.SUBMITTED,
            title=f"Housing repairs booking {index}",
            problem="Tenants book housing repairs online and operatives are scheduled.",
            users_description="Repairs staff",
            must_haves=["Online repair booking", "Scheduling of repairs operatives"],
            user_count=100,
            lot=setup.lot,
            framework=setup.lot.framework,
        )
    matching_services.index_rebuild_now()
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    sign_in(page, live_server, staff)
    page.goto("/staff/pooling/")
    assert "3 organisations" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Invite these buyers to a pool"))
    pool = DemandPool.objects.get()
    assert_no_axe_violations(page)

    for buyer, quantity in zip(buyers, ["100", "250", "300"], strict=True):
        page.context.clear_cookies()
        sign_in(page, live_server, buyer)
        page.goto(f"/buying/pools/{pool.pk}/")
        assert_no_axe_violations(page)
        page.get_by_label("How many do you need?").fill(quantity)
        click_and_wait(page, page.get_by_role("button", name="Confirm your quantity"))
        assert "You have joined the pool" in page.locator(".govuk-notification-banner").inner_text()

    competition = setup.create()  # the lead's draft, from its shortlist
    page.goto(f"/buying/pools/{pool.pk}/")  # signed in as the last buyer: not the lead
    assert page.get_by_role("button", name="Use it for the pool").count() == 0
    page.context.clear_cookies()
    sign_in(page, live_server, buyers[0])
    page.goto(f"/buying/pools/{pool.pk}/")
    click_and_wait(page, page.get_by_role("button", name="Use it for the pool"))
    competition.refresh_from_db()
    assert competition.quantity == Decimal("650")
    assert_no_axe_violations(page)

    competition = competition_services.competition_publish(
        actor=setup.buyer, competition=competition
    )
    responses = [
        setup.respond(competition, 0, price="9.50"),
        setup.respond(competition, 2, price="10"),
    ]
    setup.close(competition)
    setup.score(responses[0], quality=80, price=100, social_value=70)
    setup.score(responses[1], quality=50, price=90, social_value=50)
    page.goto(f"/buying/competitions/{competition.pk}/award/")
    assert_no_axe_violations(page)
    page.get_by_label("Key performance indicators (KPIs)").fill("Repairs booked online")
    click_and_wait(page, page.get_by_role("button", name="Award the contract", exact=True))
    contracts = list(Contract.objects.all())
    assert len(contracts) == 3
    assert {c.unit_price for c in contracts} == {Decimal("9.50")}
    assert sorted(c.quantity for c in contracts) == [Decimal("100"), Decimal("250"), Decimal("300")]
    assert_no_axe_violations(page)
    runtime.reset()
