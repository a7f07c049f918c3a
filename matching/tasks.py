"""Background work for matching: full index builds and incremental offer updates."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import index_build_run, index_offers_changed


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def build_matching_index(build_id: int) -> int:
    """Build the whole index; a failed build leaves the previous one serving."""
    return index_build_run(build_id=build_id).offers_indexed


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=8,
)
def update_matching_index(offer_ids: list[int]) -> int:
    """Record the offers' new documents; web processes pick them up within seconds."""
    return index_offers_changed(offer_ids=offer_ids)
