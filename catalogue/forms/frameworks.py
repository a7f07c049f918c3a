"""Catalogue forms: frameworks, lots and declaration questions (staff pages).

Forms only turn what was typed into values; the services decide what is allowed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ndx.govuk import field_component

from ..models import DeclarationQuestion, Framework, Lot

DATE_PARTS = ("day", "month", "year")


class DatePartsWidget(forms.Widget):
    """The GOV.UK date input: separate day, month and year boxes named `<field>-day` etc.

    Rendered by the date-input component (see `date_input_params`), not by Django.
    """

    def value_from_datadict(self, data, files, name):
        return tuple(str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS)

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in DATE_PARTS)

    def format_value(self, value):
        if isinstance(value, date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, (tuple, list)) and len(value) == 3:
            return tuple("" if v is None else str(v) for v in value)
        return ("", "", "")


class DatePartsField(forms.Field):
    """A date typed as day, month and year, with GOV.UK error messages."""

    widget = DatePartsWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 27 3 2027")
        super().__init__(label=label, **kwargs)
        self.error_messages["required"] = f"Enter the {label.lower()}"

    def to_python(self, value):
        if value is None or isinstance(value, date):
            return value
        parts = dict(zip(DATE_PARTS, value, strict=True))
        if not any(parts.values()):
            return None
        missing = [part for part in DATE_PARTS if not parts[part]]
        if missing:
            raise ValidationError(
                f"{self.label} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(parts[p]) for p in DATE_PARTS)
            if len(parts["year"]) != 4:
                raise ValueError("year")
            return date(year, month, day)
        except (ValueError, OverflowError):  # not a date, or numbers too big for one
            raise ValidationError(
                f"{self.label} must be a real date, like 27 3 2027", code="invalid"
            ) from None


def date_input_params(bf: forms.BoundField) -> dict[str, Any]:
    """Parameters for the date-input component. The day box gets the field's id, so the error
    summary's link (#id_<field>) lands on it."""
    values = bf.field.widget.format_value(bf.value())
    field_id = bf.auto_id
    wrong = set()
    if bf.errors:
        empty = {p for p, v in zip(DATE_PARTS, values, strict=True) if not v}
        wrong = empty if empty and len(empty) < 3 else set(DATE_PARTS)
    widths = {"day": 2, "month": 2, "year": 4}
    return {
        "id": f"{field_id}-date",
        "namePrefix": bf.html_name,
        "fieldset": {"legend": {"text": str(bf.label), "classes": "govuk-fieldset__legend--m"}},
        "hint": {"text": str(bf.help_text)} if bf.help_text else None,
        "errorMessage": {"text": " ".join(bf.errors)} if bf.errors else None,
        "items": [
            {
                "id": field_id if part == "day" else f"{field_id}-{part}",
                "name": part,
                "value": value,
                "classes": f"govuk-input--width-{widths[part]}"
                + (" govuk-input--error" if part in wrong else ""),
            }
            for part, value in zip(DATE_PARTS, values, strict=True)
        ],
    }


class MoneyField(forms.CharField):
    """An amount in pounds, allowing £ and commas (the service checks it again)."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value).replace(",", "").replace("£", "").strip()
        if not text:
            return None
        problem = f"Enter the {self.what} as a number of pounds, like 2500000"
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(problem, code="invalid") from None
        if not amount.is_finite():
            raise ValidationError(problem, code="invalid")
        if abs(amount) >= Decimal("10000000000000"):
            raise ValidationError(f"The {self.what} must be less than £10 trillion", code="max")
        if amount <= 0:
            raise ValidationError(f"The {self.what} must be more than £0", code="min")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(
                f"The {self.what} must be in pounds and pence, like 2500000.00", code="pence"
            )
        return amount


class FrameworkForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the framework's name"},
    )
    reference = forms.CharField(
        label="Reference",
        max_length=30,
        help_text="For example RM6263. Letters, numbers and hyphens.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the framework's reference, like RM6263"},
    )
    kind = forms.ChoiceField(
        label="Type",
        choices=Framework.Kind.choices,
        initial=Framework.Kind.FRAMEWORK,
        widget=forms.RadioSelect,
        help_text="Suppliers join a framework only while it is open for applications.",
        error_messages={"required": "Select whether this is a framework or a dynamic market"},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    applications_open_on = DatePartsField(label="Applications open date", required=False)
    starts_on = DatePartsField(label="Live-from date", required=False)
    ends_on = DatePartsField(label="Expiry date", required=False)
    max_value = MoneyField(
        label="Maximum value (optional)",
        what="maximum value",
        required=False,
        help_text="The most that can be spent under the whole agreement.",
    )

    DATE_FIELDS = ("applications_open_on", "starts_on", "ends_on")

    @classmethod
    def initial_for(cls, framework: Framework) -> dict[str, Any]:
        return {name: getattr(framework, name) for name in cls.base_fields}

    @property
    def date_inputs(self) -> dict[str, dict[str, Any]]:
        return {name: date_input_params(self[name]) for name in self.DATE_FIELDS}

    @property
    def max_value_input(self) -> dict[str, Any]:
        _, params = field_component(self["max_value"])
        return {**params, "prefix": {"text": "£"}}


class LotForm(forms.Form):
    AWARD_ROUTES = [
        ("direct", "Direct award allowed"),
        ("competition", "Further competition only"),
    ]

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the lot's name"}
    )
    slug = forms.CharField(
        label="Short name for web addresses (optional)",
        max_length=80,
        required=False,
        help_text="Lower case letters, numbers and hyphens, like cloud-software. "
        "Leave blank to make one from the name.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    award_route = forms.ChoiceField(
        label="How can buyers award contracts on this lot?",
        choices=AWARD_ROUTES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how buyers can award contracts on this lot"},
    )
    categories = forms.CharField(
        label="Service categories (optional)",
        required=False,
        help_text="One a line. Offers in this lot choose from these. "
        "Leave blank to let suppliers describe their own.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    @classmethod
    def initial_for(cls, lot: Lot) -> dict[str, Any]:
        return {
            "name": lot.name,
            "slug": lot.slug,
            "description": lot.description,
            "award_route": "direct" if lot.direct_award_allowed else "competition",
            "categories": "\n".join(lot.categories),
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "slug": data["slug"],
            "description": data["description"],
            "direct_award_allowed": data["award_route"] == "direct",
            "categories": data["categories"].splitlines(),
        }


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Question",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the question"},
    )
    hint = forms.CharField(
        label="Hint (optional)",
        max_length=500,
        required=False,
        help_text="Extra help shown under the question.",
    )
    kind = forms.ChoiceField(
        label="Kind of answer",
        choices=DeclarationQuestion.Kind.choices,
        initial=DeclarationQuestion.Kind.YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of answer"},
    )
    required_answer = forms.ChoiceField(
        label="Answer a supplier must give to be eligible",
        choices=DeclarationQuestion._meta.get_field("required_answer").choices,
        required=False,
        help_text="Only for yes or no questions.",
    )
