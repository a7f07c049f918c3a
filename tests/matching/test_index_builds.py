"""IndexBuild's declared lifecycle, pruning the change log, and the app's import structure."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from matching import runtime, services
from matching.models import IndexBuild, IndexChange
from ndx.lifecycle import TransitionRefused
from tests.matching.test_matching_service import catalogue  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

LIFE = IndexBuild.LIFECYCLE


# --- the lifecycle ----------------------------------------------------------------------------


def test_the_lifecycle_covers_every_status():
    assert LIFE.states() == set(IndexBuild.Status.values)


@pytest.mark.parametrize("state", sorted(LIFE.states()))
@pytest.mark.parametrize("name", sorted(LIFE.moves))
def test_every_move_is_allowed_exactly_from_its_declared_states(state, name):
    build = IndexBuild(status=state)
    declared = state in LIFE.moves[name].sources
    assert LIFE.can(build, name) is declared
    if declared:
        assert LIFE.apply(build, name) == LIFE.moves[name].to == build.status
    else:
        with pytest.raises(TransitionRefused):
            LIFE.apply(build, name)
        assert build.status == state


@pytest.mark.parametrize(
    "state, can_start, in_progress",
    [("queued", True, True), ("running", False, True), ("succeeded", False, False)]
    + [("failed", False, False)],
)
def test_properties_ask_the_lifecycle(state, can_start, in_progress):
    build = IndexBuild(status=state)
    assert build.can_start is can_start and build.is_in_progress is in_progress
    assert (IndexBuild.objects.create(status=state) in IndexBuild.objects.running()) is in_progress


@pytest.mark.parametrize("state", ["running", "succeeded", "failed"])
def test_a_build_that_is_not_queued_is_not_run_again(catalogue, state):  # noqa: F811
    build = IndexBuild.objects.create(status=state)
    assert services.index_build_run(build_id=build.pk).status == state
    build.refresh_from_db()
    assert build.status == state and not build.path


def test_a_build_goes_queued_running_succeeded(catalogue, monkeypatch):  # noqa: F811
    seen = []
    real = services.build_index

    def spy(*args, **kwargs):
        seen.append(IndexBuild.objects.get().status)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "build_index", spy)
    build = services.index_rebuild_now()
    assert seen == ["running"] and build.status == "succeeded" and build.is_current
    assert Path(build.path).is_dir() and build.offers_indexed == build.offers_total == 3


def test_an_error_after_success_does_not_turn_the_build_failed(catalogue, monkeypatch):  # noqa: F811
    def broken():
        raise OSError("cannot list the index folder")

    monkeypatch.setattr(services, "_prune_files", broken)
    with pytest.raises(OSError):
        services.index_rebuild_now()
    build = IndexBuild.objects.get()
    assert build.status == "succeeded" and build.is_current and not build.error


def test_old_build_files_and_folders_are_pruned(catalogue, settings):  # noqa: F811
    folder = services.index_dir()
    (folder / "index-999.bin").write_bytes(b"an engine 1.1 pickle")
    (folder / "index-998").mkdir()
    builds = [services.index_rebuild_now() for _ in range(services.KEEP_BUILD_FILES + 1)]
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted(Path(b.path).name for b in builds[1:])


def test_rebuild_for_engine_queues_one_build_only():
    first = services.index_rebuild_for_engine()
    assert first is not None and first.status == "queued"
    assert services.index_rebuild_for_engine() is None
    assert IndexBuild.objects.count() == 1


# --- pruning the change log -------------------------------------------------------------------


def _age(minutes: float, *changes: IndexChange) -> None:
    IndexChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_changes_inside_the_current_build_or_superseded_are_pruned_when_old():
    a1 = IndexChange.objects.create(offer_id=1, document=None)
    b1 = IndexChange.objects.create(offer_id=2, document={"id": "2", "title": "b"})
    c1 = IndexChange.objects.create(offer_id=3, document={"id": "3", "title": "c"})
    c2 = IndexChange.objects.create(offer_id=3, document={"id": "3", "title": "c again"})
    d1 = IndexChange.objects.create(offer_id=4, document={"id": "4", "title": "d"})
    d2 = IndexChange.objects.create(offer_id=4, document=None)
    e1 = IndexChange.objects.create(offer_id=5, document={"id": "5", "title": "e"})
    IndexBuild.objects.create(status="succeeded", is_current=True, changes_upto=b1.pk)
    _age(30, a1, b1, c1, c2, d1, d2)
    _age(1, e1)
    assert services.index_changes_prune() == 4
    # a1, b1: in the current build; c1, d1: superseded; c2, d2 newest of their offer; e1 young
    assert set(IndexChange.objects.values_list("pk", flat=True)) == {c2.pk, d2.pk, e1.pk}
    assert services.index_changes_prune() == 0  # idempotent


def test_young_changes_are_kept_even_when_covered_or_superseded():
    first = IndexChange.objects.create(offer_id=1, document=None)
    second = IndexChange.objects.create(offer_id=1, document=None)
    IndexBuild.objects.create(status="succeeded", is_current=True, changes_upto=second.pk)
    assert services.index_changes_prune() == 0
    later = timezone.now() + services.PRUNE_CHANGES_AFTER + timedelta(seconds=1)
    assert services.index_changes_prune(now=later) == 2
    assert not IndexChange.objects.filter(pk__in=[first.pk, second.pk]).exists()


def test_without_a_current_build_only_superseded_changes_go():
    old = IndexChange.objects.create(offer_id=1, document=None)
    new = IndexChange.objects.create(offer_id=1, document=None)
    other = IndexChange.objects.create(offer_id=2, document=None)
    _age(30, old, new, other)
    assert services.index_changes_prune(offer_ids=[2]) == 0  # only offer 2's rows are looked at
    assert services.index_changes_prune() == 1
    assert set(IndexChange.objects.values_list("pk", flat=True)) == {new.pk, other.pk}


def test_a_web_process_sees_the_same_index_after_pruning(catalogue):  # noqa: F811
    services.index_rebuild_now()
    hosting, payroll = catalogue["hosting"], catalogue["payroll"]
    loaded = runtime.current_index(force=True)
    services.index_offers_changed(offer_ids=[hosting.pk])
    runtime.current_index(force=True)  # this process applies the first change ...
    payroll.published_revision.title = "Payroll with quantum widgets"
    payroll.published_revision.save(update_fields=["title"])
    services.index_offers_changed(offer_ids=[payroll.pk, hosting.pk])
    services.index_offers_changed(offer_ids=[payroll.pk])
    _age(30, *IndexChange.objects.all())
    # ... a second process starts from the build; then the old rows are pruned
    runtime.reset()
    assert services.index_changes_prune() == 2  # hosting's first change and payroll's second
    fresh = runtime.current_index(force=True)
    assert fresh.index.get(str(payroll.pk)).title == "Payroll with quantum widgets"
    assert fresh.index.search("quantum widgets", top_k=1)[0].id == str(payroll.pk)
    assert loaded is not fresh and len(fresh.index) == 3


def test_recording_changes_prunes_that_offers_superseded_rows(catalogue):  # noqa: F811
    offer = catalogue["care"]
    services.index_offers_changed(offer_ids=[offer.pk])
    _age(30, *IndexChange.objects.all())
    services.index_offers_changed(offer_ids=[offer.pk, catalogue["hosting"].pk])
    assert IndexChange.objects.filter(offer_id=offer.pk).count() == 1


def test_the_prune_task_is_registered_by_name():
    from ndx.outbox import task_by_name

    IndexChange.objects.create(offer_id=1, document=None)
    IndexChange.objects.create(offer_id=1, document=None)
    _age(30, *IndexChange.objects.all())
    assert task_by_name("matching.tasks.prune_index_changes").apply().get() == 1
    for name in ("update_matching_index", "build_matching_index", "rebuild_for_engine"):
        assert task_by_name(f"matching.tasks.{name}").name == f"matching.tasks.{name}"


# --- structure ----------------------------------------------------------------------------------


def test_matching_has_no_import_cycles():
    grimp = pytest.importorskip("grimp", reason="the import check needs grimp")
    graph = grimp.build_graph("matching")
    modules = sorted(graph.modules)
    cycles = [
        (a, b)
        for a, b in itertools.combinations(modules, 2)
        if graph.find_shortest_chain(importer=a, imported=b)
        and graph.find_shortest_chain(importer=b, imported=a)
    ]
    assert cycles == []
    assert not graph.find_shortest_chain(importer="matching.services", imported="matching.tasks")
    engine = [m for m in modules if m.startswith("matching.engine")]
    assert all(len(Path(graph_file(m)).read_text().splitlines()) <= 800 for m in engine)


def graph_file(module: str) -> str:
    import importlib

    return importlib.import_module(module).__file__


def test_a_current_build_in_the_old_single_file_format_is_rebuilt(tmp_path):
    old = tmp_path / "index-1.bin"
    old.write_bytes(b"\x80\x05an engine 1.1 pickle")
    current = IndexBuild.objects.create(
        status="succeeded", is_current=True, path=str(old), engine_version="ndx-matching-1.1.0"
    )
    runtime.reset()
    assert runtime.current_index(force=True) is None
    queued = IndexBuild.objects.exclude(pk=current.pk).get()
    assert queued.status == "queued"
