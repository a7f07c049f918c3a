from django import forms
from django.core.exceptions import ValidationError

from .models import Membership, Organisation
from .services import signup_complete, signup_validate

ACCOUNT_TYPE_CHOICES = [
    (Organisation.Kind.BUYER, "Buy technology for a public-sector organisation"),
    (Organisation.Kind.SUPPLIER, "Sell technology to the public sector"),
]


class SignupDetailsForm(forms.Form):
    """Extra sign-up questions; django-allauth adds email and password fields to this form."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    account_type = forms.ChoiceField(
        label="What do you want to do?",
        choices=ACCOUNT_TYPE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you are buying or supplying"},
    )
    organisation_name = forms.CharField(
        label="Organisation name",
        max_length=200,
        required=False,
        help_text=(
            "Buyers whose email domain is already linked to an organisation join it "
            "automatically and can leave this blank."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    buyer_type = forms.ChoiceField(
        label="Type of public-sector organisation (buyers only)",
        choices=[("", "Select a type")] + list(Organisation.BuyerType.choices),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("email") or "account_type" not in cleaned:
            return cleaned
        errors = signup_validate(
            email=cleaned.get("email") or "",
            account_type=cleaned.get("account_type", ""),
            organisation_name=cleaned.get("organisation_name", ""),
            buyer_type=cleaned.get("buyer_type", ""),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned

    def signup(self, request, user):
        signup_complete(
            user=user,
            full_name=self.cleaned_data["full_name"],
            account_type=self.cleaned_data["account_type"],
            organisation_name=self.cleaned_data.get("organisation_name", ""),
            buyer_type=self.cleaned_data.get("buyer_type", ""),
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
        help_text="Admins can invite people and change roles.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", choices=Membership.Role.choices, widget=forms.RadioSelect
    )


class InvitedSignupForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password and not only numbers.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match")
        return cleaned


class ApprovedDomainForm(forms.Form):
    domain = forms.CharField(
        label="Email domain",
        max_length=253,
        help_text="For example leeds.gov.uk, without the @",
        error_messages={"required": "Enter a domain"},
    )
    buyer_type = forms.ChoiceField(
        label="Type of organisation",
        choices=Organisation.BuyerType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of organisation"},
    )
    include_subdomains = forms.BooleanField(
        label="Also approve any subdomain of this domain", required=False
    )
    organisation = forms.ModelChoiceField(
        label="Organisation that people from this domain join (optional)",
        queryset=Organisation.objects.buyers(),
        required=False,
        empty_label="None: each person registers their own organisation",
    )


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


__all__ = [
    "ApprovedDomainForm",
    "InvitationForm",
    "InvitedSignupForm",
    "RoleForm",
    "SignupDetailsForm",
    "apply_validation_error",
]


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why are you suspending this account?",
        help_text="This is kept in the audit log.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the account is suspended"},
    )


class SignOnForm(forms.Form):
    issuer = forms.CharField(
        label="Issuer address",
        help_text="For example https://login.microsoftonline.com/<tenant id>/v2.0",
        max_length=500,
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
        error_messages={"required": "Enter the provider’s issuer address"},
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=191,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter the client ID the provider gave you"},
    )
    secret = forms.CharField(
        label="Client secret",
        help_text="Leave blank to keep the current secret.",
        max_length=191,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
