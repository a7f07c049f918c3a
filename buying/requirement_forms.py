"""Forms for the requirement questions, one a page.

The forms only describe the questions (labels, hints, widgets); every rule about the answers is
in buying.services.requirements (requirement_answer), so a question asked here and a service
call from anywhere else give the same errors. The forms therefore accept anything the browser sends.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from catalogue.models import Certification, HostingLocation

from .models import Requirement
from .services import requirements as requirement_services


class CountedTextField(forms.CharField):
    """A textarea shown with a GOV.UK character count; the length rule is the service's."""

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(**kwargs)
        # Set after the field is built: the count shows, the browser does not truncate.
        self.max_length = max_length


class AnyChoiceField(forms.ChoiceField):
    def validate(self, value):  # the service checks the value
        pass


class AnyMultipleChoiceField(forms.MultipleChoiceField):
    def validate(self, value):  # the service checks the values
        pass


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, strip=False, **kwargs)


class TitleForm(forms.Form):
    title = _text(
        label="What do you want to call this requirement?",
        help_text="A short name your colleagues will recognise, like “Case management for "
        "adult social care”",
        widget=forms.TextInput(attrs={"spellcheck": "true"}),
    )


class ProblemForm(forms.Form):
    problem = CountedTextField(
        label="What problem do you need to solve, or what outcome do you want?",
        max_length=requirement_services.MAX_PROBLEM,
        help_text="Describe it in your own words. Suppliers’ offers are matched against this, "
        "so say what the service must do rather than which product you want.",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
    )


class UsersForm(forms.Form):
    users_description = CountedTextField(
        label="Who will use it?",
        max_length=requirement_services.MAX_USERS_DESCRIPTION,
        help_text="For example: social workers in the office and on home visits, and "
        "residents who apply online",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "true"}),
    )
    user_count = _text(
        label="How many people will use it? (optional)",
        help_text="A whole number, like 250. An estimate is fine.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )


class NeedsForm(forms.Form):
    must_haves = _text(
        label="Must-haves (optional)",
        help_text=f"Put each one on a new line. Up to {requirement_services.MAX_NEEDS}, each "
        f"{requirement_services.MAX_NEED_LENGTH} characters or fewer. Offers that do not meet "
        "these are unlikely to suit you.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
    )
    nice_to_haves = _text(
        label="Nice-to-haves (optional)",
        help_text=f"Put each one on a new line. Up to {requirement_services.MAX_NEEDS}, each "
        f"{requirement_services.MAX_NEED_LENGTH} characters or fewer.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
    )


class BudgetForm(forms.Form):
    budget_min = _text(
        label="From (optional)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    budget_max = _text(
        label="Up to (optional)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    budget_basis = AnyChoiceField(
        label="Is this budget for the whole contract or for each year? (optional)",
        required=False,
        choices=Requirement.BudgetBasis.choices,
        widget=forms.RadioSelect,
    )
    contract_months = _text(
        label="How long will the contract last, in months? (optional)",
        help_text="A whole number, like 24. We use it to estimate costs and for the award.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )


class TimescaleForm(forms.Form):
    timescale = AnyChoiceField(
        label="When do you need it?",
        required=False,
        choices=Requirement.Timescale.choices,
        widget=forms.RadioSelect,
    )


class LocationForm(forms.Form):
    location = _text(
        label="Where will it be used? (optional)",
        help_text="A town, county or region, like “Leeds”, or “Nationwide”",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )


class SecurityForm(forms.Form):
    hosting_locations = AnyMultipleChoiceField(
        label="Where may your data be hosted? (optional)",
        required=False,
        help_text="Select all that are acceptable. Leave blank if you do not mind.",
        choices=HostingLocation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    certifications = AnyMultipleChoiceField(
        label="Which certifications must the supplier hold? (optional)",
        required=False,
        help_text="Select all that apply",
        choices=Certification.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class PreferenceForm(forms.Form):
    lot = AnyChoiceField(
        label="Do you want to buy through a particular framework and lot?",
        required=False,
        help_text="If you are not sure, choose No preference: we will show offers from every "
        "framework.",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(requirement_services.NO_PREFERENCE, "No preference")] + [
            (str(lot.pk), f"{lot.framework.name}: {lot.name}")
            for lot in requirement_services.requirement_lot_choices()
        ]


STEP_FORMS: dict[str, type[forms.Form]] = {
    "title": TitleForm,
    "problem": ProblemForm,
    "users": UsersForm,
    "needs": NeedsForm,
    "budget": BudgetForm,
    "timescale": TimescaleForm,
    "location": LocationForm,
    "security": SecurityForm,
    "preference": PreferenceForm,
}


def money_text(value: Decimal | None) -> str:
    """25000 for 25000.00, 25000.50 for 25000.5; blank for none."""
    if value is None:
        return ""
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


def step_initial(step: str, requirement: Requirement) -> dict:
    """The saved answers for a step, as its form shows them."""
    r = requirement
    if step == "users":
        return {
            "users_description": r.users_description,
            "user_count": "" if r.user_count is None else str(r.user_count),
        }
    if step == "needs":
        return {
            "must_haves": "\n".join(r.must_haves),
            "nice_to_haves": "\n".join(r.nice_to_haves),
        }
    if step == "budget":
        return {
            "budget_min": money_text(r.budget_min),
            "budget_max": money_text(r.budget_max),
            "budget_basis": r.budget_basis,
            "contract_months": r.contract_months,
        }
    if step == "preference":
        return {"lot": str(r.lot_id) if r.lot_id else None}
    return {
        field: getattr(r, field) for field in requirement_services.REQUIREMENT_STEP_FIELDS[step]
    }
