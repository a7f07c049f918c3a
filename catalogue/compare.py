"""Comparing up to four offers side by side. The list lives in the session, so it works for
anyone and survives signing in (Django keeps session data when it rotates the key)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from ndx.plain_words import count_noun, money

from . import pricing
from .models import Offer

LIMIT = 4
SESSION_KEY = "ndx_compare"


def compare_ids(session) -> list[int]:
    ids = session.get(SESSION_KEY) or []
    return [i for i in ids if isinstance(i, int)][:LIMIT]


def compare_add(*, session, user, offer_id: int) -> Offer:
    offer = (
        Offer.objects.visible_to(user)
        .published()
        .select_related("published_revision")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise ValidationError("That offer is not available to compare.")
    ids = compare_ids(session)
    if offer.pk in ids:
        raise ValidationError(f"{offer} is already in your comparison.")
    if len(ids) >= LIMIT:
        raise ValidationError(
            f"You can compare up to {LIMIT} offers. Remove one before adding another."
        )
    session[SESSION_KEY] = [*ids, offer.pk]
    return offer


def compare_remove(*, session, offer_id: int) -> None:
    session[SESSION_KEY] = [i for i in compare_ids(session) if i != offer_id]


def compare_offers(*, session, user) -> list[Offer]:
    """The offers in the comparison that this user may still see, in the order added."""
    ids = compare_ids(session)
    found = {
        o.pk: o
        for o in Offer.objects.visible_to(user)
        .published()
        .filter(pk__in=ids)
        .select_related("published_revision", "lot__framework", "supplier__supplier_profile")
    }
    return [found[i] for i in ids if i in found]


def _money(value) -> str:
    return "Not stated" if value is None else f"£{value:,.2f}"


def comparison_rows(offers: list[Offer]) -> list[dict[str, Any]]:
    def profile(o):
        return getattr(o.supplier, "supplier_profile", None)

    def rating(o):
        if not o.rating_count:
            return "No reviews yet"
        plural = "s" if o.rating_count != 1 else ""
        return f"{o.rating_average} out of 5 ({o.rating_count} review{plural})"

    spec = [
        ("Supplier", lambda o: o.supplier.name),
        ("National price", lambda o: _money(o.published_revision.price)),
        ("Unit", lambda o: o.published_revision.get_pricing_model_display()),
        ("List price", lambda o: _money(o.published_revision.list_price)),
        ("VAT", lambda o: o.published_revision.get_vat_display()),
        (
            "Minimum term",
            lambda o: (
                "None"
                if not o.published_revision.minimum_term_months
                else count_noun(o.published_revision.minimum_term_months, "month")
            ),
        ),
        (
            "Certifications",
            lambda o: ", ".join(o.published_revision.certification_labels()) or "None stated",
        ),
        (
            "Data hosting",
            lambda o: o.published_revision.get_hosting_location_display() or "Not stated",
        ),
        ("Features", lambda o: "; ".join(o.published_revision.features) or "None stated"),
        ("Service levels", lambda o: o.published_revision.service_levels or "Not stated"),
        ("SME", lambda o: profile(o).sme_label if profile(o) else "Not stated"),
        ("Rating", rating),
        ("Framework and lot", lambda o: f"{o.lot.framework.name}, {o.lot.name}"),
    ]
    rows = []
    for label, fn in spec:
        values = [str(fn(o)) for o in offers]
        rows.append({"label": label, "values": values, "differs": len(set(values)) > 1})
    return rows


def _whole(raw, low: int, high: int) -> int | None:
    try:
        value = int(str(raw).strip().replace(",", ""))
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def estimate_inputs(params) -> tuple[int | None, int | None, list[str]]:
    """The quantity and term (months) typed on the comparison, and any problems with them."""
    quantity_raw, months_raw = params.get("quantity", ""), params.get("months", "")
    errors = []
    quantity = _whole(quantity_raw, 1, pricing.MAX_QUANTITY) if quantity_raw else None
    months = _whole(months_raw, 1, pricing.MAX_MONTHS) if months_raw else None
    if quantity_raw and quantity is None:
        errors.append(f"Enter a quantity: a whole number from 1 to {pricing.MAX_QUANTITY:,}")
    if months_raw and months is None:
        errors.append(f"Enter the contract length in months, from 1 to {pricing.MAX_MONTHS}")
    return quantity, months, errors


def estimate_row(offers: list[Offer], quantity: int, months: int) -> dict[str, Any]:
    """The estimated total cost of each offer for this quantity and term (catalogue/pricing),
    the lowest marked."""
    estimates = [
        pricing.estimate_for_revision(o.published_revision, quantity=quantity, months=months)
        for o in offers
    ]
    totals = [e.total for e in estimates if e is not None]
    lowest = min(totals) if len(totals) > 1 else None
    values = []
    for estimate in estimates:
        if estimate is None:
            values.append("No price stated")
            continue
        text = money(estimate.total)
        if estimate.minimum_term_applied:
            text += f" (its minimum term is {count_noun(estimate.months, 'month')})"
        if lowest is not None and estimate.total == lowest:
            text += " (lowest)"
        values.append(text)
    return {
        "label": f"Estimated total cost for {quantity:,} over {count_noun(months, 'month')}",
        "values": values,
        "differs": len(set(values)) > 1,
        "estimates": estimates,
    }
