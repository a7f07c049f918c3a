"""Rank arbitrary texts (directory members, suppliers) against one need, with explanations.

A small public function for apps above matching (market) that have their own candidates and
no offer index: the need and each candidate are reduced to the same analysed terms as the
engine uses (`matching.text.analyse`: stems and adjacent-stem phrases). A candidate's terms
are computed once, when its text changes (`text_terms`), and stored with it, so ranking is
set arithmetic over stored terms: 10,000 candidates in well under a second.

Score (0 to 1): the share of the need's weight (1 + IDF per term) that the candidate's text
covers, plus 0.25 when the candidate works in one of the need's CPV divisions and 0.1 when it
serves the need's region (each only when the need names one), capped at 1; a candidate sharing
no word with a need that has words is not a match. The explanation lists the
matched words in the need's own spelling, the division and the region.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from .text import analyse, analysis_term, words

CPV_WEIGHT = 0.25
REGION_WEIGHT = 0.1
MAX_TERMS = 400


def text_terms(text: str) -> list[str]:
    """The distinct analysed terms of a text (stored with a candidate; at most MAX_TERMS)."""
    seen: dict[str, None] = {}
    for term in analyse(text or ""):
        seen.setdefault(term, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


@dataclass(frozen=True)
class Need:
    text: str
    cpv_divisions: frozenset[str] = frozenset()
    region: str = ""


@dataclass(frozen=True)
class Candidate:
    """One thing to rank. `terms` is its stored `text_terms` (any sequence: it is scanned, not
    turned into a set, which keeps 10,000 candidates cheap to build)."""

    key: object
    terms: Sequence[str]
    cpv_divisions: Collection[str] = ()
    regions: Collection[str] = ()


@dataclass
class Ranked:
    key: object
    score: float
    matched_words: list[str] = field(default_factory=list)
    cpv_divisions: list[str] = field(default_factory=list)
    region: str = ""

    def explanation(self, *, cpv_names: dict[str, str], region_names: dict[str, str]) -> str:
        parts = []
        if self.matched_words:
            quoted = ", ".join(f"“{w}”" for w in self.matched_words[:6])
            parts.append(f"what you do mentions {quoted}")
        for code in self.cpv_divisions[:2]:
            parts.append(f"you work in CPV division {code} ({cpv_names.get(code, code)})")
        if self.region:
            parts.append(f"you serve {region_names.get(self.region, self.region)}")
        if not parts:
            return "It is close to what you told us you do."
        text = "; ".join(parts)
        return f"Why you: {text}."


def _need_terms(text: str) -> tuple[list[str], dict[str, str]]:
    """The need's terms and, for single words, the spelling the buyer used."""
    spelling: dict[str, str] = {}
    for original in words(text):
        term = analysis_term(original)
        if term and term not in spelling:
            spelling[term] = original.lower()
    return text_terms(text), spelling


def rank_candidates(
    need: Need,
    candidates: Iterable[Candidate],
    *,
    threshold: float = 0.2,
    limit: int | None = None,
    need_words: bool = True,
) -> list[Ranked]:
    """Candidates scoring at least `threshold`, best first (ties by key's text), at most `limit`.
    With `need_words` (and a need that has words), a candidate must share at least one of them:
    a division and a region alone are not a match."""
    terms, spelling = _need_terms(need.text)
    if not terms and not need.cpv_divisions:
        return []
    query = set(terms)
    df = dict.fromkeys(query, 0)
    scanned: list[tuple[Candidate, list[str]]] = []
    for candidate in candidates:
        matched = [t for t in candidate.terms if t in query]
        for term in matched:
            df[term] += 1
        scanned.append((candidate, matched))
    n = len(scanned)
    if not n:
        return []
    # 1 + IDF: rarer words count more, but a word every candidate shares still counts (a
    # small directory, or one where everyone does similar work, still gets its matches).
    idf = {t: 1 + math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in query}
    total = sum(idf.values()) or 1.0
    divisions, region = need.cpv_divisions, need.region
    results: list[Ranked] = []
    for candidate, matched in scanned:
        if need_words and terms and not matched:
            continue
        score = sum(idf[t] for t in matched) / total if terms else 0.0
        cpv = sorted(d for d in candidate.cpv_divisions if d in divisions) if divisions else []
        if cpv:
            score += CPV_WEIGHT
        served = region if region and region in candidate.regions else ""
        if served:
            score += REGION_WEIGHT
        score = min(score, 1.0)
        if score < threshold:
            continue
        best = sorted(matched, key=lambda t: (-idf[t], t))
        shown = [" ".join(spelling.get(p, p) for p in t.split(" ")) for t in best]
        results.append(Ranked(candidate.key, round(score, 4), shown, cpv, served))
    results.sort(key=lambda r: (-r.score, str(r.key)))
    return results[:limit] if limit else results
