"""Site-wide background work: re-sending tasks kept while the broker was down."""

from celery import shared_task
from celery.signals import worker_ready

from .outbox import outbox_flush


@shared_task
def flush_outbox() -> int:
    return outbox_flush()


@worker_ready.connect
def _flush_when_a_worker_starts(**kwargs):
    outbox_flush()
