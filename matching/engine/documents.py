"""Documents and hard filters: what an offer looks like to the engine and who may see it.

Owns `Document` (one offer, built from a dict or the catalogue interchange format), `Filters`
(hard eligibility criteria that a result never violates), the stable `tie_key`, and
`FilterMixin`, the part of `Index` that turns a `Filters` into a row mask over the index's
per-row filter columns (`_alive`, `_lot`, `_host`, `_cert`, `_price`, `_meta`).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        if isinstance(value, float):
            return None if math.isnan(value) else Decimal(repr(value))
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _norm_label(value: Any) -> str:
    return str(value).strip().casefold()


def _str_set(values: Iterable[Any]) -> set[str]:
    """A set of the values as strings (a plain copy when they already are strings: faster)."""
    items = values if isinstance(values, set | frozenset | list | tuple) else list(values)
    if set(map(type, items)) <= {str}:
        return set(items)
    return {str(i) for i in items}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


@dataclass
class Document:
    """One catalogue offer. Only `id` is required."""

    id: str
    title: str = ""
    summary: str = ""
    description: str = ""
    features: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    supplier_id: str = ""
    supplier_name: str = ""
    price: Decimal | float | None = None
    lot_id: str | None = None
    hosting_location: str | None = None
    certifications: frozenset[str] = frozenset()
    rating: float | None = None

    def __post_init__(self) -> None:
        self.id = str(self.id)
        self.features = _as_list(self.features)
        self.categories = _as_list(self.categories)
        self.certifications = frozenset(_as_list(self.certifications))
        self.supplier_id = "" if self.supplier_id is None else str(self.supplier_id)
        self.supplier_name = "" if self.supplier_name is None else str(self.supplier_name)
        for name in ("title", "summary", "description"):
            value = getattr(self, name)
            setattr(self, name, "" if value is None else str(value))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Document:
        """Build from a dict; accepts the catalogue interchange format too."""
        supplier = data.get("supplier") or {}
        categories = data.get("categories")
        if categories is None and data.get("category"):
            categories = [data["category"]]
        doc_id = data.get("id", data.get("external_id"))
        if doc_id is None:
            raise ValueError("document needs an 'id' (or 'external_id')")
        return cls(
            id=str(doc_id),
            title=data.get("title") or "",
            summary=data.get("summary") or "",
            description=data.get("description") or "",
            features=data.get("features") or [],
            categories=categories or [],
            supplier_id=str(
                data.get("supplier_id") or supplier.get("id") or supplier.get("name") or ""
            ),
            supplier_name=str(data.get("supplier_name") or supplier.get("name") or ""),
            price=data.get("price"),
            lot_id=data.get("lot_id"),
            hosting_location=data.get("hosting_location"),
            certifications=frozenset(_as_list(data.get("certifications"))),
            rating=data.get("rating"),
        )

    def field_text(self, name: str) -> str:
        value = getattr(self, name)
        return " ; ".join(value) if isinstance(value, list) else value


DocLike = Document | Mapping[str, Any]


def _coerce(doc: DocLike) -> Document:
    return doc if isinstance(doc, Document) else Document.from_mapping(doc)


@dataclass
class Filters:
    """Hard eligibility criteria; a result never violates them.

    - allowed_ids: only these offer ids (e.g. published/visible ones).
    - allowed_rows: only these index rows, a boolean mask over the rows of the index searched
      (`masks.allowed_row_mask`; far cheaper than a large allowed_ids set).
    - lot_ids: offer.lot_id must be one of these.
    - budget_max: offer.price <= budget_max when the price is known (unknown price passes).
    - hosting_locations: offer.hosting_location must be one of these (case-insensitive).
    - required_certifications: offer.certifications must include all (case-insensitive).
    - exclude_ids: never return these offer ids.
    """

    allowed_ids: Iterable[str] | None = None
    lot_ids: Iterable[str] | None = None
    budget_max: Decimal | float | int | str | None = None
    hosting_locations: Iterable[str] | str | None = None
    required_certifications: Iterable[str] | str | None = None
    exclude_ids: Iterable[str] | None = None
    allowed_rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._allowed = None if self.allowed_ids is None else _str_set(self.allowed_ids)
        self._lots = None if self.lot_ids is None else {str(i) for i in self.lot_ids}
        self._budget = _to_decimal(self.budget_max)
        if self.budget_max is not None and self._budget is None:
            raise ValueError(f"budget_max is not a number: {self.budget_max!r}")
        self._hosting = (
            None
            if self.hosting_locations is None
            else {_norm_label(h) for h in _as_list(self.hosting_locations)}
        )
        self._certs = {_norm_label(c) for c in _as_list(self.required_certifications)}
        self._exclude = {str(i) for i in self.exclude_ids or ()}

    @property
    def budget(self) -> Decimal | None:
        return self._budget

    def is_empty(self) -> bool:
        return (
            self._allowed is None
            and self.allowed_rows is None
            and self._lots is None
            and self._budget is None
            and self._hosting is None
            and not self._certs
            and not self._exclude
        )

    def accepts(self, doc: Document) -> bool:
        """Exact check of one document against every criterion."""
        return self._accepts_values(
            doc.id, doc.lot_id, doc.price, doc.hosting_location, doc.certifications
        )

    def _accepts_values(
        self,
        doc_id: str,
        lot_id: Any,
        price: Any,
        hosting_location: Any,
        certifications: Iterable[str],
    ) -> bool:
        if self._allowed is not None and doc_id not in self._allowed:
            return False
        if doc_id in self._exclude:
            return False
        if self._lots is not None and (lot_id is None or str(lot_id) not in self._lots):
            return False
        if self._budget is not None:
            value = _to_decimal(price)
            if value is not None and value > self._budget:
                return False
        if self._hosting is not None:
            if hosting_location is None or _norm_label(hosting_location) not in self._hosting:
                return False
        if self._certs:
            have = {_norm_label(c) for c in certifications}
            if not self._certs <= have:
                return False
        return True


def tie_key(value: str) -> int:
    """Stable, name-independent tie-break key: first 8 bytes of sha256(id)."""
    return int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest()[:8], "big")


class FilterMixin:
    """Filter masks over the index rows (mixed into `Index`)."""

    def _accepts_row(self, filters: Filters, row: int) -> bool:
        _sid, _sname, price, lot_id, hosting, certs, _rating = self._meta[row]
        rows = filters.allowed_rows
        if rows is not None and not (row < len(rows) and rows[row]):
            return False
        return filters._accepts_values(self._ids[row], lot_id, price, hosting, certs)

    def _filter_mask(self, filters: Filters | None) -> np.ndarray | None:
        """Rows passing the filters (exact except for budget rounding, which `accepts` checks).

        Cached on the Filters object, so search + rank_suppliers with the same filters build it
        once.
        """
        if filters is None or filters.is_empty():
            return None
        key = (self._token, self._version)
        cached = getattr(filters, "_mask_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        n = len(self._ids)
        mask = self._alive.copy()
        if filters._allowed is not None:
            wanted = filters._allowed
            if 4 * len(wanted) >= n:
                # large sets: walking our ids in order is several times faster than lookups
                mask &= np.fromiter(map(wanted.__contains__, self._ids), dtype=bool, count=n)
            else:
                allowed = np.zeros(n, dtype=bool)
                rows = np.fromiter(
                    map(self._row.get, wanted, itertools.repeat(-1)),
                    dtype=np.int64,
                    count=len(wanted),
                )
                allowed[rows[rows >= 0]] = True
                mask &= allowed
        if filters.allowed_rows is not None:
            given = np.asarray(filters.allowed_rows, dtype=bool)[:n]
            if len(given) < n:  # rows added after the mask was built are not allowed
                given = np.concatenate([given, np.zeros(n - len(given), dtype=bool)])
            mask &= given
        if filters._exclude:
            rows = [self._row[i] for i in filters._exclude if i in self._row]
            mask[rows] = False
        if filters._lots is not None:
            mask &= self._code_mask("lot", self._lot, filters._lots)
        if filters._hosting is not None:
            mask &= self._code_mask("host", self._host, filters._hosting)
        if filters._certs:
            bits = 0
            for label in filters._certs:
                code = self._codes["cert"].get(label)
                if code is None:
                    mask[:] = False
                elif code < 64:
                    bits |= 1 << code
            if bits:
                wanted = np.uint64(bits)
                mask &= (self._cert & wanted) == wanted
        if filters._budget is not None:
            # coarse vector check; the exact Decimal check happens in Filters.accepts
            mask &= ~(self._price > float(filters._budget) * (1 + 1e-9))
        filters._mask_cache = (key, mask)  # type: ignore[attr-defined]
        return mask

    def _code_mask(self, kind: str, row_codes: np.ndarray, wanted: Iterable[str]) -> np.ndarray:
        """Rows whose label code is one of the wanted labels (-1 = no label never matches)."""
        codes = self._codes[kind]
        table = np.zeros(len(codes) + 1, dtype=bool)
        for label in wanted:
            if label in codes:
                table[codes[label] + 1] = True
        return table[row_codes + 1]
