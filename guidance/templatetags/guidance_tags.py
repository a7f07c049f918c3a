"""Template tags other apps' templates `{% load %}` to link the playbook (no Python import)."""

from __future__ import annotations

from django import template

from ..models import CaseStudy

register = template.Library()

# The one playbook section that answers each journey step's question: (page, section, link text).
# tests/guidance/test_guidance.py checks that every section exists in the shipped pages.
STEP_GUIDANCE: dict[str, tuple[str, str, str]] = {
    "requirement:title": ("writing-requirements", "describe-the-problem", "Naming your need"),
    "requirement:problem": (
        "writing-requirements",
        "describe-the-problem",
        "How to describe the problem, not the product",
    ),
    "requirement:users": ("writing-requirements", "say-who-the-users-are", "Describing users"),
    "requirement:needs": (
        "writing-requirements",
        "must-haves-and-nice-to-haves",
        "Choosing must-haves and nice-to-haves",
    ),
    "requirement:budget": (
        "choosing-a-route",
        "how-ndx-recommends-a-route",
        "How your budget decides the route",
    ),
    "requirement:timescale": (
        "writing-requirements",
        "budget-and-timescale",
        "Setting a realistic timescale",
    ),
    "requirement:location": ("sustainability", "hosting-and-energy", "Hosting and energy"),
    "requirement:security": ("accessibility", "checking-an-offer", "Checking an offer"),
    "requirement:preference": (
        "choosing-a-route",
        "how-ndx-recommends-a-route",
        "Which lot and which route",
    ),
    "requirement:check": (
        "choosing-a-route",
        "how-ndx-recommends-a-route",
        "What happens after you submit",
    ),
    "competition:create": ("social-value", "the-model-criteria", "Model social value criteria"),
    "competition:score": ("social-value", "scoring-responses", "How to score responses"),
    "competition:award": (
        "choosing-a-route",
        "when-you-must-run-a-further-competition",
        "Awarding after a further competition",
    ),
    "award:direct": (
        "choosing-a-route",
        "when-you-can-award-directly",
        "When you can award directly",
    ),
    "award:contract": ("managing-a-contract", "key-performance-indicators", "Managing a contract"),
}


@register.simple_tag
def case_study_of(contract):
    """The case study offered for this contract, or None."""
    return CaseStudy.objects.filter(contract=contract).first()


@register.simple_tag
def contract_achieved(contract) -> bool:
    """Whether the buyer recorded one of the contract's outcomes as achieved (a case study can
    then be offered)."""
    from ..services import contract_achieved_something

    return contract_achieved_something(contract)


@register.inclusion_tag("guidance/_offer_case_studies.html")
def offer_case_studies(offer):
    """Published case studies of contracts bought through this offer."""
    studies = CaseStudy.objects.of_offer(offer).select_related("organisation")[:5]
    return {"case_studies": list(studies)}


@register.inclusion_tag("guidance/_guidance_link.html")
def step_guidance(step: str):
    """The playbook section for a journey step (`"requirement:" + step`, `"award:direct"`)."""
    slug, anchor, text = STEP_GUIDANCE[step]
    return {"slug": slug, "anchor": anchor, "text": text}


@register.inclusion_tag("guidance/_guidance_link.html")
def guidance_link(slug: str, anchor: str = "", text: str = "Read the guidance"):
    """A link to one section of a playbook page: the question a journey step asks."""
    return {"slug": slug, "anchor": anchor, "text": text}
