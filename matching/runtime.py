"""The index a web (or worker) process searches: loaded from the current build's index folder, with
newer incremental changes applied on top. Checked at most every MATCHING_REFRESH_SECONDS (and at
once when a new build is announced through the shared cache), so a new build or an offer update
shows without a restart. A node that shares no disk with the worker fetches the build's published
archive first (matching/publication.py) and keeps serving its old index until it has it."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from ndx.outbox import publish

from .engine import Document, Index, IndexVersionError
from .models import IndexBuild, IndexChange
from .publication import announced, local_index_path

log = logging.getLogger(__name__)


@dataclass
class LoadedIndex:
    build_id: int
    index: Index
    applied_change: int
    checked_at: float


# One lock for loading, applying changes and searching: an index is never searched while
# it is being changed by another thread of the same process.
_lock = threading.RLock()
index_lock = _lock
_loaded: LoadedIndex | None = None


def reset() -> None:
    """Forget the loaded index (tests; and after a failed load)."""
    global _loaded
    with _lock:
        _loaded = None


def _apply_changes(loaded: LoadedIndex) -> None:
    while True:
        changes = list(
            IndexChange.objects.filter(id__gt=loaded.applied_change).order_by("id")[:5000]
        )
        if not changes:
            return
        latest: dict[int, IndexChange] = {}
        for change in changes:
            latest[change.offer_id] = change
        upserts = [Document.from_mapping(c.document) for c in latest.values() if c.document]
        removals = [str(c.offer_id) for c in latest.values() if not c.document]
        if removals:
            loaded.index.remove(removals)
        if upserts:
            loaded.index.upsert(upserts)
        loaded.applied_change = changes[-1].id


def _queue_rebuild() -> None:
    """Ask for a rebuild by the task's registered name (the services import this module, so it
    does not import them). The task queues one build unless one is already in progress."""
    if not IndexBuild.objects.running().exists():
        publish("matching.tasks.rebuild_for_engine")


def current_index(force: bool = False) -> LoadedIndex | None:
    """The freshest index, or None when no build has succeeded yet."""
    global _loaded
    with _lock:
        now = time.monotonic()
        told = announced()  # a new build announced through the shared cache: look now
        if (
            not force
            and _loaded is not None
            and now - _loaded.checked_at < settings.MATCHING_REFRESH_SECONDS
            and told in (None, _loaded.build_id)
        ):
            return _loaded
        build = IndexBuild.objects.current().first()
        if build is None:
            return _loaded
        if _loaded is None or _loaded.build_id != build.pk:
            try:
                # This node's copy (fetched from the published archive when it shares no disk
                # with the worker); None while a background fetch runs: keep the old index.
                path = local_index_path(build, wait=_loaded is None)
                if path is None:
                    _apply_changes(_loaded)
                    _loaded.checked_at = now
                    return _loaded
                index = Index.load(path)
            except IndexVersionError:
                # Built by an older engine: keep serving what we have and ask for a rebuild.
                log.warning("index build %s is from another engine version; rebuilding", build.pk)
                _queue_rebuild()
                if _loaded is not None:
                    _loaded.checked_at = now
                return _loaded
            except Exception:  # a missing or damaged file: keep serving what we have
                log.exception("could not load matching index build %s", build.pk)
                if _loaded is not None:
                    _loaded.checked_at = now
                return _loaded
            _loaded = LoadedIndex(build.pk, index, build.changes_upto, now)
        _apply_changes(_loaded)
        _loaded.checked_at = now
        return _loaded
