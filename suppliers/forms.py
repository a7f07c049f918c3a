"""Supplier forms. They collect input; the services in suppliers/services.py validate and save."""

from django import forms

from catalogue.models import DeclarationQuestion, FrameworkMembership

from .models import BalanceSheetBand, HeadcountBand, LotApplication, Region, TurnoverBand


class SupplierProfileForm(forms.Form):
    legal_name = forms.CharField(
        label="Legal name",
        max_length=200,
        help_text="As registered at Companies House or with your regulator.",
        required=False,  # the service checks it, with the other fields, in one pass
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    trading_name = forms.CharField(
        label="Trading name (optional)",
        max_length=200,
        required=False,
        help_text="If buyers know you by a different name.",
    )
    companies_house_number = forms.CharField(
        label="Companies House number",
        max_length=12,
        required=False,
        help_text="8 characters, like 01234567 or SC123456.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "address-level2", "class": "govuk-!-width-two-thirds"}
        ),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )
    region = forms.ChoiceField(
        label="Region of your registered address",
        choices=[("", "Select a region")] + list(Region.choices),
        required=False,
    )
    headcount_band = forms.ChoiceField(
        label="How many staff do you employ?",
        help_text="Count full-time equivalent staff across your whole organisation.",
        choices=HeadcountBand.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    turnover_band = forms.ChoiceField(
        label="What is your annual turnover?",
        help_text="From your latest accounts.",
        choices=TurnoverBand.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    balance_sheet_band = forms.ChoiceField(
        label="What is your balance sheet total?",
        help_text="Total assets, from your latest accounts.",
        choices=BalanceSheetBand.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    is_vcse = forms.BooleanField(
        label="We are a voluntary, community or social enterprise (VCSE)",
        help_text="For example a charity, community interest company or co-operative.",
        required=False,
    )
    description = forms.CharField(
        label="About your organisation (optional)",
        help_text="Shown to buyers on your public supplier page.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = forms.CharField(
        label="Website (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    contact_name = forms.CharField(
        label="Contact name",
        max_length=150,
        required=False,
        help_text="Buyers see this contact on your public supplier page.",
    )
    contact_email = forms.CharField(
        label="Contact email address",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    contact_phone = forms.CharField(
        label="Contact phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )


class ApplicationForm(forms.Form):
    """The framework's declaration questions, one field `q<pk>` per question.

    Fields are optional here: the submit service checks every answer, so the rules live once.
    """

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            if question.kind == DeclarationQuestion.Kind.YES_NO:
                field = forms.ChoiceField(
                    choices=[("yes", "Yes"), ("no", "No")],
                    widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                )
            else:
                field = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
            field.required = False
            field.label = question.text
            field.help_text = question.hint
            self.fields[f"q{question.pk}"] = field


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "All applications")] + list(LotApplication.Status.choices),
        required=False,
    )


class RejectApplicationForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        help_text="The supplier sees this on their dashboard and in the email we send.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for rejecting this application"},
    )


STATUS_ACTIONS = {
    FrameworkMembership.Status.SUSPENDED: "Suspend: hide their offers until reinstated",
    FrameworkMembership.Status.REMOVED: "Remove from the framework: they must apply again",
    FrameworkMembership.Status.ACTIVE: "Reinstate: show their offers again",
}


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select suspend, remove or reinstate"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed to suspend or remove. The supplier sees it on their dashboard.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, label) for status, label in STATUS_ACTIONS.items() if status != current
        ]
