"""Background work for matching: full index builds, incremental offer updates, and pruning
the change log. Other apps queue these by their registered names (ndx.outbox)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import (
    index_build_run,
    index_changes_prune,
    index_offers_changed,
    index_rebuild_for_engine,
)


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


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def rebuild_for_engine() -> int | None:
    """A web process found the current index built by another engine version: queue one
    rebuild (none when a build is already in progress). Returns the queued build's id."""
    build = index_rebuild_for_engine()
    return None if build is None else build.pk


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def prune_index_changes() -> int:
    """Delete change-log rows no web process can still need (see index_changes_prune).
    Suitable for the beat schedule, e.g. hourly; idempotent."""
    return index_changes_prune()
