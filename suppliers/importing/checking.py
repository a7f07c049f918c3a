"""Checking one record of a catalogue file: 'field: message' for each thing wrong."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from catalogue.models import (
    Lot,
    PricingModel,
)
from catalogue.services.content import CPV_RE, clean_revision_content, parse_money

from .formats import (
    FIELDS,
    FILE_FIELD,
    IMPORTED_FIELDS,
    MAX_SUMMARY,
    UNIT_CHOICES_TEXT,
    UNITS,
    ImportRow,
)


def _text(record: dict, key: str, errors: list[str], max_length: int | None = None) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        errors.append(f"{key}: must be text")
        return ""
    value = str(value).strip()
    if max_length is not None and len(value) > max_length:
        errors.append(f"{key}: must be {max_length} characters or fewer")
    return value


def _money(record: dict, key: str, errors: list[str]) -> Decimal | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        errors.append(f"{key}: must be a number of pounds, like 12.50")
        return None
    try:
        return parse_money(value, key, key)
    except ValidationError as exc:
        message = exc.message_dict[key][0]
        if "as a number" in message:
            errors.append(f"{key}: must be a number of pounds, like 12.50")
        elif "more than £0" in message:
            errors.append(f"{key}: must be more than £0")
        elif "pounds and pence" in message:
            errors.append(f"{key}: must have no more than 2 decimal places")
        else:
            errors.append(f"{key}: {message[0].lower()}{message[1:]}")
        return None


def _unit(value: Any, errors: list[str]) -> str:
    if value is None or value == "":
        return PricingModel.PER_UNIT
    if isinstance(value, str):
        words = " ".join(re.sub(r"[_\-/]+", " ", value.lower()).split())
        if words in UNITS:
            return UNITS[words]
    errors.append(f"unit: must be one of {UNIT_CHOICES_TEXT}")
    return PricingModel.PER_UNIT


def _cpv(value: Any, errors: list[str]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        codes = [c for c in re.split(r"[|;,\s]+", value) if c]
    elif isinstance(value, list) and all(isinstance(c, str) for c in value):
        codes = [c.strip() for c in value if c.strip()]
    else:
        errors.append("cpv: must be a list of 8-digit CPV codes, like 72000000")
        return []
    bad = [c for c in codes if not CPV_RE.match(c)]
    if bad:
        errors.append(
            f"cpv: must be 8-digit CPV codes, like 72000000 or 72000000-5 ({bad[0]} is not)"
        )
        return []
    return codes


def _features(value: Any, errors: list[str]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list) and all(isinstance(f, str) for f in value):
        return value
    errors.append("features: must be a list of text")
    return []


def _shorten(text: str, limit: int) -> str:
    """Cut at a word boundary, so that long summaries from other systems still fit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return (cut or text[: limit - 1]) + "…"


def check_record(record: Any, lot: Lot) -> tuple[ImportRow | None, list[str]]:
    """Check one record; returns the row, or the problems as 'field: message'."""
    if not isinstance(record, dict):
        return None, ["must be a JSON object with the offer's fields"]
    errors: list[str] = []
    unknown = sorted(str(k) for k in record if k not in FIELDS)
    if unknown:
        errors.append(f"{unknown[0]}: is not a field of the catalogue format")
    external_id = _text(record, "external_id", errors, 100)
    if not external_id and not any(e.startswith("external_id") for e in errors):
        errors.append("external_id: is missing")
    title = _text(record, "title", errors, 200)
    if not title and not any(e.startswith("title") for e in errors):
        errors.append("title: is missing")
    summary = _shorten(_text(record, "summary", errors), MAX_SUMMARY)
    description = _text(record, "description", errors, 20000)
    category = " ".join(_text(record, "category", errors, 200).split())

    supplier = record.get("supplier")
    name, sme = "", None
    if not isinstance(supplier, dict):
        errors.append("supplier: must be an object with the supplier's name and sme")
    else:
        extra = sorted(str(k) for k in supplier if k not in ("name", "sme"))
        if extra:
            errors.append(f"supplier.{extra[0]}: is not a field of the catalogue format")
        raw_name = supplier.get("name")
        if raw_name is not None and not isinstance(raw_name, str):
            errors.append("supplier.name: must be text")
        else:
            name = " ".join((raw_name or "").split())
            if not name:
                errors.append("supplier.name: is missing")
            elif len(name) > 200:
                errors.append("supplier.name: must be 200 characters or fewer")
        sme = supplier.get("sme")
        if sme is not None and not isinstance(sme, bool):
            errors.append("supplier.sme: must be true, false or empty (null)")
            sme = None

    price = _money(record, "price", errors)
    list_price = _money(record, "list_price", errors)
    if price is not None and list_price is not None and price > list_price:
        errors.append("price: must not be more than the list_price")
    data = {
        "title": title,
        "summary": summary,
        "description": description,
        "categories": [category] if category else [],
        "pricing_model": _unit(record.get("unit"), errors),
        "cpv_codes": _cpv(record.get("cpv"), errors),
        "features": _features(record.get("features"), errors),
        "price": price,
        "list_price": list_price,
    }
    try:
        cleaned = clean_revision_content(data, lot=lot)
    except ValidationError as exc:
        named = {e.split(":", 1)[0] for e in errors}
        for key, messages in exc.message_dict.items():
            label = FILE_FIELD.get(key, key)
            if label not in named:
                message = messages[0]
                errors.append(f"{label}: {message[0].lower()}{message[1:]}")
        cleaned = None
    if errors or cleaned is None:
        return None, errors
    content = {key: cleaned[key] for key in IMPORTED_FIELDS}
    return ImportRow(
        line=0, external_id=external_id, supplier_name=name, sme=sme, content=content
    ), []
