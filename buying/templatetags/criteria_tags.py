"""The model social value criteria on competition pages."""

from __future__ import annotations

from django import template

from contracts.social_value import BY_KEY

register = template.Library()


@register.simple_tag
def competition_themes(competition):
    return [BY_KEY[key] for key in competition.social_value_themes if key in BY_KEY]
