"""manage.py match_queries QUERIES.jsonl --top K

Reads {"id", "text"} lines; writes one line per query to stdout:
{"id": ..., "results": [external_id, ...]} (offers, best first; an offer without an
external_id is named by its own id). Latency p50/p95 goes to stderr."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Offer
from matching.runtime import current_index, index_lock
from matching.services import index_rebuild_now


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class Command(BaseCommand):
    help = "Rank offers for each query in a JSONL file with the current matching index."

    def add_arguments(self, parser):
        parser.add_argument("queries", help='JSONL file of {"id": ..., "text": ...} lines')
        parser.add_argument("--top", type=int, default=10, help="results per query (default 10)")

    def handle(self, *args, **options):
        top = options["top"]
        if top < 1 or top > 1000:
            raise CommandError("--top must be between 1 and 1000")
        queries = []
        try:
            with open(options["queries"], encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        item = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise CommandError(f"line {number}: not valid JSON ({exc.msg})") from None
                    if not isinstance(item, dict) or "id" not in item or "text" not in item:
                        raise CommandError(f'line {number}: needs "id" and "text"')
                    queries.append(item)
        except OSError as exc:
            raise CommandError(f"cannot read {options['queries']}: {exc.strerror}") from None
        loaded = current_index(force=True)
        if loaded is None:
            index_rebuild_now()
            loaded = current_index(force=True)
        names = dict(
            Offer.objects.exclude(external_id="").values_list("pk", "external_id").iterator()
        )
        timings = []
        for item in queries:
            started = time.perf_counter()
            with index_lock:
                results = loaded.index.search(str(item["text"]), top_k=top, explain=False)
            timings.append((time.perf_counter() - started) * 1000)
            ranked = [names.get(int(r.id), r.id) for r in results]
            self.stdout.write(json.dumps({"id": item["id"], "results": ranked}))
        self.stderr.write(
            f"{len(queries)} queries: latency p50 {percentile(timings, 50):.2f} ms, "
            f"p95 {percentile(timings, 95):.2f} ms"
        )
