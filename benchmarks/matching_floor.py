"""Calibrate the relevance floor on the development split: where a match list stops being related.

    python benchmarks/matching_floor.py /work/shared/benchmarks/matching

For every query of every task the top 50 offers are ranked; a floor f keeps the offers whose
score is at least f x the best offer's score. For each f it reports, per task, the share of the
relevant offers in the top 50 that the floor keeps ("kept") and the mean length of the kept
list. The chosen floor is the highest one that keeps at least KEEP (90%) of them on every task:
a buyer loses few related offers, and the list ends where matches stop being related (F1 would
choose a list of one, since most development queries have a single relevant offer).
EngineConfig.relevance_floor is set to it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.matching_eval import load_task  # noqa: E402
from matching.engine import Document, EngineConfig, build_index  # noqa: E402

FLOORS = tuple(round(0.05 * i, 2) for i in range(1, 20))
KEEP = 0.9


def f1(kept: list[str], relevant: set[str]) -> float:
    hits = sum(1 for i in kept if i in relevant)
    if not hits:
        return 0.0
    precision, recall = hits / len(kept), hits / len(relevant)
    return 2 * precision * recall / (precision + recall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--tasks", default="cpv,dos-roles,dos-track")
    args = parser.parse_args(argv)
    per_task: dict[str, dict[float, float]] = {}
    lengths: dict[str, dict[float, float]] = {}
    for task in args.tasks.split(","):
        catalogue, queries, qrels = load_task(args.root, task)
        index = build_index((Document.from_mapping(d) for d in catalogue), EngineConfig())
        scored = []
        for item in queries:
            results = index.search(item["text"], top_k=50, explain=False)
            relevant = {i for i, g in qrels.get(item["id"], {}).items() if g >= 1}
            scored.append(([(r.id, r.score) for r in results], relevant))
        per_task[task] = {}
        lengths[task] = {}
        for floor in FLOORS:
            found = kept_relevant = 0
            sizes = []
            for results, relevant in scored:
                if not results:
                    continue
                best = results[0][1]
                kept = [i for i, s in results if s >= floor * best]
                sizes.append(len(kept))
                found += sum(1 for i, _s in results if i in relevant)
                kept_relevant += sum(1 for i in kept if i in relevant)
            per_task[task][floor] = kept_relevant / found if found else 1.0
            lengths[task][floor] = statistics.fmean(sizes) if sizes else 0.0
    print("floor " + " ".join(f"{t}:kept,length" for t in per_task))
    for floor in FLOORS:
        print(
            f"{floor:.2f} "
            + " ".join(f"{per_task[t][floor]:.3f},{lengths[t][floor]:.1f}" for t in per_task)
        )
    ok = [f for f in FLOORS if all(per_task[t][f] >= KEEP for t in per_task)]
    best = max(ok) if ok else FLOORS[0]
    print(
        f"chosen relevance_floor {best:.2f} (keeps >= {KEEP:.0%} of relevant offers on every task)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
