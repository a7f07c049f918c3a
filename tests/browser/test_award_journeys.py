"""Award journeys in Chromium: a direct award ending in a contract and a saving; a further
competition with three suppliers responding, one late and refused, scored and awarded. axe finds
no violations on any page built for awards, with and without errors."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from buying.models import CompetitionResponse, FurtherCompetition
from contracts.models import Contract

from ..buying.award_helpers import CompetitionSetup, buyer_user, frozen_shortlist, supplier_offer
from ..catalogue.factories import LotFactory
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set NDX_SCREENSHOTS=/tmp/shots to save a full-page screenshot of each page visited.
SHOTS = os.environ.get("NDX_SCREENSHOTS")


def check(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"award-{name}.png"), full_page=True)
    assert_no_axe_violations(page)


def fill_date(page, label_prefix: str, day) -> None:
    group = page.get_by_role("group", name=label_prefix)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def submit(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True))


def test_direct_award_ends_in_a_contract_and_a_saving(page, live_server):
    lot = LotFactory(name="Cloud software", direct_award_allowed=True)
    offer, supplier = supplier_offer(lot, "Northwind Digital Ltd", price="12.50", list_price="15")
    buyer = buyer_user()
    shortlist = frozen_shortlist(buyer, [offer], name="Case management options")
    sign_in(page, live_server, buyer)

    page.goto("/buying/contracts/")
    check(page, "register-empty")
    page.goto(f"/buying/shortlists/{shortlist.pk}/")
    check(page, "shortlist-with-award-actions")
    click_and_wait(page, page.get_by_role("link", name="Award directly"))
    check(page, "direct-award")

    start = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Quantity").fill("450")
    page.get_by_label("Unit price").fill("13.00")  # above the national price
    fill_date(page, "Contract start date", start)
    fill_date(page, "Contract end date", start + timedelta(days=364))
    page.get_by_label("Key performance indicators (KPIs)").fill("99.9% availability")
    page.get_by_label("Why are you awarding this contract directly?").fill(
        '<script>alert("x")</script> Best fit at the lowest price'
    )
    submit(page, "Award the contract")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The price must be at or below the national price of £12.50" in summary
    assert not Contract.objects.exists()
    check(page, "direct-award-error")

    page.get_by_label("Unit price").fill("12.00")
    submit(page, "Award the contract")
    contract = Contract.objects.get()
    assert page.url.endswith(f"/buying/contracts/{contract.pk}/")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Saving against the list price: £1,350.00" in banner
    assert '<script>alert("x")</script> Best fit' in page.locator("main").inner_text()
    check(page, "contract")

    click_and_wait(page, page.get_by_role("link", name="Contract register"))
    assert "£1,350.00" in page.locator("main").inner_text()
    check(page, "register")

    page.goto(f"/catalogue/offers/{offer.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Award a contract directly"))
    check(page, "direct-award-from-offer")

    sign_in(page, live_server, supplier)
    page.goto("/suppliers/")
    click_and_wait(page, page.get_by_role("link", name="your contracts"))
    check(page, "supplier-contracts")
    click_and_wait(page, page.get_by_role("link", name=contract.title))
    assert "Leeds City Council" in page.locator("main").inner_text()
    check(page, "supplier-contract")


def respond(page, invitation, price: str, text: str) -> None:
    page.goto(f"/suppliers/competitions/{invitation.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Respond", exact=True))
    page.get_by_label("Your unit price").fill(price)
    page.get_by_label("Your response on quality").fill(text)
    page.get_by_label("Your response on social value").fill("Two apprenticeships in Leeds")
    submit(page, "Submit your response")


def test_further_competition_scored_and_awarded(page, live_server):
    setup = CompetitionSetup(prices=("10.00", "9.00", "11.00", "10.50"))
    invited = setup.suppliers
    sign_in(page, live_server, setup.buyer)

    # set up, with an error first
    page.goto(f"/buying/shortlists/{setup.shortlist.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Run a further competition"))
    check(page, "competition-form")
    for name in ("Northwind", "Brightwater", "Kestrel", "Ash"):
        page.get_by_label(name, exact=False).check()
    page.get_by_label("The requirement").fill(
        "Social workers need one place to record assessments and care plans."
    )
    page.get_by_label("Quantity").fill("1000")
    page.get_by_label("Social value", exact=True).fill("5")
    submit(page, "Save and check")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Social value must be weighted at least 10%" in summary
    assert not FurtherCompetition.objects.exists()
    check(page, "competition-form-error")
    page.get_by_label("Quality", exact=True).fill("55")
    page.get_by_label("Social value", exact=True).fill("15")
    submit(page, "Save and check")
    competition = FurtherCompetition.objects.get()
    assert competition.weights == {"quality": 55, "price": 30, "social_value": 15}
    check(page, "competition-draft")
    click_and_wait(page, page.get_by_role("link", name="Change the competition"))
    check(page, "competition-edit")
    click_and_wait(page, page.get_by_role("link", name="Back to the competition"))
    submit(page, "Send the invitations")
    assert (
        "Invitations sent to 4 suppliers" in page.locator(".govuk-notification-banner").inner_text()
    )
    check(page, "competition-open")
    page.goto("/buying/competitions/")
    check(page, "competitions")
    item = setup.shortlist.items.first()
    page.goto(f"/buying/shortlists/{setup.shortlist.pk}/items/{item.pk}/award/")
    assert "does not allow direct award" in page.locator("main").inner_text()
    check(page, "direct-award-refused-on-competition-lot")
    page.goto(f"/buying/competitions/{competition.pk}/cancel/")
    check(page, "competition-cancel")

    # the first supplier finds it on its dashboard, asks a question and responds
    first = setup.invitation(competition, 0)
    sign_in(page, live_server, invited[0])
    page.goto("/suppliers/")
    check(page, "supplier-dashboard")
    click_and_wait(page, page.get_by_role("link", name=competition.title).first)
    assert page.url.endswith(f"/suppliers/competitions/{first.pk}/")
    check(page, "supplier-competition")
    page.get_by_label("Ask a clarification question").fill("Do you need single sign-on?")
    submit(page, "Send question")
    check(page, "supplier-competition-asked")
    click_and_wait(page, page.get_by_role("link", name="Respond", exact=True))
    check(page, "supplier-respond")
    page.get_by_label("Your unit price").fill("10.50")  # above its national price
    page.get_by_label("Your response on quality").fill("We built this for councils.")
    page.get_by_label("Your response on social value").fill("Apprenticeships")
    submit(page, "Submit your response")
    assert (
        "at or below the national price of £10.00"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check(page, "supplier-respond-error")
    page.get_by_label("Your unit price").fill("9.50")
    submit(page, "Submit your response")
    assert page.url.endswith(f"/suppliers/competitions/{first.pk}/")
    page.goto("/suppliers/competitions/")
    check(page, "supplier-competitions")

    # the buyer answers; every supplier sees the answer without the asker's name
    sign_in(page, live_server, setup.buyer)
    page.goto(f"/buying/competitions/{competition.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Answer question 1"))
    check(page, "clarification-answer")
    page.get_by_label("Your answer").fill("Yes, with Microsoft Entra ID.")
    submit(page, "Publish the answer")

    # two more suppliers respond in time; the fourth opens the form but is too late
    sign_in(page, live_server, invited[1])
    respond(page, setup.invitation(competition, 1), "8.50", "Our plan")
    assert "Microsoft Entra ID" in page.locator("main").inner_text()
    sign_in(page, live_server, invited[2])
    respond(page, setup.invitation(competition, 2), "10.00", "Our approach")
    sign_in(page, live_server, invited[3])
    late = setup.invitation(competition, 3)
    page.goto(f"/suppliers/competitions/{late.pk}/respond/")
    page.get_by_label("Your unit price").fill("9.00")
    page.get_by_label("Your response on quality").fill("Late")
    page.get_by_label("Your response on social value").fill("Late")
    setup.close(competition)
    submit(page, "Submit your response")
    assert "late responses cannot be accepted" in page.locator(".govuk-error-summary").inner_text()
    assert CompetitionResponse.objects.count() == 3
    assert not CompetitionResponse.objects.filter(invitation=late).exists()

    # the buyer scores each response and awards
    sign_in(page, live_server, setup.buyer)
    page.goto(f"/buying/competitions/{competition.pk}/")
    check(page, "competition-closed")
    scores = {
        "Northwind Digital Ltd": ("85", "70"),
        "Brightwater Cloud plc": ("60", "60"),
        "Kestrel Software Ltd": ("70", "50"),
    }
    for name, (quality, social) in scores.items():
        click_and_wait(page, page.get_by_role("link", name=f"the response from {name}"))
        if name == "Northwind Digital Ltd":
            check(page, "response-score")
        page.get_by_label("Quality", exact=True).fill(quality)
        page.get_by_label("Social value", exact=True).fill(social)
        submit(page, "Save scores")  # the price score is suggested from the prices
    check(page, "competition-scored")
    click_and_wait(page, page.get_by_role("link", name="Award the contract"))
    rationale = page.get_by_label("Rationale for the award").input_value()
    assert "Northwind Digital Ltd offered the most advantageous response" in rationale
    check(page, "competition-award")
    page.get_by_label("Key performance indicators (KPIs)").fill("Uptime 99.9%\nCases in 5 days")
    submit(page, "Award the contract")
    contract = Contract.objects.get()
    assert contract.supplier == setup.offers[0].supplier
    assert contract.route == "further_competition"
    assert (
        "Saving against the list price: £2,500.00"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    check(page, "competition-contract")
    page.goto(f"/buying/competitions/{competition.pk}/")
    check(page, "competition-awarded")

    # an unsuccessful supplier is told why
    sign_in(page, live_server, invited[1])
    page.goto(f"/suppliers/competitions/{setup.invitation(competition, 1).pk}/")
    main = page.locator("main").inner_text()
    assert "Your response was not successful" in main
    assert "The successful response, from Northwind Digital Ltd" in main
    check(page, "supplier-unsuccessful")
    # and cannot open the winner's invitation
    response = page.goto(f"/suppliers/competitions/{first.pk}/")
    assert response.status == 404
