"""Template tags that render GOV.UK Frontend components and Django form fields."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from ndx.govuk import clean_params, render_component, render_error_summary, render_field

register = template.Library()


@register.simple_tag
def govuk(component: str, params: dict | None = None, **kwargs) -> SafeString:
    """{% govuk "button" text="Save" %} or {% govuk "table" params=table_params %}."""
    merged = dict(params or {})
    merged.update(kwargs)
    return render_component(component, clean_params(merged))


@register.simple_tag
def govuk_field(bound_field, page_heading: bool = False) -> SafeString:
    return render_field(bound_field, page_heading=page_heading)


@register.simple_tag
def govuk_fields(form) -> SafeString:
    return mark_safe("".join(render_field(bf) for bf in form))  # noqa: S308 (joins escaped parts)


@register.simple_tag
def govuk_error_summary(*forms) -> SafeString:
    return mark_safe("".join(render_error_summary(f) for f in forms if f is not None))  # noqa: S308 (joins escaped parts)


@register.simple_tag
def allauth_field(attrs: dict, slots: dict) -> SafeString:
    """Render django-allauth's single `field` element as a GOV.UK input or textarea."""

    def slot_text(name: str) -> str:
        return " ".join("".join(slots.get(name, [])).split())

    field_id = attrs.get("id") or attrs.get("name") or "field"
    hint = slot_text("help_text")
    params = {
        "id": field_id,
        "name": attrs.get("name") or field_id,
        "label": {"text": slot_text("label")},
        "hint": {"text": hint} if hint else None,
        "value": "" if attrs.get("value") is None else str(attrs.get("value")),
        "disabled": bool(attrs.get("disabled")) or None,
    }
    if attrs.get("type") == "textarea":
        params["value"] = slot_text("value")
        return render_component("textarea", clean_params(params))
    params["type"] = attrs.get("type") or "text"
    params["autocomplete"] = attrs.get("autocomplete")
    return render_component("input", clean_params(params))
