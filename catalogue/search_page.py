"""The search page's expensive parts, rendered once and cached per normalised query, filters
and catalogue generation.

What is cached is the same for every visitor: the facet column (GOV.UK checkboxes with their
counts), each result row without its comparison button, the totals, notices and page numbers.
Nothing about the visitor is ever in it: the comparison buttons, the CSRF token, "Save this
search" and the links that carry the raw query string are added per request by the view.

The key holds the catalogue generation (`facet_index.catalogue_generation`), which every change
to what buyers may see bumps (approving, withdrawing or suspending offers, suppliers and
frameworks; a new rating), so a change shows at once. Entries also expire after
FRAGMENT_SECONDS, like the facet table (`facet_index.MAX_AGE`), so a date-based change (a
framework passing its end date) shows within that time even without a bump.
Turn it off with settings.NDX_SEARCH_FRAGMENT_CACHE = False (the benchmark's baseline)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ndx.db_router import replica_reads
from ndx.govuk import render_component

from .facet_index import catalogue_generation
from .search import Facet, SearchOutcome, search_offers

FRAGMENT_SECONDS = 300
# Every parameter the search reads; any other parameter (tracking tags...) changes nothing.
SEARCH_KEYS = (
    "q",
    "sort",
    "size",
    "page",
    "framework",
    "lot",
    "category",
    "cpv",
    "pricing",
    "price_min",
    "price_max",
    "sme",
    "vcse",
    "rating",
    "cert",
    "hosting",
)


@dataclass
class ResultRow:
    offer_id: int
    title: str
    html: SafeString  # the row without its comparison button


@dataclass
class SearchPage:
    """What the page shows of one search, the same for every visitor."""

    query_text: str
    corrected_text: str | None
    total: int
    number: int
    num_pages: int
    start_index: int
    sort: str
    page_size: int
    notices: list[str]
    facets: list[Facet]
    facet_html: SafeString
    rows: list[ResultRow] = field(default_factory=list)


def _clean_q(raw: str) -> str:
    """The query as parse_query reads it (control characters to spaces, runs of white space
    to one space), so spellings that search alike share an entry."""
    raw = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in raw)
    return " ".join(raw.split())


def fragment_key(data: QueryDict, generation: str) -> str:
    """Keys sorted, each key's values in the order given (the search reads the last one of a
    repeated single-valued parameter, so order within a key matters)."""
    normalised = []
    for key in SEARCH_KEYS:
        values = data.getlist(key)
        if key == "q":
            values = [_clean_q(v) for v in values]
        if values:
            normalised.append((key, values))
    digest = hashlib.sha256(repr((generation, normalised)).encode()).hexdigest()
    return f"ndx:search-page:{digest}"


def facet_component(facet: Facet) -> tuple[str, dict] | None:
    """GOV.UK checkboxes (or radios) for one facet, each option with its count."""
    if not facet.options:
        return None
    items = [
        {
            "value": option.value,
            "text": f"{option.label} ({option.count})",
            "checked": option.selected,
        }
        for option in facet.options
    ]
    component = "checkboxes"
    if facet.kind == "radios":
        component = "radios"
        items.insert(
            0,
            {
                "value": "",
                "text": "Any rating",
                "checked": not any(o.selected for o in facet.options),
            },
        )
    return component, {
        "idPrefix": f"f-{facet.name}",
        "name": facet.name,
        "classes": "govuk-checkboxes--small"
        if component == "checkboxes"
        else "govuk-radios--small",
        "fieldset": {
            "legend": {"text": facet.label, "classes": "govuk-fieldset__legend--s"},
        },
        "items": items,
    }


def _facet_html(facets: list[Facet]) -> SafeString:
    parts = []
    for component in map(facet_component, facets):
        if component is not None:
            parts.append(render_component(*component))
    return mark_safe("".join(parts))  # noqa: S308 - rendered by the escaping GOV.UK templates


def _rows(outcome: SearchOutcome) -> list[ResultRow]:
    template = get_template("catalogue/_search_result.html")
    return [
        ResultRow(
            offer_id=result["offer"].pk,
            title=result["revision"].title,
            html=mark_safe(template.render(result)),  # noqa: S308 - an escaping template
        )
        for result in outcome.results
    ]


def _page(outcome: SearchOutcome) -> SearchPage:
    return SearchPage(
        query_text=outcome.query.text,
        corrected_text=outcome.query.corrected_text,
        total=outcome.total,
        number=outcome.page.number,
        num_pages=outcome.paginator.num_pages,
        start_index=outcome.page.start_index(),
        sort=outcome.sort,
        page_size=outcome.page_size,
        notices=list(outcome.notices),
        facets=outcome.facets,
        facet_html=_facet_html(outcome.facets),
        rows=_rows(outcome),
    )


def search_page(data: QueryDict) -> SearchPage:
    """The shared part of the search page for these parameters, from the cache when the
    catalogue has not changed since it was rendered."""
    if not getattr(settings, "NDX_SEARCH_FRAGMENT_CACHE", True):
        return _render(data)
    key = fragment_key(data, catalogue_generation())
    page = cache.get(key)
    if page is None:
        page = _render(data)
        cache.set(key, page, FRAGMENT_SECONDS)
    return page


def _render(data: QueryDict) -> SearchPage:
    with replica_reads():  # the read replica when DATABASE_REPLICA_URL is set
        return _page(search_offers(data))


_COMPARE_FORM = (
    '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
    'value="{}"><input type="hidden" name="offer" value="{}"><input type="hidden" '
    'name="next" value="{}"><button type="submit" class="govuk-button '
    'govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">'
    'Add to comparison<span class="govuk-visually-hidden">: {}</span></button></form>'
)
_IN_COMPARISON = mark_safe('<p class="govuk-body-s">In your comparison</p>')


def compare_control(
    row: ResultRow, *, compare_ids: list[int], limit: int, action: str, csrf: str, next_url: str
) -> Any:
    """This visitor's comparison button for one row (never cached): one string format per row
    instead of a template render."""
    if row.offer_id in compare_ids:
        return _IN_COMPARISON
    if len(compare_ids) >= limit:
        return ""
    return format_html(_COMPARE_FORM, action, csrf, row.offer_id, next_url, row.title)
