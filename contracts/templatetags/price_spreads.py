"""`{% load price_spreads %}`: what others paid, for the offer page, the comparison view and the
direct award form (catalogue and buying templates load it; no Python import)."""

from __future__ import annotations

from django import template

from ..prices import lot_category_price_spreads, offer_price_spread

register = template.Library()


@register.inclusion_tag("contracts/_price_spread.html")
def price_spread(offer, unit_label: str = "", heading: int = 3):
    """`heading`: the level of its heading (to follow the page's), or 0/False for none."""
    return {"spread": offer_price_spread(offer), "unit_label": unit_label, "heading": heading}


@register.simple_tag
def offer_spread(offer):
    """The spread itself, for a template that lays it out (the comparison table)."""
    return offer_price_spread(offer)


@register.inclusion_tag("contracts/_lot_price_spreads.html")
def lot_price_spreads(lot):
    return {"lot": lot, "spreads": lot_category_price_spreads(lot)}
