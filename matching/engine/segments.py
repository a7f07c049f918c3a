"""Segments and incremental updates: the rows of the index and how they change.

Owns `_Segment` (a row block: word and char postings as CSC, LSA and embedding rows), the main
segment plus a small delta segment that upserts append to (merged in lazily), removal and
compaction, the per-row columns (`_ids`, `_meta`, `_texts`, `_alive`, `_tie`, `_price`, `_lot`,
`_host`, `_cert`, `_doc_categories`) and reading a stored offer back as a `Document`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..text import clean_text
from .config import FIELDS
from .documents import DocLike, Document, _coerce, _norm_label, _to_decimal, tie_key
from .semantic import _embed_text
from .sparse import _csc_vstack, _csr_rows

_TEXT_LEVEL = 1  # zlib level for stored offer texts (fast; about halves them)


def _pack_texts(doc: Document) -> bytes:
    """An offer's texts as zlib-compressed UTF-8 JSON: [title, summary, description, features,
    categories] (lone surrogates survive: "surrogatepass")."""
    payload = json.dumps(
        [doc.title, doc.summary, doc.description, doc.features, doc.categories],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8", "surrogatepass")
    return zlib.compress(payload, _TEXT_LEVEL)


def _unpack_texts(blob: bytes) -> list[Any]:
    return json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))


class _Interner:
    """Shares equal values (supplier names, lots, certificate sets) between offers."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if type(value) is str or type(value) is frozenset:
            return self._seen.setdefault(value, value)
        return value


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


class SegmentMixin:
    """Rows, segments, upserts and removals of `Index`."""

    def _empty_segment(self) -> _Segment:
        return _Segment(
            word=sp.csc_matrix((0, len(self._idf)), dtype=np.float32),
            char=sp.csc_matrix((0, len(self._char_idf)), dtype=np.float32),
            lsa=np.zeros((0, 0 if self.svd is None else self.svd.n_components), np.float32),
            emb=None,
        )

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
            self._texts.append(_pack_texts(doc))
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
        title, summary, description, features, categories = _unpack_texts(self._texts[row])
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
