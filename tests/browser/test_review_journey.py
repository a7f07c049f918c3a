"""A review written, held for a link, published by staff, answered by the supplier and shown in
the histogram; marked helpful and reported by another buyer. axe checks every page on the way."""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from reviews import services
from reviews.models import Review, ReviewReport

from ..accounts.factories import StaffFactory, member
from ..reviews.factories import ContractFactory, buyable_offer, published_review, review_data
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("NDX_SCREENSHOTS")  # a directory, to look at the pages


def check(page, name):
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"review-{name}.png"), full_page=True)


def choose(page, group: str, option: str):
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


@pytest.fixture
def world():
    offer = buyable_offer(title="Adult social care case management")
    contract = ContractFactory(offer=offer, title="Case management for Leeds")
    # Some earlier reviews, so the histogram has more than one bar.
    for rating in (5, 5, 3):
        published_review(ContractFactory(offer=offer), rating=rating, title=f"Earlier {rating}")
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    return {
        "offer": offer,
        "contract": contract,
        "buyer": member(contract.organisation, role="admin"),
        "other_buyer": member(),
        "supplier": member(offer.supplier, role="admin"),
        "staff": staff,
    }


def test_review_written_held_published_answered_and_shown(page, live_server, world):
    offer, contract = world["offer"], world["contract"]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # The buyer finds the contract to review and writes a review with a link in it.
    sign_in(page, live_server, world["buyer"])
    page.goto("/reviews/")
    check(page, "my-reviews")
    click_and_wait(page, page.get_by_role("link", name="Write a review of Case management"))
    check(page, "write")
    click_and_wait(page, page.get_by_role("button", name="Submit review"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "write-errors")
    choose(page, "Overall, how would you rate it?", "4 stars")
    choose(page, "Value for money", "4 stars")
    choose(page, "Delivery", "5 stars")
    choose(page, "Support", "3 stars")
    choose(page, "Ease of use", "4 stars")
    choose(
        page,
        "How is the supplier performing against the contract's key performance indicators?",
        "Approaching target",
    )
    page.get_by_label("Title of your review").fill("Good, <b>once</b> set up")
    page.get_by_label("Your review", exact=True).fill(
        "Training was thorough. Our notes are at https://intranet.example/notes <script>alert(1)</script>"
    )
    click_and_wait(page, page.get_by_role("button", name="Submit review"))
    assert "our staff will check it" in page.content()
    assert "contains a link" in page.inner_text("main")
    check(page, "held")
    review = Review.objects.get(contract=contract)
    assert review.status == Review.Status.HELD

    # Staff publish it from the moderation queue.
    sign_in(page, live_server, world["staff"])
    page.goto("/staff/reviews/")
    check(page, "staff-queue")
    click_and_wait(page, page.get_by_role("link", name="Good, <b>once</b> set up (moderate)"))
    check(page, "staff-review")
    click_and_wait(page, page.get_by_role("button", name="Publish review"))
    assert "There are no reviews to moderate" in page.content()
    check(page, "staff-queue-empty")

    # The supplier answers it.
    sign_in(page, live_server, world["supplier"])
    page.goto("/reviews/supplier/")
    check(page, "supplier-reviews")
    click_and_wait(
        page, page.get_by_role("link", name="Respond publicly to “Good, <b>once</b> set up”")
    )
    check(page, "respond")
    click_and_wait(page, page.get_by_role("button", name="Publish response"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "respond-errors")
    page.get_by_label("Your public response").fill("Thank you. Notes are now in the help centre.")
    click_and_wait(page, page.get_by_role("button", name="Publish response"))
    check(page, "review-detail")

    # Another buyer sees it in the histogram on the offer page, finds it helpful and reports it.
    sign_in(page, live_server, world["other_buyer"])
    page.goto(f"/catalogue/offers/{offer.pk}/")
    histogram = page.get_by_role("table", name="Reviews by star rating")
    rows = {
        row.locator("th").inner_text(): row.locator("td").last.inner_text()
        for row in histogram.locator("tbody tr").all()
    }
    assert rows == {"5 stars": "2", "4 stars": "1", "3 stars": "1", "2 stars": "0", "1 star": "0"}
    assert "4.25" in page.inner_text("main") and "from 4 verified reviews" in page.inner_text(
        "main"
    )
    assert "Response from" in page.inner_text("main")
    assert "Good, <b>once</b> set up" in page.inner_text("main")  # shown as typed, not as HTML
    check(page, "offer-page")
    click_and_wait(page, page.get_by_role("button", name="Good, <b>once</b> set up"))
    assert "1 buyer found this helpful" in page.inner_text("main")
    check(page, "offer-page-helpful")
    click_and_wait(
        page, page.get_by_role("link", name="Report the review “Good, <b>once</b> set up”")
    )
    check(page, "report")
    click_and_wait(page, page.get_by_role("button", name="Send report"))
    check(page, "report-errors")
    page.get_by_label("It is false or misleading").check()
    click_and_wait(page, page.get_by_role("button", name="Send report"))
    assert ReviewReport.objects.open().count() == 1
    check(page, "reported")

    # Staff see the report in the queue.
    sign_in(page, live_server, world["staff"])
    page.goto("/staff/reviews/")
    assert "Reported" in page.inner_text("main")
    click_and_wait(page, page.get_by_role("link", name="Good, <b>once</b> set up (moderate)"))
    check(page, "staff-reported")
    click_and_wait(page, page.get_by_role("button", name="Reject review"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "staff-reject-errors")

    assert dialogs == [], "no script typed into a review ran"


def test_other_review_pages_have_no_axe_violations(page, live_server, world):
    offer, contract = world["offer"], world["contract"]
    services.review_create(actor=world["buyer"], contract=contract, data=review_data())
    sign_in(page, live_server, world["buyer"])
    page.goto(f"/reviews/contracts/{contract.pk}/new/")
    assert "already reviewed this contract" in page.inner_text("main")
    check(page, "cannot-write")
    page.goto(f"/reviews/offers/{offer.pk}/")
    check(page, "offer-reviews")
    page.goto(f"/reviews/offers/{offer.pk}/?sort=helpful")
    check(page, "offer-reviews-helpful")
    page.goto(f"/suppliers/{offer.supplier_id}/")
    assert "Highest rated offers" in page.inner_text("main")
    check(page, "supplier-page")
    sign_in(page, live_server, world["supplier"])
    page.goto(f"/reviews/contracts/{contract.pk}/new/")
    assert "Only buyer organisations can do this" in page.inner_text("main")
    check(page, "supplier-refused")
    page.goto(f"/catalogue/offers/{buyable_offer().pk}/")
    assert "No buyer has reviewed this offer yet" in page.inner_text("main")
    check(page, "offer-no-reviews")
