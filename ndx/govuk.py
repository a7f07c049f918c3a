"""GOV.UK Frontend components rendered from the govuk-frontend-jinja macros.

govuk-frontend-jinja is the Jinja port of the official govuk-frontend Nunjucks macros (4.0.0 matches
govuk-frontend 6.0.0 from npm; tests/test_govuk_components.py checks that against the npm package's
own fixtures). We keep one cached Jinja environment: building one per render costs ~10 ms.
Django form fields are mapped onto the component parameters here, so forms render the GOV.UK way
(labels, hints, error messages, error summary) without hand-written widget markup.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment, PackageLoader, PrefixLoader, select_autoescape

_env = Environment(
    loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def _macro_name(component: str) -> str:
    return "govuk" + "".join(part.capitalize() for part in component.split("-"))


@lru_cache(maxsize=64)
def _template(component: str):
    macro = _macro_name(component)
    return _env.from_string(
        "{%- from 'govuk_frontend_jinja/components/"
        + component
        + "/macro.html' import "
        + macro
        + " -%}"
        "{{ " + macro + "(params) }}"
    )


def clean_params(value: Any) -> Any:
    """Drop None values, as Nunjucks callers do by leaving options out."""
    if isinstance(value, dict):
        return {k: clean_params(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [clean_params(v) for v in value]
    return value


def render_component(component: str, params: dict[str, Any] | None = None) -> SafeString:
    """Render a GOV.UK Frontend component, e.g. render_component("button", {"text": "Save"}).

    Parameters are passed exactly as given, as in Nunjucks (an explicit None is a null).
    """
    return mark_safe(_template(component).render(params=params or {}))  # noqa: S308 (autoescaping Jinja output)


# --- Django forms --------------------------------------------------------------------------

_INPUT_WIDGETS = (
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
)
_SKIP_ATTRS = {
    "class",
    "required",
    "id",
    "autofocus",
    "placeholder",
    "aria-describedby",
    "aria-invalid",
}


def _error_text(bf: forms.BoundField) -> dict | None:
    errors = bf.errors
    return {"text": " ".join(str(e) for e in errors)} if errors else None


def _hint(bf: forms.BoundField) -> dict | None:
    return {"text": str(bf.help_text)} if bf.help_text else None


def _label_text(bf: forms.BoundField) -> str:
    return str(bf.label) if bf.label else ""


def _extra_attributes(widget: forms.Widget) -> dict[str, Any]:
    return {
        k: v for k, v in widget.attrs.items() if k not in _SKIP_ATTRS and v not in (None, False)
    }


def _choice_items(bf: forms.BoundField, multiple: bool) -> list[dict[str, Any]]:
    value = bf.value()
    if multiple:
        selected = {str(v) for v in (value or [])}
    else:
        selected = {"" if value is None else str(value)}
    items = []
    for choice_value, choice_label in bf.field.choices:
        v = "" if choice_value is None else str(choice_value)
        items.append({"value": v, "text": str(choice_label), "checked": v in selected})
    return items


def field_component(bf: forms.BoundField, *, page_heading: bool = False) -> tuple[str, dict]:
    """Return (component name, params) for a bound field."""
    widget = bf.field.widget
    field_id = bf.auto_id or bf.html_name
    label: dict[str, Any] = {"text": _label_text(bf)}
    if page_heading:
        label.update({"isPageHeading": True, "classes": "govuk-label--l"})
    common: dict[str, Any] = {
        "id": field_id,
        "name": bf.html_name,
        "hint": _hint(bf),
        "errorMessage": _error_text(bf),
    }
    css = widget.attrs.get("class")
    attributes = _extra_attributes(widget) or None

    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is a RadioSelect too
        multiple = isinstance(widget, forms.CheckboxSelectMultiple)
        legend = {"text": _label_text(bf), "classes": "govuk-fieldset__legend--m"}
        if page_heading:
            legend.update({"isPageHeading": True, "classes": "govuk-fieldset__legend--l"})
        return "checkboxes" if multiple else "radios", {
            "idPrefix": field_id,
            "name": bf.html_name,
            "fieldset": {"legend": legend},
            "hint": common["hint"],
            "errorMessage": common["errorMessage"],
            "items": _choice_items(bf, multiple=multiple),
            "classes": css,
        }
    if isinstance(widget, forms.CheckboxInput):
        return "checkboxes", {
            "idPrefix": field_id,
            "name": bf.html_name,
            "errorMessage": common["errorMessage"],
            "items": [
                {
                    "value": "true",
                    "text": _label_text(bf),
                    "checked": bool(bf.value()),
                    "hint": common["hint"],
                }
            ],
            "classes": css,
        }
    if isinstance(widget, forms.Select):
        return "select", {
            **common,
            "label": label,
            "items": [
                {"value": i["value"], "text": i["text"], "selected": i["checked"]}
                for i in _choice_items(bf, multiple=isinstance(widget, forms.SelectMultiple))
            ],
            "classes": css,
            "attributes": attributes,
        }
    if isinstance(widget, forms.Textarea):
        value = bf.value()
        max_length = getattr(bf.field, "max_length", None)
        params = {
            **common,
            "label": label,
            "value": "" if value is None else str(value),
            "rows": widget.attrs.get("rows"),
            "classes": css,
            "attributes": {
                k: v
                for k, v in (attributes or {}).items()
                if k not in {"rows", "cols", "maxlength"}
            }
            or None,
        }
        if max_length:
            return "character-count", {**params, "maxlength": max_length}
        return "textarea", params
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file-upload", {
            **common,
            "label": label,
            "classes": css,
            "attributes": attributes,
        }
    if isinstance(widget, forms.PasswordInput):
        return "password-input", {
            **common,
            "label": label,
            "autocomplete": widget.attrs.get("autocomplete", "current-password"),
            "classes": css,
        }
    if isinstance(widget, _INPUT_WIDGETS):
        value = widget.format_value(bf.value())
        input_type = getattr(widget, "input_type", "text")
        extra = {
            k: v for k, v in (attributes or {}).items() if k not in {"autocomplete", "inputmode"}
        }
        return "input", {
            **common,
            "type": input_type,
            "label": label,
            "value": "" if value is None else str(value),
            "autocomplete": widget.attrs.get("autocomplete"),
            "inputmode": widget.attrs.get("inputmode"),
            "spellcheck": False if input_type == "email" else None,
            "classes": css,
            "attributes": extra or None,
        }
    raise TypeError(f"No GOV.UK component for widget {type(widget).__name__} ({bf.html_name})")


def render_field(bf: forms.BoundField, *, page_heading: bool = False) -> SafeString:
    if bf.is_hidden:
        return mark_safe(str(bf))  # noqa: S308 (Django widget output)
    component, params = field_component(bf, page_heading=page_heading)
    return render_component(component, clean_params(params))


def error_href(bf: forms.BoundField) -> str:
    return "#" + (bf.auto_id or bf.html_name)


def render_error_summary(form: forms.BaseForm) -> SafeString:
    if not form.is_bound or not form.errors:
        return mark_safe("")
    items: list[dict[str, str]] = [{"text": str(e)} for e in form.non_field_errors()]
    for bf in form:
        for error in bf.errors:
            if bf.is_hidden:
                items.append({"text": f"{bf.label}: {error}"})
            else:
                items.append({"text": str(error), "href": error_href(bf)})
    return render_component(
        "error-summary", {"titleText": "There is a problem", "errorList": items}
    )
