"""Track record: score a need against each piece of an offer's past work, then aggregate.

A supplier described by the contracts it won (one a line of the description) is the sum of its
past work: one long concatenated document dilutes a strong match to one contract with every
other contract's words. `PassageMixin` splits each row's description into lines ("passages"),
keeps BM25 rows for them in the index's word columns (built lazily, once per index version,
in memory only: it is derived from the stored texts) and scores a query against every passage.
A row's track-record score is its best passage plus `track_rest_weight` times the mean of its
next best ones (up to `track_top` passages in all). The channel is used only when at least
`track_min_fraction` of the rows list several pieces of work (a catalogue of track records);
otherwise descriptions are prose and are scored whole by the lexical channel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..text import clean_text
from .config import FIELDS
from .segments import _unpack_texts
from .sparse import _sparse_scores

_DESCRIPTION = FIELDS.index("description")
_MAX_PASSAGES = 50
_MIN_CHARS = 12
_RECHECK_GROWTH = 0.05


@dataclass
class _Passages:
    key: tuple[str, int]
    matrix: sp.csc_matrix  # (n_passages, n_word_columns) BM25 rows
    owner: np.ndarray  # int64 row of each passage
    texts: list[str]  # passage texts, for explanations
    rows: int = 0  # index rows when built


def _split(description: str) -> list[str]:
    lines = [line.strip() for line in description.splitlines()]
    return [line for line in lines if len(line) >= _MIN_CHARS][:_MAX_PASSAGES]


class PassageMixin:
    """The track-record channel of `Index` (reads `_texts`, `_alive`, the word vocabulary)."""

    def _passages(self) -> _Passages | None:
        key = (self._token, self._version)
        cached = self._passage_cache
        if cached is not None and cached.key == key:
            return cached
        if (
            cached is not None
            and not len(cached.owner)
            and len(self._texts) - cached.rows <= _RECHECK_GROWTH * cached.rows
        ):
            # a catalogue of prose stays one after a few upserts: look again after 5% growth
            # (so a search after each incremental change does not rescan every offer)
            cached.key = key
            return cached
        owners: list[int] = []
        texts: list[str] = []
        lists = 0
        live = 0
        for row, blob in enumerate(self._texts):
            if not blob or not self._alive[row]:
                continue
            live += 1
            lines = _split(_unpack_texts(blob)[_DESCRIPTION])
            lists += len(lines) >= 2
            for line in lines:
                owners.append(row)
                texts.append(line)
        if not texts or lists < self.config.track_min_fraction * live:
            # not a catalogue of track records: offers' descriptions are prose, scored whole
            empty_matrix = sp.csc_matrix((0, 0), dtype=np.float32)
            self._passage_cache = _Passages(
                key, empty_matrix, np.zeros(0, np.int64), [], rows=len(self._texts)
            )
            return self._passage_cache
        empty = [""] * len(FIELDS)
        rows = []
        for text in texts:
            fields_ = list(empty)
            fields_[_DESCRIPTION] = clean_text(text)
            rows.append(tuple(fields_))
        matrix = self._word_rows(rows, fit=False).tocsc()
        owner = np.asarray(owners, dtype=np.int64)
        self._passage_cache = _Passages(key, matrix, owner, texts, rows=len(self._texts))
        return self._passage_cache

    def _passage_scores(self, wi: np.ndarray, wv: np.ndarray) -> np.ndarray | None:
        """Score of every passage for a sparse word query (None when no row has passages)."""
        passages = self._passages()
        if passages is None or not len(passages.owner) or not len(wi):
            return None
        return _sparse_scores(passages.matrix, wi, wv)

    def _track_scores(self, scores: np.ndarray) -> np.ndarray:
        """Per row: best passage + track_rest_weight x mean of the next best (track_top in all)."""
        cfg = self.config
        passages = self._passage_cache
        assert passages is not None
        out = np.zeros(len(self._ids), dtype=np.float64)
        hit = np.flatnonzero(scores > 0)
        if not len(hit):
            return out
        hit = hit[self._alive[passages.owner[hit]]]  # a removed row's passages never count
        owner = passages.owner[hit]
        value = scores[hit].astype(np.float64)
        order = np.lexsort((-value, owner))
        owner, value = owner[order], value[order]
        first = np.searchsorted(owner, owner, side="left")
        place = np.arange(len(owner)) - first
        best = place == 0
        out[owner[best]] = value[best]
        rest = (place > 0) & (place < max(cfg.track_top, 1))
        if rest.any() and cfg.track_rest_weight > 0:
            sums = np.bincount(owner[rest], weights=value[rest], minlength=len(out))
            counts = np.bincount(owner[rest], minlength=len(out))
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
            out += cfg.track_rest_weight * mean
        return out

    def best_passages(self, row: int, scores: np.ndarray, limit: int = 3) -> list[str]:
        """The row's `limit` best-scoring passages (past contracts), best first."""
        passages = self._passage_cache
        if passages is None or not len(passages.owner):
            return []
        lo, hi = np.searchsorted(passages.owner, [row, row + 1])
        part = scores[lo:hi]
        order = np.argsort(-part, kind="stable")[:limit]
        return [passages.texts[lo + int(i)] for i in order if part[i] > 0]
