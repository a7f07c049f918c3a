"""Demo reviews: a published, verified review of each demo contract that has started, some with
the supplier's response and helpful votes, and one held for staff (it contains a link).

Runs after the buying demo (which creates the contracts). With no contracts it does nothing;
running it again changes nothing, because a contract that has a review is skipped."""

from __future__ import annotations

import random

from django.utils import timezone

from contracts.models import Contract
from ndx.accounts.models import Membership, User

from .models import Review
from .services import review_create, review_mark_helpful, review_respond

# (overall stars, title, text, performance rating); sub-ratings vary around the overall.
TEMPLATES = [
    (
        5,
        "Smooth roll-out and responsive support",
        "We went live on time. The supplier's onboarding team trained our staff in small groups "
        "and stayed on hand for the first fortnight. Support tickets are answered the same day.",
        "good",
    ),
    (
        5,
        "Exactly what the service needed",
        "It replaced three spreadsheets and a paper process. Our team found it easy to learn, "
        "and the supplier listened when we asked for changes to the reports.",
        "good",
    ),
    (
        4,
        "Good product, slow start",
        "The product does what it says and staff like it. Data migration took longer than "
        "planned, but the supplier put extra people on it and we caught up.",
        "good",
    ),
    (
        4,
        "Reliable, with a few gaps in reporting",
        "Availability has been excellent since go-live. Some of the reports we need for our "
        "board still have to be built by hand; the supplier says these are on their roadmap.",
        "approaching_target",
    ),
    (
        3,
        "Does the job, but support could be better",
        "The core features work well. Support is slow outside office hours and we have had to "
        "chase answers more than once. Pricing was clear and matched the quote.",
        "approaching_target",
    ),
    (
        2,
        "Missed milestones",
        "Two of the first three milestones slipped, and we had to escalate to the account "
        "manager. Things have improved recently, but it has not been the experience we expected.",
        "requires_improvement",
    ),
]
WEIGHTS = [4, 3, 4, 3, 2, 1]

RESPONSES = {
    5: "Thank you for the kind words. We are glad the roll-out went well for your team.",
    4: "Thank you. We have shared your feedback with the product team.",
    3: "Thank you for the honest feedback. We are extending our support hours this quarter.",
    2: "We are sorry about the delays. Our delivery lead will meet your team to agree a plan.",
}

HELD_TEXT = (
    "Works well. We wrote up our lessons learned at https://intranet.example.gov.uk/lessons "
    "if other councils want to read them."
)


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
