"""Catalogue search: free text with spelling help, django-filter filters, facet counts, sorting.

On PostgreSQL the text match uses the stored, weighted tsvector (GIN index) and ts_rank; on
SQLite it falls back to LIKE over the stored search text with a weighted score. Ties are broken
by an MD5 hash of the offer id, so no supplier gains from the alphabet."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection, connections
from django.db.models import (
    Case,
    F,
    FloatField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Length
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .cpv import CPV_DIVISIONS
from .facet_index import FacetTable, facet_table
from .filters import DELIVERY_PHASES, RATING_CHOICES, OfferFilter
from .models import (
    Certification,
    HostingLocation,
    Offer,
    OfferRevision,
    PricingModel,
    RevisionFacet,
    SearchTerm,
)
from .ratings import RATING_PRIOR_MEAN, RATING_PRIOR_WEIGHT, bayesian_rating

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
    # Control characters (a NUL in particular, which PostgreSQL text cannot hold) become spaces.
    raw = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in (raw or ""))
    text = " ".join(raw.split())
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
    return SearchQuery(_tsquery_text(parsed, operator), search_type="raw", config="english")


def _tsquery_text(parsed: ParsedQuery, operator: str) -> str:
    parts = []
    for group in parsed.groups:
        alternatives = []
        for variant in group.variants:
            words = variant.split()
            alternatives.append(" & ".join(f"{w}:*" if len(w) >= 4 else w for w in words))
        parts.append("(" + " | ".join(f"({a})" for a in alternatives) + ")")
    return f" {operator} ".join(parts)


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


TEXT_CACHE_SECONDS = 120
TEXT_CACHE_MAX_ROWS = 100_000


def cached_text_scores(parsed: ParsedQuery, generation: str):
    """text_scores, remembered per catalogue generation: paging, sorting and filtering a
    search reuse the text match instead of running it again."""
    key = (
        "ndx:text:"
        + hashlib.sha1(  # noqa: S324 - a cache key, not security
            repr(
                (generation, connection.vendor, [(g.original, g.variants) for g in parsed.groups])
            ).encode()
        ).hexdigest()
    )
    hit = cache.get(key)
    if hit is not None:
        ids, scores, raw, matched_all = hit
        query = SearchQuery(raw, search_type="raw", config="english") if raw is not None else None
        return (
            np.frombuffer(ids, dtype=np.int64),
            np.frombuffer(scores, dtype=float),
            query,
            matched_all,
        )
    ids, scores, query, matched_all = text_scores(parsed)
    if len(ids) <= TEXT_CACHE_MAX_ROWS:
        raw = _tsquery_text(parsed, "&" if matched_all else "|") if query is not None else None
        cache.set(
            key,
            (ids.tobytes(), scores.astype(float).tobytes(), raw, matched_all),
            TEXT_CACHE_SECONDS,
        )
    return ids, scores, query, matched_all


def text_scores(parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray, Any, bool]:
    """Offer ids matching the text and their relevance scores (two numpy arrays); the query
    object (PostgreSQL) for snippets; and whether every word matched (else any word)."""
    if connection.vendor == "postgresql":
        exact = Case(
            When(title__iexact=parsed.text, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        for operator in ("&", "|"):
            query = _tsquery(parsed, operator)
            rank = SearchRank(F("search_vector"), query, weights=[0.05, 0.2, 0.4, 1.0])
            # Published revisions only: one row per published offer, no join needed.
            rows = (
                OfferRevision.objects.filter(status="published", search_vector=query)
                .annotate(relevance=rank + exact)
                .values_list("offer_id", "relevance")
            )
            ids, scores = _aggregated_arrays(rows)
            if len(ids) or operator == "|":
                return ids, scores, query, operator == "&"
    for require_all in (True, False):
        rows = (
            Offer.objects.filter(status="published")
            .filter(_like_condition(parsed, require_all))
            .annotate(relevance=_like_score(parsed))
            .values_list("pk", "relevance")
        )
        ids, scores = _arrays(rows)
        if len(ids) or not require_all:
            return ids, scores, None, require_all
    return np.empty(0, dtype=np.int64), np.empty(0), None, False  # pragma: no cover


def _aggregated_arrays(rows) -> tuple[np.ndarray, np.ndarray]:
    """The (offer id, relevance) pairs of a values_list queryset as two numpy arrays, fetched
    as two PostgreSQL arrays in one row (array_agg) instead of one Python tuple per match,
    which cost more than the ranking itself for broad queries (16,000 matches at 100k)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(
            f"SELECT array_agg(t.offer_id), array_agg(t.relevance) FROM ({sql}) AS t",  # noqa: S608 - compiled by the ORM
            params,
        )
        ids, scores = cursor.fetchone()
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=float)


