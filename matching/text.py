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
    "word_term",
    "words",
    "analysis_term",
    "analysis_term_uncached",
    "analyse",
    "char_ngrams",
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
    # str.split() splits on exactly the characters re's \s matches, and is much faster
    return " ".join(text.split())


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


def _word_term(original: str) -> str:
    folded = fold.__wrapped__(original).replace("’", "'")
    if "'" in folded:
        folded = folded.split("'", 1)[0]
    if not folded or folded in STOP_WORDS:
        return ""
    return stem.__wrapped__(folded)


def analysis_term_uncached(original: str) -> str:
    """`analysis_term` without the cache (index builds see each distinct word once anyway)."""
    term = _word_term(original)
    if len(term) == 1 and not term.isdigit() and term.isascii():
        return ""
    return term


@lru_cache(maxsize=65536)
def word_term(original: str) -> str:
    """Normalised term of one word (as matched by the word pattern); "" for a stop word."""
    return _word_term(original)


@lru_cache(maxsize=65536)
def analysis_term(original: str) -> str:
    """The term `analyse` indexes for one word; "" when the word breaks phrases instead
    (stop words and single letters)."""
    return analysis_term_uncached(original)


def word_tokens(text: str) -> list[tuple[str, str]]:
    """Return (original form, normalised term) pairs; stop words get an empty term."""
    return [(original, word_term(original)) for original in _WORD_RE.findall(text)]


def words(text: str) -> list[str]:
    """The words of a text, in their original form."""
    return _WORD_RE.findall(text)


def analyse(text: str, bigrams: bool = True) -> list[str]:
    """Terms for the word TF-IDF model: stems plus adjacent-stem bigrams ("cloud hosting")."""
    terms: list[str] = []
    prev = ""
    for original in _WORD_RE.findall(text):
        term = analysis_term(original)
        if not term:
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


def char_ngrams(folded: str, min_n: int, max_n: int) -> list[str]:
    """char_wb n-grams of folded text (scikit-learn's `char_wb` analyzer, word by word)."""
    out: list[str] = []
    append = out.append
    for piece in folded.split():
        w = " " + piece + " "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(w[offset : offset + n])
            while offset + n < w_len:
                offset += 1
                append(w[offset : offset + n])
            if offset == 0:  # a short word counts once
                break
    return out
