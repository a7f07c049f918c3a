"""Forms for reviews. They check the shape of what was typed; the services decide the rules."""

from django import forms

from .models import STARS, PerformanceRating, ReviewReport
from .services import REASON_MAX, RESPONSE_MAX, TEXT_MAX, TITLE_MAX

STAR_HINT = "1 star is very poor and 5 stars is excellent."


def _stars(label: str, message: str, hint: str | None = None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text=hint,
        error_messages={"required": message, "invalid_choice": message},
    )


class ReviewForm(forms.Form):
    rating = _stars(
        "Overall, how would you rate it?",
        "Select an overall rating from 1 to 5 stars",
        STAR_HINT,
    )
    value_for_money = _stars("Value for money", "Select a rating for value for money")
    delivery = _stars(
        "Delivery", "Select a rating for delivery", "Did the supplier deliver what was agreed?"
    )
    support = _stars("Support", "Select a rating for support")
    ease_of_use = _stars("Ease of use", "Select a rating for ease of use")
    performance = forms.ChoiceField(
        label="How is the supplier performing against the contract's key performance indicators?",
        choices=PerformanceRating.choices,
        widget=forms.RadioSelect,
        help_text="The performance rating that public contracts report.",
        error_messages={
            "required": "Select the supplier's performance rating",
            "invalid_choice": "Select the supplier's performance rating",
        },
    )
    title = forms.CharField(
        label="Title of your review",
        max_length=TITLE_MAX,
        help_text="Sum up your experience in a few words.",
        error_messages={
            "required": "Enter a title",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    text = forms.CharField(
        label="Your review",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "What went well and what could be better? Do not include links, email addresses "
            "or phone numbers: reviews with them wait for our staff to check them."
        ),
        error_messages={
            "required": "Enter your review",
            "max_length": f"Your review must be {TEXT_MAX:,} characters or fewer",
        },
    )


class ResponseForm(forms.Form):
    text = forms.CharField(
        label="Your public response",
        max_length=RESPONSE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Everyone who can see the review sees your response. You can respond once.",
        error_messages={
            "required": "Enter your response",
            "max_length": f"Your response must be {RESPONSE_MAX:,} characters or fewer",
        },
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The buyer who wrote the review sees this reason.",
        error_messages={
            "required": "Enter the reason for rejecting the review",
            "max_length": f"The reason must be {REASON_MAX:,} characters or fewer",
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this review?",
        choices=ReviewReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why you are reporting this review",
            "invalid_choice": "Select why you are reporting this review",
        },
    )
    detail = forms.CharField(
        label="More detail (optional unless you chose something else)",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The detail must be {REASON_MAX:,} characters or fewer"},
    )
