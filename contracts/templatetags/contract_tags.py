"""Template helpers for contract pages."""

from __future__ import annotations

from datetime import timedelta

from django import template

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
