"""The staff form for uploading a catalogue file (suppliers/importing/ checks and imports it)."""

from django import forms

from catalogue.models import Framework

from .importing.formats import IMPORT_MARKET_NAME, MAX_UPLOAD_BYTES


def _framework_choices() -> list[tuple[str, str]]:
    frameworks = Framework.objects.exclude(
        status__in=[Framework.Status.CLOSED, Framework.Status.EXPIRED]
    ).order_by("name")
    return [("", f"{IMPORT_MARKET_NAME} (a live dynamic market for imported offers)")] + [
        (framework.reference, str(framework)) for framework in frameworks
    ]


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label="Catalogue file",
        help_text=(
            "A .jsonl file (one offer a line) or a .csv file with the same columns, "
            f"smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)}MB"
        ),
        error_messages={
            "required": "Select a catalogue file",
            "empty": "The selected file is empty",
            "invalid": "Select a catalogue file",
        },
        widget=forms.FileInput(attrs={"accept": ".jsonl,.json,.csv"}),
    )
    framework = forms.ChoiceField(
        label="Framework or dynamic market to import into",
        required=False,
        help_text="Offers are published in it straight away",
    )
    lot_slug = forms.CharField(
        label="Lot (optional)",
        required=False,
        max_length=80,
        help_text=(
            "The lot's short name, like cloud-software. Needed when the framework has more "
            "than one lot."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = _framework_choices()
