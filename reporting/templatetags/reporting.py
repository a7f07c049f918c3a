"""Money and shares as people read them: £1,234.50 and 41.2%."""

from django import template

from ndx import plain_words
from reporting.exports import money_text, percent_text

register = template.Library()


@register.filter
def pounds(value) -> str:
    return "—" if value is None else money_text(value)


@register.filter
def percent(value, places: int = 1) -> str:
    return percent_text(value, int(places))


@register.filter
def share_as_read(value) -> str:
    """A share of 1 as a percentage rounded as people read it ('0.15%', never '0.1482%')."""
    return plain_words.percent(value, fraction=True) if value is not None else "—"