def _arrays(rows) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(rows)
    if not pairs:
        return np.empty(0, dtype=np.int64), np.empty(0)
    ids, scores = zip(*pairs, strict=True)
    return np.fromiter(ids, dtype=np.int64, count=len(ids)), np.asarray(scores, dtype=float)


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


def _options(counts: dict[str, int], labels: dict[str, str], selected: list[str], keep_all=True):
    values = list(labels) if keep_all else [v for v in labels if counts.get(v)]
    for value in selected:
        if value not in values and value in labels:
            values.append(value)
    return [
        FacetOption(value=v, label=labels[v], count=counts.get(v, 0), selected=v in selected)
        for v in values
    ]


MULTI = {
    "category": RevisionFacet.Kind.CATEGORY,
    "phase": RevisionFacet.Kind.CATEGORY,  # the delivery phases among the categories
    "cpv": RevisionFacet.Kind.CPV_DIVISION,
    "cert": RevisionFacet.Kind.CERTIFICATION,
}


def _coded_mask(codes, column: np.ndarray, values: list[str]) -> np.ndarray:
    wanted = [codes.index[v] for v in values if v in codes.index]
    return np.isin(column, wanted)


def _multi_mask(table: FacetTable, kind: str, values: list[str], require_all: bool) -> np.ndarray:
    matrix = table.multi[kind]
    columns = {v: i for i, v in enumerate(table.multi_values[kind])}
    picked = [columns[v] for v in values if v in columns]
    if require_all and len(picked) < len(values):
        return np.zeros(len(table), dtype=bool)
    if not picked:
        return np.zeros(len(table), dtype=bool)
    hits = np.asarray(matrix[:, picked].sum(axis=1)).ravel()
    return hits >= (len(picked) if require_all else 1)


def filter_masks(table: FacetTable, cleaned: dict[str, Any]) -> dict[str, np.ndarray]:
    """One boolean mask per active filter, over the table's rows."""
    masks: dict[str, np.ndarray] = {}
    if cleaned.get("framework"):
        masks["framework"] = _coded_mask(
            table.framework_codes, table.framework, cleaned["framework"]
        )
    if cleaned.get("lot"):
        masks["lot"] = _coded_mask(table.lot_codes, table.lot, [str(v) for v in cleaned["lot"]])
    for name in ("category", "phase", "cpv"):
        if cleaned.get(name):
            masks[name] = _multi_mask(table, MULTI[name], cleaned[name], require_all=False)
    if cleaned.get("cert"):
        masks["cert"] = _multi_mask(table, MULTI["cert"], cleaned["cert"], require_all=True)
    if cleaned.get("pricing"):
        masks["pricing"] = _coded_mask(table.pricing_codes, table.pricing, cleaned["pricing"])
    if cleaned.get("hosting"):
        masks["hosting"] = _coded_mask(table.hosting_codes, table.hosting, cleaned["hosting"])
    price_mask = None
    with np.errstate(invalid="ignore"):
        if cleaned.get("price_min") is not None:
            price_mask = table.price >= float(cleaned["price_min"])
        if cleaned.get("price_max") is not None:
            upper = table.price <= float(cleaned["price_max"])
            price_mask = upper if price_mask is None else price_mask & upper
        if cleaned.get("rating"):
            masks["rating"] = table.rating >= float(cleaned["rating"])
    if price_mask is not None:
        masks["price"] = price_mask
    if cleaned.get("sme"):
        masks["sme"] = table.sme
    if cleaned.get("vcse"):
        masks["vcse"] = table.vcse
    return masks


