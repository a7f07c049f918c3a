"""Record the engine's top-10 rankings on the development benchmark tasks as a JSON fixture.

    PYTHONPATH=. python tests/matching/record_rankings.py /work/shared/benchmarks/matching

Writes tests/matching/data/dev_rankings.json: for each task (cpv, dos-roles, dos-track) and each
query, the ids and scores (rounded to 6 decimals) of the top 10 offers, from an index built with
the default EngineConfig. test_engine_rankings.py rebuilds the index and asserts the same rankings,
so a refactor of the engine that changes any ranking or score fails. Only our engine's output is
stored, never the shared benchmark files themselves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from matching.engine import Document, EngineConfig, build_index

TASKS = ("cpv", "dos-roles", "dos-track")
TOP_K = 10
FIXTURE = Path(__file__).resolve().parent / "data" / "dev_rankings.json"


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def task_rankings(root: Path, task: str) -> dict[str, list[list]]:
    """{query id: [[offer id, score rounded to 6 decimals], ...]} for one task."""
    catalogue = load_jsonl(root / task / "catalogue.jsonl")
    queries = load_jsonl(root / task / "queries.jsonl")
    index = build_index((Document.from_mapping(d) for d in catalogue), EngineConfig())
    return {
        str(q["id"]): [
            [r.id, round(r.score, 6)] for r in index.search(q["text"], top_k=TOP_K, explain=False)
        ]
        for q in queries
    }


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/benchmarks/matching")
    out = {"top_k": TOP_K, "tasks": {task: task_rankings(root, task) for task in TASKS}}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
