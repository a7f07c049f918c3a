"""Background work for the catalogue: importing staff-uploaded catalogue files."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .importing import catalogue_import_fail, catalogue_import_process

logger = logging.getLogger(__name__)

# Database errors that pass (a lock, a dropped connection): the import is tried again later.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(bind=True, max_retries=5, acks_late=True)
def import_catalogue_file(self, import_id: int) -> str:
    """Check and import one CatalogueImport. Idempotent: a succeeded import is not run again,
    and running the same file twice changes nothing. A bad file marks the import failed with
    its errors (that is the task working). Transient database errors are retried with backoff;
    anything else marks the import failed and is raised, never swallowed."""
    try:
        record = catalogue_import_process(import_id=import_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            catalogue_import_fail(import_id=import_id, errors=[f"Database error: {exc}"])
            raise
        countdown = min(600, 10 * 2**self.request.retries)
        logger.warning("catalogue import %s: %s; trying again in %ss", import_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:
        catalogue_import_fail(
            import_id=import_id, errors=[f"Unexpected error: {type(exc).__name__}: {exc}"]
        )
        raise
    return record.status
