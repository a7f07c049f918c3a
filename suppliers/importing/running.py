"""Running an import: from the command line (catalogue_import_run), or a staff upload queued
and processed once by a background task."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from catalogue.models import (
    CatalogueImport,
)
from ndx.accounts.models import User
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from .formats import (
    MAX_STORED_ERRORS,
    MAX_UPLOAD_BYTES,
    Progress,
)
from .planning import catalogue_import_validate, resolve_target
from .reading import catalogue_import_format
from .writing import ImportResult, write_plan


def catalogue_import_run(
    *,
    name: str,
    content: bytes | str,
    framework_reference: str = "",
    lot_slug: str = "",
    actor: User | None = None,
    catalogue_import: CatalogueImport | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a catalogue file, then write it in one transaction. Raises ValidationError (and
    writes nothing) if any row is bad. `actor` is None for the command line (a system action)."""
    plan = catalogue_import_validate(
        name=name,
        content=content,
        framework_reference=framework_reference,
        lot_slug=lot_slug,
        progress=progress,
    )
    with transaction.atomic():
        if catalogue_import is not None:
            locked = CatalogueImport.objects.select_for_update().get(pk=catalogue_import.pk)
            if locked.succeeded:
                # Another worker imported it meanwhile (a task delivered twice): nothing to do.
                return ImportResult(
                    rows=locked.rows_total,
                    created=locked.created,
                    updated=locked.updated,
                    suppliers=locked.suppliers,
                    framework=locked.framework_reference,
                    lot=locked.lot_slug,
                )
        return write_plan(plan, actor=actor, catalogue_import=catalogue_import)


# --- staff uploads, processed in the background ----------------------------------------------


@transaction.atomic
def catalogue_import_create(
    *,
    actor: User,
    upload: UploadedFile | None,
    framework_reference: str = "",
    lot_slug: str = "",
) -> CatalogueImport:
    """Staff upload a catalogue file; it is checked and imported by a background task."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only platform staff can import catalogue files.")
    errors: dict[str, str] = {}
    if upload is None:
        errors["file"] = "Select a catalogue file"
    else:
        try:
            catalogue_import_format(upload.name)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if "file" not in errors and not upload.size:
            errors["file"] = "The selected file is empty"
        elif "file" not in errors and upload.size > MAX_UPLOAD_BYTES:
            errors["file"] = "The selected file must be smaller than 50MB"
    try:
        resolve_target(framework_reference, lot_slug)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    framework_reference = (framework_reference or "").strip().upper()
    record = CatalogueImport(
        uploaded_by=actor,
        original_name=PurePath(upload.name).name[:255],
        framework_reference=framework_reference,
        lot_slug=(lot_slug or "").strip(),
    )
    record.file.save(PurePath(upload.name).name, upload, save=False)
    record.save()
    audit_record(
        actor=actor,
        action="catalogue.import_queued",
        obj=record,
        detail={"file": record.original_name, "framework": framework_reference or None},
    )

    enqueue_on_commit("catalogue.tasks.import_catalogue_file", record.pk)
    return record


def _stored_errors(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_STORED_ERRORS:
        return list(messages)
    more = len(messages) - MAX_STORED_ERRORS
    return messages[:MAX_STORED_ERRORS] + [f"and {more} more problems"]


def catalogue_import_process(*, import_id: int) -> CatalogueImport:
    """Run a queued staff upload. A succeeded import is not run again. A bad file marks the
    import failed, with its errors, and writes nothing; other exceptions propagate."""
    record = CatalogueImport.objects.get(pk=import_id)
    rows = CatalogueImport.objects.filter(pk=record.pk)
    start = CatalogueImport.LIFECYCLE.move("start")
    claimed = rows.filter(status__in=start.sources).update(
        status=start.to,
        rows_done=0,
        rows_total=0,
        created=0,
        updated=0,
        suppliers=0,
        errors=[],
        finished_at=None,
    )
    if not claimed:
        return record
    with record.file.open("rb") as handle:
        content = handle.read()

    def progress(done: int, total: int) -> None:
        # Outside the write transaction, so the staff page sees the rows being checked.
        rows.update(rows_done=done, rows_total=total)

    try:
        catalogue_import_run(
            name=record.original_name,
            content=content,
            framework_reference=record.framework_reference,
            lot_slug=record.lot_slug,
            actor=record.uploaded_by,
            catalogue_import=record,
            progress=progress,
        )
    except ValidationError as exc:
        messages = (
            [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        catalogue_import_fail(import_id=record.pk, errors=messages)
    else:
        catalogue_import_discard_file(import_id=record.pk)
    record.refresh_from_db()
    return record


def catalogue_import_discard_file(*, import_id: int) -> None:
    """Once an import has ended, done or failed, its uploaded file (up to 50MB) is deleted: the
    import's report (counts and errors) is what is kept. Idempotent."""
    record = CatalogueImport.objects.get(pk=import_id)
    if not (record.succeeded or record.failed) or not record.file:
        return
    name = record.file.name
    record.file.storage.delete(name)
    CatalogueImport.objects.filter(pk=import_id).update(file="")


def catalogue_import_fail(*, import_id: int, errors: list[str]) -> None:
    """Mark an import failed, keeping what went wrong. Nothing it would have written is kept."""
    fail = CatalogueImport.LIFECYCLE.move("fail")
    CatalogueImport.objects.filter(pk=import_id, status__in=fail.sources).update(
        status=fail.to,
        errors=_stored_errors(errors),
        finished_at=timezone.now(),
    )
    catalogue_import_discard_file(import_id=import_id)
