"""Template helpers for award and contract pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from contracts.models import Contract
from ndx.govuk import render_component

from ..models import CompetitionInvitation, FurtherCompetition

register = template.Library()

COMPETITION_TAG_COLOURS = {
    "draft": "govuk-tag--grey",
    "open": "govuk-tag--blue",
    "awarded": "govuk-tag--green",
    "cancelled": "govuk-tag--red",
}
OUTCOME_TAG_COLOURS = {
    "successful": "govuk-tag--green",
    "unsuccessful": "govuk-tag--orange",
    "cancelled": "govuk-tag--grey",
}


@register.simple_tag
def competition_tag(competition: FurtherCompetition) -> SafeString:
    text = competition.get_status_display()
    colour = COMPETITION_TAG_COLOURS.get(competition.status)
    if competition.is_open and competition.past_deadline:
        text, colour = "Closed for responses", "govuk-tag--yellow"
    return render_component("tag", {"text": text, "classes": colour})


@register.simple_tag
def invitation_tag(invitation: CompetitionInvitation) -> SafeString:
    """For the supplier: the outcome once decided, else whether it has responded."""
    if invitation.outcome:
        return render_component(
            "tag",
            {
                "text": invitation.get_outcome_display(),
                "classes": OUTCOME_TAG_COLOURS.get(invitation.outcome),
            },
        )
    responded = hasattr(invitation, "response")
    if invitation.competition.past_deadline:
        text = "Response submitted" if responded else "Closed: no response"
        return render_component("tag", {"text": text, "classes": "govuk-tag--grey"})
    text = "Response submitted" if responded else "Response needed"
    colour = "govuk-tag--green" if responded else "govuk-tag--blue"
    return render_component("tag", {"text": text, "classes": colour})


@register.inclusion_tag("buying/awards/_supplier_dashboard.html")
def supplier_award_summary(organisation):
    """The supplier dashboard's section on further competitions and contracts."""
    invitations = (
        CompetitionInvitation.objects.filter(
            supplier=organisation,
            competition__status=FurtherCompetition.Status.OPEN,
            competition__deadline__gt=timezone.now(),
        )
        .select_related("competition__organisation")
        .order_by("competition__deadline")
    )
    contracts = Contract.objects.for_supplier(organisation)
    return {"invitations": list(invitations), "contract_totals": contracts.totals()}


@register.inclusion_tag("buying/awards/_shortlist_actions.html")
def shortlist_award_actions(shortlist):
    """On a frozen shortlist: award an item directly (on lots that allow it), or run a further
    competition; and what has been awarded from it already."""
    items = list(
        shortlist.items.select_related("offer__lot__framework", "revision").order_by("position")
    )
    return {
        "shortlist": shortlist,
        "items": items,
        "can_award": shortlist.can_award,
        "competitions": list(shortlist.competitions.all()),
        "contracts": list(shortlist.contracts.select_related("supplier")),
    }
