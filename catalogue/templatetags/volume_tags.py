"""Volume price tiers on offer pages and in search results."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("catalogue/offers/_volume_tiers.html")
def volume_tiers(revision):
    """The revision's tiers as a table (offer page): one row per range of quantities."""
    tiers = list(revision.tiers.all())
    rows = []
    if tiers and revision.price is not None:
        rows.append((f"1 to {tiers[0].from_quantity - 1:,}", revision.price))
        for tier, following in zip(tiers, [*tiers[1:], None], strict=True):
            if following is None:
                rows.append((f"{tier.from_quantity:,} or more", tier.unit_price))
            else:
                rows.append(
                    (f"{tier.from_quantity:,} to {following.from_quantity - 1:,}", tier.unit_price)
                )
    return {"revision": revision, "rows": rows}


@register.simple_tag
def volume_from(revision) -> str:
    """'Lower prices from 1,000' for a search result, or nothing."""
    first = revision.tiers.order_by("from_quantity").first()
    return f"Lower prices from {first.from_quantity:,}" if first else ""
