"""Review workflows: each change of state, who may do it, and refusals that change nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.models import Offer
from contracts.models import Contract
from ndx.audit.models import AuditEntry
from reviews import services
from reviews.models import HelpfulVote, OfferRatingSummary, Review, ReviewReport, ReviewResponse
from tests.accounts.factories import StaffFactory, SupplierOrganisationFactory, member

from .factories import ContractFactory, buyable_offer, published_review, review_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    return ContractFactory()


@pytest.fixture
def buyer(contract):
    return member(contract.organisation)


def snapshot(offer):
    offer.refresh_from_db()
    return (
        Review.objects.count(),
        ReviewResponse.objects.count(),
        HelpfulVote.objects.count(),
        ReviewReport.objects.count(),
        offer.rating_average,
        offer.rating_count,
        AuditEntry.objects.filter(action__startswith="review.").count(),
    )


# --- Bayesian ranking ------------------------------------------------------------------------


def test_bayesian_rating_formula():
    assert services.bayesian_rating(None, 0) == services.RATING_PRIOR_MEAN
    assert services.bayesian_rating(Decimal("5"), 1) == Decimal("3.75")
    assert services.bayesian_rating(Decimal("4.6"), 50) == Decimal("4.5")
    assert services.bayesian_rating(4.0, 5, prior_mean=3.0, prior_weight=5) == pytest.approx(3.5)
    # Many reviews: the prior hardly matters.
    assert services.bayesian_rating(Decimal("4.2"), 10_000) == pytest.approx(
        Decimal("4.2"), abs=Decimal("0.001")
    )


def test_bayesian_rating_works_on_numpy_columns_for_search():
    import numpy as np

    averages = np.array([5.0, 4.6, 0.0])
    counts = np.array([1, 50, 0])
    scores = services.bayesian_rating(
        averages, counts, float(services.RATING_PRIOR_MEAN), services.RATING_PRIOR_WEIGHT
    )
    assert list(np.argsort(-scores)) == [1, 0, 2]
    assert scores[2] == pytest.approx(3.5)


def test_one_five_star_review_does_not_outrank_fifty_reviews_averaging_4_6():
    lonely = ContractFactory()
    published_review(lonely, rating=5, refresh=False)
    popular_offer = buyable_offer()
    for i in range(50):
        # 30 fives and 20 fours: an average of exactly 4.6.
        rating = 5 if i < 30 else 4
        published_review(ContractFactory(offer=popular_offer), rating=rating, refresh=False)
    one = services.offer_rating_refresh(offer=lonely.offer)
    fifty = services.offer_rating_refresh(offer=popular_offer)

    assert one.average == Decimal("5.00") and fifty.average == Decimal("4.60")
    assert fifty.bayesian > one.bayesian
    ranked = list(OfferRatingSummary.objects.order_by("-bayesian").values_list("offer", flat=True))
    assert ranked == [popular_offer.pk, lonely.offer.pk]
    assert (fifty.stars_5, fifty.stars_4, fifty.stars_3) == (30, 20, 0)
    # The plain average and count that search and matching read are kept too.
    popular_offer.refresh_from_db()
    assert (popular_offer.rating_average, popular_offer.rating_count) == (Decimal("4.60"), 50)


# --- writing ---------------------------------------------------------------------------------


def test_a_review_without_links_publishes_at_once_and_updates_the_ratings(
    contract, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        review = services.review_create(actor=buyer, contract=contract, data=review_data())
    assert review.status == Review.Status.PUBLISHED and review.published_at
    assert review.offer == contract.offer and review.revision == contract.revision
    assert review.organisation == contract.organisation and review.supplier == contract.supplier
    contract.offer.refresh_from_db()
    assert contract.offer.rating_average == Decimal("4.00")
    assert contract.offer.rating_count == 1
    assert contract.offer.rating_summary.stars_4 == 1
    assert AuditEntry.objects.filter(action="review.published", object_id=str(review.pk)).exists()
    assert callbacks, "search and matching are told after commit"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("See https://example.com/case-study for more", "a link"),
        ("Details at www.supplier.co.uk", "a link"),
        ("Their site northwind-digital.co.uk explains it", "a link"),
        ("Email jo.bloggs@council.gov.uk for a reference", "an email address"),
        ("Call me on 0113 496 0000", "a phone number"),
        ("Ring +44 (0)20 7946 0958 any time", "a phone number"),
        ("Mobile 07700900123", "a phone number"),
    ],
)
def test_links_emails_and_phone_numbers_hold_a_review_for_staff(contract, buyer, text, reason):
    review = services.review_create(actor=buyer, contract=contract, data=review_data(text=text))
    assert review.status == Review.Status.HELD
    assert reason in review.held_for
    assert review.published_at is None
    contract.offer.refresh_from_db()
    assert contract.offer.rating_count == 0


@pytest.mark.parametrize(
    "text",
    [
        "It cost £12,500 a year, 20% less than before.",
        "Version 2.0 fixed it, e.g. the 99.9% uptime target was met in 2024.",
        "We have 450 users on 3 sites; 12 months in.",
        "Support answered 1,024 tickets within 0.5 days on average.",
    ],
)
def test_ordinary_numbers_do_not_hold_a_review(text):
    assert services.moderation_holds(text) == []


def test_a_buyer_without_a_contract_cannot_review_it_and_nothing_changes(contract):
    outsider = member()  # another buyer organisation
    before = snapshot(contract.offer)
    with pytest.raises(PermissionDenied, match="Only the buyer organisation that holds"):
        services.review_create(actor=outsider, contract=contract, data=review_data())
    assert snapshot(contract.offer) == before


def test_a_second_review_on_one_contract_is_refused_and_nothing_changes(contract, buyer):
    services.review_create(actor=buyer, contract=contract, data=review_data())
    colleague = member(contract.organisation)
    before = snapshot(contract.offer)
    with pytest.raises(ValidationError, match="already reviewed this contract"):
        services.review_create(actor=colleague, contract=contract, data=review_data(rating=1))
    assert snapshot(contract.offer) == before


def test_a_supplier_cannot_review_itself_and_nothing_changes(contract):
    supplier_user = member(contract.supplier, role="admin")
    before = snapshot(contract.offer)
    with pytest.raises(PermissionDenied, match="supplier cannot review its own offer"):
        services.review_create(actor=supplier_user, contract=contract, data=review_data())
    assert snapshot(contract.offer) == before


def test_other_suppliers_and_staff_cannot_review(contract):
    for actor in (member(SupplierOrganisationFactory()), StaffFactory()):
        with pytest.raises(PermissionDenied, match="Only buyers"):
            services.review_create(actor=actor, contract=contract, data=review_data())
    assert not Review.objects.exists()


def test_a_contract_can_be_reviewed_only_once_it_has_started(buyer):
    contract = ContractFactory(
        organisation=buyer.organisation, start_date=timezone.localdate() + timedelta(days=3)
    )
    with pytest.raises(ValidationError, match="once it starts on"):
        services.review_create(actor=buyer, contract=contract, data=review_data())
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"value_for_money": None}, "value_for_money"),
        ({"delivery": 9}, "delivery"),
        ({"support": -1}, "support"),
        ({"ease_of_use": ""}, "ease_of_use"),
        ({"performance": "excellent"}, "performance"),
        ({"performance": ""}, "performance"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(
    contract, buyer, overrides, field
):
    before = snapshot(contract.offer)
    with pytest.raises(ValidationError) as exc:
        services.review_create(actor=buyer, contract=contract, data=review_data(**overrides))
    assert field in exc.value.message_dict
    assert exc.value.message_dict[field][0]
    assert snapshot(contract.offer) == before


def test_markup_is_stored_as_typed_text(contract, buyer):
    """Script or HTML is kept as plain text (templates escape it); it is not a reason to hold."""
    review = services.review_create(
        actor=buyer,
        contract=contract,
        data=review_data(title="<script>alert(1)</script>", text="<b>bold</b> <i>claims</i>"),
    )
    assert review.status == Review.Status.PUBLISHED
    assert review.title == "<script>alert(1)</script>"


# --- moderation ------------------------------------------------------------------------------


@pytest.fixture
def held(buyer):
    contract = ContractFactory(organisation=buyer.organisation)
    return services.review_create(
        actor=buyer, contract=contract, data=review_data(text="See https://example.com")
    )


def test_staff_publish_a_held_review(held):
    staff = StaffFactory()
    services.review_publish(actor=staff, review=held)
    held.refresh_from_db()
    assert held.status == Review.Status.PUBLISHED and held.moderated_by == staff
    held.offer.refresh_from_db()
    assert held.offer.rating_count == 1
    with pytest.raises(ValidationError, match="not waiting for moderation"):
        services.review_publish(actor=staff, review=held)


def test_only_staff_moderate(held, buyer):
    before = snapshot(held.offer)
    with pytest.raises(PermissionDenied):
        services.review_publish(actor=buyer, review=held)
    with pytest.raises(PermissionDenied):
        services.review_reject(actor=member(held.supplier), review=held, reason="No")
    assert snapshot(held.offer) == before


def test_staff_reject_with_a_reason_and_the_buyer_may_write_again(held, buyer):
    staff = StaffFactory()
    before = snapshot(held.offer)
    with pytest.raises(ValidationError) as exc:
        services.review_reject(actor=staff, review=held, reason="  ")
    assert exc.value.message_dict == {"reason": ["Enter the reason for rejecting the review"]}
    assert snapshot(held.offer) == before
    services.review_reject(actor=staff, review=held, reason="Links are not allowed.")
    held.refresh_from_db()
    assert held.status == Review.Status.REJECTED
    assert held.rejection_reason == "Links are not allowed."
    again = services.review_create(actor=buyer, contract=held.contract, data=review_data())
    assert again.status == Review.Status.PUBLISHED


def test_rejecting_a_published_review_takes_it_out_of_the_ratings(contract, buyer):
    review = services.review_create(actor=buyer, contract=contract, data=review_data(rating=1))
    services.review_report(actor=member(), review=review, reason="false")
    services.review_reject(actor=StaffFactory(), review=review, reason="Not about this offer.")
    contract.offer.refresh_from_db()
    assert (contract.offer.rating_average, contract.offer.rating_count) == (None, 0)
    assert contract.offer.rating_summary.stars_1 == 0
    assert not ReviewReport.objects.open().exists()


# --- supplier responses ----------------------------------------------------------------------


@pytest.fixture
def review(contract, buyer):
    return services.review_create(actor=buyer, contract=contract, data=review_data())


def test_the_supplier_responds_once(review):
    supplier_user = member(review.supplier)
    response = services.review_respond(actor=supplier_user, review=review, text=" Thank you. ")
    assert response.text == "Thank you." and response.supplier == review.supplier
    before = snapshot(review.offer)
    with pytest.raises(ValidationError, match="already responded"):
        services.review_respond(actor=member(review.supplier), review=review, text="Again")
    assert snapshot(review.offer) == before


def test_only_the_reviewed_supplier_responds_to_a_published_review(review, held, buyer):
    before = snapshot(review.offer)
    for actor in (buyer, member(SupplierOrganisationFactory()), StaffFactory()):
        with pytest.raises(PermissionDenied, match="Only the supplier"):
            services.review_respond(actor=actor, review=review, text="Hello")
    with pytest.raises(ValidationError) as exc:
        services.review_respond(actor=member(review.supplier), review=review, text="  ")
    assert exc.value.message_dict == {"text": ["Enter your response"]}
    with pytest.raises(ValidationError, match="published review"):
        services.review_respond(actor=member(held.supplier), review=held, text="Hello")
    assert snapshot(review.offer) == before


# --- helpful and reports ---------------------------------------------------------------------


def test_buyers_mark_a_review_helpful_once(review, buyer):
    other_buyer = member()
    services.review_mark_helpful(actor=other_buyer, review=review)
    review.refresh_from_db()
    assert review.helpful_count == 1
    before = snapshot(review.offer)
    with pytest.raises(ValidationError, match="already marked"):
        services.review_mark_helpful(actor=other_buyer, review=review)
    with pytest.raises(ValidationError, match="your own organisation"):
        services.review_mark_helpful(actor=buyer, review=review)
    with pytest.raises(PermissionDenied, match="Only buyers"):
        services.review_mark_helpful(actor=member(review.supplier), review=review)
    assert snapshot(review.offer) == before
    review.refresh_from_db()
    assert review.helpful_count == 1


def test_held_reviews_cannot_be_marked_or_reported(held):
    with pytest.raises(ValidationError):
        services.review_mark_helpful(actor=member(), review=held)
    with pytest.raises(ValidationError):
        services.review_report(actor=member(), review=held, reason="false")
    assert not HelpfulVote.objects.exists() and not ReviewReport.objects.exists()


def test_anyone_signed_in_reports_a_review_and_it_goes_to_the_staff_queue(review):
    assert review not in Review.objects.needing_moderation()
    supplier_user = member(review.supplier)
    services.review_report(actor=supplier_user, review=review, reason="false")
    assert list(Review.objects.needing_moderation()) == [review]
    before = snapshot(review.offer)
    with pytest.raises(ValidationError, match="already reported"):
        services.review_report(actor=supplier_user, review=review, reason="offensive")
    with pytest.raises(ValidationError) as exc:
        services.review_report(actor=member(), review=review, reason="other", detail="")
    assert "detail" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.review_report(actor=member(), review=review, reason="because")
    assert "reason" in exc.value.message_dict
    assert snapshot(review.offer) == before

    staff = StaffFactory()
    assert services.review_reports_dismiss(actor=staff, review=review) == 1
    assert review not in Review.objects.needing_moderation()
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    with pytest.raises(ValidationError, match="no open reports"):
        services.review_reports_dismiss(actor=staff, review=review)


def test_anonymous_users_cannot_report():
    from django.contrib.auth.models import AnonymousUser

    review = published_review()
    with pytest.raises(PermissionDenied):
        services.review_report(actor=AnonymousUser(), review=review, reason="false")


# --- reminders -------------------------------------------------------------------------------


def started(days_ago: int, **kwargs) -> Contract:
    return ContractFactory(start_date=timezone.localdate() - timedelta(days=days_ago), **kwargs)


def test_reminders_go_60_days_after_the_start_only_and_once(mailoutbox):
    due = started(60)
    admin, colleague = member(due.organisation, role="admin"), member(due.organisation)
    member(due.supplier)  # the supplier is not reminded
    not_yet = started(59)
    member(not_yet.organisation)
    long_ago = started(400)
    member(long_ago.organisation)
    reviewed = started(61)
    published_review(reviewed)
    member(reviewed.organisation)

    from reviews.tasks import remind_buyers_to_review

    assert remind_buyers_to_review.delay().get() == 1
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([admin.email, colleague.email])
    assert f"/reviews/contracts/{due.pk}/new/" in mailoutbox[0].body
    assert due.reference in mailoutbox[0].body
    due.refresh_from_db()
    assert due.review_reminder_sent_at is not None
    for other in (not_yet, long_ago, reviewed):
        other.refresh_from_db()
        assert other.review_reminder_sent_at is None

    # Idempotent: running again (a retry, a second beat) sends nothing more.
    assert remind_buyers_to_review.delay().get() == 0
    assert len(mailoutbox) == 1

    # The next day the 59-day contract is due.
    assert services.review_reminders_send(today=timezone.localdate() + timedelta(days=1)) == 1
    assert len(mailoutbox) == 2


def test_the_reminder_is_on_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(
        entry["task"] == "reviews.tasks.remind_buyers_to_review" for entry in schedule.values()
    )
    from ndx.celery import app

    assert "reviews.tasks.remind_buyers_to_review" in app.tasks


def test_offers_keep_their_ratings_when_search_reads_them():
    review = published_review(rating=3)
    services.offer_rating_refresh(offer=review.offer)
    offer = Offer.objects.get(pk=review.offer.pk)
    assert (offer.rating_average, offer.rating_count) == (Decimal("3.00"), 1)
