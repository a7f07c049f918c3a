"""Template helpers for catalogue pages: money, status tags and money inputs with a £ prefix."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.safestring import SafeString

from ndx.govuk import clean_params, field_component, render_component

register = template.Library()

OFFER_TAG_COLOURS = {
    "draft": "govuk-tag--grey",
    "submitted": "govuk-tag--blue",
    "published": "govuk-tag--green",
    "rejected": "govuk-tag--red",
    "withdrawn": "govuk-tag--yellow",
    "suspended": "govuk-tag--orange",
    "superseded": "govuk-tag--grey",
}
FRAMEWORK_TAG_COLOURS = {
    "draft": "govuk-tag--grey",
    "open": "govuk-tag--blue",
    "live": "govuk-tag--green",
    "closed": "govuk-tag--red",
    "expired": "govuk-tag--red",
}
TAG_COLOURS = {
    "offer": OFFER_TAG_COLOURS,
    "offerrevision": OFFER_TAG_COLOURS,
    "framework": FRAMEWORK_TAG_COLOURS,
}


@register.filter
def money(value) -> str:
    """£1,234.50 for 1234.5; empty for no value."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.simple_tag
def status_tag(obj) -> SafeString:
    """A GOV.UK tag for a framework's, an offer's or a revision's status."""
    colours = TAG_COLOURS.get(obj._meta.model_name, {})
    return render_component(
        "tag", {"text": obj.get_status_display(), "classes": colours.get(obj.status)}
    )


@register.simple_tag
def govuk_money_field(bound_field) -> SafeString:
    """A text input for an amount of pounds, with a £ prefix."""
    component, params = field_component(bound_field)
    params["prefix"] = {"text": "£"}
    return render_component(component, clean_params(params))


@register.simple_tag
def govuk_suffix_field(bound_field, suffix: str) -> SafeString:
    """A text input followed by a unit, like 'months'."""
    component, params = field_component(bound_field)
    params["suffix"] = {"text": suffix}
    return render_component(component, clean_params(params))


@register.filter
def paragraphs(text) -> list[str]:
    """Split text into paragraphs at blank lines."""
    blocks = re.split(r"\n\s*\n", str(text or "").replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]
