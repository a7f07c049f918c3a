"""Money and shares as people read them: £1,234.50 and 41.2%."""

from django import template

from reporting.exports import money_text, percent_text

register = template.Library()


@register.filter
def pounds(value) -> str:
    return "—" if value is None else money_text(value)


@register.filter
def percent(value, places: int = 1) -> str:
    return percent_text(value, int(places))
