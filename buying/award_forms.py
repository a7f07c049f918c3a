"""Forms for direct awards, further competitions, responses, scores and contracts.

The forms only describe the questions (labels, hints, widgets) and turn typed dates into dates;
every rule about the answers is in buying.services (terms, awards, competitions, responses), so a
page and a service call from anywhere else give the same errors. Text fields therefore accept
anything the browser sends.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from catalogue.forms.frameworks import DatePartsField, date_input_params
from contracts.value import PRICING_QUESTIONS
from ndx.govuk import field_component
from ndx.plain_words import count_noun

from .services import terms as award_terms


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, strip=False, **kwargs)


def _area(rows: int = 5, **kwargs) -> forms.CharField:
    return _text(widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "true"}), **kwargs)


def _number(width: int = 10, mode: str = "decimal", **kwargs) -> forms.CharField:
    return _text(
        widget=forms.TextInput(
            attrs={"class": f"govuk-input--width-{width}", "inputmode": mode, "spellcheck": "false"}
        ),
        **kwargs,
    )


def _value_sentence(quantity) -> str:
    """'The contract is for 1 unit, so its value is this price.' (never 'this times 1.00')."""
    units = count_noun(quantity, "unit")
    if quantity == 1:
        return f"The contract is for {units}, so its value is this price."
    return f"The contract is for {units}, so its value is this price times {units.split()[0]}."


class AffixMixin:
    """Inputs shown with a prefix or suffix (£, %, "out of 100")."""

    PREFIXES: dict[str, str] = {}
    SUFFIXES: dict[str, str] = {}
    DATE_FIELDS: tuple[str, ...] = ()

    def input(self, name: str) -> dict[str, Any]:
        _, params = field_component(self[name])
        if name in self.PREFIXES:
            params["prefix"] = {"text": self.PREFIXES[name]}
        if name in self.SUFFIXES:
            params["suffix"] = {"text": self.SUFFIXES[name]}
        return params

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        return {name: self.input(name) for name in (*self.PREFIXES, *self.SUFFIXES)}

    @property
    def date_inputs(self) -> dict[str, dict[str, Any]]:
        return {name: date_input_params(self[name]) for name in self.DATE_FIELDS}


KPI_HINT = (
    "One a line, like “99.9% availability each month”. Contracts worth more than "
    "£5,000,000 need at least 3."
)


class DirectAwardForm(AffixMixin, forms.Form):
    requirement = forms.ChoiceField(
        label="Which requirement is this for? (optional)",
        required=False,
        help_text="The time from the requirement to the award is recorded with the contract.",
    )
    units = _number(label="How many units?")
    quantity = _number(
        label="Or the quantity charged, if you know it",
        help_text="How many units of the price you are buying, like 450 users × 24 months = 10800. "
        "Leave blank to work it out from the number above and the term.",
    )
    unit_price = _number(label="Unit price")
    start_date = DatePartsField(label="Contract start date", required=False)
    end_date = DatePartsField(label="Contract end date", required=False)
    max_extension_months = _number(
        width=3,
        mode="numeric",
        label="Extension allowed (months, optional)",
        help_text="How much longer the contract may be extended, as written in it",
    )
    baseline_unit_price = _number(
        label="What you paid before, per unit (optional)",
        help_text="Your previous contract's price for the same need. It is the baseline for "
        "cost avoidance; without it, the median awarded price on the lot is used.",
    )
    kpis = _area(label="Key performance indicators (KPIs)", help_text=KPI_HINT)
    outcomes = _area(
        label="Outcomes you want from this contract (optional)",
        help_text="One a line. Taken from the requirement when there is one; you assess each at "
        "the end of the contract.",
    )
    justification = _area(
        rows=6,
        label="Why are you awarding this contract directly?",
        help_text="For example, why this offer best meets the requirement and is value for "
        "money. This is kept with the contract.",
    )

    PREFIXES = {"unit_price": "£", "baseline_unit_price": "£"}
    DATE_FIELDS = ("start_date", "end_date")

    def __init__(
        self,
        *args,
        requirements=None,
        national_price=None,
        unit_label="",
        pricing_model="per_unit",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        question = PRICING_QUESTIONS.get(pricing_model, ("How many units?", False))
        if question[0]:
            self.fields["units"].label = question[0]
            self.fields["units"].help_text = (
                "The value is this × the number of months of the term × the unit price"
                if question[1]
                else "The value is this × the unit price"
            )
        else:
            del self.fields["units"]
        if requirements is None:
            del self.fields["requirement"]
        else:
            self.fields["requirement"].choices = [("", "Not for a recorded requirement")] + [
                (str(r.pk), r.title) for r in requirements
            ]
        hint = "At or below the national price"
        if national_price is not None:
            hint += f" of £{national_price:,.2f}"
        if unit_label:
            hint += f" {unit_label}"
        self.fields["unit_price"].help_text = hint
        self.SUFFIXES = {"unit_price": unit_label} if unit_label else {}
        if unit_label:
            self.SUFFIXES["baseline_unit_price"] = unit_label
        self.SUFFIXES["max_extension_months"] = "months"


class CompetitionForm(AffixMixin, forms.Form):
    items = forms.MultipleChoiceField(
        label="Which suppliers do you want to invite?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Invite at least 3, all from the same lot. Each is invited with the version "
        "and price frozen on the shortlist.",
    )
    title = _text(label="Title", widget=forms.TextInput(attrs={"spellcheck": "true"}))
    description = _area(
        rows=8,
        label="The requirement",
        help_text="What suppliers are responding to: the problem, the users and the "
        "must-haves. Every invited supplier sees this.",
    )
    quantity = _number(
        label="Quantity",
        help_text="How many units suppliers are pricing for; the contract value is the unit "
        "price times this",
    )
    start_date = DatePartsField(label="Contract start date", required=False)
    end_date = DatePartsField(label="Contract end date", required=False)
    quality_criteria = _area(
        label="Quality: what will you score?",
        help_text="For example: how well the service meets the must-haves, and the plan to "
        "set it up",
    )
    social_value_criteria = _area(
        label="Social value: what will you score?",
        help_text="For example: local jobs and training, or reducing carbon emissions",
    )
    weight_quality = _number(width=3, mode="numeric", label="Quality")
    weight_price = _number(width=3, mode="numeric", label="Price")
    weight_social_value = _number(
        width=3, mode="numeric", label="Social value", help_text="At least 10%"
    )
    deadline = DatePartsField(label="Deadline for responses", required=False)
    deadline_time = _text(
        label="Time on the deadline day",
        help_text="Use the 24-hour clock, like 17:00",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    SUFFIXES = {"weight_quality": "%", "weight_price": "%", "weight_social_value": "%"}
    DATE_FIELDS = ("start_date", "end_date", "deadline")

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (
                str(item.pk),
                f"{item.supplier_name}: {item.title} ({item.lot_name}, "
                + (f"£{item.price:,.2f}" if item.price is not None else "no national price")
                + ")",
            )
            for item in items
        ]

    def clean_deadline_time(self):
        raw = (self.cleaned_data.get("deadline_time") or "").strip().replace(".", ":")
        if not raw:
            return time(17, 0)
        try:
            hours, minutes = (int(part) for part in raw.split(":"))
            return time(hours, minutes)
        except ValueError:
            raise forms.ValidationError(
                "Enter the time as hours and minutes on the 24-hour clock, like 17:00"
            ) from None

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        day, at = data.pop("deadline", None), data.pop("deadline_time", None)
        data["deadline"] = (
            timezone.make_aware(datetime.combine(day, at)) if day and at is not None else None
        )
        return data

    @classmethod
    def initial_for(cls, competition) -> dict[str, Any]:
        local = timezone.localtime(competition.deadline)
        return {
            "items": [str(i.shortlist_item_id) for i in competition.invitations.all()],
            "title": competition.title,
            "description": competition.description,
            "quantity": f"{competition.quantity:f}".removesuffix(".00"),
            "start_date": competition.start_date,
            "end_date": competition.end_date,
            "quality_criteria": competition.quality_criteria,
            "social_value_criteria": competition.social_value_criteria,
            "weight_quality": competition.weight_quality,
            "weight_price": competition.weight_price,
            "weight_social_value": competition.weight_social_value,
            "deadline": local.date(),
            "deadline_time": local.strftime("%H:%M"),
        }


class CancelCompetitionForm(forms.Form):
    reason = _area(
        label="Why are you cancelling this competition?",
        help_text="Invited suppliers are told this.",
    )


class QuestionForm(forms.Form):
    question = _area(
        label="Ask a clarification question",
        help_text="The buyer publishes every answer to all invited suppliers, without saying "
        "who asked.",
    )


class AnswerForm(forms.Form):
    shared_question = _area(
        label="The question as every supplier will see it",
        help_text="Reword it if it says who asked.",
    )
    answer = _area(rows=6, label="Your answer")


class ResponseForm(AffixMixin, forms.Form):
    unit_price = _number(label="Your unit price")
    quality_response = _area(rows=10, label="Your response on quality")
    social_value_response = _area(rows=8, label="Your response on social value")

    PREFIXES = {"unit_price": "£"}

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        competition = invitation.competition
        if invitation.national_price is not None:
            self.fields["unit_price"].help_text = (
                f"At or below your national price of £{invitation.national_price:,.2f}. "
                + _value_sentence(competition.quantity)
            )
        self.fields["quality_response"].help_text = competition.quality_criteria
        self.fields["social_value_response"].help_text = competition.social_value_criteria


class ScoreForm(AffixMixin, forms.Form):
    quality_score = _number(width=3, mode="numeric", label="Quality")
    price_score = _number(width=3, mode="numeric", label="Price")
    social_value_score = _number(width=3, mode="numeric", label="Social value")

    SUFFIXES = {
        "quality_score": "out of 100",
        "price_score": "out of 100",
        "social_value_score": "out of 100",
    }

    def __init__(self, *args, competition=None, suggested_price=None, **kwargs):
        super().__init__(*args, **kwargs)
        weights = competition.weights
        for key, _name in award_terms.CRITERIA:
            self.fields[f"{key}_score"].help_text = f"Weighted {weights[key]}%"
        if suggested_price is not None:
            self.fields["price_score"].help_text += (
                f". Suggested from the prices: {suggested_price} (the lowest price scores 100, "
                "others in proportion)"
            )


class AwardForm(forms.Form):
    response = forms.ChoiceField(
        label="Who are you awarding the contract to?",
        required=False,
        widget=forms.RadioSelect,
    )
    rationale = _area(
        rows=8,
        label="Rationale for the award",
        help_text="Written from the scores; change it to explain your decision. It is kept "
        "with the contract.",
    )
    kpis = _area(label="Key performance indicators (KPIs)", help_text=KPI_HINT)
    unsuccessful_feedback = _area(
        label="Anything more to tell unsuccessful suppliers (optional)",
        help_text="Each is told its own scores and the successful supplier's scores.",
    )

    def __init__(self, *args, ranking=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = [
            (
                str(r.pk),
                f"{r.invitation.supplier.name}: weighted score {r.weighted_score}, "
                f"£{r.unit_price:,.2f} a unit",
            )
            for r in ranking
        ]
