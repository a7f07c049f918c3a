"""What an offer says: checking a revision's content, and comparing two revisions.

Used by the offer workflows, the offer forms and the catalogue file import."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from ..models import (
    AccessibilityConformance,
    Certification,
    HostingLocation,
    Lot,
    OfferRevision,
    PricingModel,
    VatTreatment,
)

CPV_RE = re.compile(r"^\d{8}(-\d)?$")
MAX_LIST_ITEMS = 20


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    items = [" ".join(str(v).split()) for v in value]
    return list(dict.fromkeys(i for i in items if i))


def parse_money(value: Any, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        raise ValidationError(
            {field: f"Enter the {label} as a number of pounds, like 12.50"}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {label} as a number of pounds, like 12.50"})
    if amount <= 0:
        raise ValidationError({field: f"The {label} must be more than £0"})
    # Size first: quantizing a huge number (like 1E+40) would itself fail.
    if amount >= Decimal("10000000000"):
        raise ValidationError({field: f"The {label} must be less than £10 billion"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"The {label} must be in pounds and pence, like 12.50"})
    return amount


def clean_revision_content(
    data: dict[str, Any], *, lot: Lot, for_submission: bool = False
) -> dict[str, Any]:
    """Validate an offer's content. Returns cleaned values; raises ValidationError per field."""
    errors: dict[str, str] = {}

    def text(key: str, max_length: int) -> str:
        value = str(data.get(key) or "").strip()
        if len(value) > max_length:
            label = OfferRevision._meta.get_field(key).verbose_name.capitalize()
            errors[key] = f"{label} must be {max_length:,} characters or fewer"
        return value

    cleaned: dict[str, Any] = {
        "title": " ".join(text("title", 200).split()),
        "summary": text("summary", 500),
        "description": text("description", 20000),
        "service_levels": text("service_levels", 5000),
        "other_certifications": text("other_certifications", 300),
    }
    if not cleaned["title"]:
        errors["title"] = "Enter the offer's title"
    for key in ("features", "benefits"):
        items = _text_list(data.get(key))
        if len(items) > MAX_LIST_ITEMS:
            errors[key] = f"List at most {MAX_LIST_ITEMS} {key}, one a line"
        elif any(len(i) > 300 for i in items):
            errors[key] = f"Each of the {key} must be 300 characters or fewer"
        cleaned[key] = items
    categories = _text_list(data.get("categories"))
    if lot.categories:
        unknown = [c for c in categories if c not in lot.categories]
        if unknown:
            errors["categories"] = (
                f"Choose categories from this lot's list ({unknown[0]} is not one)"
            )
    cleaned["categories"] = categories
    cpv = [
        c.strip()
        for c in _text_list(data.get("cpv_codes"))
        for c in re.split(r"[,\s]+", c)
        if c.strip()
    ]
    bad = [c for c in cpv if not CPV_RE.match(c)]
    if bad:
        errors["cpv_codes"] = (
            f"Enter CPV codes as 8 digits, like 72000000 or 72000000-5 ({bad[0]} is not)"
        )
    cleaned["cpv_codes"] = list(dict.fromkeys(cpv))

    pricing_model = data.get("pricing_model") or PricingModel.PER_UNIT
    if pricing_model not in PricingModel.values:
        errors["pricing_model"] = "Select how the offer is priced"
    cleaned["pricing_model"] = pricing_model
    for key, label in (("price", "national price"), ("list_price", "list price")):
        try:
            cleaned[key] = parse_money(data.get(key), key, label)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            cleaned[key] = None
    if (
        cleaned["price"] is not None
        and cleaned["list_price"] is not None
        and cleaned["price"] > cleaned["list_price"]
    ):
        errors["price"] = "The national price must be the same as or lower than the list price"
    vat = data.get("vat") or VatTreatment.EXCLUDING
    if vat not in VatTreatment.values:
        errors["vat"] = "Select whether prices include VAT"
    cleaned["vat"] = vat
    term = data.get("minimum_term_months")
    if term in (None, ""):
        cleaned["minimum_term_months"] = None
    else:
        try:
            term = int(term)
            if not 0 <= term <= 120:
                raise ValueError
        except (TypeError, ValueError):
            errors["minimum_term_months"] = (
                "Enter the minimum term as a whole number of months, from 0 to 120"
            )
            term = None
        cleaned["minimum_term_months"] = term
    certifications = _text_list(data.get("certifications"))
    if any(c not in Certification.values for c in certifications):
        errors["certifications"] = "Select certifications from the list"
    cleaned["certifications"] = certifications
    hosting = data.get("hosting_location") or ""
    if hosting and hosting not in HostingLocation.values:
        errors["hosting_location"] = "Select where data is hosted"
    cleaned["hosting_location"] = hosting
    accessibility = data.get("accessibility") or ""
    if accessibility and accessibility not in AccessibilityConformance.values:
        errors["accessibility"] = "Select the accessibility conformance"
    cleaned["accessibility"] = accessibility

    if for_submission:
        required = {
            "summary": "Enter a summary",
            "description": "Enter a description",
            "price": "Enter the national price",
            "list_price": "Enter the public list price",
            "hosting_location": "Select where data is hosted",
            "accessibility": "Select the accessibility conformance",
        }
        for key, message in required.items():
            if key not in errors and cleaned.get(key) in (None, ""):
                errors[key] = message
        if lot.categories and not categories and "categories" not in errors:
            errors["categories"] = "Select at least one category"
    if errors:
        raise ValidationError(errors)
    return cleaned


def revision_diff(revision: OfferRevision) -> list[dict[str, Any]]:
    """What changed in `revision` since the offer's published version (all fields if none)."""
    previous = revision.offer.published_revision
    if previous is not None and previous.pk == revision.pk:
        previous = (
            revision.offer.revisions.filter(number__lt=revision.number, published_at__isnull=False)
            .order_by("-number")
            .first()
        )
    rows = []
    for field in OfferRevision.CONTENT_FIELDS:
        new = getattr(revision, field)
        old = getattr(previous, field) if previous is not None else None
        if previous is not None and old == new:
            continue
        rows.append(
            {
                "field": field,
                "label": capfirst(OfferRevision._meta.get_field(field).verbose_name),
                "old": _display(revision, field, old) if previous is not None else None,
                "new": _display(revision, field, new),
            }
        )
    old_docs = {d.sha256 for d in previous.documents.all()} if previous else set()
    new_docs = {d.sha256: d.title for d in revision.documents.all()}
    if previous is None or set(new_docs) != old_docs:
        rows.append(
            {
                "field": "documents",
                "label": "Documents",
                "old": ", ".join(d.title for d in previous.documents.all()) if previous else None,
                "new": ", ".join(sorted(new_docs.values())),
            }
        )
    return rows


def _display(revision: OfferRevision, field: str, value: Any) -> str:
    if value in (None, "", []):
        return ""
    model_field = OfferRevision._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if field == "certifications":
        labels = dict(Certification.choices)
        return ", ".join(labels.get(v, v) for v in value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return f"£{value:,.2f}"
    return str(value)
