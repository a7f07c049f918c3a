"""Demo reviews: a published, verified review of each demo contract that has started, some with
the supplier's response and helpful votes, and one held for staff (it contains a link).

Runs after the buying demo (which creates the contracts). With no contracts it does nothing;
running it again changes nothing, because a contract that has a review is skipped."""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.utils import timezone

from contracts.models import Contract
from ndx.accounts.models import Membership, User

from ..models import Review
from ..services import review_create, review_mark_helpful, review_respond

# The content is data: reviews.json holds the review templates (overall stars, title, text,
# performance rating, and how often each is picked; sub-ratings vary around the overall), the
# suppliers' replies by rating, and the held review's text.
DATA = json.loads((Path(__file__).parent / "reviews.json").read_text(encoding="utf-8"))
TEMPLATES = [(t["rating"], t["title"], t["text"], t["performance"]) for t in DATA["templates"]]
WEIGHTS = [t["weight"] for t in DATA["templates"]]
RESPONSES = {int(rating): text for rating, text in DATA["supplier_responses"].items()}
HELD_TEXT = DATA["held_text"]


def _author(organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__email")  # admins first
        .first()
    )
    return membership.user if membership else None


def _data(rng: random.Random) -> dict:
    stars, title, text, performance = rng.choices(TEMPLATES, weights=WEIGHTS)[0]

    def near(value: int) -> int:
        return max(1, min(5, value + rng.choice([-1, 0, 0, 0, 1])))

    return {
        "rating": stars,
        "value_for_money": near(stars),
        "delivery": near(stars),
        "support": near(stars),
        "ease_of_use": near(stars),
        "performance": performance,
        "title": title,
        "text": text,
    }


def seed(out, context: dict) -> dict:
    today = timezone.localdate()
    contracts = list(
        Contract.objects.filter(start_date__lte=today)
        .exclude(reviews__isnull=False)
        .select_related("organisation", "supplier")
        .order_by("reference")
    )
    if not contracts:
        if not Review.objects.exists():
            out.write("reviews: no contracts have started yet, so there is nothing to review\n")
        return {}
    buyers = list(User.objects.filter(membership__organisation__kind="buyer").order_by("email"))
    created = held = 0
    for index, contract in enumerate(contracts):
        author = _author(contract.organisation)
        if author is None:
            continue
        rng = random.Random(contract.reference)  # the same review for the same contract
        data = _data(rng)
        hold = index == len(contracts) - 1 and len(contracts) > 2 and held == 0
        if hold:
            data["text"] = HELD_TEXT
        review = review_create(actor=author, contract=contract, data=data)
        created += 1
        if not review.is_published:
            held += 1
            continue
        responder = _author(contract.supplier)
        if responder is not None and review.rating in RESPONSES and rng.random() < 0.6:
            review_respond(actor=responder, review=review, text=RESPONSES[review.rating])
        voters = [u for u in buyers if u.organisation.pk != contract.organisation_id]
        for voter in rng.sample(voters, k=min(len(voters), rng.randint(0, 3))):
            review_mark_helpful(actor=voter, review=review)
    out.write(f"reviews: {created} reviews of demo contracts ({held} held for staff)\n")
    return {}


def describe() -> list[str]:
    return [
        "Reviews:",
        "  each demo contract that has started has a verified review; ratings and histograms",
        "  show on offer and supplier pages; buyers see theirs at /reviews/, suppliers at",
        "  /reviews/supplier/, and staff moderate held and reported reviews at /staff/reviews/",
    ]
