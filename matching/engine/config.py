"""Engine configuration: the version tag, the indexed fields and every tunable weight.

Owns `ENGINE_VERSION` (bump it whenever tokenising, weighting, fusion, filtering, tie-breaking or
the on-disk format changes), `FIELDS`, `EngineConfig` and `config_from_mapping`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

# Bump whenever tokenising, weighting, fusion, filtering, tie-breaking or storage changes.
# 1.2.0: indexes are stored as .npy arrays plus JSON metadata (see storage.py), not pickled.
# 1.3.0: track record (passages.py), vocabulary expansion (vocabulary.py), weights chosen by
# 5-fold cross-validation on the development split (benchmarks/matching_cv.py).
ENGINE_VERSION = "ndx-matching-1.3.0"

FIELDS: tuple[str, ...] = ("title", "summary", "description", "features", "categories")
FIELD_LABELS: dict[str, str] = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "features": "features",
    "categories": "categories",
}


@dataclass
class EngineConfig:
    """Tunable weights. Changing defaults changes rankings: bump ENGINE_VERSION."""

    # field weights (BM25F term-count weights for words; title repetition for char n-grams)
    title_weight: float = 2.0
    summary_weight: float = 1.5
    description_weight: float = 1.0
    features_weight: float = 1.5
    categories_weight: float = 1.0
    # lexical channel (word part is BM25F over TF-IDF vocabulary/IDF; char part is cosine)
    bm25_k1: float = 1.2
    bm25_b: float = 0.4
    word_bigrams: bool = True
    word_weight: float = 0.6
    char_weight: float = 0.2
    char_ngram_range: tuple[int, int] = (3, 4)
    char_fields: tuple[str, ...] = ("title", "summary", "features", "categories")
    char_field_max_chars: int = 300
    char_fit_sample: int = 10000
    char_min_df: int = 1
    # phrase (word bigram) vocabulary budget: when a catalogue has more distinct phrases than
    # phrase_budget, phrases in fewer than min_phrase_df offers are not indexed, and only the
    # phrase_budget most frequent of the rest are (0 = always drop rare phrases, no cap)
    phrase_budget: int = 1_000_000
    min_phrase_df: int = 2
    # track record (passages.py): each description line scored on its own
    track_weight: float = 4.0
    track_top: int = 3
    track_rest_weight: float = 0.3
    track_min_fraction: float = 0.2
    # semantic channel
    lsa_components: int = 200
    lsa_fit_sample: int = 10000
    lsa_max_features: int = 40000
    # fusion (lexical and semantic scores are each divided by their best score for the query)
    lexical_weight: float = 0.7
    lsa_weight: float = 0.15
    embedding_weight: float = 0.3
    category_weight: float = 0.3
    category_top: int = 3
    # queries
    max_query_chars: int = 8000
    query_head_chars: int = 200
    query_head_repeat: int = 3
    max_query_terms: int = 300
    max_query_char_ngrams: int = 600
    # vocabulary expansion (vocabulary.py) of queries up to expansion_max_chars long: the
    # canonical words of each alias found, at this fraction of a query word's weight
    expansion_weight: float = 1.0
    expansion_max_chars: int = 300
    # query features are evaluated strongest first until their postings (offers containing
    # them) exceed these budgets (word, char); the weakest, most common ones are then skipped.
    # Bounds query cost on big catalogues; never binds on small ones. 0 = no limit
    max_query_postings: int = 1_000_000
    max_query_char_postings: int = 1_000_000
    min_score: float = 0.0
    # a buyer's list ends where matches stop being related: offers scoring below this fraction
    # of the best offer's score are left out (calibrated on the development split by
    # benchmarks/matching_floor.py; not used by `search` itself, see `related_results`)
    relevance_floor: float = 0.3
    # upserts go to a delta segment, merged into the main one once it holds more than
    # max(delta_merge_docs, delta_merge_fraction x main rows) offers
    delta_merge_docs: int = 1000
    delta_merge_fraction: float = 0.02
    # BLAS threads while scoring a query (one is fastest for a matrix-vector product, and far
    # better on a busy machine); 0 leaves the process's BLAS threading alone
    query_blas_threads: int = 1
    # suppliers
    supplier_pool: int = 500
    supplier_bonus: float = 0.1
    supplier_offers: int = 3
    random_state: int = 0

    def field_weights(self) -> dict[str, float]:
        return {name: float(getattr(self, f"{name}_weight")) for name in FIELDS}


def config_from_mapping(data: Mapping[str, Any]) -> EngineConfig:
    """EngineConfig from a dict (e.g. Django settings), ignoring unknown keys."""
    known = {f.name for f in fields(EngineConfig)}
    return replace(EngineConfig(), **{k: v for k, v in data.items() if k in known})
