"""Market forms: the questions only (labels, hints, widgets). Every rule about the answers is
in market.services, so a page and a service call give the same errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from catalogue.forms.frameworks import DatePartsField
from suppliers.models import Size

from .models import CONSENT_WORDING, CPV_CHOICES, REGION_CHOICES, DirectoryMember, PipelineEntry

CPV_LABELS = [(code, f"{code} {name}") for code, name in CPV_CHOICES]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, strip=False, **kwargs)


def _area(rows: int = 5, **kwargs) -> forms.CharField:
    return _text(widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "true"}), **kwargs)


def _money(**kwargs) -> forms.CharField:
    return _text(
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        **kwargs,
    )


class EngagementForm(forms.Form):
    DATE_FIELDS = ("closes_on",)
    title = _text(label="Short name", max_length=400)
    problem = _area(
        label="The problem",
        help_text="The problem you have, not a solution: suppliers will suggest approaches.",
    )
    outcomes = _area(label="The outcomes you want")
    constraints = _area(
        3, label="Constraints (optional)", help_text="Like timescales, data or policy."
    )
    budget_min = _money(label="Budget from, in pounds (optional)")
    budget_max = _money(label="Budget up to, in pounds (optional)")
    closes_on = DatePartsField(label="Closing date", required=False)
    market_questions = _area(
        4, label="Questions for the market (optional)", help_text="One a line."
    )
    cpv_division = forms.ChoiceField(
        label="Sector (CPV division)",
        choices=[("", "Select a sector"), *CPV_LABELS],
        required=False,
    )
    region = forms.ChoiceField(
        label="Region (optional)", choices=[("", "Anywhere"), *REGION_CHOICES], required=False
    )


class QuestionForm(forms.Form):
    question = _area(
        3, label="Your question", help_text="Questions and answers are published to all."
    )


class AnswerForm(forms.Form):
    answer = _area(3, label="Answer (published to all)")


def _yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ResponseForm(forms.Form):
    approach = _area(label="Your approach", help_text="An idea, not a bid.")
    similar_work = _area(3, label="Similar work you have done (optional)")
    rough_cost = _text(label="Rough cost (optional)", help_text="Like “£40,000 to £60,000”.")
    is_sme = forms.ChoiceField(
        label="Are you a small or medium-sized enterprise (SME)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    is_vcse = forms.ChoiceField(
        label="Are you a voluntary, community or social enterprise (VCSE)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["is_sme"] = _yes_no(data.get("is_sme"))
        data["is_vcse"] = _yes_no(data.get("is_vcse"))
        return data


class SummaryForm(forms.Form):
    summary = _area(6, label="What you learned (published)")


class PipelineEntryForm(forms.Form):
    DATE_FIELDS = ("expected_start",)
    title = _text(label="Title")
    description = _area(3, label="Description (optional)")
    cpv_division = forms.ChoiceField(
        label="CPV division", choices=[("", "Select a division"), *CPV_LABELS], required=False
    )
    estimated_value = _money(label="Estimated value, in pounds")
    expected_start = DatePartsField(label="Expected start", required=False)
    route = forms.ChoiceField(
        label="Route", choices=PipelineEntry.Route.choices, widget=forms.RadioSelect, required=False
    )
    region = forms.ChoiceField(
        label="Region (optional)", choices=[("", "Anywhere"), *REGION_CHOICES], required=False
    )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        raw = str(data.get("estimated_value") or "").replace(",", "").replace("£", "").strip()
        try:
            data["estimated_value"] = Decimal(raw) if raw else None
        except InvalidOperation:
            data["estimated_value"] = None
        if data["estimated_value"] is not None and not data["estimated_value"].is_finite():
            data["estimated_value"] = None
        if data["estimated_value"] is not None and data["estimated_value"] >= Decimal("1e10"):
            data["estimated_value"] = None
        return data


class DirectoryForm(forms.Form):
    description = _area(5, label="What your organisation does")
    cpv_divisions = forms.MultipleChoiceField(
        label="CPV divisions you work in",
        choices=CPV_LABELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    regions = forms.MultipleChoiceField(
        label="Regions you serve",
        choices=REGION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    size = forms.ChoiceField(
        label="Size", choices=Size.choices, widget=forms.RadioSelect, required=False
    )
    is_vcse = forms.BooleanField(
        label="We are a voluntary, community or social enterprise", required=False
    )
    consent_contact = forms.BooleanField(label=CONSENT_WORDING, required=False)
    consent_sectors = forms.MultipleChoiceField(
        label="Sectors you want to hear about (leave empty for all)",
        choices=CPV_LABELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    frequency = forms.ChoiceField(
        label="How often we may email you",
        choices=DirectoryMember.Frequency.choices,
        widget=forms.RadioSelect,
        required=False,
    )


class DirectorySearchForm(forms.Form):
    q = _text(label="Search what they do")
    division = forms.ChoiceField(
        label="CPV division", choices=[("", "All"), *CPV_LABELS], required=False
    )
    region = forms.ChoiceField(
        label="Region", choices=[("", "All"), *REGION_CHOICES], required=False
    )


class EngagementFilterForm(forms.Form):
    sector = forms.ChoiceField(label="Sector", choices=[("", "All"), *CPV_LABELS], required=False)
    region = forms.ChoiceField(
        label="Region", choices=[("", "All"), *REGION_CHOICES], required=False
    )
    closing = forms.ChoiceField(
        label="Closing date",
        choices=[
            ("", "Any"),
            ("open", "Still open"),
            ("week", "Closing within 7 days"),
            ("closed", "Closed"),
        ],
        required=False,
    )


class PipelineFilterForm(forms.Form):
    division = forms.ChoiceField(
        label="CPV division", choices=[("", "All"), *CPV_LABELS], required=False
    )
    route = forms.ChoiceField(
        label="Route", choices=[("", "All"), *PipelineEntry.Route.choices], required=False
    )
    region = forms.ChoiceField(
        label="Region", choices=[("", "All"), *REGION_CHOICES], required=False
    )
