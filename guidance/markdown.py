"""A safe subset of Markdown for guidance pages and case studies, rendered with the GOV.UK
typography classes.

markdown-it-py (CommonMark) with raw HTML switched off: any `<tag>` a staff user types is
escaped and shown as text, never passed through, so no separate HTML sanitiser is needed (the
renderer writes every tag itself and escapes every attribute value). On top of that:

- only these constructs are on: headings, paragraphs, emphasis, lists, links, block quotes
  (shown as inset text), tables, horizontal rules and inline code; images are off (no
  third-party requests from our pages), and so are raw HTML blocks and inline HTML;
- links must be https, http, mailto or a path on this service (`/...` or `#...`): a
  `javascript:` or `data:` link is left as plain text;
- headings start at level 2 (the page title is the only h1) and each gets an id, so a journey
  can link one section (`/guidance/choosing-a-route/#when-you-can-award-directly`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token

_ALLOWED_LINK = re.compile(r"^(https?://|mailto:|/(?!/)|#)", re.IGNORECASE)

_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "hr": "govuk-section-break govuk-section-break--l govuk-section-break--visible",
}
# Markdown level -> (tag, class). The page title is the h1, so `#` and `##` are both h2.
_HEADINGS = {
    1: ("h2", "govuk-heading-l"),
    2: ("h2", "govuk-heading-l"),
    3: ("h3", "govuk-heading-m"),
    4: ("h4", "govuk-heading-s"),
    5: ("h4", "govuk-heading-s"),
    6: ("h4", "govuk-heading-s"),
}


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    sections: tuple[Section, ...]


def _validate_link(url: str) -> bool:
    return bool(_ALLOWED_LINK.match(url.strip()))


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(
        [
            "heading",
            "lheading",
            "paragraph",
            "list",
            "blockquote",
            "hr",
            "table",
            "emphasis",
            "link",
            "backticks",
            "escape",
            "newline",
            "entity",
        ]
    )
    md.validateLink = _validate_link
    return md


_MD = _parser()


def _style(tokens: list[Token]) -> list[Section]:
    sections: list[Section] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag, css = _HEADINGS[level]
            if token.type == "heading_open":
                token.attrSet("class", css)
                title = tokens[index + 1].content if index + 1 < len(tokens) else ""
                anchor = base = slugify(title) or "section"
                counter = 2
                while anchor in used:
                    anchor = f"{base}-{counter}"
                    counter += 1
                used.add(anchor)
                token.attrSet("id", anchor)
                sections.append(Section(anchor=anchor, title=title))
        elif token.type in _CLASSES:
            token.attrs.pop("style", None)  # table alignment: inline styles break our CSP
            token.attrSet("class", _CLASSES[token.type])
        if token.children:
            for child in token.children:
                if child.type in _CLASSES:
                    child.attrSet("class", _CLASSES[child.type])
    return sections


def render(text: str) -> Rendered:
    """Render the safe Markdown subset to HTML with GOV.UK classes, and list its sections."""
    tokens = _MD.parse(text or "")
    sections = _style(tokens)
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Rendered(html=mark_safe(html), sections=tuple(sections))  # noqa: S308 (escaped)


def render_html(text: str) -> SafeString:
    return render(text).html
