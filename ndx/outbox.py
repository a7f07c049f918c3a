"""Queueing background tasks without losing them when the broker is down.

`enqueue_on_commit("app.tasks.name", *args)` hands the task to Celery after the transaction
commits. Services name the task by its registered name (a string), so no `services.py` imports
its `tasks.py` (which imports the services to do the work): no import cycles. If
the broker cannot be reached, the task is written to the OutboxTask table instead of failing
the request (the user's change is already committed); `outbox_flush()` sends waiting tasks,
oldest first. It runs from the worker and beat only (every minute, and when a worker starts):
never inside a web request, so a page never waits on a backlog; /healthz only reports how
many wait (`outbox_waiting`).

Two flushers at once (beat and a starting worker, or two workers) never send a row twice:
each row is sent inside its own transaction that holds the row's lock
(`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), and is deleted before that transaction
commits; a second flusher skips rows that are locked and never sees deleted ones. SQLite has
no row locks (select_for_update is ignored there): it is for development, where tasks run
in-process and the outbox stays empty, so run a single flusher if you ever use one with a
broker. Tasks are idempotent anyway, so a task sent twice (say, the commit failed after
the send) is harmless."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import connection, transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def _outbox():
    from .models import OutboxTask

    return OutboxTask


def task_by_name(name: str):
    """The registered task called `name`, importing every app's tasks module if needed."""
    if name not in current_app.tasks:
        # autodiscover_tasks() is lazy: the worker imports the tasks modules at start-up; a
        # web process does it here, the first time it queues work by name.
        current_app.loader.import_default_modules()
    try:
        return current_app.tasks[name]
    except KeyError:
        raise LookupError(f"no Celery task is registered as {name!r}") from None


def _name(task) -> str:
    return task if isinstance(task, str) else task.name


def publish(task, *args, **kwargs) -> bool:
    """Send now; on a broker error keep it in the outbox. True when it was sent.

    `task` is a task's registered name (preferred) or the task itself."""
    name = _name(task)
    task = task_by_name(name) if isinstance(task, str) else task
    if current_app.conf.task_always_eager:  # no broker: the task runs here and now
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except BROKER_ERRORS as exc:
        log.warning("broker unavailable, %s kept in the outbox: %s", name, exc)
        _outbox().objects.create(
            task_name=name, args=list(args), kwargs=kwargs, last_error=str(exc)[:2000]
        )
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` (its registered name) once the current transaction commits."""
    if isinstance(task, str) and current_app.conf.task_always_eager:
        task_by_name(task)  # a misspelt name fails here, in the service, not after the commit
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


class _SendFailed(Exception):
    def __init__(self, row, error: Exception):
        super().__init__(str(error))
        self.row, self.error = row, error


def _claim_next():
    """The oldest waiting row no other flusher holds, locked until the transaction ends."""
    rows = _outbox().objects.order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return rows.first()


def outbox_flush(limit: int = 500) -> int:
    """Send waiting tasks in order; stop at the first broker error. Returns how many were sent.

    For the worker and beat only (ndx/tasks.py), not web requests."""
    sent = 0
    while sent < limit:
        try:
            with transaction.atomic():
                row = _claim_next()
                if row is None:
                    break
                try:
                    current_app.send_task(
                        row.task_name, args=row.args, kwargs=row.kwargs, retry=False
                    )
                except BROKER_ERRORS as exc:
                    raise _SendFailed(row, exc) from exc
                row.delete()
        except _SendFailed as failure:
            _outbox().objects.filter(pk=failure.row.pk).update(
                attempts=failure.row.attempts + 1, last_error=str(failure.error)[:2000]
            )
            break
        sent += 1
    return sent


def outbox_waiting() -> int:
    """How many tasks wait in the outbox (for /healthz, which reports but does not send)."""
    return _outbox().objects.count()
