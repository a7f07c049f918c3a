"""Explanations a buyer can check: the need's words, where the offer says them, marked.

`need_words` maps each analysed term of the need to the words the buyer wrote; `highlight`
finds those terms in one piece of offer text and returns an HTML-escaped snippet with each
matching run of words wrapped in <mark>, plus the exact marked substrings (so a test can prove
each one occurs in the offer's own text). `meaning_in_words` turns a semantic similarity into
plain words; the number itself is kept for audit only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..text import analysis_term

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_JOIN = re.compile(r"^[\s\-/&,]*$")  # what may sit between two marked words of one phrase
SNIPPET_CHARS = 220


@dataclass
class Highlight:
    """One offer section (or past contract) that says some of the need's words."""

    section: str  # "title", "summary", "description", "features", "categories", "past contract"
    html: str  # escaped text with <mark>…</mark> around the matching words
    marked: list[str] = field(default_factory=list)  # exact substrings of the offer's text
    # the same snippet as plain-text pieces, [text, is_marked], for templates that escape
    parts: list[tuple[str, bool]] = field(default_factory=list)
    need_words: list[str] = field(default_factory=list)  # the buyer's words they matched

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def need_words(text: str) -> dict[str, list[str]]:
    """Analysed term -> the buyer's own words for it, in the order written (each once)."""
    out: dict[str, list[str]] = {}
    for match in _WORD_RE.finditer(text):
        word = match.group()
        term = analysis_term(word)
        if term:
            forms = out.setdefault(term, [])
            if word.casefold() not in {f.casefold() for f in forms}:
                forms.append(word)
    return out


def _spans(text: str, terms: Mapping[str, Any]) -> list[tuple[int, int, list[str]]]:
    """Runs of adjacent matching words: (start, end, terms)."""
    runs: list[tuple[int, int, list[str]]] = []
    for match in _WORD_RE.finditer(text):
        term = analysis_term(match.group())
        if not term or term not in terms:
            continue
        if runs and _JOIN.match(text[runs[-1][1] : match.start()]):
            start, _end, found = runs[-1]
            runs[-1] = (start, match.end(), [*found, term])
        else:
            runs.append((match.start(), match.end(), [term]))
    return runs


def highlight(
    section: str, text: str, terms: Mapping[str, list[str]], max_chars: int = SNIPPET_CHARS
) -> Highlight | None:
    """The first `max_chars` around the matches of `text`, escaped, matches in <mark>."""
    runs = _spans(text, terms)
    if not runs:
        return None
    start = 0
    if runs[0][0] > max_chars // 3:
        start = runs[0][0] - max_chars // 4
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > runs[0][1] else end
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    marked: list[str] = []
    words: list[str] = []
    pos = start
    for run_start, run_end, found in runs:
        if run_start < start or run_end > end:
            continue
        if run_start > pos:
            pieces.append((text[pos:run_start], False))
        piece = text[run_start:run_end]
        pieces.append((piece, True))
        marked.append(piece)
        for term in found:
            for word in terms.get(term, []):
                if word not in words:
                    words.append(word)
        pos = run_end
    if end > pos:
        pieces.append((text[pos:end], False))
    if end < len(text):
        pieces.append(("…", False))
    markup = "".join(
        f"<mark>{html.escape(t)}</mark>" if is_marked else html.escape(t) for t, is_marked in pieces
    )
    return Highlight(section=section, html=markup, marked=marked, need_words=words, parts=pieces)


def highlights_for(
    sections: Iterable[tuple[str, str]], terms: Mapping[str, list[str]], limit: int = 4
) -> list[Highlight]:
    out = []
    for section, text in sections:
        found = highlight(section, text, terms) if text else None
        if found is not None:
            out.append(found)
            if len(out) >= limit:
                break
    return out


def meaning_in_words(similarity: float, any_words: bool) -> str:
    """Semantic similarity (cosine, 0 to 1) in plain words."""
    if similarity >= 0.5:
        return "Very similar in meaning to your need."
    if similarity >= 0.3:
        return "Similar in meaning to your need."
    if not any_words:
        return "Shares no words with your need; related only loosely in meaning."
    return ""
