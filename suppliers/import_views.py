"""Staff pages for catalogue imports: upload a catalogue file; a background task imports it."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from catalogue.models import CatalogueImport
from ndx.accounts.decorators import staff_required
from ndx.accounts.forms import apply_validation_error
from ndx.plain_words import count_noun

from .import_forms import CatalogueImportForm
from .importing.running import catalogue_import_create

ERRORS_SHOWN = 50


@staff_required
def import_list(request):
    imports = CatalogueImport.objects.select_related("uploaded_by")[:100]
    return render(request, "suppliers/imports/list.html", {"imports": imports})


@staff_required
def import_create(request):
    # Bound on every POST: a post with no fields at all must still show "Select a file".
    form = (
        CatalogueImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else CatalogueImportForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = catalogue_import_create(
                actor=request.user,
                upload=form.cleaned_data["file"],
                framework_reference=form.cleaned_data["framework"],
                lot_slug=form.cleaned_data["lot_slug"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            # No banner: the import page shows whether it is queued, running, done or failed.
            return redirect("suppliers:staff_import", pk=record.pk)
    return render(request, "suppliers/imports/form.html", {"form": form})


@staff_required
def import_detail(request, pk: int):
    record = get_object_or_404(CatalogueImport.objects.select_related("uploaded_by"), pk=pk)
    in_progress = record.in_progress
    result_text = (
        f"{count_noun(record.rows_total, 'offer')}: {record.created:,} created, "
        f"{record.updated:,} updated, from {count_noun(record.suppliers, 'supplier')}"
    )
    context = {
        "record": record,
        "in_progress": in_progress,
        # The page reloads itself while the import runs (no JavaScript needed); it can be
        # turned off, for people who need the page to stay still.
        "refresh": request.GET.get("refresh") != "off",
        "result_text": result_text,
        "errors_shown": record.errors[:ERRORS_SHOWN],
        "errors_more": max(0, len(record.errors) - ERRORS_SHOWN),
    }
    return render(request, "suppliers/imports/detail.html", context)
