"""Writing the demo plan (plan.py) to the database: only what is missing, so seeding twice
changes nothing. Rows are bulk-created in the plan's order, so a fresh database always gets
the same rows with the same ids."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models.functions import Lower

from catalogue.models import (
    DeclarationQuestion,
    Framework,
    FrameworkMembership,
    Lot,
    Offer,
    OfferRevision,
)
from catalogue.search_index import revision_search_index
from ndx.accounts.models import Organisation, User

from ..models import LotApplication, SupplierProfile, classify_size
from .plan import OfferSpec, Plan, SupplierSpec, supply, words

Lots = dict[tuple[str, str], Lot]

OFFER_STATUS = {
    "published": Offer.Status.PUBLISHED,
    "history": Offer.Status.PUBLISHED,
    "changes": Offer.Status.PUBLISHED,
    "withdrawn": Offer.Status.WITHDRAWN,
    "suspended": Offer.Status.SUSPENDED,
    "submitted": Offer.Status.SUBMITTED,
    "draft": Offer.Status.DRAFT,
    "rejected": Offer.Status.REJECTED,
}


def seed_organisations(plan: Plan) -> dict[str, Organisation]:
    """Each planned supplier's organisation (the demo logins' ones already exist)."""
    by_name = {
        org.lname: org
        for org in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).annotate(
            lname=Lower("name")
        )
    }
    organisations = {}
    for spec in plan.suppliers:
        organisation = by_name.get(spec.name.lower())
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec.name, kind=Organisation.Kind.SUPPLIER
            )
        organisations[spec.name] = organisation
    return organisations


def _profile(
    spec: SupplierSpec, organisation: Organisation, rng: random.Random, number: str
) -> SupplierProfile:
    headcount, turnover, balance = supply()["bands"][spec.size]
    size = classify_size(headcount, turnover, balance)
    history = words()["supplier_history"][spec.specialism].format(year=spec.founded)
    description = words()["profile_description"].format(history=history, town=spec.place.town)
    if spec.vcse:
        description += words()["profile_vcse_sentence"]
    # Drawn in this order: building number, inward postcode, phone line.
    letters = words()["postcode_inward_letters"]
    building = rng.randint(1, 180)
    inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    line = f"{rng.randint(0, 999):03d}"
    return SupplierProfile(
        organisation=organisation,
        legal_name=spec.name,
        trading_name=" ".join(spec.name.split()[:2]),
        companies_house_number=number,
        address_line_1=f"{building} {spec.place.street}",
        town=spec.place.town,
        postcode=f"{spec.place.postcode_district} {inward}",
        region=spec.place.region,
        headcount_band=headcount,
        turnover_band=turnover,
        balance_sheet_band=balance,
        size=size,
        is_sme=size != "large",
        is_vcse=spec.vcse,
        description=description,
        website=spec.website,
        contact_name=spec.contact_name,
        contact_email=spec.contact_email,
        contact_phone=f"{spec.place.phone_prefix}{line}",
    )


def seed_profiles(plan: Plan, organisations: dict[str, Organisation]) -> None:
    have_profile = set(
        SupplierProfile.objects.filter(organisation__in=organisations.values()).values_list(
            "organisation_id", flat=True
        )
    )
    taken = set(
        SupplierProfile.objects.exclude(companies_house_number="").values_list(
            "companies_house_number", flat=True
        )
    )
    profiles = []
    rng = random.Random(supply()["seed"] + 1)
    for spec in plan.suppliers:
        number = spec.company_number if spec.company_number not in taken else ""
        # Draw the address either way, so every supplier's details stay the same.
        profile = _profile(spec, organisations[spec.name], rng, number)
        if organisations[spec.name].pk not in have_profile:
            profiles.append(profile)
    SupplierProfile.objects.bulk_create(profiles)


def _answers(framework: Framework) -> list[dict[str, Any]]:
    """A declaration that passes: the required answer, or "yes", to every question."""
    answers = []
    for question in framework.questions.all():
        if question.kind == DeclarationQuestion.Kind.YES_NO:
            answer = question.required_answer or "yes"
        else:
            answer = words()["declaration_text_answer"]
        answers.append({"question_id": question.pk, "question": question.text, "answer": answer})
    return answers


def seed_standing(plan: Plan, organisations, lots: Lots, staff, now: datetime) -> None:
    """Approved and waiting lot applications, and a membership of each approved framework."""
    org_ids = [org.pk for org in organisations.values()]
    applications = set(
        LotApplication.objects.filter(supplier_id__in=org_ids).values_list("supplier_id", "lot_id")
    )
    memberships = set(
        FrameworkMembership.objects.filter(supplier_id__in=org_ids).values_list(
            "supplier_id", "framework_id"
        )
    )
    answers: dict[int, list] = {}
    new_applications, new_memberships = [], []
    for spec in plan.suppliers:
        organisation = organisations[spec.name]
        for status, wanted in (("approved", spec.lots), ("submitted", spec.pending)):
            for reference, slug in wanted:
                lot = lots[(reference, slug)]
                if (organisation.pk, lot.pk) in applications:
                    continue
                applications.add((organisation.pk, lot.pk))
                if lot.framework_id not in answers:
                    answers[lot.framework_id] = _answers(lot.framework)
                approved = status == "approved"
                new_applications.append(
                    LotApplication(
                        supplier=organisation,
                        lot=lot,
                        status=status,
                        answers=answers[lot.framework_id],
                        decided_by=staff if approved else None,
                        decided_at=now - timedelta(days=300) if approved else None,
                    )
                )
                if approved and (organisation.pk, lot.framework_id) not in memberships:
                    memberships.add((organisation.pk, lot.framework_id))
                    suspended = spec.suspended_on == reference
                    new_memberships.append(
                        FrameworkMembership(
                            supplier=organisation,
                            framework=lot.framework,
                            status="suspended" if suspended else "active",
                            reason=words()["reasons"]["suspended_supplier"] if suspended else "",
                        )
                    )
    LotApplication.objects.bulk_create(new_applications)
    FrameworkMembership.objects.bulk_create(new_memberships)


class _Revisions:
    """The revisions of new offers, collected in order for one bulk_create."""

    def __init__(self, staff, now: datetime):
        self.rows: list[OfferRevision] = []
        self.staff, self.now = staff, now

    def add(self, offer, author, number, status, values, **extra) -> int:
        self.rows.append(
            OfferRevision(
                offer=offer, number=number, status=status, created_by=author, **values, **extra
            )
        )
        return len(self.rows) - 1

    def for_offer(self, offer, spec: OfferSpec, author) -> tuple[int | None, int | None]:
        """Add the revisions of an offer in the spec's state: (published, working) positions."""
        content, when, staff = spec.content, self.now - timedelta(days=spec.age_days), self.staff
        reviewed = {"published_at": when, "reviewed_at": when, "reviewed_by": staff}
        published = working = None
        if spec.state in ("published", "withdrawn", "suspended", "changes"):
            published = self.add(offer, author, 1, "published", content, **reviewed)
        if spec.state == "history":
            older = {
                **content,
                "price": content["list_price"],
                "features": content["features"][:-1] or content["features"],
            }
            earlier = when - timedelta(days=120)
            self.add(
                offer, author, 1, "superseded", older,
                published_at=earlier, reviewed_at=earlier, reviewed_by=staff,
            )  # fmt: skip
            published = self.add(offer, author, 2, "published", content, **reviewed)
        if spec.state == "changes":
            cheaper = {
                **content,
                "price": max(
                    Decimal("0.50"), (content["price"] * Decimal("0.9")).quantize(Decimal("0.01"))
                ),
                "summary": content["summary"] + words()["lower_price_summary_suffix"],
            }
            submitted = self.now - timedelta(days=2)
            working = self.add(offer, author, 2, "submitted", cheaper, submitted_at=submitted)
        if spec.state == "submitted":
            working = self.add(offer, author, 1, "submitted", content, submitted_at=when)
        if spec.state == "draft":
            working = self.add(offer, author, 1, "draft", content)
        if spec.state == "rejected":
            working = self.add(
                offer, author, 1, "rejected", content,
                submitted_at=when, reviewed_at=when + timedelta(days=1), reviewed_by=staff,
                rejection_reason=words()["reasons"]["rejected"],
            )  # fmt: skip
        return published, working


