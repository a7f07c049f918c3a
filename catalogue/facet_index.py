"""An in-memory table of every buyable offer's facet values, for fast filtering, facet counts
and sorting (numpy), rebuilt when the catalogue changes.

Each process keeps one copy. It is rebuilt when the catalogue generation (a cache key bumped
after every change that affects what buyers may see or how it is described) differs from the
one it was built at, and at least every MAX_AGE seconds as a safety net. The page rows are
always fetched again through `Offer.objects.buyable()`, so a stale table can never show an
offer a buyer may not see."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache
from django.db import transaction

from .models import Offer, RevisionFacet

GENERATION_KEY = "ndx:catalogue-generation"
MAX_AGE = 300.0


def catalogue_generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = uuid.uuid4().hex
        cache.add(GENERATION_KEY, value, timeout=None)
        stored = cache.get(GENERATION_KEY)
        if stored is None:
            # The cache is unavailable: rebuild the table at most every 30 seconds.
            return f"no-cache-{int(time.time() // 30)}"
        value = stored
    return value


def catalogue_changed() -> None:
    """Call from any service that changes what buyers may see. Bumped now and again after
    the transaction commits, so a table rebuilt in between is replaced once the change lands."""

    def bump() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def tie_value(offer_id: int) -> int:
    """A stable hash of the offer id: ties never follow names or ids."""
    return int.from_bytes(hashlib.md5(str(offer_id).encode()).digest()[:8], "big") >> 1  # noqa: S324


class Codes:
    """Values of one single-valued facet, coded as small integers."""

    def __init__(self) -> None:
        self.values: list = []
        self.index: dict = {}

    def code(self, value) -> int:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        return self.index[value]


@dataclass
class FacetTable:
    generation: str
    built_at: float
    ids: np.ndarray
    framework: np.ndarray
    framework_codes: Codes
    framework_names: dict[str, str]
    lot: np.ndarray
    lot_codes: Codes
    lot_names: dict[str, str]
    pricing: np.ndarray
    pricing_codes: Codes
    hosting: np.ndarray
    hosting_codes: Codes
    sme: np.ndarray
    vcse: np.ndarray
    rating: np.ndarray
    rating_count: np.ndarray
    price: np.ndarray
    published: np.ndarray
    tie: np.ndarray
    multi: dict[str, sp.csr_matrix] = field(default_factory=dict)
    multi_values: dict[str, list[str]] = field(default_factory=dict)
    row_of: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def rows_for(self, offer_ids) -> np.ndarray:
        rows = [self.row_of[i] for i in offer_ids if i in self.row_of]
        return np.asarray(rows, dtype=np.int64)


def build_table(generation: str) -> FacetTable:
    rows = list(
        Offer.objects.buyable()
        .order_by("pk")
        .values_list(
            "pk",
            "lot__framework__reference",
            "lot__framework__name",
            "lot_id",
            "lot__name",
            "published_revision__pricing_model",
            "published_revision__hosting_location",
            "supplier__supplier_profile__is_sme",
            "supplier__supplier_profile__is_vcse",
            "rating_average",
            "rating_count",
            "published_revision__price",
            "first_published_at",
            "published_revision_id",
        )
    )
    n = len(rows)
    framework_codes, lot_codes, pricing_codes, hosting_codes = Codes(), Codes(), Codes(), Codes()
    framework_names: dict[str, str] = {}
    lot_names: dict[str, str] = {}
    ids = np.empty(n, dtype=np.int64)
    framework = np.empty(n, dtype=np.int32)
    lot = np.empty(n, dtype=np.int32)
    pricing = np.empty(n, dtype=np.int32)
    hosting = np.empty(n, dtype=np.int32)
    sme = np.zeros(n, dtype=bool)
    vcse = np.zeros(n, dtype=bool)
    rating = np.full(n, np.nan)
    rating_count = np.zeros(n, dtype=np.int64)
    price = np.full(n, np.nan)
    published = np.zeros(n)
    tie = np.empty(n, dtype=np.int64)
    revision_row: dict[int, int] = {}
    for i, (
        pk,
        ref,
        fname,
        lot_id,
        lot_name,
        pm,
        host,
        is_sme,
        is_vcse,
        avg,
        count,
        p,
        first,
        rev,
    ) in enumerate(rows):
        ids[i] = pk
        framework[i] = framework_codes.code(ref)
        framework_names[ref] = fname
        lot[i] = lot_codes.code(str(lot_id))
        lot_names[str(lot_id)] = f"{lot_name} ({fname})"
        pricing[i] = pricing_codes.code(pm)
        hosting[i] = hosting_codes.code(host or "")
        sme[i] = bool(is_sme)
        vcse[i] = bool(is_vcse)
        if avg is not None:
            rating[i] = float(avg)
        rating_count[i] = count or 0
        if p is not None:
            price[i] = float(p)
        published[i] = first.timestamp() if first else 0.0
        tie[i] = tie_value(pk)
        revision_row[rev] = i
    multi: dict[str, sp.csr_matrix] = {}
    multi_values: dict[str, list[str]] = {}
    kinds = [k for k, _ in RevisionFacet.Kind.choices]
    columns = {k: Codes() for k in kinds}
    entries = {k: ([], []) for k in kinds}
    if revision_row:
        facets = RevisionFacet.objects.filter(
            revision__in=Offer.objects.buyable().values("published_revision_id")
        ).values_list("revision_id", "kind", "value")
        for revision_id, kind, value in facets.iterator(chunk_size=20000):
            row = revision_row.get(revision_id)
            if row is None or kind not in entries:
                continue
            entries[kind][0].append(row)
            entries[kind][1].append(columns[kind].code(value))
    for kind in kinds:
        r, c = entries[kind]
        multi[kind] = sp.csr_matrix(
            (
                np.ones(len(r), dtype=np.int32),
                (np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)),
            ),
            shape=(n, max(len(columns[kind].values), 1)),
        )
        multi_values[kind] = columns[kind].values
    return FacetTable(
        generation=generation,
        built_at=time.monotonic(),
        ids=ids,
        framework=framework,
        framework_codes=framework_codes,
        framework_names=framework_names,
        lot=lot,
        lot_codes=lot_codes,
        lot_names=lot_names,
        pricing=pricing,
        pricing_codes=pricing_codes,
        hosting=hosting,
        hosting_codes=hosting_codes,
        sme=sme,
        vcse=vcse,
        rating=rating,
        rating_count=rating_count,
        price=price,
        published=published,
        tie=tie,
        multi=multi,
        multi_values=multi_values,
        row_of={int(pk): i for i, pk in enumerate(ids)},
    )


_lock = threading.Lock()
_table: FacetTable | None = None


def facet_table() -> FacetTable:
    """The current table, rebuilt if the catalogue changed since it was built."""
    global _table
    generation = catalogue_generation()
    with _lock:
        table = _table
        if (
            table is None
            or table.generation != generation
            or time.monotonic() - table.built_at > MAX_AGE
        ):
            table = build_table(generation)
            _table = table
        return table


def reset() -> None:
    global _table
    with _lock:
        _table = None
