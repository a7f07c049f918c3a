"""Catalogue search: free text with spelling help, django-filter filters, facet counts, sorting.

On PostgreSQL the text match uses the stored, weighted tsvector (GIN index) and ts_rank; on
SQLite it falls back to LIKE over the stored search text with a weighted score. Ties are broken
by an MD5 hash of the offer id, so no supplier gains from the alphabet."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import MD5, Cast, Concat, Length
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .cpv import CPV_DIVISIONS
from .filters import RATING_CHOICES, OfferFilter
from .models import (
    Certification,
    HostingLocation,
    Offer,
    PricingModel,
    RevisionFacet,
    SearchTerm,
)

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
PAGE_SIZES = (10, 20, 50)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 500
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
SORTS = {
    "relevance": "Best match",
    "price": "Price: lowest first",
    "-price": "Price: highest first",
    "rating": "Highest rated",
    "newest": "Newest",
}
# Sentinels around highlighted words, turned into <mark> after escaping.
_START, _STOP = "\x02", "\x03"
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the to was were "
    "will with we our you your i need want".split()
)


@dataclass
class TermGroup:
    """One word of the query and the words that may stand for it."""

    original: str
    variants: list[str]

    @property
    def corrected(self) -> bool:
        return self.variants[0] != self.original


@dataclass
class ParsedQuery:
    text: str
    groups: list[TermGroup] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def corrected_text(self) -> str | None:
        if not any(g.corrected for g in self.groups):
            return None
        return " ".join(g.variants[0] for g in self.groups)


def parse_query(raw: str) -> ParsedQuery:
    text = " ".join((raw or "").split())
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = [w.lower() for w in WORD_RE.findall(text)]
    words = [w for w in words if w not in STOPWORDS and len(w) <= 60]
    words = list(dict.fromkeys(words))[:MAX_TERMS]
    parsed = ParsedQuery(text=text, truncated=truncated)
    parsed.groups = _spelling_groups(words)
    return parsed


def _spelling_groups(words: list[str]) -> list[TermGroup]:
    """Attach corrections: unknown words get their nearest vocabulary words; adjacent words
    that form a known word are joined ("share point"); unknown words that split into two
    known words are split ("sharepoint" -> "share point")."""
    if not words:
        return []
    pairs = [a + b for a, b in zip(words, words[1:], strict=False)]
    splits = {w: [(w[:i], w[i:]) for i in range(3, len(w) - 2)] for w in words if len(w) >= 6}
    candidates = set(words) | set(pairs) | {p for s in splits.values() for pair in s for p in pair}
    known = set(SearchTerm.objects.filter(word__in=candidates).values_list("word", flat=True))
    groups: list[TermGroup] = []
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        joined = word + words[i + 1] if i + 1 < len(words) else None
        if joined and joined in known and (word not in known or words[i + 1] not in known):
            groups.append(TermGroup(original=f"{word} {words[i + 1]}", variants=[joined]))
            skip = True
            continue
        if joined and joined in known:
            groups.append(TermGroup(original=word, variants=[word, joined]))
            continue
        if word in known or word.isdigit() or len(word) < 4:
            groups.append(TermGroup(original=word, variants=[word]))
            continue
        split = next(
            (f"{a} {b}" for a, b in splits.get(word, []) if a in known and b in known), None
        )
        similar = _similar_words(word)
        variants = ([split] if split else []) + similar
        groups.append(TermGroup(original=word, variants=variants or [word]))
        if variants and word not in variants:
            groups[-1].variants.append(word)
    return groups


def _similar_words(word: str, limit: int = 2) -> list[str]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            SearchTerm.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .filter(similarity__gte=0.35)
            .order_by("-similarity", "word")
            .values_list("word", flat=True)[:limit]
        )
    pool = (
        SearchTerm.objects.filter(word__startswith=word[0])
        .annotate(length=Length("word"))
        .filter(length__gte=len(word) - 2, length__lte=len(word) + 2)
        .values_list("word", flat=True)[:5000]
    )
    return difflib.get_close_matches(word, list(pool), n=limit, cutoff=0.75)


def _tsquery(parsed: ParsedQuery, operator: str) -> SearchQuery:
    parts = []
    for group in parsed.groups:
        alternatives = []
        for variant in group.variants:
            words = variant.split()
            alternatives.append(" & ".join(f"{w}:*" if len(w) >= 4 else w for w in words))
        parts.append("(" + " | ".join(f"({a})" for a in alternatives) + ")")
    return SearchQuery(f" {operator} ".join(parts), search_type="raw", config="english")


def _like_condition(parsed: ParsedQuery, require_all: bool) -> Q:
    combined = Q()
    for group in parsed.groups:
        either = Q()
        for variant in group.variants:
            both = Q()
            for word in variant.split():
                both &= Q(published_revision__search_text__contains=word)
            either |= both
        combined = (combined & either) if require_all else (combined | either)
    return combined


def _like_score(parsed: ParsedQuery):
    """A weighted score for SQLite: title matches count most, then summary/categories."""
    score = Value(0.0, output_field=FloatField())
    for group in parsed.groups:
        for word in (w for v in group.variants for w in v.split()):
            score = score + Case(
                When(published_revision__title__icontains=word, then=Value(4.0)),
                When(published_revision__summary__icontains=word, then=Value(2.0)),
                default=Value(0.5),
                output_field=FloatField(),
            )
    title = parsed.text.strip()
    if title:
        score = score + Case(
            When(published_revision__title__iexact=title, then=Value(10.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return score


def text_filtered(base: QuerySet, parsed: ParsedQuery) -> tuple[QuerySet, Any, bool]:
    """Apply the text query. Returns (queryset, query object or None, matched_all_words)."""
    if parsed.is_empty:
        return base, None, True
    if connection.vendor == "postgresql":
        for operator in ("&", "|"):
            query = _tsquery(parsed, operator)
            qs = base.filter(published_revision__search_vector=query)
            if operator == "|" or qs.exists():
                return qs, query, operator == "&"
    for require_all in (True, False):
        qs = base.filter(_like_condition(parsed, require_all))
        if not require_all or qs.exists():
            return qs, None, require_all
    return base.none(), None, False  # pragma: no cover


def order(qs: QuerySet, sort: str, parsed: ParsedQuery, query) -> QuerySet:
    tie = MD5(Cast("pk", CharField()))
    if sort == "price":
        return qs.order_by(F("published_revision__price").asc(nulls_last=True), tie)
    if sort == "-price":
        return qs.order_by(F("published_revision__price").desc(nulls_last=True), tie)
    if sort == "rating":
        return qs.order_by(F("rating_average").desc(nulls_last=True), F("rating_count").desc(), tie)
    if sort == "newest":
        return qs.order_by(F("first_published_at").desc(nulls_last=True), tie)
    if parsed.is_empty:
        return qs.order_by(tie)
    if query is not None:
        exact = Case(
            When(published_revision__title__iexact=parsed.text, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        rank = SearchRank(
            F("published_revision__search_vector"), query, weights=[0.05, 0.2, 0.4, 1.0]
        )
        return qs.annotate(relevance=rank + exact).order_by(F("relevance").desc(), tie)
    return qs.annotate(relevance=_like_score(parsed)).order_by(F("relevance").desc(), tie)


# --- facets ----------------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    kind: str = "checkboxes"  # or "radios"


def _without(data: QueryDict, *names: str) -> QueryDict:
    copy = data.copy()
    for name in names:
        copy.pop(name, None)
    return copy


def _facet_base(base: QuerySet, data: QueryDict, name: str, choices: dict) -> QuerySet:
    return OfferFilter(_without(data, name), queryset=base, **choices).qs


def _options(counts: dict[str, int], labels: dict[str, str], selected: list[str], keep_all=True):
    values = list(labels) if keep_all else [v for v in labels if counts.get(v)]
    for value in selected:
        if value not in values and value in labels:
            values.append(value)
    return [
        FacetOption(value=v, label=labels[v], count=counts.get(v, 0), selected=v in selected)
        for v in values
    ]


def build_facets(base: QuerySet, data: QueryDict, choices: dict) -> list[Facet]:
    """Counts for each option; each facet's counts ignore that facet's own selection."""
    facets: list[Facet] = []

    def grouped(name: str, field_name: str) -> dict[str, int]:
        qs = _facet_base(base, data, name, choices)
        rows = qs.order_by().values(field_name).annotate(n=Count("pk"))
        return {str(r[field_name]): r["n"] for r in rows}

    def facet_counts(name: str, kind: str, limit: int | None = None) -> dict[str, int]:
        qs = _facet_base(base, data, name, choices)
        rows = (
            RevisionFacet.objects.filter(
                kind=kind, revision_id__in=qs.order_by().values("published_revision_id")
            )
            .values("value")
            .annotate(n=Count("id"))
            .order_by("-n", "value")
        )
        if limit:
            rows = rows[:limit]
        return {r["value"]: r["n"] for r in rows}

    frameworks = dict(choices["frameworks"])
    counts = grouped("framework", "lot__framework__reference")
    facets.append(
        Facet(
            "framework",
            "Framework",
            _options(counts, frameworks, data.getlist("framework"), keep_all=False),
        )
    )
    lots = dict(choices["lots"])
    counts = grouped("lot", "lot_id")
    facets.append(Facet("lot", "Lot", _options(counts, lots, data.getlist("lot"), False)))
    counts = facet_counts("category", RevisionFacet.Kind.CATEGORY, limit=25)
    selected = data.getlist("category")
    labels = {v: v for v in [*counts, *selected]}
    facets.append(Facet("category", "Category", _options(counts, labels, selected, False)))
    counts = facet_counts("cpv", RevisionFacet.Kind.CPV_DIVISION)
    labels = {k: f"{k} {v}" for k, v in CPV_DIVISIONS.items()}
    facets.append(
        Facet("cpv", "CPV division", _options(counts, labels, data.getlist("cpv"), False))
    )
    counts = grouped("pricing", "published_revision__pricing_model")
    facets.append(
        Facet(
            "pricing",
            "Pricing model",
            _options(counts, dict(PricingModel.choices), data.getlist("pricing")),
        )
    )
    for name, label, path in (
        ("sme", "SMEs only", "supplier__supplier_profile__is_sme"),
        ("vcse", "VCSEs only", "supplier__supplier_profile__is_vcse"),
    ):
        n = _facet_base(base, data, name, choices).filter(**{path: True}).count()
        facets.append(Facet(name, label, _options({"yes": n}, {"yes": label}, data.getlist(name))))
    qs = _facet_base(base, data, "rating", choices)
    rating_counts = qs.order_by().aggregate(
        **{
            f"r{v}": Count("pk", filter=Q(rating_average__gte=Decimal(v)))
            for v, _ in RATING_CHOICES
        }
    )
    facets.append(
        Facet(
            "rating",
            "Rating",
            _options(
                {v: rating_counts[f"r{v}"] for v, _ in RATING_CHOICES},
                dict(RATING_CHOICES),
                data.getlist("rating"),
            ),
            kind="radios",
        )
    )
    counts = facet_counts("cert", RevisionFacet.Kind.CERTIFICATION)
    facets.append(
        Facet(
            "cert",
            "Certifications",
            _options(counts, dict(Certification.choices), data.getlist("cert")),
        )
    )
    counts = grouped("hosting", "published_revision__hosting_location")
    facets.append(
        Facet(
            "hosting",
            "Data hosting",
            _options(counts, dict(HostingLocation.choices), data.getlist("hosting")),
        )
    )
    return facets


# --- highlighting ----------------------------------------------------------------------------


def _marked(text: str) -> SafeString:
    """Escape text that carries highlight sentinels, then turn the sentinels into <mark>."""
    escaped = escape(text)
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def highlight_python(text: str, parsed: ParsedQuery, max_chars: int = 260) -> SafeString:
    words = {w for g in parsed.groups for v in g.variants for w in v.split() if len(w) >= 2}
    text = " ".join((text or "").split())
    if not words:
        return _marked(text[:max_chars] + ("…" if len(text) > max_chars else ""))
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\w*",
        re.IGNORECASE,
    )
    first = pattern.search(text)
    start = max(0, first.start() - 60) if first else 0
    snippet = text[start : start + max_chars]
    snippet = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", snippet)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + max_chars < len(text) else ""
    return _marked(prefix + snippet + suffix)


# --- the whole search ------------------------------------------------------------------------


@dataclass
class SearchOutcome:
    query: ParsedQuery
    page: Page
    paginator: Paginator
    facets: list[Facet]
    sort: str
    page_size: int
    notices: list[str]
    matched_all_words: bool
    results: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return self.paginator.count


def _int_param(value: str | None, default: int, allowed: tuple[int, ...] | None = None) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
    if allowed is not None and number not in allowed:
        return default
    return number


def search_offers(data: QueryDict, *, base: QuerySet | None = None) -> SearchOutcome:
    """Run a catalogue search from GET parameters. Never raises on bad input."""
    notices: list[str] = []
    base = base if base is not None else Offer.objects.buyable()
    parsed = parse_query(data.get("q", ""))
    if parsed.truncated:
        notices.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    sort = data.get("sort") or "relevance"
    if sort not in SORTS:
        notices.append("We did not recognise that sort order, so results are sorted by best match.")
        sort = "relevance"
    page_size = _int_param(data.get("size"), DEFAULT_PAGE_SIZE, PAGE_SIZES)
    probe = OfferFilter(data, queryset=base)
    choices = {
        "frameworks": probe.form.fields["framework"].choices,
        "lots": probe.form.fields["lot"].choices,
    }
    notices += probe.invalid_messages()

    matched, query, matched_all = text_filtered(base, parsed)
    if not parsed.is_empty and not matched_all:
        notices.append("No offer matched every word, so these match some of them.")
    filtered = OfferFilter(data, queryset=matched, **choices).qs
    ordered = order(filtered, sort, parsed, query).select_related(
        "published_revision", "lot__framework", "supplier__supplier_profile"
    )
    paginator = Paginator(ordered, page_size)
    requested = data.get("page") or 1
    try:
        number = int(requested)
        if number > MAX_PAGE:
            raise EmptyPage
        page = paginator.page(number)
    except (PageNotAnInteger, ValueError, TypeError):
        page = paginator.page(1)
        notices.append("That page number is not valid, so this is the first page.")
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
        if paginator.count:
            notices.append(f"There are only {paginator.num_pages} pages of results.")
    offers = list(page.object_list)
    highlights = _highlights(offers, parsed, query)
    results = [
        {"offer": o, "revision": o.published_revision, "snippet": highlights.get(o.pk)}
        for o in offers
    ]
    facets = build_facets(matched, data, choices)
    return SearchOutcome(
        query=parsed,
        page=page,
        paginator=paginator,
        facets=facets,
        sort=sort,
        page_size=page_size,
        notices=notices,
        matched_all_words=matched_all,
        results=results,
    )


def _highlights(offers: list[Offer], parsed: ParsedQuery, query) -> dict[int, SafeString]:
    if not offers:
        return {}
    if query is None or parsed.is_empty:
        return {
            o.pk: highlight_python(
                o.published_revision.summary or o.published_revision.description, parsed
            )
            for o in offers
        }
    rows = (
        Offer.objects.filter(pk__in=[o.pk for o in offers])
        .annotate(
            snippet=SearchHeadline(
                Concat(
                    "published_revision__summary",
                    Value(" "),
                    "published_revision__description",
                    output_field=TextField(),
                ),
                query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )
    return {pk: _marked(snippet or "") for pk, snippet in rows}
