"""Plain words in templates: `{% load plain %}`.

{{ entry|audit_sentence }}          Shortlist frozen by Priya Shah
{{ months|count_noun:"month" }}     1 month / 2 months
{{ n|count_noun:"person,people" }}  1 person / 2 people
{{ value|money }}                   £12,500 / £1.2m
{{ value|money:"year" }}            £150,000 a year
{{ share|percent }}                 0.15% / 40%   (value is a percentage)
{{ ratio|percent:"fraction" }}      40%           (value is a share of 1)
"""

from django import template

from ndx import plain_words
from ndx.audit.sentences import action_phrase
from ndx.audit.sentences import audit_sentence as _audit_sentence

register = template.Library()


@register.filter
def audit_sentence(entry) -> str:
    return _audit_sentence(entry)


@register.filter
def audit_action(code: str) -> str:
    """Just the phrase for an action code: 'Shortlist frozen'."""
    return action_phrase(code)


@register.filter
def count_noun(count, nouns: str) -> str:
    singular, _, plural = nouns.partition(",")
    return plain_words.count_noun(count, singular.strip(), plural.strip() or None)


@register.filter
def money(value, per: str = "") -> str:
    return plain_words.money(value, per=per)


@register.filter
def percent(value, kind: str = "") -> str:
    return plain_words.percent(value, fraction=kind == "fraction")
