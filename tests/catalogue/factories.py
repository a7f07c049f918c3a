from decimal import Decimal

import factory
from django.utils import timezone

from catalogue.models import DeclarationQuestion, Framework, Lot, Offer, OfferRevision


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A live framework (approved by staff)."""

    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"Technology Products {n}")
    reference = factory.Sequence(lambda n: f"RM{6000 + n}")
    kind = Framework.Kind.FRAMEWORK
    description = "Pre-approved technology products and services."
    status = Framework.Status.LIVE
    approved_at = factory.LazyFunction(timezone.now)


class DraftFrameworkFactory(FrameworkFactory):
    status = Framework.Status.DRAFT
    approved_at = None


class DynamicMarketFactory(FrameworkFactory):
    name = factory.Sequence(lambda n: f"Digital Marketplace {n}")
    kind = Framework.Kind.DYNAMIC_MARKET


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Cloud software {n}")
    slug = factory.Sequence(lambda n: f"cloud-software-{n}")
    description = "Software delivered as a service."
    direct_award_allowed = True
    categories = factory.LazyFunction(list)


class DeclarationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclarationQuestion

    framework = factory.SubFactory(FrameworkFactory)
    text = "Do you accept the framework's terms and conditions?"
    kind = DeclarationQuestion.Kind.YES_NO
    required_answer = "yes"


def revision_content(**overrides):
    """Valid, complete content for an offer revision."""
    content = {
        "title": "Case management for adult social care",
        "summary": "Cloud case management built for councils.",
        "description": "Record assessments, plan care and share records securely.",
        "features": ["Assessments", "Care plans"],
        "benefits": ["Less paperwork"],
        "categories": [],
        "cpv_codes": ["72000000"],
        "pricing_model": "per_user_month",
        "price": Decimal("12.50"),
        "list_price": Decimal("15.00"),
        "vat": "excluding",
        "minimum_term_months": 12,
        "service_levels": "99.9% availability",
        "certifications": ["cyber-essentials"],
        "hosting_location": "uk",
        "accessibility": "full",
    }
    content.update(overrides)
    return content


def make_offer(supplier, lot, *, status="published", user=None, **content) -> Offer:
    """An offer with one revision in `status` (published, draft or submitted), bypassing review."""
    offer = Offer.objects.create(supplier=supplier, lot=lot)
    revision_status = {"published": "published", "draft": "draft", "submitted": "submitted"}[status]
    now = timezone.now()
    revision = OfferRevision.objects.create(
        offer=offer,
        number=1,
        status=revision_status,
        created_by=user,
        published_at=now if status == "published" else None,
        submitted_at=now if status != "draft" else None,
        **revision_content(**content),
    )
    if status == "published":
        offer.published_revision = revision
        offer.status = Offer.Status.PUBLISHED
        offer.first_published_at = now
    else:
        offer.working_revision = revision
        offer.status = Offer.Status.SUBMITTED if status == "submitted" else Offer.Status.DRAFT
    offer.save()
    return offer
