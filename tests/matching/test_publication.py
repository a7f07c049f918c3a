"""Index generations for nodes that share no disk (matching/publication.py): the worker publishes
each build in the database, chunked with a checksum, and announces it; a node fetches, verifies
and swaps it in, and keeps serving its old index until then."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from django.core.cache import cache

from matching import publication, runtime, services
from matching.models import IndexBuild, PublishedIndex, PublishedIndexChunk
from tests.matching.test_matching_service import buyer, catalogue, requirement_for  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def publishing(settings, tmp_path):
    settings.MATCHING_PUBLISH_INDEX = True
    settings.MATCHING_INDEX_DIR = tmp_path / "worker"
    return settings


def on_another_node(settings, tmp_path, name: str) -> Path:
    """From here on this process is a node with its own, empty index folder."""
    folder = tmp_path / name
    settings.MATCHING_INDEX_DIR = folder
    runtime.reset()
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_build_is_published_in_chunks_with_its_checksum(
    catalogue,  # noqa: F811
    publishing,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(publication, "CHUNK_BYTES", 4096)
    with django_capture_on_commit_callbacks(execute=True):
        build = services.index_rebuild_now()
    published = PublishedIndex.objects.get(build=build)
    assert published.chunk_count == PublishedIndexChunk.objects.count() > 1
    assert len(published.sha256) == 64 and published.size > 4096
    assert cache.get(publication.ANNOUNCE_KEY) == build.pk


def test_nothing_is_published_unless_turned_on(catalogue, settings, tmp_path):  # noqa: F811
    settings.MATCHING_INDEX_DIR = tmp_path / "worker"
    services.index_rebuild_now()
    assert not PublishedIndex.objects.exists()


def test_a_node_without_the_files_fetches_verifies_and_serves_them(
    catalogue,  # noqa: F811
    buyer,  # noqa: F811
    publishing,
    tmp_path,
):
    build = services.index_rebuild_now()
    worker_files = files(Path(build.path))
    node = on_another_node(publishing, tmp_path, "node-b")
    # The worker's folder is outside this node's index folder: as if on another machine.
    run = services.requirement_match(
        actor=buyer, requirement=requirement_for(buyer, "We need payroll for our schools")
    )
    assert run.offers[0]["offer_id"] == catalogue["payroll"].pk
    assert files(node / f"index-{build.pk}") == worker_files


@pytest.mark.parametrize("damage", ["flip", "drop"])
def test_a_damaged_publication_is_refused(catalogue, publishing, tmp_path, monkeypatch, damage):  # noqa: F811
    monkeypatch.setattr(publication, "CHUNK_BYTES", 4096)
    build = services.index_rebuild_now()
    chunk = PublishedIndexChunk.objects.filter(publication__build=build).order_by("number")[1]
    if damage == "flip":
        data = bytearray(chunk.data)
        data[10] ^= 0xFF
        chunk.data = bytes(data)
        chunk.save()
    else:
        chunk.delete()
    target = tmp_path / "node" / f"index-{build.pk}"
    with pytest.raises(publication.PublicationError):
        publication.fetch(build, target)
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.is_dir()]  # no half-unpacked folder


def test_a_node_keeps_serving_its_old_index_until_the_new_one_is_fetched(
    catalogue,  # noqa: F811
    publishing,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    first = services.index_rebuild_now()
    on_another_node(publishing, tmp_path, "node-b")
    shutil.rmtree(first.path)
    assert runtime.current_index().build_id == first.pk  # a node with nothing fetches at once
    started = []

    class HeldThread(threading.Thread):
        def start(self):  # the fetch is "still running": held until the test lets it go
            started.append(self)

    monkeypatch.setattr(publication.threading, "Thread", HeldThread)
    publishing.MATCHING_INDEX_DIR = tmp_path / "worker"
    with django_capture_on_commit_callbacks(execute=True):  # the announcement, after commit
        second = services.index_rebuild_now()
    publishing.MATCHING_INDEX_DIR = tmp_path / "node-b"
    shutil.rmtree(second.path)
    publishing.MATCHING_REFRESH_SECONDS = 3600  # only the announcement makes it look again
    assert runtime.current_index().build_id == first.pk
    assert runtime.current_index().build_id == first.pk
    assert len(started) == 1  # one fetch per build, however many requests arrive meanwhile
    started[0].run()
    assert runtime.current_index().build_id == second.pk
    assert IndexBuild.objects.get(pk=second.pk).is_current


def test_old_publications_are_pruned(catalogue, publishing):  # noqa: F811
    builds = [services.index_rebuild_now() for _ in range(4)]
    kept = set(PublishedIndex.objects.values_list("build_id", flat=True))
    assert kept == {builds[-1].pk, builds[-2].pk}
