"""Template helpers for contract pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.db.models import Sum
from django.utils import timezone

from ..models import Contract
from ..services.performance import reports_due
from ..services.renewals import contracts_ending
from ..timing import route_median_days
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


@register.inclusion_tag("contracts/_due.html")
def contracts_to_do(user) -> dict:
    """The buyer's contract to-dos (reports due and overdue, contracts ending in 90 days,
    benefits to assess), for any dashboard: {% load contract_tags %}{% contracts_to_do user %}."""
    today = timezone.localdate()
    contracts = Contract.objects.held_by(user)
    return {
        "today": today,
        "due": [
            (contract, period)
            for contract in contracts.filter(kpi_set__isnull=False).distinct()
            for period in reports_due(contract, today)
        ],
        "ending_90": contracts_ending(contracts, days=90, today=today),
        "awaiting_benefits": contracts.filter(
            status=Contract.Status.ACTIVE, end_date__lt=today, benefits=""
        ),
    }


@register.inclusion_tag("contracts/_time_taken.html")
def time_taken(contract):
    """On the buyer's contract page: how long this one took, beside the national median."""
    median = route_median_days(contract.route) if contract.time_to_award is not None else None
    return {
        "contract": contract,
        "median": timedelta(days=median) if median is not None else None,
    }
