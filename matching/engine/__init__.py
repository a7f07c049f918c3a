"""NDX matching engine: rank catalogue offers (and suppliers) against a buyer requirement.

Pure Python + NumPy/SciPy/scikit-learn; no Django. Documents in, ranked results out.

Scoring = fusion of
- lexical: field-weighted BM25F over word uni/bigrams (light stemming) and char_wb n-grams;
- semantic: LSA (TruncatedSVD over the word TF-IDF matrix), or an optional pluggable
  `Embedder` (e.g. `SentenceTransformerEmbedder`), or both;
- optional category evidence (offers in categories where the best matches sit get a lift);
then hard eligibility `Filters`, a stable hash tie-break, and readable explanations.

Layout (built for ~100k offers in well under 1 GiB): word and char postings are column-major
float32 sparse matrices; word phrases (bigrams) seen in only one offer are not indexed; the
vocabulary is a dict of single terms plus a sorted int64 array of phrase keys. Offer texts are
kept zlib-compressed and only decoded for the results shown. `Index.upsert` appends to a small
delta segment that is searched alongside the main one and merged into it lazily. Query
features are evaluated strongest first within a postings budget, so a query costs at most a
bounded amount of work however common its words are.

Modules, one concern each (importing only the ones listed before them):
- config: ENGINE_VERSION, FIELDS, EngineConfig;
- documents: Document, Filters, tie_key, filter masks;
- sparse: sparse-matrix helpers;
- lexical: tokenising and BM25F words and phrases;
- chargrams: character n-grams;
- semantic: LSA and optional embeddings;
- segments: rows, the delta segment, upserts, removals, compaction;
- fusion: query scoring, fusion, ranking, explanations;
- mapped: memory-mapped loading, so processes on one machine share one copy;
- storage: the documented on-disk format (.npy arrays and JSON, no pickle);
- masks: eligible offers as a boolean row mask (`allowed_row_mask`);
- index: `Index`, assembled from the parts above, and `build_index`.
"""

from .config import ENGINE_VERSION, FIELDS, EngineConfig, config_from_mapping
from .documents import Document, Filters, tie_key
from .fusion import Explanation, Result, SupplierResult, related_results
from .index import Index, build_index
from .masks import allowed_row_mask
from .semantic import Embedder, SentenceTransformerEmbedder
from .storage import IndexVersionError

__all__ = [
    "ENGINE_VERSION",
    "FIELDS",
    "Document",
    "Filters",
    "EngineConfig",
    "Explanation",
    "Result",
    "SupplierResult",
    "Embedder",
    "SentenceTransformerEmbedder",
    "Index",
    "IndexVersionError",
    "allowed_row_mask",
    "build_index",
    "related_results",
    "config_from_mapping",
    "tie_key",
]
