"""Forms for guidance pages and case studies. They check the shape; the services the rules."""

from django import forms

from .services import BODY_MAX, CASE_TEXT_MAX, SUMMARY_MAX, TITLE_MAX

MARKDOWN_HINT = (
    "Use ## for a section heading and ### for a subheading, - for a bulleted list, 1. for a "
    "numbered list, [link text](https://...) for a link, **bold**, > for inset text and | for "
    "a table. HTML is not allowed and is shown as text."
)


class GuidancePageForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=TITLE_MAX, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary",
        max_length=SUMMARY_MAX,
        help_text="One or two sentences shown in the list of guidance.",
        error_messages={"required": "Enter a summary"},
    )
    body = forms.CharField(
        label="Body",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 25}),
        help_text=MARKDOWN_HINT,
        error_messages={"required": "Enter the body"},
    )


def _text(label: str, message: str, hint: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=CASE_TEXT_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=hint or None,
        error_messages={"required": message},
    )


class CaseStudyForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=TITLE_MAX, error_messages={"required": "Enter a title"}
    )
    problem = _text("What problem did you need to solve?", "Enter the problem")
    approach = _text("How did you buy and introduce it?", "Enter the approach")
    outcomes = _text("What changed as a result?", "Enter the outcomes")
    figures = _text(
        "Figures (optional)",
        "",
        "For example, money saved, hours saved or users served. Published as you write them.",
        required=False,
    )
    supplier_agreed = forms.BooleanField(
        label="The supplier agrees to this case study being published",
        error_messages={"required": "Confirm that the supplier agrees to the case study"},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining or withdrawing it?",
        max_length=CASE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason"},
    )
