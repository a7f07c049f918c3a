"""Word tokenising and lexical scoring: BM25F over single terms and phrases (word bigrams).

Owns the word vocabulary (`_terms`: term -> column; `_phrase_keys`: sorted int64 keys
`left_col << 32 | right_col` of the indexed phrases, columns after the terms), the IDF per word
column, average field lengths, the phrase budget (rare phrases dropped on big catalogues), query
analysis, and scoring a sparse query against a channel's postings within a postings budget.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..text import analysis_term, analysis_term_uncached, words
from .config import FIELDS
from .sparse import _csr_rows, _keep_entries, _smooth_idf, _sparse_scores

_N_FIELDS = len(FIELDS)
_PHRASE_SHIFT = np.int64(32)


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


class LexicalMixin:
    """The word channel of `Index`: BM25F rows, phrase pruning, query analysis."""

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
