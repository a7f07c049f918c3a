"""The searchable `Index`, assembled from the parts, and `build_index`.

`Index` keeps the state; each concern's methods live in its own module and are mixed in:
lexical (BM25F words and phrases), chargrams, semantic (LSA, embeddings), segments (rows,
upserts, removals), documents (filter masks), fusion (scoring, ranking, explanations). Saving
and loading is storage.py's documented on-disk format.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..text import clean_text
from . import storage
from .chargrams import CharGramMixin
from .config import ENGINE_VERSION, FIELDS, EngineConfig
from .documents import DocLike, Document, FilterMixin, Filters, _coerce, tie_key
from .fusion import FusionMixin, Result, SupplierResult, _blas_threads
from .lexical import LexicalMixin
from .passages import PassageMixin, _Passages
from .segments import SegmentMixin, _Interner, _Segment
from .semantic import Embedder, LsaModel, SemanticMixin, _doc_fields, _embed_text


class Index(
    LexicalMixin,
    CharGramMixin,
    SemanticMixin,
    SegmentMixin,
    FilterMixin,
    PassageMixin,
    FusionMixin,
):
    """A fitted, searchable catalogue index. Create with `build_index`.

    Every attribute is set here; the mixins' methods read and change them (see each module).
    """

    def __init__(self, config: EngineConfig, embedder: Embedder | None = None) -> None:
        self.engine_version = ENGINE_VERSION
        self.config = config
        self.embedder = embedder
        self.svd: LsaModel | None = None
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
        self._passage_cache: _Passages | None = None  # derived, in memory (passages.py)
        self._token = secrets.token_hex(8)
        self._version = 0

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

    # ----------------------------------------------------------------- storage (storage.py)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to a folder in the documented format (storage.py), atomically."""
        storage.save_index(self, Path(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str], embedder: Embedder | None = None) -> Index:
        """Read an index folder; raises IndexVersionError for another engine's index."""
        return storage.load_index(cls, Path(path), embedder=embedder)

    def to_bytes(self) -> bytes:
        """The same files as `save`, in one uncompressed tar archive."""
        return storage.index_to_bytes(self)

    @classmethod
    def from_bytes(cls, data: bytes, embedder: Embedder | None = None) -> Index:
        """Read `to_bytes` output; raises IndexVersionError for another engine's index."""
        return storage.index_from_bytes(cls, data, embedder=embedder)

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
        texts = self._texts
        total += texts.total_bytes() if hasattr(texts, "total_bytes") else sum(map(len, texts))
        return total


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
