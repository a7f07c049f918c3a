"""A checker for crawls: given a page's HTML, what on it is not plain words.

    from tests.plain_words import assert_plain_words, plain_words_problems

    assert_plain_words(response.content.decode(), url)   # fails with the problems listed

It reads the text a person sees (and hears: alt, title, aria-label, placeholder and the value
of buttons), not scripts, styles or link addresses, and reports
- an audit action code from the catalogue (ndx/audit/sentences.py), e.g. "shortlist.frozen";
- a count of one with a plural noun, e.g. "1 months" or "1 offers" (words that end in s in
  the singular, such as "1 business day" or "1 status", are not plurals; "Step 1 asks" is a
  label followed by a verb, so a number after a label word such as Step, Lot or Question is
  not a count).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ndx.audit.sentences import DYNAMIC_ACTIONS, SENTENCES

SPOKEN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript"}
# A count never runs across these elements' edges ("Rows 1 | Offers created 1" is two cells).
BLOCK_ELEMENTS = {
    "p", "li", "dt", "dd", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "div",
    "label", "legend", "summary", "option", "tr", "ul", "ol", "dl", "table", "section",
}  # fmt: skip
BOUNDARY = "\u00a6"  # a broken bar, not a space: no count matches across it


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_ELEMENTS:
            self.parts.append(BOUNDARY)
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        attributes = dict(attrs)
        for name in SPOKEN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in BLOCK_ELEMENTS:
            self.parts.append(BOUNDARY)
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = " ".join(" ".join(parser.parts).split())
    # Element edges count once, and none at the ends.
    return re.sub(r"(?:\s*\u00a6\s*)+", " \u00a6 ", text).strip(" \u00a6")


def audit_codes() -> set[str]:
    codes = set(SENTENCES)
    for pattern, values in DYNAMIC_ACTIONS.items():
        codes.update(pattern.format(value) for value in values)
    return codes


_CODE = None


def _code_pattern() -> re.Pattern:
    global _CODE
    if _CODE is None:
        alternatives = "|".join(re.escape(code) for code in sorted(audit_codes(), key=len)[::-1])
        _CODE = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")
    return _CODE


# Singular nouns that end in s; words ending in ss, us, is or ics are singular too.
SINGULAR_ENDING_IN_S = {
    "business",
    "series",
    "species",
    "news",
    "lens",
    "bus",
    "gas",
    "yes",
    "plus",
}
SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "ous")
# "Step 1 asks...": a number after one of these labels names a thing, it does not count.
LABELS = {
    "step", "lot", "option", "question", "page", "part", "section", "stage", "phase", "level",
    "tier", "version", "round", "criterion", "item", "number", "no", "g-cloud", "year", "week",
    "day", "line", "row", "column", "of",
}  # fmt: skip
_ONE_PLURAL = re.compile(r"(?:(?<=\s)|^)(?:(\S+)\s+)?1\s+([A-Za-z]+s)\b")


def bad_plurals(text: str) -> list[str]:
    found = []
    for match in _ONE_PLURAL.finditer(text):
        before, word = match.group(1), match.group(2)
        lower = word.lower()
        if lower in SINGULAR_ENDING_IN_S or lower.endswith(SINGULAR_ENDINGS):
            continue
        if before and before.lower().strip("(:,") in LABELS:
            continue
        if before and re.search(r"[\d.,]$", before):  # part of a larger number: "2, 1 ..."
            continue
        found.append(f"1 {word}")
    return found


def plain_words_problems(html: str) -> list[str]:
    text = visible_text(html)
    problems = [f"audit action code {code!r}" for code in _code_pattern().findall(text)]
    problems += [f"count that disagrees with its noun: {phrase!r}" for phrase in bad_plurals(text)]
    return problems


def assert_plain_words(html: str, url: str = "the page") -> None:
    problems = plain_words_problems(html)
    assert not problems, f"{url} is not in plain words:\n" + "\n".join(problems)
