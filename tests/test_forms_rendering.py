"""Django forms render the GOV.UK way: labels, hints, error messages and a linked error summary."""

from django import forms

from ndx.govuk import render_error_summary, render_field


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As it appears on your ID")
    email = forms.EmailField(label="Email address")
    kind = forms.ChoiceField(
        label="Account type", choices=[("a", "Buyer"), ("b", "Supplier")], widget=forms.RadioSelect
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False, max_length=500)
    agree = forms.BooleanField(label="I agree")
    colour = forms.ChoiceField(label="Colour", choices=[("", "Choose"), ("r", "Red")])


def test_valid_field_has_label_hint_and_value():
    form = ExampleForm(initial={"name": "Ada <Lovelace>"})
    html = render_field(form["name"])
    assert '<label class="govuk-label" for="id_name">' in html
    assert 'class="govuk-hint"' in html and "As it appears on your ID" in html
    assert 'value="Ada &lt;Lovelace&gt;"' in html
    assert "govuk-input" in html


def test_errors_render_messages_and_summary_links_to_each_field():
    form = ExampleForm(data={"email": "not-an-email", "notes": "x" * 501})
    assert not form.is_valid()
    summary = render_error_summary(form)
    assert "There is a problem" in summary
    assert 'href="#id_name"' in summary
    assert 'href="#id_email"' in summary
    assert 'href="#id_kind"' in summary  # first radio's id, as GOV.UK radios use idPrefix
    assert 'href="#id_agree"' in summary
    name_html = render_field(form["name"])
    assert "govuk-form-group--error" in name_html
    assert 'class="govuk-error-message"' in name_html
    assert "This field is required." in name_html
    radios = render_field(form["kind"])
    assert 'id="id_kind"' in radios and "govuk-radios" in radios
    assert "<legend" in radios
    assert "govuk-character-count" in render_field(form["notes"])
    assert "govuk-select" in render_field(form["colour"])


def test_unbound_form_has_no_error_summary():
    assert render_error_summary(ExampleForm()) == ""


def test_markup_in_values_and_errors_is_escaped():
    form = ExampleForm(data={"name": "<script>alert(1)</script>"})
    form.is_valid()
    html = render_field(form["name"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_multiple_choice_renders_checkboxes_with_selected_items():
    class Certs(forms.Form):
        certs = forms.MultipleChoiceField(
            label="Certifications",
            choices=[("ce", "Cyber Essentials"), ("iso", "ISO 27001")],
            widget=forms.CheckboxSelectMultiple,
        )

    html = render_field(Certs(data={"certs": ["iso"]})["certs"])
    assert "govuk-checkboxes" in html and "govuk-radios" not in html
    assert html.count("checked") == 1
    assert 'value="iso" checked' in html
