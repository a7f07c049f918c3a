from celery import shared_task

from .services import staff_past_due_notify


@shared_task
def notify_staff_of_decisions_due() -> int:
    """Daily: staff get one notification listing the items past their service level."""
    return staff_past_due_notify()
