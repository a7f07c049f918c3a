"""What a buyer can do from an offer's page (catalogue shows it with `{% load offer_actions %}
{% offer_actions offer buyable %}`, a template tag, so catalogue imports nothing of buying):
add it to the comparison, add it to one of the organisation's open shortlists, award directly
where the lot allows it, or sign in to buy when signed out."""

from django import template

from catalogue.compare import compare_ids

from ..models import Shortlist

register = template.Library()


@register.inclusion_tag("buying/_offer_actions.html", takes_context=True)
def offer_actions(context, offer, buyable: bool) -> dict:
    request = context["request"]
    user = request.user
    signed_in = user.is_authenticated
    is_buyer = signed_in and user.is_buyer
    shortlists = (
        list(Shortlist.objects.visible_to(user).filter(status=Shortlist.Status.OPEN)[:10])
        if is_buyer and buyable
        else []
    )
    ids = compare_ids(request.session)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "offer": offer,
        "buyable": buyable,
        "signed_in": signed_in,
        "is_buyer": is_buyer,
        "shortlists": shortlists,
        "in_comparison": offer.pk in ids,
        "comparison_full": len(ids) >= 4,
        "direct_award": buyable and is_buyer and offer.lot.direct_award_allowed,
    }
