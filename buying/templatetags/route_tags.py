"""The route recommendation shown in the requirement and shortlist journeys."""

from __future__ import annotations

from django import template

from ..services.route_advice import route_recommend

register = template.Library()


@register.inclusion_tag("buying/_route_advice.html")
def route_advice(requirement, lot=None):
    if requirement is None:
        return {"advice": None}
    return {"advice": route_recommend(requirement, lot=lot), "requirement": requirement}
