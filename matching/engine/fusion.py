"""Fusion, ranking and explanations: from channel scores to ranked, explained results.

Owns scoring a query on every channel (lexical, LSA, embeddings), fusing the channels (each
divided by its best score, weighted, plus category evidence), ranking with filters and the
stable hash tie-break, and the buyer-readable `Explanation` of each `Result`.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..text import clean_text, truncate, word_tokens
from .config import FIELD_LABELS, FIELDS
from .documents import Document, Filters, _to_decimal
from .highlights import highlights_for, meaning_in_words, need_words
from .lexical import _top_features
from .vocabulary import expansion

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


@dataclass
class Explanation:
    """Why an offer matched, in terms a buyer can read and check.

    `highlights` are the offer sections (or past contracts) that say the need's words, as
    escaped HTML with the words in <mark> (see highlights.py); `similar_work` the 1-3 past
    contracts most like the need (track-record catalogues); `meaning` the semantic similarity in
    plain words. The scores stay for audit.
    """

    matched_terms: dict[str, list[str]]
    semantic_similarity: float
    lexical_score: float
    price: Decimal | float | None = None
    budget_max: Decimal | None = None
    within_budget: bool | None = None
    rating: float | None = None
    need_words: list[str] = field(default_factory=list)
    highlights: list[dict[str, Any]] = field(default_factory=list)
    similar_work: list[dict[str, Any]] = field(default_factory=list)
    meaning: str = ""

    def words_text(self) -> str:
        """The plain-words part: which of the buyer's words matched where, and meaning."""
        parts: list[str] = []
        if self.need_words:
            where: list[str] = []
            for item in self.highlights:
                if item["section"] not in where:
                    where.append(item["section"])
            places = _join_words([f"the {w}" for w in where[:4]]) or "the offer"
            quoted = ", ".join(f"“{w}”" for w in self.need_words[:8])
            parts.append(f"Your words appear in {places}: {quoted}.")
        elif self.matched_terms:
            bits = [
                f"{FIELD_LABELS.get(name, name)}: " + ", ".join(f"“{t}”" for t in terms)
                for name, terms in self.matched_terms.items()
            ]
            parts.append("Your words appear in " + "; ".join(bits) + ".")
        else:
            parts.append("None of your exact words appear; it matched on related meaning.")
        if self.similar_work:
            work = "; ".join(f"“{w['text']}”" for w in self.similar_work)
            parts.append(f"Most similar past work: {work}.")
        if self.meaning:
            parts.append(self.meaning)
        return " ".join(parts)

    def text(self) -> str:
        """One readable paragraph."""
        parts = [self.words_text()]
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
        data["words_text"] = self.words_text()
        return data


def _join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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


class _CheckableMixin:
    """Highlights, similar past work and meaning in words for one result (explain=True)."""

    def _checkable(
        self,
        row: int,
        doc: Document,
        needs: Mapping[str, list[str]],
        passages: np.ndarray | None,
        semantic: float,
    ) -> dict[str, Any]:
        work = self.best_passages(row, passages) if passages is not None else []
        sections: list[tuple[str, str]] = [("title", doc.title), ("summary", doc.summary)]
        sections += [("features", f) for f in doc.features]
        if not work:
            sections.append(("description", doc.description))
        sections += [("categories", c) for c in doc.categories]
        found = highlights_for(sections, needs)
        similar = []
        work_marks = []
        for text in work:
            marked = highlights_for([("past contract", text)], needs, limit=1)
            similar.append(
                {
                    "text": text,
                    "html": marked[0].html if marked else html.escape(text),
                    "marked": marked[0].marked if marked else [],
                    "parts": marked[0].parts if marked else [(text, False)],
                }
            )
            work_marks += marked
        words: list[str] = []
        for item in [*found, *work_marks]:
            for word in item.need_words:
                if word not in words:
                    words.append(word)
        return {
            "need_words": words,
            "highlights": [h.as_dict() for h in found],
            "similar_work": similar,
            "meaning": meaning_in_words(semantic, bool(words)),
        }


class FusionMixin(_CheckableMixin):
    """Query scoring, fusion, ranking and result building of `Index`."""

    def _prepare_query(self, query_text: str) -> str:
        return truncate(clean_text(query_text), self.config.max_query_chars)

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
        wi, wv = self._expanded(text, wi, wv)
        ti, tv = _top_features(wi, wv, cfg.max_query_terms)
        ci, cv = _top_features(*self._char_query(text), cfg.max_query_char_ngrams)
        # removed rows keep their postings until compaction: they must not set the scale
        word = _max_normalise(np.where(self._alive, self._scores("word", ti, tv), 0.0))
        lexical = cfg.word_weight * word + cfg.char_weight * self._scores("char", ci, cv)
        out: dict[str, Any] = {"lexical": lexical, "terms": analysed_text}
        if cfg.track_weight > 0:
            passage = self._passage_scores(ti, tv)
            if passage is not None:
                out["passages"] = passage
                out["track"] = self._track_scores(passage)
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

    def _expanded(self, text: str, wi: np.ndarray, wv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add the vocabulary's canonical words for the aliases in a short query (lower weight)."""
        cfg = self.config
        if cfg.expansion_weight <= 0 or len(text) > cfg.expansion_max_chars:
            return wi, wv
        extra = expansion(text)
        if not extra:
            return wi, wv
        cols = np.array([c for _t, c in self._analyse_query(extra) if c >= 0], dtype=np.int64)
        if not len(cols):
            return wi, wv
        ei = np.unique(cols)
        ev = (cfg.expansion_weight * self._idf[ei]).astype(np.float32)
        merged = np.concatenate([wi, ei])
        values = np.concatenate([wv, ev])
        out, inverse = np.unique(merged, return_inverse=True)
        summed = np.bincount(inverse.ravel(), weights=values, minlength=len(out))
        return out, summed.astype(np.float32)

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
        if "track" in channels:
            track = _max_normalise(live(channels["track"]))
            track *= cfg.track_weight
            fused += track
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
        needs = need_words(text) if explain else {}
        passages = channels.get("passages")
        budget = filters.budget if filters is not None else None
        out = []
        for rank, row in enumerate(rows, start=1):
            doc = self._document(row)
            sem = float(np.clip(semantic[row], 0.0, 1.0))
            lex = float(channels["lexical"][row])
            price = _to_decimal(doc.price)
            checkable: dict[str, Any] = {}
            if explain:
                checkable = self._checkable(row, doc, needs, passages, sem)
            explanation = Explanation(
                **checkable,
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


def related_results(results: list[Result], floor: float) -> list[Result]:
    """The results scoring at least `floor` x the best one's score (the related ones)."""
    if not results:
        return []
    best = results[0].score
    if best <= 0:
        return []
    return [r for r in results if r.score >= floor * best]


def _query_term_weights(
    text: str, index: Any, analysed: list[tuple[str, int]] | None = None
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
