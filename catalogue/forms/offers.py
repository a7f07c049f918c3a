"""Catalogue forms: offers.

The offer form checks its answers with catalogue.services.clean_revision_content (as the service
does again when saving), so every problem is reported at once, with the service's messages.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..models import (
    AccessibilityConformance,
    Certification,
    HostingLocation,
    Lot,
    OfferRevision,
    PricingModel,
    VatTreatment,
)
from ..services.content import clean_revision_content


class LotChoiceForm(forms.Form):
    lot = forms.ModelChoiceField(
        label="Which lot is this offer in?",
        queryset=Lot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the lot this offer is in",
            "invalid_choice": "Select one of the lots your organisation is approved for",
        },
    )

    def __init__(self, *args, lots=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lot"]
        field.queryset = (
            lots.select_related("framework") if lots is not None else Lot.objects.none()
        )
        field.label_from_instance = lambda lot: f"{lot.framework.name}: {lot}"


def _text(label: str, *, hint: str = "", width: str = "", **attrs) -> forms.CharField:
    widget_attrs = {"class": width} if width else {}
    widget_attrs.update(attrs)
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=hint,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _textarea(label: str, *, hint: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _radios(
    label: str, choices, *, invalid: str, hint: str = "", required: bool = False
) -> forms.ChoiceField:
    # `invalid` is also the message when a required answer is missing.
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        help_text=hint,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": invalid, "required": invalid},
    )


def _lines(values) -> str:
    return "\n".join(str(v) for v in values or [])


class OfferForm(forms.Form):
    """An offer's content. Field names are the revision's content fields."""

    title = _text("Title", hint="The name buyers will see, for example the product's name.")
    summary = _textarea("Summary", hint="One or two sentences shown in search results.", rows=3)
    description = _textarea("Description", rows=8)
    features = _textarea("Features", hint="One feature a line, up to 20.")
    benefits = _textarea("Benefits", hint="One benefit a line, up to 20.")
    categories = _textarea("Categories", hint="One category a line.", rows=3)
    cpv_codes = _text(
        "CPV codes",
        hint="Common Procurement Vocabulary codes, separated by commas or spaces, "
        "for example 72000000, 48000000-8",
        width="govuk-input--width-30",
        spellcheck="false",
    )
    pricing_model = _radios(
        "Pricing model",
        PricingModel.choices,
        invalid="Select how the offer is priced",
        required=True,
    )
    price = _text(
        "National price",
        hint="The price public-sector buyers pay under this offer, in pounds and pence.",
        width="govuk-input--width-10",
        inputmode="decimal",
        spellcheck="false",
    )
    list_price = _text(
        "List price",
        hint="Your usual public price for the same thing, to show buyers the saving.",
        width="govuk-input--width-10",
        inputmode="decimal",
        spellcheck="false",
    )
    vat = _radios(
        "VAT",
        VatTreatment.choices,
        hint="Do both prices include VAT?",
        invalid="Select whether prices include VAT",
        required=True,
    )
    minimum_term_months = _text(
        "Minimum term",
        hint="The shortest contract, in months. Leave empty if there is none.",
        width="govuk-input--width-3",
        inputmode="numeric",
        spellcheck="false",
    )
    service_levels = _textarea(
        "Service levels", hint="For example availability, support hours and response times."
    )
    certifications = forms.MultipleChoiceField(
        label="Certifications",
        choices=Certification.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"invalid_choice": "Select certifications from the list"},
    )
    other_certifications = _text("Other certifications (optional)")
    hosting_location = _radios(
        "Where is data hosted?", HostingLocation.choices, invalid="Select where data is hosted"
    )
    accessibility = _radios(
        "Accessibility conformance",
        AccessibilityConformance.choices,
        invalid="Select the accessibility conformance",
        hint="How well the service meets the Web Content Accessibility Guidelines (WCAG) 2.2 AA.",
    )

    def __init__(self, *args, lot: Lot, revision: OfferRevision | None = None, **kwargs):
        if revision is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(revision, lot)
        super().__init__(*args, **kwargs)
        self.lot = lot
        # A character count for the summary; the service checks the length itself.
        self.fields["summary"].max_length = OfferRevision._meta.get_field("summary").max_length
        if lot.categories:
            self.fields["categories"] = forms.MultipleChoiceField(
                label="Categories",
                choices=[(c, c) for c in lot.categories],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="Select all that apply.",
                error_messages={"invalid_choice": "Select categories from this lot's list"},
            )

    def clean(self):
        """Check the answers as the service will, so every problem is shown at once."""
        cleaned = super().clean()
        try:
            clean_revision_content(cleaned, lot=self.lot)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.fields:
                    self.add_error(None, messages)
                elif field not in self.errors:
                    self.add_error(field, messages)
        return cleaned

    @staticmethod
    def initial_from(revision: OfferRevision, lot: Lot) -> dict:
        initial = {field: getattr(revision, field) for field in OfferRevision.CONTENT_FIELDS}
        initial["features"] = _lines(revision.features)
        initial["benefits"] = _lines(revision.benefits)
        if not lot.categories:
            initial["categories"] = _lines(revision.categories)
        initial["cpv_codes"] = ", ".join(revision.cpv_codes)
        for key in ("price", "list_price"):
            value = getattr(revision, key)
            initial[key] = "" if value is None else f"{value:.2f}"
        term = revision.minimum_term_months
        initial["minimum_term_months"] = "" if term is None else str(term)
        return initial


class DocumentForm(forms.Form):
    title = forms.CharField(
        label="Document title",
        max_length=200,
        help_text="For example Service definition or Terms and conditions.",
        error_messages={
            "required": "Enter a title for the document",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    file = forms.FileField(
        label="Upload a PDF",
        help_text="The file must be a PDF smaller than 10MB.",
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={
            "required": "Select a PDF to upload",
            "empty": "The selected file is empty",
            "invalid": "Select a PDF to upload",
        },
    )


class ReasonForm(forms.Form):
    """A required reason, for rejecting or suspending an offer."""

    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, label: str, hint: str = "", required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = label
        field.help_text = hint
        field.error_messages["required"] = required_message


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this offer? (optional)",
        required=False,
        help_text="We keep this with the offer's history.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
