"""Volume price tiers: which unit price applies to a quantity. A tier applies from its
`from_quantity` upwards (inclusive) until the next tier; below the first tier, the revision's
national price. Used by the pooled further competition (the combined quantity of all buyers)
and shown on offer pages and in search."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from .models import OfferRevision, VolumeTier

MAX_TIERS = 5


def unit_price_for(base_price: Decimal | None, tiers: Iterable, quantity: Decimal | int):
    """The unit price for `quantity`: the tier with the highest from_quantity at or below it,
    else the base price. `tiers` are VolumeTier rows or (from_quantity, unit_price) pairs."""
    best_from, price = 0, base_price
    for tier in tiers:
        start, tier_price = (
            (tier.from_quantity, tier.unit_price) if isinstance(tier, VolumeTier) else tier
        )
        if start <= quantity and start > best_from:
            best_from, price = start, tier_price
    return price


def revision_unit_price(revision: OfferRevision, quantity: Decimal | int) -> Decimal | None:
    return unit_price_for(revision.price, revision.tiers.all(), quantity)


def _check(revision: OfferRevision, tiers: list[tuple[int, Decimal]]) -> None:
    if len(tiers) > MAX_TIERS:
        raise ValidationError(f"An offer can state at most {MAX_TIERS} volume price tiers.")
    if revision.price is None:
        raise ValidationError("State the national price before volume price tiers.")
    starts = [start for start, _ in tiers]
    if len(set(starts)) != len(starts):
        raise ValidationError("Each volume price tier must start at a different quantity.")
    previous = revision.price
    for start, price in sorted(tiers):
        if start < 2:
            raise ValidationError("A volume price tier must start at a quantity of 2 or more.")
        if price >= previous:
            raise ValidationError(
                f"The price from {start:,} must be lower than the price below it (£{previous})."
            )
        previous = price


@transaction.atomic
def revision_tiers_set(
    *,
    actor: User | None,
    revision: OfferRevision,
    tiers: list[tuple[int, Decimal]],
    published_ok: bool = False,
) -> list[VolumeTier]:
    """Replace a revision's tiers. Each tier's price must be lower than the one below it.
    Only a draft's tiers change, except when loading data (`published_ok`: demo, import)."""
    if not revision.is_editable and not published_ok:
        raise ValidationError("Volume price tiers can only be changed on a draft of an offer.")
    tiers = [(int(start), Decimal(price)) for start, price in tiers]
    _check(revision, tiers)
    revision.tiers.all().delete()
    rows = VolumeTier.objects.bulk_create(
        VolumeTier(revision=revision, from_quantity=start, unit_price=price)
        for start, price in sorted(tiers)
    )
    audit_record(
        actor=actor,
        action="offer.volume_tiers_set",
        obj=revision,
        detail={"tiers": [[start, str(price)] for start, price in sorted(tiers)]},
    )
    return rows
