"""Background work for suppliers: telling them about decisions, and importing staff-uploaded
catalogue files."""

import logging
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .importing.running import catalogue_import_fail, catalogue_import_process
from .services import application_email_send

logger = logging.getLogger(__name__)

# Database errors that pass (a lock, a dropped connection): the import is tried again later.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_application_decision_email(application_id: int) -> None:
    application_email_send(application_id=application_id)


# Registered under its first name, from when the import lived in the catalogue app, so that
# tasks already queued (or waiting in the outbox) under that name still run.
@shared_task(name="catalogue.tasks.import_catalogue_file", bind=True, max_retries=5, acks_late=True)
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
