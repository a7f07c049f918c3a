"""The engine's rankings on the real development tasks stay exactly as recorded.

The fixture (tests/matching/data/dev_rankings.json) holds the top 10 ids and scores (rounded to
6 decimals) for every query of the cpv, dos-roles and dos-track development tasks, recorded with
tests/matching/record_rankings.py from the engine before it was split into a package. Building
takes about two seconds for all three tasks, so every query is checked, both on the freshly built
index and on one saved to disk and loaded back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.engine import Index
from tests.matching.record_rankings import FIXTURE, TASKS, load_jsonl, task_rankings

SHARED = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "matching"

pytestmark = pytest.mark.skipif(
    not all((SHARED / task / "catalogue.jsonl").exists() for task in TASKS),
    reason="the shared matching benchmarks (../shared/benchmarks/matching) are absent",
)


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("task", TASKS)
def test_rankings_and_scores_are_unchanged(recorded, task):
    expected = recorded["tasks"][task]
    assert expected, "the fixture has no queries for this task"
    assert task_rankings(SHARED, task) == expected


@pytest.mark.parametrize("task", TASKS)
def test_rankings_survive_a_save_and_load(recorded, task, tmp_path):
    from matching.engine import Document, EngineConfig, build_index

    catalogue = load_jsonl(SHARED / task / "catalogue.jsonl")
    queries = load_jsonl(SHARED / task / "queries.jsonl")
    built = build_index((Document.from_mapping(d) for d in catalogue), EngineConfig())
    built.save(tmp_path / "index")
    loaded = Index.load(tmp_path / "index")
    got = {
        str(q["id"]): [[r.id, round(r.score, 6)] for r in loaded.search(q["text"], top_k=10)]
        for q in queries
    }
    assert got == recorded["tasks"][task]
