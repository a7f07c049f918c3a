"""Text normalisation for the matching engine: markup stripping, tokenising, light stemming.

Pure Python (standard library only), deterministic, and safe on any Unicode input.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "STOP_WORDS",
    "clean_text",
    "fold",
    "stem",
    "word_tokens",
    "analyse",
    "truncate",
]

# Function words only: domain words ("system", "service", "fire") must stay searchable.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above across after again against all almost along already also although always am
    among an and another any anyone anything are around as at be because been before being
    below besides between beyond both but by can cannot could did do does doing done down
    during each either else etc even ever every few for from further had has have having he
    her here hers herself him himself his how however i ie if in into is it its itself just
    least less like may me might more most much must my myself neither no nor not now of off
    often on once only onto or other others otherwise our ours ourselves out over own per
    perhaps please rather same shall she should since so some such than that the their theirs
    them themselves then there thereby therefore these they this those though through
    throughout thus to together too toward towards under until up upon us very via was we
    were what whatever when whenever where whereas whereby wherever whether which while who
    whoever whom whose why will with within without would yet you your yours yourself
    yourselves eg e g i e amp nbsp
    """.split()
)

_TAG_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>", re.S | re.I)
_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_VOWELS = frozenset("aeiouy")


def clean_text(text: object) -> str:
    """Strip HTML/XML markup and entities, normalise Unicode and whitespace."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    return _WS_RE.sub(" ", text).strip()


def truncate(text: str, max_chars: int) -> str:
    """Cut text to at most max_chars, on a word boundary when possible."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max(0, max_chars - 200))
    return cut[:space] if space > 0 else cut


@lru_cache(maxsize=262144)
def fold(word: str) -> str:
    """Lower-case and remove accents (café -> cafe); non-Latin scripts are kept."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _has_vowel(s: str) -> bool:
    return any(ch in _VOWELS for ch in s)


_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("isations", "is"),
    ("izations", "is"),
    ("isation", "is"),
    ("ization", "is"),
    ("ational", "ate"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ingly", ""),
    ("ings", ""),
    ("ing", ""),
    ("edly", ""),
    ("ised", "is"),
    ("ized", "is"),
    ("ising", "is"),
    ("izing", "is"),
    ("ed", ""),
    ("ers", ""),
    ("er", ""),
    ("ors", ""),
    ("or", ""),
    ("ly", ""),
    ("al", ""),
)


@lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """Light English suffix stripping; conflates developer/development, hosting/hosted."""
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return word
    w = word
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for _ in range(2):
        for suffix, repl in _SUFFIXES:
            if w.endswith(suffix):
                base = w[: len(w) - len(suffix)] + repl
                if len(base) >= 3 and _has_vowel(base[:-1] or base):
                    w = base
                    break
        else:
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls" and w[-1] not in _VOWELS:
        w = w[:-1]
    if len(w) > 3 and w.endswith("y"):
        w = w[:-1] + "i"
    return w


def word_tokens(text: str) -> list[tuple[str, str]]:
    """Return (original form, normalised term) pairs; stop words get an empty term."""
    out: list[tuple[str, str]] = []
    for match in _WORD_RE.finditer(text):
        original = match.group(0)
        folded = fold(original).replace("’", "'")
        if "'" in folded:
            folded = folded.split("'", 1)[0]
        if not folded or folded in STOP_WORDS:
            out.append((original, ""))
            continue
        out.append((original, stem(folded)))
    return out


def analyse(text: str, bigrams: bool = True) -> list[str]:
    """Terms for the word TF-IDF model: stems plus adjacent-stem bigrams ("cloud hosting")."""
    terms: list[str] = []
    prev = ""
    for _original, term in word_tokens(text):
        if not term:
            prev = ""
            continue
        if len(term) == 1 and not term.isdigit() and term.isascii():
            prev = ""
            continue
        terms.append(term)
        if bigrams and prev:
            terms.append(prev + " " + term)
        prev = term
    return terms


def char_preprocess(text: str) -> str:
    """Preprocessor for the char_wb n-gram model: folded words separated by spaces."""
    return " ".join(fold(m.group(0)) for m in _WORD_RE.finditer(text))
