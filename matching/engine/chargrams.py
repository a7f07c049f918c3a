"""Character n-grams: the typo- and inflection-tolerant part of the lexical channel.

Owns the char_wb n-gram vocabulary (`_char_vocab`: gram -> column) and IDF (`_char_idf`), the
short fields the char model reads (title repeated), sublinear TF-IDF rows (L2-normalised), and
the query's n-gram vector.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from ..text import char_ngrams, fold, truncate, words
from .config import FIELDS
from .sparse import _csr_rows, _keep_entries, _smooth_idf


class CharGramMixin:
    """The char n-gram channel of `Index`."""

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
