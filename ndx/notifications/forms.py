from django import forms

from .models import NotificationPreference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="How do you want to be emailed about notifications?",
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
        help_text="Emails about the security of your account are always sent at once.",
        error_messages={"required": "Select how you want to be emailed"},
    )
