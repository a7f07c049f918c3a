"""Forms for managing a contract: KPIs, performance reports and responses, changes (variations),
extension, termination and benefits. They describe the questions; the rules are in
contracts.services, whose errors name these fields. All work without JavaScript."""

from __future__ import annotations

from django import forms

from catalogue.forms.frameworks import DatePartsField, date_input_params

from .models import Contract, ContractKpi, ContractOutcome, ContractVariation, Rating

KPI_ROWS = 5


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, strip=False, **kwargs)


def _area(rows: int = 4, **kwargs) -> forms.CharField:
    return _text(widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "true"}), **kwargs)


RATING_CHOICES = [(c.value, c.label) for c in Rating]


class DateMixin:
    DATE_FIELDS: tuple[str, ...] = ()

    @property
    def date_inputs(self):
        return {name: date_input_params(self[name]) for name in self.DATE_FIELDS}


class KpisForm(forms.Form):
    """Up to 5 KPIs on one page (at least 3): name, measure, target and how often."""

    def __init__(self, *args, rows: int = KPI_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for i in range(rows):
            n = i + 1
            self.fields[f"kpi_{i}_name"] = _text(label=f"KPI {n}: name")
            self.fields[f"kpi_{i}_measure"] = _text(
                label=f"KPI {n}: how it is measured", help_text="For example, monthly uptime"
            )
            self.fields[f"kpi_{i}_target"] = _text(label=f"KPI {n}: target", help_text="Like 99.9%")
            self.fields[f"kpi_{i}_frequency"] = forms.ChoiceField(
                label=f"KPI {n}: how often it is reported",
                choices=ContractKpi.Frequency.choices,
                initial=ContractKpi.Frequency.QUARTERLY,
                required=False,
            )
            self.rows.append(
                [self[f"kpi_{i}_{part}"] for part in ("name", "measure", "target", "frequency")]
            )

    def kpis(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                part: data.get(f"kpi_{i}_{part}", "")
                for part in ("name", "measure", "target", "frequency")
            }
            for i in range(len(self.rows))
        ]


class PerformanceReportForm(forms.Form):
    def __init__(self, *args, kpis=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_rows = []
        for kpi in kpis:
            prefix = f"kpi_{kpi.pk}"
            target = f" (target: {kpi.target})" if kpi.target else ""
            self.fields[f"{prefix}_achieved"] = _text(
                label=f"{kpi.name}: value achieved", help_text=f"{kpi.measure}{target}"
            )
            self.fields[f"{prefix}_rating"] = forms.ChoiceField(
                label=f"{kpi.name}: rating",
                choices=RATING_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"{prefix}_explanation"] = _area(
                rows=2, label=f"{kpi.name}: explanation", help_text="Needed when you choose Other"
            )
            self.kpi_rows.append(
                (kpi, [self[f"{prefix}_{p}"] for p in ("achieved", "rating", "explanation")])
            )
        self.fields["overall_rating"] = forms.ChoiceField(
            label="Overall rating",
            choices=RATING_CHOICES,
            required=False,
            widget=forms.RadioSelect,
            help_text="On the Procurement Act 2023 scale",
        )
        self.fields["overall_rating_explanation"] = _area(
            rows=2, label="Explain the overall rating", help_text="Needed when you choose Other"
        )
        self.fields["comments"] = _area(label="Comments (optional)")

    def results(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            kpi.pk: {
                "achieved": data.get(f"kpi_{kpi.pk}_achieved"),
                "rating": data.get(f"kpi_{kpi.pk}_rating"),
                "explanation": data.get(f"kpi_{kpi.pk}_explanation"),
            }
            for kpi, _ in self.kpi_rows
        }


class ResponseForm(forms.Form):
    response = _area(
        rows=6, label="Your response", help_text="The buyer sees this with the report."
    )


class VariationForm(DateMixin, forms.Form):
    ground = forms.ChoiceField(
        label="Legal ground for the change (Procurement Act 2023, section 74)",
        choices=ContractVariation.Ground.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    new_quantity = _text(label="New quantity (optional)", help_text="Leave blank to keep it")
    new_unit_price = _text(
        label="New unit price in pounds (optional)", help_text="At or below the national price"
    )
    new_end_date = DatePartsField(label="New end date (optional)", required=False)
    scope_change = _area(label="Change of scope (optional)")
    material_scope_change = forms.BooleanField(
        label="This materially changes the scope of the contract", required=False
    )
    reason = _area(rows=5, label="Reason for the change")

    DATE_FIELDS = ("new_end_date",)


class SupplierVariationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you accept this change?",
        choices=[("accept", "Accept the change"), ("reject", "Reject the change")],
        required=False,
        widget=forms.RadioSelect,
    )
    comment = _area(label="Comments", help_text="Needed if you reject the change")


class ExtendForm(DateMixin, forms.Form):
    new_end_date = DatePartsField(label="New end date", required=False)
    DATE_FIELDS = ("new_end_date",)


class TerminateForm(forms.Form):
    reason = _area(rows=5, label="Why are you terminating this contract early?")


class BenefitsForm(forms.Form):
    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_rows = []
        for outcome in outcomes:
            prefix = f"outcome_{outcome.pk}"
            self.fields[f"{prefix}_assessment"] = forms.ChoiceField(
                label=f"Was “{outcome.text}” achieved?",
                choices=ContractOutcome.Assessment.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=outcome.assessment or None,
            )
            self.fields[f"{prefix}_evidence"] = _area(
                rows=3, label="Evidence", initial=outcome.evidence
            )
            self.outcome_rows.append(
                (outcome, [self[f"{prefix}_assessment"], self[f"{prefix}_evidence"]])
            )

    def assessments(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            outcome.pk: {
                "assessment": data.get(f"outcome_{outcome.pk}_assessment"),
                "evidence": data.get(f"outcome_{outcome.pk}_evidence"),
            }
            for outcome, _ in self.outcome_rows
        }


class NotAssessedForm(forms.Form):
    reason = _area(label="Why are the benefits not being assessed?")


class OutcomeForm(forms.Form):
    text = _text(label="Add an outcome this contract was bought for")


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label="Status")
    rating = forms.ChoiceField(required=False, label="Latest overall rating")
    lot = forms.CharField(required=False, label="Lot")
    supplier = forms.CharField(required=False, label="Supplier")
    buyer = forms.CharField(required=False, label="Buyer")
    ending_soon = forms.BooleanField(required=False, label="Ending in the next 90 days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any")] + list(Contract.Status.choices)
        self.fields["rating"].choices = [("", "Any")] + RATING_CHOICES
