"""Template helpers for contract pages."""

from __future__ import annotations

from datetime import timedelta

from django import template

from ..timing import route_median_days

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


@register.inclusion_tag("contracts/_time_taken.html")
def time_taken(contract):
    """On the buyer's contract page: how long this one took, beside the national median."""
    median = route_median_days(contract.route) if contract.time_to_award is not None else None
    return {
        "contract": contract,
        "median": timedelta(days=median) if median is not None else None,
    }