def _combine(base: np.ndarray, masks: dict[str, np.ndarray], skip: str | None = None):
    combined = base.copy()
    for name, mask in masks.items():
        if name != skip:
            combined &= mask
    return combined


def build_facets(
    table: FacetTable, base: np.ndarray, masks: dict[str, np.ndarray], data: QueryDict
) -> list[Facet]:
    """Counts for each option; each facet's counts ignore that facet's own selection."""
    facets: list[Facet] = []

    def coded(name: str, column: np.ndarray, codes) -> dict[str, int]:
        mask = _combine(base, masks, name)
        counts = np.bincount(column[mask], minlength=len(codes.values))
        return {str(v): int(counts[i]) for i, v in enumerate(codes.values) if counts[i]}

    def multi(name: str, limit: int | None = None) -> dict[str, int]:
        mask = _combine(base, masks, name)
        kind = MULTI[name]
        counts = np.asarray(mask.astype(np.int32) @ table.multi[kind]).ravel()
        values = table.multi_values[kind]
        pairs = sorted(
            ((values[i], int(c)) for i, c in enumerate(counts[: len(values)]) if c),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return dict(pairs[:limit] if limit else pairs)

    counts = coded("framework", table.framework, table.framework_codes)
    facets.append(
        Facet(
            "framework",
            "Framework",
            _options(counts, table.framework_names, data.getlist("framework"), keep_all=False),
        )
    )
    counts = coded("lot", table.lot, table.lot_codes)
    facets.append(
        Facet("lot", "Lot", _options(counts, table.lot_names, data.getlist("lot"), False))
    )
    known = table.multi_values[MULTI["category"]]
    phases = multi("phase")
    phases = {v: phases[v] for v in DELIVERY_PHASES if v in phases}  # in delivery order
    selected = data.getlist("phase")
    labels = {v: v for v in [*phases, *[s for s in selected if s in known]]}
    facets.append(Facet("phase", "Delivery phase", _options(phases, labels, selected, False)))
    counts = {v: n for v, n in multi("category").items() if v not in DELIVERY_PHASES}
    counts = dict(list(counts.items())[:25])
    selected = data.getlist("category")
    labels = {v: v for v in [*counts, *[s for s in selected if s in known]]}
    facets.append(Facet("category", "Category", _options(counts, labels, selected, False)))
    counts = multi("cpv")
    labels = {k: f"{k} {v}" for k, v in CPV_DIVISIONS.items()}
    facets.append(
        Facet("cpv", "CPV division", _options(counts, labels, data.getlist("cpv"), False))
    )
    counts = coded("pricing", table.pricing, table.pricing_codes)
    facets.append(
        Facet(
            "pricing",
            "Pricing model",
            _options(counts, dict(PricingModel.choices), data.getlist("pricing")),
        )
    )
    for name, label, column in (
        ("sme", "SMEs only", table.sme),
        ("vcse", "VCSEs only", table.vcse),
    ):
        n = int((_combine(base, masks, name) & column).sum())
        facets.append(Facet(name, label, _options({"yes": n}, {"yes": label}, data.getlist(name))))
    mask = _combine(base, masks, "rating")
    with np.errstate(invalid="ignore"):
        rating_counts = {
            v: int((mask & (table.rating >= float(v))).sum()) for v, _ in RATING_CHOICES
        }
    facets.append(
        Facet(
            "rating",
            "Rating",
            _options(rating_counts, dict(RATING_CHOICES), data.getlist("rating")),
            kind="radios",
        )
    )
    counts = multi("cert")
    facets.append(
        Facet(
            "cert",
            "Certifications",
            _options(counts, dict(Certification.choices), data.getlist("cert")),
        )
    )
    counts = coded("hosting", table.hosting, table.hosting_codes)
    facets.append(
        Facet(
            "hosting",
            "Data hosting",
            _options(counts, dict(HostingLocation.choices), data.getlist("hosting")),
        )
    )
    return facets


def sorted_rows(table: FacetTable, rows: np.ndarray, sort: str, scores: np.ndarray | None):
    """Order the matching rows; ties always fall back to the hash of the offer id."""
    tie = table.tie[rows]
    if sort in ("price", "-price"):
        price = table.price[rows]
        missing = np.isnan(price)
        key = np.where(missing, 0.0, price if sort == "price" else -price)
        order = np.lexsort((tie, key, missing))
    elif sort == "rating":
        # Bayesian average: one 5-star review does not beat fifty 4.6-star ones.
        rating = table.rating[rows]
        missing = np.isnan(rating)
        score = bayesian_rating(
            np.where(missing, 0.0, rating),
            table.rating_count[rows],
            float(RATING_PRIOR_MEAN),
            RATING_PRIOR_WEIGHT,
        )
        order = np.lexsort((tie, -table.rating_count[rows], -score, missing))
    elif sort == "newest":
        order = np.lexsort((tie, -table.published[rows]))
    elif scores is not None:
        order = np.lexsort((tie, -np.round(scores[rows], 9)))
    else:
        order = np.argsort(tie, kind="stable")
    return rows[order]


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


def search_offers(data: QueryDict) -> SearchOutcome:
    """Run a catalogue search from GET parameters. Never raises on bad input."""
    notices: list[str] = []
    table = facet_table()
    parsed = parse_query(data.get("q", ""))
    if parsed.truncated:
        notices.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    sort = data.get("sort") or "relevance"
    if sort not in SORTS:
        notices.append("We did not recognise that sort order, so results are sorted by best match.")
        sort = "relevance"
    page_size = _int_param(data.get("size"), DEFAULT_PAGE_SIZE, PAGE_SIZES)
    frameworks = list(table.framework_names.items())
    lots = list(table.lot_names.items())
    filterset = OfferFilter(data, queryset=Offer.objects.none(), frameworks=frameworks, lots=lots)
    notices += filterset.invalid_messages()
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}

    base = np.ones(len(table), dtype=bool)
    scores = None
    query = None
    matched_all = True
    if not parsed.is_empty:
        ids, found_scores, query, matched_all = cached_text_scores(parsed, table.generation)
        if not matched_all:
            notices.append("No offer matched every word, so these match some of them.")
        scores = np.full(len(table), np.nan)
        if len(ids) and len(table):
            # table.ids is sorted (built in primary-key order): place each score by bisection.
            rows = np.searchsorted(table.ids, ids)
            rows = np.minimum(rows, len(table) - 1)
            present = table.ids[rows] == ids
            scores[rows[present]] = found_scores[present]
        base = ~np.isnan(scores)
    masks = filter_masks(table, cleaned)
    final = np.flatnonzero(_combine(base, masks))
    ordered_ids = table.ids[sorted_rows(table, final, sort, scores)]

    paginator = Paginator(ordered_ids, page_size)
    requested = data.get("page") or 1
    try:
        number = int(requested)
        if number > MAX_PAGE:
            raise EmptyPage
        page = paginator.page(number)
    except (PageNotAnInteger, ValueError, TypeError, OverflowError):
        page = paginator.page(1)
        notices.append("That page number is not valid, so this is the first page.")
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
        if paginator.count:
            notices.append(f"There are only {paginator.num_pages} pages of results.")
    page_ids = [int(i) for i in page.object_list]
    found_offers = {
        o.pk: o
        for o in Offer.objects.buyable()
        .filter(pk__in=page_ids)
        .select_related("published_revision", "lot__framework", "supplier__supplier_profile")
    }
    offers = [found_offers[i] for i in page_ids if i in found_offers]
    highlights = _highlights(offers, parsed, query)
    results = [
        {"offer": o, "revision": o.published_revision, "snippet": highlights.get(o.pk)}
        for o in offers
    ]
    facets = build_facets(table, base, masks, data)
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
