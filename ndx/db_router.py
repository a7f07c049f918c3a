"""Read replica for search reads: with DATABASE_REPLICA_URL set, the catalogue search reads
from the "replica" database, everything else (and every write) uses "default".

Only code inside `replica_reads()` is routed (the search page's shared part and the facet
table: `catalogue.search_page`, `catalogue.facet_index`), and never inside a transaction on
"default", so a workflow never reads around its own uncommitted writes. A replica that lags a
little shows a change a moment late; the page rows are re-checked against visibility rules on
the replica itself, so nothing a buyer may not see is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = ContextVar("ndx_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Route reads made inside this block to the replica, when one is configured."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """db_for_read: the replica inside `replica_reads()` (outside any transaction on default);
    no opinion otherwise, so Django uses "default". Writes and migrations: default only."""

    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured():
            if not connections["default"].in_atomic_block:
                return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of default: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
