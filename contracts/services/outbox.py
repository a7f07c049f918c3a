"""Queueing contract emails after the commit, and a switch to queue none (for demo data,
which nobody should receive)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from ndx.outbox import enqueue_on_commit

_QUIET: ContextVar[bool] = ContextVar("contract_emails_quiet", default=False)


@contextmanager
def contract_emails_off():
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def email_queue(task: str, *args) -> None:
    """Queue a contracts.tasks email task by its registered name, once the transaction commits."""
    if not _QUIET.get():
        enqueue_on_commit(task, *args)
