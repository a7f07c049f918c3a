"""Ranking metrics (pure Python): NDCG@k with graded gains, MRR@k, Recall@k."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ndcg_at_k", "mrr_at_k", "recall_at_k", "evaluate_run", "load_qrels"]


def _gain(grade: int) -> float:
    return float(2**grade - 1) if grade > 0 else 0.0


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k: gain 2**grade - 1 (exact 3, related 1), discount log2(rank + 1), ideal from qrels.

    This matches the published BM25 reference figures of the NDX benchmark.
    """
    dcg = sum(
        _gain(qrels.get(doc_id, 0)) / math.log2(rank + 2) for rank, doc_id in enumerate(ranked[:k])
    )
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(_gain(g) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first result with relevance >= 1 within the top k."""
    for rank, doc_id in enumerate(ranked[:k]):
        if qrels.get(doc_id, 0) >= 1:
            return 1.0 / (rank + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """Share of the top-grade documents (exact matches if any, else related) in the top k."""
    best = max(qrels.values(), default=0)
    if best <= 0:
        return 0.0
    relevant = {d for d, g in qrels.items() if g == best}
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def evaluate_run(
    run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10
) -> dict[str, float]:
    """Mean NDCG/MRR/Recall at k over the queries that have judgements."""
    ids = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    if not ids:
        return {f"ndcg@{k}": 0.0, f"mrr@{k}": 0.0, f"recall@{k}": 0.0}
    n = len(ids)
    return {
        f"ndcg@{k}": sum(ndcg_at_k(run.get(q, ()), qrels[q], k) for q in ids) / n,
        f"mrr@{k}": sum(mrr_at_k(run.get(q, ()), qrels[q], k) for q in ids) / n,
        f"recall@{k}": sum(recall_at_k(run.get(q, ()), qrels[q], k) for q in ids) / n,
    }


def load_qrels(lines: Iterable[str]) -> dict[str, dict[str, int]]:
    """Parse TREC-like `query_id<TAB>doc_id<TAB>relevance` lines."""
    out: dict[str, dict[str, int]] = {}
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3 or not parts[2].strip().lstrip("-").isdigit():
            continue
        out.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return out
