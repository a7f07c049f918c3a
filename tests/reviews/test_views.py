"""Review pages: access, content, actions, and escaping of whatever people type."""

import html
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from reviews import services
from reviews.models import Review, ReviewReport, ReviewResponse
from tests.accounts.factories import StaffFactory, SupplierOrganisationFactory, member

from .factories import ContractFactory, buyable_offer, form_data, published_review, review_data

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"


def templates(response):
    return [t.name for t in response.templates]


def text(response):
    """The page's HTML, unescaped, with whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@pytest.fixture
def contract():
    return ContractFactory()


@pytest.fixture
def buyer(contract):
    return member(contract.organisation)


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    client.force_login(staff)
    return client


def write_url(contract):
    return f"/reviews/contracts/{contract.pk}/new/"


# --- writing ---------------------------------------------------------------------------------


def test_buyer_writes_a_review_that_publishes_at_once(buyer_client, contract):
    response = buyer_client.get(write_url(contract))
    assert response.status_code == 200
    assert "reviews/write.html" in templates(response)
    page = text(response)
    assert contract.reference in page and "Value for money" in page and "Approaching target" in page

    response = buyer_client.post(write_url(contract), form_data(), follow=True)
    review = Review.objects.get()
    assert response.redirect_chain[-1][0] == f"/reviews/{review.pk}/"
    assert review.status == Review.Status.PUBLISHED
    assert "Your review is published" in text(response)


def test_a_review_with_a_link_is_held_and_the_buyer_is_told_why(buyer_client, contract):
    response = buyer_client.post(
        write_url(contract), form_data(text="More at https://example.com"), follow=True
    )
    review = Review.objects.get()
    assert review.status == Review.Status.HELD
    page = text(response)
    assert "contains a link" in page and "staff will check it" in page
    # Nobody else sees it: not on the offer page, and its own page is a 404 for others.
    offer_page = buyer_client.get(f"/catalogue/offers/{contract.offer.pk}/")
    assert review.title not in text(offer_page) or "No buyer has reviewed" in text(offer_page)
    buyer_client.force_login(member())
    assert buyer_client.get(f"/reviews/{review.pk}/").status_code == 404


def test_bad_input_shows_errors_and_saves_nothing(buyer_client, contract):
    response = buyer_client.post(write_url(contract), form_data(rating="", title="", text=""))
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Select an overall rating from 1 to 5 stars" in page
    assert "Enter a title" in page and "Enter your review" in page
    assert not Review.objects.exists()


def test_a_buyer_without_the_contract_gets_a_404_and_nothing_changes(client, contract):
    client.force_login(member())
    assert client.get(write_url(contract)).status_code == 404
    assert client.post(write_url(contract), form_data()).status_code == 404
    assert not Review.objects.exists()


def test_a_supplier_user_is_refused_with_a_clear_message(client, contract):
    client.force_login(member(contract.supplier, role="admin"))
    response = client.post(write_url(contract), form_data())
    assert response.status_code == 403
    assert "Only buyer organisations can do this" in text(response)
    assert not Review.objects.exists()


def test_a_second_review_is_refused_with_a_clear_message(buyer_client, contract, buyer):
    services.review_create(actor=buyer, contract=contract, data=review_data())
    response = buyer_client.get(write_url(contract))
    assert "reviews/cannot_write.html" in templates(response)
    assert "Your organisation has already reviewed this contract." in text(response)
    response = buyer_client.post(write_url(contract), form_data(title="Second go"))
    assert "already reviewed this contract" in text(response)
    assert Review.objects.count() == 1


def test_anonymous_users_are_sent_to_sign_in(client, contract):
    response = client.get(write_url(contract))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_my_reviews_lists_contracts_to_review_and_reviews_written(buyer_client, buyer, contract):
    other = ContractFactory(organisation=buyer.organisation)
    review = services.review_create(
        actor=buyer, contract=other, data=review_data(text="Call 0113 496 0000")
    )
    ContractFactory()  # another organisation's
    response = buyer_client.get("/reviews/")
    assert "reviews/my_reviews.html" in templates(response)
    page = text(response)
    assert write_url(contract) in response.content.decode()
    assert write_url(other) not in response.content.decode()
    assert review.title in page and "Waiting for moderation" in page and "a phone number" in page
    services.review_reject(actor=StaffFactory(), review=review, reason="No phone numbers, please.")
    page = text(buyer_client.get("/reviews/"))
    assert "Rejected" in page and "No phone numbers, please." in page
    assert write_url(other) in buyer_client.get("/reviews/").content.decode()


# --- offer and supplier pages ----------------------------------------------------------------


def test_offer_page_shows_average_count_histogram_newest_and_most_helpful(client, contract):
    offer = contract.offer
    published_review(contract, rating=5, title="Brilliant", helpful_count=7)
    for rating in (4, 4, 2):
        published_review(ContractFactory(offer=offer), rating=rating, title=f"Rated {rating}")
    services.offer_rating_refresh(offer=offer)
    response = client.get(f"/catalogue/offers/{offer.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Reviews from buyers" in page
    assert "3.75 out of 5" in page and "from 4 verified reviews" in page
    assert "Reviews by star rating" in page
    assert re.search(r"5 stars</th>.*?25%</td>.*?>1</td>", page)
    assert re.search(r"4 stars</th>.*?50%</td>.*?>2</td>", page)
    assert re.search(r"1 star</th>.*?0%</td>.*?>0</td>", page)
    assert "Newest reviews" in page and "Most helpful reviews" in page
    assert "Brilliant" in page and "7 buyers found this helpful" in page
    all_reviews = client.get(f"/reviews/offers/{offer.pk}/?sort=helpful")
    assert all_reviews.status_code == 200
    assert text(all_reviews).index("Brilliant") < text(all_reviews).index("Rated 2")


def test_supplier_page_shows_the_rating_and_ranks_offers_by_bayesian_average(client, contract):
    supplier = contract.supplier
    published_review(contract, rating=5)
    popular = buyable_offer(supplier=supplier, title="Popular offer")
    for _ in range(6):
        published_review(ContractFactory(offer=popular), rating=5)
    published_review(ContractFactory(offer=popular), rating=4)
    services.offer_rating_refresh(offer=contract.offer)
    services.offer_rating_refresh(offer=popular)
    response = client.get(f"/suppliers/{supplier.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "from 8 verified reviews" in page
    ranked = page[page.index("Highest rated offers") : page.index("Newest reviews")]
    # One 5-star review (3.75 after the prior) ranks below 6 fives and a four (4.29).
    assert ranked.index("Popular offer") < ranked.index(str(contract.offer))
    assert "5.00 out of 5 from 1 review" in ranked


def test_offer_page_without_reviews(client, contract):
    page = text(client.get(f"/catalogue/offers/{contract.offer.pk}/"))
    assert "No buyer has reviewed this offer yet" in page


def test_script_and_html_are_shown_escaped_everywhere(client, contract, buyer):
    review = services.review_create(
        actor=buyer, contract=contract, data=review_data(title=SCRIPT, text=f"Bad {IMG} bold")
    )
    supplier_user = member(contract.supplier)
    services.review_respond(actor=supplier_user, review=review, text=f"Sorry {SCRIPT}")
    services.review_report(actor=member(), review=review, reason="other", detail=IMG)
    client.force_login(member())  # another buyer: sees the Helpful button with the title in it
    urls = [
        f"/catalogue/offers/{contract.offer.pk}/",
        f"/suppliers/{contract.supplier.pk}/",
        f"/reviews/offers/{contract.offer.pk}/",
        f"/reviews/{review.pk}/",
        f"/reviews/{review.pk}/report/",
    ]
    for url in urls:
        raw = client.get(url).content.decode()
        assert "<script>alert" not in raw, url
        assert "<img src=x" not in raw, url
        assert "&lt;script&gt;" in raw, url
    client.force_login(buyer)
    raw = client.get("/reviews/").content.decode()
    assert "<script>alert" not in raw and "&lt;script&gt;" in raw
    client.force_login(supplier_user)
    raw = client.get("/reviews/supplier/").content.decode()
    assert "<script>alert" not in raw and "&lt;script&gt;" in raw
    StaffFactory()
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    client.force_login(staff)
    for url in ("/staff/reviews/", f"/staff/reviews/{review.pk}/"):
        raw = client.get(url).content.decode()
        assert "<script>alert" not in raw and "<img src=x" not in raw, url
        assert "&lt;script&gt;" in raw, url


# --- helpful, report, respond ----------------------------------------------------------------


def test_another_buyer_marks_a_review_helpful_from_the_offer_page(client, contract):
    review = published_review(contract)
    client.force_login(member())
    offer_url = f"/catalogue/offers/{contract.offer.pk}/"
    assert "Helpful" in text(client.get(offer_url))
    assert client.get(f"/reviews/{review.pk}/helpful/").status_code == 405
    response = client.post(f"/reviews/{review.pk}/helpful/", {"next": offer_url}, follow=True)
    assert response.redirect_chain[-1][0] == offer_url
    page = text(response)
    assert "You marked this review as helpful" in page and "1 buyer found this helpful" in page
    assert "You found this helpful" in page
    response = client.post(f"/reviews/{review.pk}/helpful/", follow=True)
    assert "already marked this review as helpful" in text(response)
    review.refresh_from_db()
    assert review.helpful_count == 1


def test_helpful_refuses_unsafe_redirects(client, contract):
    review = published_review(contract)
    client.force_login(member())
    response = client.post(f"/reviews/{review.pk}/helpful/", {"next": "https://evil.example/"})
    assert response.url == f"/reviews/{review.pk}/"


def test_a_supplier_cannot_mark_helpful(client, contract):
    review = published_review(contract)
    client.force_login(member(contract.supplier))
    response = client.post(f"/reviews/{review.pk}/helpful/")
    assert response.status_code == 403 and "Only buyers" in text(response)


def test_report_a_review(client, contract):
    review = published_review(contract)
    client.force_login(member(SupplierOrganisationFactory()))
    url = f"/reviews/{review.pk}/report/"
    response = client.get(url)
    assert "reviews/report.html" in templates(response)
    response = client.post(url, {"reason": "other", "detail": ""})
    assert "Tell us what is wrong with this review" in text(response)
    response = client.post(url, {})
    assert "Select why you are reporting this review" in text(response)
    assert not ReviewReport.objects.exists()
    response = client.post(url, {"reason": "false"}, follow=True)
    assert "Our staff will look at this review" in text(response)
    assert ReviewReport.objects.get().reason == "false"


def test_reporting_needs_sign_in(client, contract):
    review = published_review(contract)
    response = client.get(f"/reviews/{review.pk}/report/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_supplier_responds_from_its_reviews_page(client, contract):
    review = published_review(contract, title="Needs better support")
    supplier_user = member(contract.supplier)
    client.force_login(supplier_user)
    page = client.get("/reviews/supplier/")
    assert "reviews/supplier_reviews.html" in templates(page)
    assert f"/reviews/{review.pk}/respond/" in page.content.decode()
    url = f"/reviews/{review.pk}/respond/"
    response = client.post(url, {"text": ""})
    assert "Enter your response" in text(response)
    response = client.post(url, {"text": "We have doubled the support team."}, follow=True)
    assert "Your response is published" in text(response)
    assert ReviewResponse.objects.get().text == "We have doubled the support team."
    offer_page = text(client.get(f"/catalogue/offers/{contract.offer.pk}/"))
    assert f"Response from {contract.supplier.name}" in offer_page
    response = client.get(url, follow=True)
    assert "already responded" in text(response)


def test_another_supplier_cannot_respond(client, contract):
    review = published_review(contract)
    client.force_login(member(SupplierOrganisationFactory()))
    assert client.get(f"/reviews/{review.pk}/respond/").status_code == 404
    client.force_login(member())
    assert client.get(f"/reviews/{review.pk}/respond/").status_code == 403
    assert not ReviewResponse.objects.exists()


# --- staff -----------------------------------------------------------------------------------


def test_staff_queue_publish_and_reject(staff_client, contract, buyer):
    held = services.review_create(
        actor=buyer, contract=contract, data=review_data(title="Held one", text="www.x.com")
    )
    reported = published_review(title="Reported one")
    services.review_report(actor=member(), review=reported, reason="offensive")
    published_review(title="Fine one")
    response = staff_client.get("/staff/reviews/")
    assert "reviews/staff/queue.html" in templates(response)
    page = text(response)
    assert "Held one" in page and "Reported one" in page and "Fine one" not in page
    assert "2 reviews to moderate" in page
    assert "Contains a link" in page and "1 report" in page

    detail = text(staff_client.get(f"/staff/reviews/{held.pk}/"))
    assert "Publish review" in detail and "Reject review" in detail and "a link" in detail
    response = staff_client.post(f"/staff/reviews/{held.pk}/publish/", follow=True)
    assert "“Held one” published" in text(response)
    held.refresh_from_db()
    assert held.status == Review.Status.PUBLISHED

    response = staff_client.post(f"/staff/reviews/{reported.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for rejecting the review" in text(response)
    reported.refresh_from_db()
    assert reported.status == Review.Status.PUBLISHED
    response = staff_client.post(
        f"/staff/reviews/{reported.pk}/reject/", {"reason": "Abusive."}, follow=True
    )
    assert "rejected" in text(response)
    reported.refresh_from_db()
    assert reported.status == Review.Status.REJECTED
    assert "There are no reviews to moderate" in text(staff_client.get("/staff/reviews/"))


def test_staff_dismiss_reports(staff_client):
    review = published_review(title="Reported but fine")
    services.review_report(actor=member(), review=review, reason="false")
    page = text(staff_client.get(f"/staff/reviews/{review.pk}/"))
    assert "It is false or misleading" in page and "Dismiss reports" in page
    response = staff_client.post(f"/staff/reviews/{review.pk}/dismiss-reports/", follow=True)
    assert "stays published" in text(response)
    assert not ReviewReport.objects.open().exists()


def test_publishing_twice_shows_a_clear_message(staff_client):
    review = published_review()
    response = staff_client.post(f"/staff/reviews/{review.pk}/publish/", follow=True)
    assert "not waiting for moderation" in text(response)


def test_staff_pages_are_for_staff_only(client, contract, buyer):
    review = published_review(contract)
    client.force_login(buyer)
    for url in ("/staff/reviews/", f"/staff/reviews/{review.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/reviews/{review.pk}/reject/", {"reason": "x"}).status_code == 403
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
