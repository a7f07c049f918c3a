"""Market template tags: form fields (date fields as GOV.UK date inputs) and the supplier's
alerts panel that the suppliers' dashboard loads ({% load market %}{% market_alerts %})."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from catalogue.forms.frameworks import date_input_params
from ndx.govuk import clean_params, render_component, render_field

from ..models import Alert

register = template.Library()


@register.simple_tag
def market_fields(form) -> SafeString:
    dates = getattr(form, "DATE_FIELDS", ())
    parts = []
    for bf in form:
        if bf.name in dates:
            parts.append(render_component("date-input", clean_params(date_input_params(bf))))
        else:
            parts.append(render_field(bf))
    return mark_safe("".join(parts))  # noqa: S308 (joins escaped parts)


@register.inclusion_tag("market/_alerts_panel.html", takes_context=True)
def market_alerts(context, limit: int = 5):
    request = context["request"]
    organisation = request.user.organisation
    member = getattr(organisation, "directory_member", None) if organisation else None
    alerts = []
    if member is not None:
        alerts = list(Alert.objects.for_organisation(organisation).select_related("source")[:limit])
    return {"member": member, "alerts": alerts}