def seed_offers(plan: Plan, organisations, lots: Lots, staff, now: datetime) -> int:
    """The planned offers not yet in the database, with their revisions; how many were new."""
    prefix = supply()["external_id_prefix"]
    existing = set(
        Offer.objects.filter(external_id__startswith=prefix).values_list("external_id", flat=True)
    )
    todo = [spec for spec in plan.offers if spec.external_id not in existing]
    if not todo:
        return 0
    authors = {
        name: User.objects.filter(
            membership__organisation=organisations[name], membership__role="admin"
        ).first()
        for name in supply()["demo_suppliers"]
        if name in organisations
    }
    offers = Offer.objects.bulk_create(
        [
            Offer(
                supplier=organisations[spec.supplier],
                lot=lots[(spec.framework, spec.lot)],
                external_id=spec.external_id,
                status=Offer.Status.DRAFT,
            )
            for spec in todo
        ],
        batch_size=500,
    )
    revisions = _Revisions(staff, now)
    pointers = [
        (offer, spec, *revisions.for_offer(offer, spec, authors.get(spec.supplier)))
        for offer, spec in zip(offers, todo, strict=True)
    ]
    rows = OfferRevision.objects.bulk_create(revisions.rows, batch_size=500)
    reasons = {
        "withdrawn": words()["reasons"]["withdrawn"],
        "suspended": words()["reasons"]["suspended_offer"],
    }
    for offer, spec, published, working in pointers:
        offer.published_revision = rows[published] if published is not None else None
        offer.working_revision = rows[working] if working is not None else None
        offer.status = OFFER_STATUS[spec.state]
        offer.status_reason = reasons.get(spec.state, "")
        if published is not None:
            first = now - timedelta(days=spec.age_days + (120 if spec.state == "history" else 0))
            offer.first_published_at = first
    Offer.objects.bulk_update(
        offers,
        ["published_revision", "working_revision", "status", "status_reason", "first_published_at"],
        batch_size=500,
    )
    revision_search_index(
        revision_ids=[r.pk for r in rows if r.status == OfferRevision.Status.PUBLISHED]
    )
    return len(todo)
