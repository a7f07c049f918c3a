"""k-fold cross-validation of the matcher's query-time fusion weights on the development split.

    python benchmarks/matching_cv.py /work/shared/benchmarks/matching [--folds 5]

For each task the index is built once; queries are split into `folds` folds (a fixed seeded
shuffle). For each fold the grid point with the best mean NDCG@10 over the other folds is
chosen and scored on the held-back fold; the report lists every fold's choice and score, the
mean held-back NDCG@10 per task, and the grid point that wins most often over all tasks (its
mean training NDCG@10 across tasks breaking ties). Only query-time weights are searched, so a
grid point costs one pass over the queries. The chosen point becomes EngineConfig's defaults.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.matching_eval import K, load_task  # noqa: E402
from matching.engine import Document, EngineConfig, build_index  # noqa: E402
from matching.evaluation import ndcg_at_k  # noqa: E402

GRID: dict[str, tuple[float, ...]] = {
    "track_weight": (0.5, 1.0, 2.0, 4.0),
    "track_rest_weight": (0.0, 0.3),
    "expansion_weight": (0.3, 0.6, 1.0),
    "category_weight": (0.0, 0.3),
}


def grid_points() -> list[dict[str, float]]:
    keys = list(GRID)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*GRID.values())]


def per_query_ndcg(index, queries, qrels, point, base) -> dict[str, float]:
    index.config = replace(base, **point)
    out = {}
    for item in queries:
        ranked = [r.id for r in index.search(item["text"], top_k=K, explain=False)]
        out[item["id"]] = ndcg_at_k(ranked, qrels.get(item["id"], {}), K)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--tasks", default="cpv,dos-roles,dos-track")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    points = grid_points()
    tasks = args.tasks.split(",")
    tables: dict[str, list[dict[str, float]]] = {}
    folds: dict[str, list[list[str]]] = {}
    for task in tasks:
        catalogue, queries, qrels = load_task(args.root, task)
        index = build_index((Document.from_mapping(d) for d in catalogue), EngineConfig())
        base = index.config
        tables[task] = [per_query_ndcg(index, queries, qrels, p, base) for p in points]
        ids = [q["id"] for q in queries]
        random.Random(17).shuffle(ids)
        folds[task] = [ids[i :: args.folds] for i in range(args.folds)]
    wins: dict[int, int] = {}
    held: dict[str, list[float]] = {task: [] for task in tasks}
    for number in range(args.folds):
        # training score of a grid point: mean over tasks of its mean NDCG@10 on the other folds
        def train_score(p: int, number: int = number) -> float:
            values = []
            for task in tasks:
                skip = set(folds[task][number])
                values.append(
                    statistics.fmean(v for i, v in tables[task][p].items() if i not in skip)
                )
            return statistics.fmean(values)

        best = max(range(len(points)), key=lambda p: (round(train_score(p), 6), -p))
        wins[best] = wins.get(best, 0) + 1
        line = []
        for task in tasks:
            test = statistics.fmean(tables[task][best][i] for i in folds[task][number])
            held[task].append(test)
            line.append(f"{task} {test:.4f}")
        print(
            f"fold {number + 1}: train {train_score(best):.4f} held-out "
            + ", ".join(line)
            + f" {points[best]}"
        )
    for task in tasks:
        print(f"{task} cross-validated NDCG@10 {statistics.fmean(held[task]):.4f}")
    best = max(wins, key=lambda p: (wins[p], -p))
    print(f"chosen (most fold wins, {wins[best]} of {args.folds}): {points[best]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
