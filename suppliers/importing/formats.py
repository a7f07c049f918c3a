"""The catalogue interchange format: its fields, the import's limits, and one checked row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from catalogue.models import (
    PricingModel,
)

IMPORT_MARKET_REFERENCE = "NDX-IMPORT"
IMPORT_MARKET_NAME = "Imported catalogue"
IMPORT_LOT_SLUG = "imported"
IMPORT_LOT_NAME = "Imported offers"

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_SUMMARY = 500
BATCH_SIZE = 500
# Errors kept on a CatalogueImport (the command prints them all; pages show the first ones).
MAX_STORED_ERRORS = 500

FIELDS = (
    "external_id",
    "title",
    "summary",
    "description",
    "category",
    "supplier",
    "price",
    "list_price",
    "unit",
    "cpv",
    "features",
)
CSV_COLUMNS = (
    "external_id",
    "title",
    "summary",
    "description",
    "category",
    "supplier_name",
    "supplier_sme",
    "price",
    "list_price",
    "unit",
    "cpv",
    "features",
)
CSV_REQUIRED = ("external_id", "title", "supplier_name")
# The revision fields the file sets; the rest are kept from the offer's previous version.
IMPORTED_FIELDS = (
    "title",
    "summary",
    "description",
    "features",
    "categories",
    "cpv_codes",
    "pricing_model",
    "price",
    "list_price",
)
# How the file's fields are named in error messages, for the revision fields they fill.
FILE_FIELD = {"cpv_codes": "cpv", "pricing_model": "unit", "categories": "category"}

UNITS = {
    "per user per month": PricingModel.PER_USER_MONTH,
    "per user month": PricingModel.PER_USER_MONTH,
    "per user a month": PricingModel.PER_USER_MONTH,
    "user per month": PricingModel.PER_USER_MONTH,
    "per licence": PricingModel.PER_LICENCE,
    "per license": PricingModel.PER_LICENCE,
    "licence": PricingModel.PER_LICENCE,
    "license": PricingModel.PER_LICENCE,
    "per unit": PricingModel.PER_UNIT,
    "unit": PricingModel.PER_UNIT,
    "per day": PricingModel.PER_DAY,
    "day": PricingModel.PER_DAY,
    "daily": PricingModel.PER_DAY,
    "fixed": PricingModel.FIXED,
    "fixed price": PricingModel.FIXED,
}
UNIT_CHOICES_TEXT = "per user per month, per licence, per unit, per day or fixed price"

SME_VALUES = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "": None,
}

Progress = Callable[[int, int], None]


@dataclass
class ImportRow:
    line: int
    external_id: str
    supplier_name: str
    sme: bool | None
    content: dict[str, Any]

    @property
    def supplier_key(self) -> str:
        return supplier_key(self.supplier_name)


def supplier_key(name: str) -> str:
    return " ".join(name.split()).lower()


def chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
