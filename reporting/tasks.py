"""Background work for reporting: recomputing the report snapshots (Celery beat runs this every
hour; see CELERY_BEAT_SCHEDULE in ndx/settings.py)."""

from celery import shared_task

from .services import report_snapshots_refresh


@shared_task
def refresh_report_snapshots(trigger: str = "schedule", actor_id: int | None = None) -> dict:
    """Each report's outcome. A failed report is recorded on its snapshot and logged; the last
    good snapshot stays current, so the task itself does not fail."""
    actor = None
    if actor_id is not None:
        from ndx.accounts.models import User

        actor = User.objects.filter(pk=actor_id).first()
    return report_snapshots_refresh(actor=actor, trigger=trigger)
