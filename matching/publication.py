"""Index generations shared by nodes that share no disk.

The worker that builds an index publishes it where every node can reach it: the build's folder
(matching/engine/storage.py) packed into one uncompressed tar archive, stored in PostgreSQL in
CHUNK_BYTES chunks with its SHA-256 (`index_publish`). When the build is made current the worker
announces it through the shared cache (Redis in production: `announce`), so every node notices
at its next request instead of at its next periodic check.

A node whose own index folder (settings.MATCHING_INDEX_DIR) does not hold the current build
fetches it (`local_index_path`): chunks in order into a temporary file, the checksum checked,
the archive's plain files extracted into a temporary folder that is renamed into place. Until
that is done the node keeps serving the index it has (the fetch runs in a background thread),
so a swap is atomic and never blocks searches; a node with no index at all fetches at once.

Turned on with NDX_MATCHING_PUBLISH=1 (settings.MATCHING_PUBLISH_INDEX) on the worker; nodes
fetch whenever a current build is published and its folder is not on their disk."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .models import IndexBuild, PublishedIndex, PublishedIndexChunk

log = logging.getLogger(__name__)

CHUNK_BYTES = 8 * 2**20
KEEP_PUBLISHED = 2
ANNOUNCE_KEY = "ndx:matching:generation"


class PublicationError(Exception):
    """A published index that cannot be used (checksum mismatch, missing chunk, bad member)."""


def _pack(folder: Path, target) -> None:
    with tarfile.open(fileobj=target, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for file in sorted(folder.iterdir()):
            if file.is_file():
                tar.add(file, arcname=file.name, recursive=False)


@transaction.atomic
def index_publish(*, build_id: int, folder: Path) -> PublishedIndex:
    """Store the build's folder in the database, chunked, with its checksum. Idempotent:
    publishing a build again replaces its chunks."""
    build = IndexBuild.objects.select_for_update().get(pk=build_id)
    PublishedIndex.objects.filter(build=build).delete()
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as archive:
        _pack(Path(folder), archive)
        size = archive.tell()
        archive.seek(0)
        publication = PublishedIndex.objects.create(
            build=build, sha256="", size=size, chunk_count=0
        )
        number = 0
        while chunk := archive.read(CHUNK_BYTES):
            digest.update(chunk)
            PublishedIndexChunk.objects.create(publication=publication, number=number, data=chunk)
            number += 1
    publication.sha256 = digest.hexdigest()
    publication.chunk_count = number
    publication.save(update_fields=["sha256", "chunk_count"])
    return publication


def publications_prune(*, keep: int = KEEP_PUBLISHED) -> int:
    """Delete published archives except the current build's and the newest `keep`."""
    newest = list(
        PublishedIndex.objects.order_by("-build__is_current", "-created_at").values_list(
            "pk", flat=True
        )[:keep]
    )
    deleted, _ = PublishedIndex.objects.exclude(pk__in=newest).delete()
    return deleted


def announce(build_id: int) -> None:
    """Tell every node (through the shared cache) that this build is now current."""
    cache.set(ANNOUNCE_KEY, build_id, timeout=None)


def announced() -> int | None:
    """The build id last announced, or None (no announcement, or the cache is down)."""
    try:
        return cache.get(ANNOUNCE_KEY)
    except Exception:  # the cache fails open: nodes still check the database periodically
        return None


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        name = member.name
        if not member.isfile() or "/" in name or "\\" in name or name.startswith("."):
            raise PublicationError(f"unexpected member {name!r} in a published index")
    return members


def fetch(build: IndexBuild, target: Path) -> Path:
    """Fetch, verify and unpack the build's published archive into `target` (atomically: a
    temporary folder renamed into place). Raises PublicationError, or DoesNotExist when the
    build was not published."""
    publication = PublishedIndex.objects.get(build=build)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.TemporaryFile(dir=target.parent) as archive:
        expected = 0
        chunks = (
            PublishedIndexChunk.objects.filter(publication=publication)
            .order_by("number")
            .values_list("number", "data")
        )
        for number, data in chunks.iterator(chunk_size=1):
            if number != expected:
                raise PublicationError(f"published index {build.pk} is missing chunk {expected}")
            data = bytes(data)
            digest.update(data)
            archive.write(data)
            expected += 1
        if expected != publication.chunk_count or archive.tell() != publication.size:
            raise PublicationError(f"published index {build.pk} is incomplete")
        if digest.hexdigest() != publication.sha256:
            raise PublicationError(f"published index {build.pk} fails its checksum")
        archive.seek(0)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            with tarfile.open(fileobj=archive, mode="r:") as tar:
                members = _safe_members(tar)  # plain files with plain names only
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
                    tar.extractall(staging, members=members, filter="data")
                else:  # pragma: no cover - older Pythons
                    tar.extractall(staging, members=members)  # noqa: S202 - members checked
            if target.exists():  # another thread of this node got there first
                shutil.rmtree(staging, ignore_errors=True)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


_fetching: dict[int, threading.Thread] = {}
_fetch_lock = threading.Lock()


def _fetch_in_thread(build: IndexBuild, target: Path) -> None:
    try:
        fetch(build, target)
        _prune_local(target)
    except Exception:
        log.exception("could not fetch published matching index %s", build.pk)
    finally:
        with _fetch_lock:
            _fetching.pop(build.pk, None)
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # this thread's own connection


def _prune_local(keep: Path) -> None:
    folders = sorted(
        (p for p in Path(settings.MATCHING_INDEX_DIR).glob("index-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[2:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)  # processes mapping it keep their copy


def local_index_path(build: IndexBuild, *, wait: bool) -> Path | None:
    """The folder to load `build` from on this node: the worker's folder when it is in this
    node's own index folder (settings.MATCHING_INDEX_DIR: one machine); else, when the build
    was published, this node's own copy, fetched from the database when missing (at once when
    `wait`, else in a background thread, returning None meanwhile: keep serving the old index);
    else the worker's folder as before (a node that cannot reach it logs the failed load)."""
    own_dir = Path(settings.MATCHING_INDEX_DIR)
    worker = Path(build.path) if build.path else None
    if worker is not None and worker.is_dir() and worker.parent.resolve() == own_dir.resolve():
        return worker
    local = own_dir / f"index-{build.pk}"
    if local.is_dir():
        return local
    if not PublishedIndex.objects.filter(build=build).exists():
        return worker or local
    if wait:
        fetch(build, local)
        _prune_local(local)
        return local
    with _fetch_lock:
        if build.pk not in _fetching:
            thread = threading.Thread(
                target=_fetch_in_thread,
                args=(build, local),
                name=f"fetch-index-{build.pk}",
                daemon=True,
            )
            _fetching[build.pk] = thread
            thread.start()
    return None
