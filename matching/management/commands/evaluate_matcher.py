"""manage.py evaluate_matcher TASK_DIR

Imports nothing: expects the task's catalogue.jsonl already imported (import_catalogue).
Builds this engine and BM25 (bm25s) over the same imported offers, runs the task's queries
and prints NDCG@10, MRR@10, Recall@10 and latency for both, in the same run."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Offer
from matching.engine import Document, build_index
from matching.evaluation import evaluate_run, load_qrels
from matching.services import engine_config, iter_documents, make_embedder

from .match_queries import percentile

K = 10


class Command(BaseCommand):
    help = "Evaluate the matching engine against BM25 on a benchmark task directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "task_dir", help="folder with catalogue.jsonl, queries.jsonl, qrels.tsv"
        )

    def handle(self, *args, **options):
        folder = Path(options["task_dir"])
        try:
            external = [
                json.loads(line)["external_id"]
                for line in (folder / "catalogue.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            queries = [
                json.loads(line)
                for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            qrels = load_qrels((folder / "qrels.tsv").read_text(encoding="utf-8").splitlines())
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read the task in {folder}: {exc}") from None
        offers = Offer.objects.buyable().filter(external_id__in=external)
        documents = list(iter_documents(offers.select_related("published_revision", "supplier")))
        if len(documents) < len(external):
            raise CommandError(
                f"only {len(documents)} of the task's {len(external)} offers are imported and "
                f"published; run: manage.py import_catalogue {folder / 'catalogue.jsonl'}"
            )
        names = dict(offers.values_list("pk", "external_id"))
        task = folder.name
        self.stdout.write("task engine ndcg@10 mrr@10 recall@10 p50_ms p95_ms")

        started = time.perf_counter()
        index = build_index(
            (Document.from_mapping(d) for d in documents), engine_config(), embedder=make_embedder()
        )
        build_seconds = time.perf_counter() - started

        def ours(text):
            return [names[int(r.id)] for r in index.search(text, top_k=K, explain=False)]

        rows = [("ndx", ours)]
        try:
            rows.append(("bm25", self._bm25(documents, names)))
        except ImportError:
            self.stderr.write("bm25s is not installed (pip install .[dev]); BM25 skipped")
        for name, search in rows:
            run, timings = {}, []
            for query in queries:
                t0 = time.perf_counter()
                run[query["id"]] = search(query["text"])
                timings.append((time.perf_counter() - t0) * 1000)
            metrics = evaluate_run(run, qrels, K)
            self.stdout.write(
                f"{task} {name} {metrics['ndcg@10']:.4f} {metrics['mrr@10']:.4f} "
                f"{metrics['recall@10']:.4f} {percentile(timings, 50):.2f} "
                f"{percentile(timings, 95):.2f}"
            )
        self.stderr.write(f"built the engine over {len(documents)} offers in {build_seconds:.2f} s")

    @staticmethod
    def _bm25(documents, names):
        import bm25s
        import Stemmer

        stemmer = Stemmer.Stemmer("english")
        corpus = [
            " ".join([d["title"], d["summary"], d["description"], " ".join(d["categories"])])
            for d in documents
        ]
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
            show_progress=False,
        )
        ids = [names[int(d["id"])] for d in documents]
        k = min(K, len(ids))

        def search(text):
            tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, show_progress=False)
            if not tokens.vocab:
                return []
            docs, _ = retriever.retrieve(tokens, k=k, show_progress=False)
            return [ids[i] for i in docs[0]]

        return search
