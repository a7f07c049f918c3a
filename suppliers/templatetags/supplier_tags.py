"""Small display helpers for supplier pages: status tags and links to other helpers' pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from ndx.govuk import render_component

register = template.Library()

_COLOURS = {
    "lotapplication": {
        "submitted": "blue",
        "approved": "green",
        "rejected": "red",
        "withdrawn": "grey",
    },
    "frameworkmembership": {"active": "green", "suspended": "yellow", "removed": "red"},
    "catalogueimport": {"queued": "grey", "running": "blue", "succeeded": "green", "failed": "red"},
}


@register.simple_tag
def status_tag(obj) -> SafeString:
    """A GOV.UK tag for an application's, a membership's or a catalogue import's status."""
    colour = _COLOURS.get(obj._meta.model_name, {}).get(obj.status)
    params = {"text": obj.get_status_display()}
    if colour:
        params["classes"] = f"govuk-tag--{colour}"
    return render_component("tag", params)


@register.simple_tag
def offer_create_href(lot) -> str:
    """Where a supplier starts an offer in `lot` (the offer pages may not be wired up yet)."""
    try:
        base = reverse("catalogue:supplier_offer_create")
    except NoReverseMatch:
        base = "/suppliers/offers/new/"
    return f"{base}?lot={lot.pk}"
