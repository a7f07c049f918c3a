"""Template helpers for reviews: stars, and the rating panels that offer and supplier pages
include (so the catalogue and supplier views need not know about reviews)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalogue.models import Offer

from ..models import HelpfulVote, OfferRatingSummary, Review
from ..services import offer_rating_summary, supplier_rating_summary

register = template.Library()

PANEL_SIZE = 3
TOP_OFFERS = 5
STATUS_COLOURS = {
    "held": "govuk-tag--yellow",
    "published": "govuk-tag--green",
    "rejected": "govuk-tag--red",
}
PERFORMANCE_COLOURS = {
    "good": "govuk-tag--green",
    "approaching_target": "govuk-tag--blue",
    "requires_improvement": "govuk-tag--orange",
    "inadequate": "govuk-tag--red",
}


@register.simple_tag
def stars(value) -> SafeString:
    """★★★★☆ for sighted users, "4 out of 5 stars" for screen readers."""
    try:
        n = max(0, min(5, round(float(value))))
    except (TypeError, ValueError):
        return format_html("{}", "")
    return format_html(
        '<span class="ndx-stars" aria-hidden="true">{}{}</span>'
        '<span class="govuk-visually-hidden">{} out of 5 stars</span>',
        "★" * n,
        "☆" * (5 - n),
        value,
    )


@register.filter
def review_status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "")


@register.filter
def performance_colour(performance: str) -> str:
    return PERFORMANCE_COLOURS.get(performance, "")


def viewer_context(request, reviews) -> dict[str, Any]:
    """Who is looking, for the buttons on each review: may they mark it helpful, respond?"""
    viewer = _viewer({"request": request})
    shown = [r.pk for r in reviews]
    viewer["voted"] = set()
    if viewer["signed_in"] and shown:
        viewer["voted"] = set(
            HelpfulVote.objects.filter(review_id__in=shown, user=viewer["user"]).values_list(
                "review_id", flat=True
            )
        )
    return viewer


def _viewer(context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    organisation = user.organisation if signed_in else None
    return {
        "user": user,
        "signed_in": signed_in,
        "organisation_id": organisation.pk if organisation else None,
        "is_buyer": bool(organisation and organisation.kind == "buyer"),
        "next": request.get_full_path() if request is not None else "",
    }


def _panel(context, reviews, summary: dict[str, Any]) -> dict[str, Any]:
    newest = list(reviews.newest()[:PANEL_SIZE])
    most_helpful = list(reviews.most_helpful().exclude(pk__in=[r.pk for r in newest])[:PANEL_SIZE])
    viewer = viewer_context(context.get("request"), newest + most_helpful)
    return {**summary, "newest": newest, "most_helpful": most_helpful, **viewer}


@register.simple_tag(takes_context=True)
def offer_reviews_panel(context, offer: Offer) -> dict[str, Any]:
    reviews = Review.objects.published().filter(offer=offer).with_details()
    panel = _panel(context, reviews, offer_rating_summary(offer=offer))
    panel["offer"] = offer
    return panel


@register.simple_tag(takes_context=True)
def supplier_reviews_panel(context, supplier) -> dict[str, Any]:
    reviews = Review.objects.published().about_supplier(supplier).with_details()
    panel = _panel(context, reviews, supplier_rating_summary(supplier=supplier))
    # Ranked by the Bayesian average: one 5-star review does not beat fifty 4.6-star ones.
    panel["top_offers"] = list(
        OfferRatingSummary.objects.filter(
            offer__in=Offer.objects.buyable().of_supplier(supplier), count__gt=0
        )
        .select_related("offer__published_revision")
        .order_by("-bayesian", "-count", "offer_id")[:TOP_OFFERS]
    )
    return panel
