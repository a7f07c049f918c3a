"""Template helpers for contract pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.db.models import Sum

from ..models import Contract
from ..value import headroom

register = template.Library()


@register.filter
def days(value) -> str:
    """'23 days' for a duration; 'less than a day'; empty for none."""
    if not isinstance(value, timedelta):
        return ""
    if value < timedelta(days=1):
        return "less than a day"
    count = value.days
    return f"{count:,} day{'s' if count != 1 else ''}"


@register.inclusion_tag("contracts/_headroom.html")
def framework_headroom(framework) -> dict:
    """The framework's maximum value, what has been awarded through it (variations included,
    as the contracts now stand) and what is left; and the value awarded through each lot.
    Catalogue pages load this tag library: catalogue never imports contracts in Python."""
    contracts = Contract.objects.all()
    lots = (
        contracts.filter(offer__lot__framework=framework)
        .values("offer__lot__number", "offer__lot__name")
        .annotate(awarded=Sum("value"))
        .order_by("offer__lot__number")
    )
    return {"framework": framework, "room": headroom(framework, contracts), "lots": list(lots)}
