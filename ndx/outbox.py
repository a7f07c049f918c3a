"""Queueing background tasks without losing them when the broker is down.

`enqueue_on_commit(task, *args)` hands the task to Celery after the transaction commits. If
the broker cannot be reached, the task is written to the OutboxTask table instead of failing
the request (the user's change is already committed); `outbox_flush()` sends waiting tasks,
oldest first, and runs every minute from beat, when a worker starts, and after the next task
that is sent successfully. Tasks are idempotent, so a task sent twice is harmless."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def _outbox():
    from .models import OutboxTask

    return OutboxTask


def publish(task, *args, **kwargs) -> bool:
    """Send now; on a broker error keep it in the outbox. True when it was sent."""
    if current_app.conf.task_always_eager:  # no broker: the task runs here and now
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except BROKER_ERRORS as exc:
        log.warning("broker unavailable, %s kept in the outbox: %s", task.name, exc)
        _outbox().objects.create(
            task_name=task.name, args=list(args), kwargs=kwargs, last_error=str(exc)[:2000]
        )
        return False
    if _outbox().objects.exists():
        outbox_flush()
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def outbox_flush(limit: int = 500) -> int:
    """Send waiting tasks in order; stop at the first broker error. Returns how many were sent."""
    sent = 0
    for row in _outbox().objects.all()[:limit]:
        try:
            current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, retry=False)
        except BROKER_ERRORS as exc:
            _outbox().objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, last_error=str(exc)[:2000]
            )
            break
        row.delete()
        sent += 1
    return sent


def outbox_flush_if_waiting() -> str:
    """For /healthz: flush if anything is waiting; a short status for the JSON."""
    if not _outbox().objects.exists():
        return "empty"
    sent = outbox_flush()
    waiting = _outbox().objects.count()
    return f"sent {sent}, {waiting} waiting"
