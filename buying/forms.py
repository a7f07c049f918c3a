from django import forms

from .models import Shortlist


class SavedSearchForm(forms.Form):
    name = forms.CharField(
        label="Name this search",
        max_length=150,
        help_text="For example: Case management for adult social care",
        error_messages={"required": "Enter a name for this search"},
    )
    query_string = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class ShortlistForm(forms.Form):
    name = forms.CharField(
        label="Name of the shortlist",
        max_length=150,
        error_messages={"required": "Enter a name for the shortlist"},
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=Shortlist.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
