"""Bulk import of the catalogue interchange format, from the command line or a staff upload.

The format: one offer a line of JSONL (or a JSON array, or CSV with the same columns):

    external_id, title, summary, description, category, supplier {name, sme}
    optional: price, list_price, unit, cpv, features

Suppliers are found or created by name (ignoring case), offers are created published, and an
offer whose `external_id` is already in the catalogue is updated: when what the file says
differs from its published version it gets a new published version (the old one is kept,
superseded); when nothing differs nothing is written. Everything is checked before anything is
written: one bad row and the import writes nothing, naming every bad line and what is wrong.

Without a framework, offers go into a live dynamic market, "Imported catalogue" (NDX-IMPORT),
with a single lot, created the first time it is needed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from ndx.accounts.models import Organisation, User
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit
from suppliers.models import FrameworkMembership, LotApplication

from .models import (
    CatalogueImport,
    Framework,
    Lot,
    Offer,
    OfferDocument,
    OfferRevision,
    PricingModel,
)
from .search_index import revision_search_index
from .services.content import CPV_RE, clean_revision_content, parse_money

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

_UNITS = {
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

_SME = {
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


@dataclass
class ImportPlan:
    """A checked file: what would be written, and where."""

    source: str
    rows: list[ImportRow]
    framework: Framework | None  # None: the import market, created when first written to
    lot: Lot | None
    existing: dict[str, Offer] = field(default_factory=dict)
    suppliers: dict[str, Organisation] = field(default_factory=dict)

    @property
    def supplier_count(self) -> int:
        return len({row.supplier_key for row in self.rows})


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    suppliers: int
    framework: str
    lot: str

    @property
    def summary(self) -> str:
        return (
            f"imported {self.rows} offers ({self.created} created, {self.updated} updated) "
            f"from {self.suppliers} suppliers"
        )


def supplier_key(name: str) -> str:
    return " ".join(name.split()).lower()


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading the file ------------------------------------------------------------------------


def catalogue_import_format(name: str) -> str:
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(
            {"file": "The selected file must be a .jsonl, .json or .csv catalogue file"}
        )
    return FORMATS[suffix]


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ValidationError([f"line {line}: the file must be UTF-8 text"]) from None


def _read_jsonl(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line, parse_float=Decimal)
        except ValueError as exc:
            yield number, ValueError(f"is not valid JSON ({getattr(exc, 'msg', exc)})")


def _read_json_array(text: str) -> Iterator[tuple[int, Any]]:
    """A JSON array of offers, keeping each offer's line number for error messages."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    position, line = 0, 1

    def skip() -> None:
        nonlocal position, line
        while position < len(text) and text[position].isspace():
            line += text[position] == "\n"
            position += 1

    skip()
    if not text.startswith("[", position):
        yield from _read_jsonl(text)
        return
    position += 1
    skip()
    if text.startswith("]", position):
        return
    while True:
        start_line = line
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError as exc:
            yield start_line, ValueError(f"is not valid JSON ({getattr(exc, 'msg', exc)})")
            return
        line += text.count("\n", position, end)
        position = end
        yield start_line, value
        skip()
        if text.startswith(",", position):
            position += 1
            skip()
            continue
        if not text.startswith("]", position):
            yield line, ValueError("is not valid JSON (expected , or ] between offers)")
        return


def _split_list(value: str) -> list[str]:
    separator = "|" if "|" in value else ";"
    return [part.strip() for part in value.split(separator) if part.strip()]


def _read_csv(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ValidationError([f"line 1: the header is not valid CSV ({exc})"]) from None
    columns = [c.strip().lower().replace(".", "_").replace(" ", "_") for c in header]
    problems = []
    unknown = [header[i] for i, c in enumerate(columns) if c and c not in CSV_COLUMNS]
    if unknown:
        problems.append(
            f"line 1: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the columns are {', '.join(CSV_COLUMNS)})"
        )
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        problems.append(
            f"line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        problems.append(f"line 1: repeated column {', '.join(repeated)}")
    if problems:
        raise ValidationError(problems)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, ValueError(f"is not valid CSV ({exc})")
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            yield start, ValueError(f"has {len(cells)} cells but the header has {len(columns)}")
            continue
        row = dict(zip(columns, cells, strict=False))
        record: dict[str, Any] = {
            key: row[key].strip()
            for key in ("external_id", "title", "summary", "description", "category", "unit")
            if key in row
        }
        sme = row.get("supplier_sme", "").strip()
        record["supplier"] = {
            "name": row.get("supplier_name", "").strip(),
            "sme": _SME.get(sme.lower(), sme),
        }
        for key in ("price", "list_price"):
            if row.get(key, "").strip():
                record[key] = row[key].strip()
        for key in ("cpv", "features"):
            if row.get(key, "").strip():
                record[key] = _split_list(row[key])
        yield start, record


def catalogue_import_read(*, name: str, content: bytes | str) -> list[tuple[int, Any]]:
    """The file's records as (line number, record); a record that cannot be read is a ValueError."""
    kind = catalogue_import_format(name)
    text = _decode(content)
    reader = {"jsonl": _read_jsonl, "json": _read_json_array, "csv": _read_csv}[kind]
    return list(reader(text))


# --- checking rows ---------------------------------------------------------------------------


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
        if words in _UNITS:
            return _UNITS[words]
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


def _check_record(record: Any, lot: Lot) -> tuple[ImportRow | None, list[str]]:
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


def _resolve_target(framework_reference: str, lot_slug: str) -> tuple[Framework | None, Lot | None]:
    """The framework and lot to import into; (None, None) when the import market is to be made."""
    framework_reference = (framework_reference or "").strip()
    lot_slug = (lot_slug or "").strip()
    if not framework_reference:
        if lot_slug:
            raise ValidationError({"lot_slug": "Choose a framework to choose one of its lots"})
        framework = Framework.objects.filter(reference=IMPORT_MARKET_REFERENCE).first()
        if framework is None:
            return None, None
    else:
        framework = Framework.objects.filter(reference__iexact=framework_reference).first()
        if framework is None:
            raise ValidationError(
                {"framework": f"There is no framework with reference {framework_reference}"}
            )
    if framework.status in (Framework.Status.CLOSED, Framework.Status.EXPIRED) or (
        framework.has_ended
    ):
        raise ValidationError(
            {"framework": f"{framework} has ended, so offers cannot be imported into it"}
        )
    lots = list(framework.lots.all())
    if not framework_reference:
        lot = next((lot for lot in lots if lot.slug == IMPORT_LOT_SLUG), None)
        return framework, lot
    slugs = ", ".join(lot.slug for lot in lots)
    if not lots:
        raise ValidationError({"framework": f"{framework} has no lots to import offers into"})
    if lot_slug:
        lot = next((lot for lot in lots if lot.slug == lot_slug), None)
        if lot is None:
            raise ValidationError(
                {"lot_slug": f"{framework} has no lot {lot_slug} (its lots are {slugs})"}
            )
        return framework, lot
    if len(lots) > 1:
        raise ValidationError(
            {"lot_slug": f"{framework} has {len(lots)} lots: choose one of {slugs}"}
        )
    return framework, lots[0]


def catalogue_import_target_check(*, framework_reference: str = "", lot_slug: str = "") -> None:
    """Check the framework and lot to import into exist (raises ValidationError by field)."""
    _resolve_target(framework_reference, lot_slug)


def _supplier_orgs(keys: set[str]) -> dict[str, Organisation]:
    """Existing supplier organisations by name, ignoring case (matched here, not in SQL, so that
    non-ASCII names match the same way on SQLite and PostgreSQL)."""
    found: dict[str, Organisation] = {}
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).order_by("pk"):
        key = supplier_key(organisation.name)
        if key in keys and key not in found:
            found[key] = organisation
    return found


def catalogue_import_validate(
    *,
    name: str,
    content: bytes | str,
    framework_reference: str = "",
    lot_slug: str = "",
    progress: Progress | None = None,
) -> ImportPlan:
    """Check a whole file without writing anything. Raises ValidationError listing every problem
    as 'line N: field: message', or naming the framework or lot that is wrong."""
    framework, lot = _resolve_target(framework_reference, lot_slug)
    records = catalogue_import_read(name=name, content=content)
    if not records:
        raise ValidationError(["The file has no offers in it"])
    total = len(records)
    check_lot = lot or Lot(slug=IMPORT_LOT_SLUG, name=IMPORT_LOT_NAME, categories=[])
    problems: list[str] = []
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    sme_of: dict[str, tuple[bool, int]] = {}
    for index, (line, record) in enumerate(records, start=1):
        if isinstance(record, ValueError):
            problems.append(f"line {line}: {record}")
        else:
            row, errors = _check_record(record, check_lot)
            if row is not None:
                row.line = line
                first = seen.setdefault(row.external_id, line)
                if first != line:
                    errors.append(f"external_id: {row.external_id} is also on line {first}")
                key = row.supplier_key
                if row.sme is not None:
                    earlier = sme_of.setdefault(key, (row.sme, line))
                    if earlier[0] != row.sme:
                        errors.append(
                            f"supplier.sme: {row.supplier_name} is "
                            f"{'an SME' if earlier[0] else 'not an SME'} on line {earlier[1]}"
                        )
            problems.extend(f"line {line}: {error}" for error in errors)
            if row is not None and not errors:
                rows.append(row)
        if progress is not None and (index % BATCH_SIZE == 0 or index == total):
            progress(index, total)
    for row in rows:
        if row.sme is None and row.supplier_key in sme_of:
            row.sme = sme_of[row.supplier_key][0]

    plan = ImportPlan(source=name, rows=rows, framework=framework, lot=lot)
    plan.suppliers = _supplier_orgs({row.supplier_key for row in rows})
    existing: dict[str, Offer] = {}
    for chunk in _chunks([row.external_id for row in rows]):
        for offer in Offer.objects.filter(external_id__in=chunk).select_related(
            "supplier", "lot__framework", "published_revision", "working_revision"
        ):
            existing[offer.external_id] = offer
    plan.existing = existing
    standing: dict[int, FrameworkMembership] = {}
    if framework is not None:
        supplier_ids = [org.pk for org in plan.suppliers.values()]
        for chunk in _chunks(supplier_ids):
            for membership in FrameworkMembership.objects.filter(
                framework=framework, supplier_id__in=chunk
            ).exclude(status=FrameworkMembership.Status.ACTIVE):
                standing[membership.supplier_id] = membership
    for row in rows:
        offer = existing.get(row.external_id)
        organisation = plan.suppliers.get(row.supplier_key)
        if offer is not None and (organisation is None or offer.supplier_id != organisation.pk):
            problems.append(
                f"line {row.line}: external_id: {row.external_id} is already an offer from "
                f"{offer.supplier.name}, a different supplier"
            )
        elif offer is not None and (lot is None or offer.lot_id != lot.pk):
            problems.append(
                f"line {row.line}: external_id: {row.external_id} is already an offer in "
                f"{offer.lot.name} on {offer.lot.framework}; import it into that lot to update it"
            )
        if organisation is not None and organisation.pk in standing:
            membership = standing[organisation.pk]
            problems.append(
                f"line {row.line}: supplier.name: {organisation.name} is "
                f"{membership.get_status_display().lower()} on {framework}, so its offers "
                "cannot be imported"
            )
    if problems:
        problems.sort(key=_line_number)
        raise ValidationError(problems)
    return plan


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else 0


# --- writing ---------------------------------------------------------------------------------


def _import_market(now) -> tuple[Framework, Lot]:
    framework = Framework.objects.filter(reference=IMPORT_MARKET_REFERENCE).first()
    if framework is None:
        framework = Framework.objects.create(
            name=IMPORT_MARKET_NAME,
            reference=IMPORT_MARKET_REFERENCE,
            kind=Framework.Kind.DYNAMIC_MARKET,
            description=(
                "Offers imported in bulk from catalogue files. A dynamic market, so that "
                "imported offers are visible to buyers, search and matching at once."
            ),
            status=Framework.Status.LIVE,
            starts_on=timezone.localdate(),
            approved_at=now,
        )
        audit_record(
            action="framework.created",
            obj=framework,
            detail={"reference": framework.reference, "by": "catalogue import (system)"},
        )
    lot = framework.lots.filter(slug=IMPORT_LOT_SLUG).first()
    if lot is None:
        number = (framework.lots.aggregate(n=Max("number"))["n"] or 0) + 1
        lot = Lot.objects.create(
            framework=framework,
            number=number,
            slug=IMPORT_LOT_SLUG,
            name=IMPORT_LOT_NAME,
            description="Offers imported from catalogue files.",
            direct_award_allowed=True,
            categories=[],
        )
        audit_record(
            action="lot.created",
            obj=lot,
            detail={"framework": framework.reference, "by": "catalogue import (system)"},
        )
    return framework, lot


def _ensure_suppliers(plan: ImportPlan, framework: Framework, lot: Lot, now) -> None:
    """Find or create each supplier, with a profile, approved on the lot and active on the
    framework."""
    from suppliers.services import supplier_profile_from_import

    firsts: dict[str, ImportRow] = {}
    for row in plan.rows:
        firsts.setdefault(row.supplier_key, row)
    for key, row in firsts.items():
        organisation = plan.suppliers.get(key)
        if organisation is None:
            organisation = Organisation.objects.create(
                name=row.supplier_name, kind=Organisation.Kind.SUPPLIER
            )
            plan.suppliers[key] = organisation
        supplier_profile_from_import(organisation=organisation, sme=row.sme)
    supplier_ids = [plan.suppliers[key].pk for key in firsts]
    members, approved, waiting = set(), set(), []
    for chunk in _chunks(supplier_ids):
        members.update(
            FrameworkMembership.objects.filter(
                framework=framework, supplier_id__in=chunk
            ).values_list("supplier_id", flat=True)
        )
        for application in LotApplication.objects.filter(
            lot=lot, supplier_id__in=chunk, status__in=["submitted", "approved"]
        ):
            approved.add(application.supplier_id)
            if application.status == LotApplication.Status.SUBMITTED:
                waiting.append(application.pk)
    if waiting:
        # An application waiting for review is approved by the import that lists the offers.
        LotApplication.objects.filter(pk__in=waiting).update(
            status=LotApplication.Status.APPROVED, decided_at=now
        )
    LotApplication.objects.bulk_create(
        [
            LotApplication(
                supplier_id=pk, lot=lot, status=LotApplication.Status.APPROVED, decided_at=now
            )
            for pk in supplier_ids
            if pk not in approved
        ],
        batch_size=BATCH_SIZE,
    )
    FrameworkMembership.objects.bulk_create(
        [
            FrameworkMembership(supplier_id=pk, framework=framework)
            for pk in supplier_ids
            if pk not in members
        ],
        batch_size=BATCH_SIZE,
    )


def _differs(offer: Offer, content: dict[str, Any]) -> bool:
    current = offer.published_revision or offer.working_revision
    if current is None:
        return True
    return any(getattr(current, key) != value for key, value in content.items())


def _write(plan: ImportPlan, *, actor: User | None, catalogue_import: CatalogueImport | None):
    now = timezone.now()
    if plan.lot is None:
        framework, lot = _import_market(now)
    else:
        framework, lot = plan.lot.framework, plan.lot
    _ensure_suppliers(plan, framework, lot, now)

    new_rows = [row for row in plan.rows if row.external_id not in plan.existing]
    changed = [
        (row, plan.existing[row.external_id])
        for row in plan.rows
        if row.external_id in plan.existing
        and _differs(plan.existing[row.external_id], row.content)
    ]

    indexed: list[int] = []
    new_offer_ids: list[int] = []
    # New offers: offers first (drafts: a published offer needs its revision), then their
    # first revisions, then publish them all with one UPDATE per batch.
    for batch in _chunks(new_rows):
        offers = Offer.objects.bulk_create(
            [
                Offer(
                    supplier=plan.suppliers[row.supplier_key],
                    lot=lot,
                    external_id=row.external_id,
                    status=Offer.Status.DRAFT,
                )
                for row in batch
            ]
        )
        published = OfferRevision.objects.bulk_create(
            [
                OfferRevision(
                    offer=offer,
                    number=1,
                    status=OfferRevision.Status.PUBLISHED,
                    published_at=now,
                    **row.content,
                )
                for offer, row in zip(offers, batch, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        indexed.extend(revision.pk for revision in published)
        new_offer_ids.extend(offer.pk for offer in offers)
        first_revision = OfferRevision.objects.filter(offer=OuterRef("pk"), number=1).values("pk")
        Offer.objects.filter(pk__in=[offer.pk for offer in offers]).update(
            published_revision=Subquery(first_revision[:1]),
            status=Offer.Status.PUBLISHED,
            first_published_at=now,
            updated_at=now,
        )

    # Changed offers: a new published version; the one it replaces is kept, superseded.
    for batch in _chunks(changed):
        offer_ids = [offer.pk for _row, offer in batch]
        latest = dict(
            OfferRevision.objects.filter(offer_id__in=offer_ids)
            .values("offer_id")
            .annotate(n=Max("number"))
            .values_list("offer_id", "n")
        )
        revisions = []
        for row, offer in batch:
            previous = offer.published_revision or offer.working_revision
            kept = {key: getattr(previous, key) for key in OfferRevision.CONTENT_FIELDS}
            revisions.append(
                OfferRevision(
                    offer=offer,
                    number=latest.get(offer.pk, 0) + 1,
                    status=OfferRevision.Status.PUBLISHED,
                    published_at=now,
                    **{**kept, **row.content},
                )
            )
        revisions = OfferRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
        indexed.extend(revision.pk for revision in revisions)
        superseded = [o.published_revision_id for _r, o in batch if o.published_revision_id]
        OfferRevision.objects.filter(pk__in=superseded).update(
            status=OfferRevision.Status.SUPERSEDED, updated_at=now
        )
        documents = list(OfferDocument.objects.filter(revision_id__in=superseded))
        new_revision_of = {revision.offer_id: revision for revision in revisions}
        old_to_offer = {o.published_revision_id: o.pk for _r, o in batch}
        OfferDocument.objects.bulk_create(
            [
                OfferDocument(
                    revision=new_revision_of[old_to_offer[document.revision_id]],
                    title=document.title,
                    file=document.file.name,
                    original_name=document.original_name,
                    size=document.size,
                    sha256=document.sha256,
                )
                for document in documents
            ]
        )
        offers = []
        for _row, offer in batch:
            offer.published_revision = new_revision_of[offer.pk]
            if offer.status in (Offer.Status.DRAFT, Offer.Status.SUBMITTED, Offer.Status.REJECTED):
                # Withdrawn and suspended offers stay so: the import changes what they say only.
                offer.status = Offer.Status.PUBLISHED
            offer.first_published_at = offer.first_published_at or now
            offer.updated_at = now
            offers.append(offer)
        Offer.objects.bulk_update(
            offers, ["published_revision", "status", "first_published_at", "updated_at"]
        )

    # Search text, facets and vocabulary, as publishing one offer writes them; and matching
    # records the new versions once this transaction commits.
    revision_search_index(revision_ids=indexed)
    from matching.services import queue_offer_reindex

    queue_offer_reindex([*new_offer_ids, *(offer.pk for _row, offer in changed)])

    result = ImportResult(
        rows=len(plan.rows),
        created=len(new_rows),
        updated=len(changed),
        suppliers=plan.supplier_count,
        framework=framework.reference,
        lot=lot.slug,
    )
    detail = {
        "file": plan.source,
        "framework": framework.reference,
        "lot": lot.slug,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "suppliers": result.suppliers,
    }
    if catalogue_import is not None:
        CatalogueImport.objects.filter(pk=catalogue_import.pk).update(
            status=CatalogueImport.Status.SUCCEEDED,
            rows_total=result.rows,
            rows_done=result.rows,
            created=result.created,
            updated=result.updated,
            suppliers=result.suppliers,
            errors=[],
            finished_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        action="catalogue.imported",
        obj=catalogue_import or lot,
        detail=detail,
    )
    return result


def catalogue_import_run(
    *,
    name: str,
    content: bytes | str,
    framework_reference: str = "",
    lot_slug: str = "",
    actor: User | None = None,
    catalogue_import: CatalogueImport | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a catalogue file, then write it in one transaction. Raises ValidationError (and
    writes nothing) if any row is bad. `actor` is None for the command line (a system action)."""
    plan = catalogue_import_validate(
        name=name,
        content=content,
        framework_reference=framework_reference,
        lot_slug=lot_slug,
        progress=progress,
    )
    with transaction.atomic():
        if catalogue_import is not None:
            locked = CatalogueImport.objects.select_for_update().get(pk=catalogue_import.pk)
            if locked.status == CatalogueImport.Status.SUCCEEDED:
                # Another worker imported it meanwhile (a task delivered twice): nothing to do.
                return ImportResult(
                    rows=locked.rows_total,
                    created=locked.created,
                    updated=locked.updated,
                    suppliers=locked.suppliers,
                    framework=locked.framework_reference,
                    lot=locked.lot_slug,
                )
        return _write(plan, actor=actor, catalogue_import=catalogue_import)


# --- staff uploads, processed in the background ----------------------------------------------


@transaction.atomic
def catalogue_import_create(
    *,
    actor: User,
    upload: UploadedFile | None,
    framework_reference: str = "",
    lot_slug: str = "",
) -> CatalogueImport:
    """Staff upload a catalogue file; it is checked and imported by a background task."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only platform staff can import catalogue files.")
    errors: dict[str, str] = {}
    if upload is None:
        errors["file"] = "Select a catalogue file"
    else:
        try:
            catalogue_import_format(upload.name)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if "file" not in errors and not upload.size:
            errors["file"] = "The selected file is empty"
        elif "file" not in errors and upload.size > MAX_UPLOAD_BYTES:
            errors["file"] = "The selected file must be smaller than 50MB"
    try:
        _resolve_target(framework_reference, lot_slug)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    framework_reference = (framework_reference or "").strip().upper()
    record = CatalogueImport(
        uploaded_by=actor,
        original_name=PurePath(upload.name).name[:255],
        framework_reference=framework_reference,
        lot_slug=(lot_slug or "").strip(),
    )
    record.file.save(PurePath(upload.name).name, upload, save=False)
    record.save()
    audit_record(
        actor=actor,
        action="catalogue.import_queued",
        obj=record,
        detail={"file": record.original_name, "framework": framework_reference or None},
    )

    from .tasks import import_catalogue_file

    enqueue_on_commit(import_catalogue_file, record.pk)
    return record


def _stored_errors(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_STORED_ERRORS:
        return list(messages)
    more = len(messages) - MAX_STORED_ERRORS
    return messages[:MAX_STORED_ERRORS] + [f"and {more} more problems"]


def catalogue_import_process(*, import_id: int) -> CatalogueImport:
    """Run a queued staff upload. A succeeded import is not run again. A bad file marks the
    import failed, with its errors, and writes nothing; other exceptions propagate."""
    record = CatalogueImport.objects.get(pk=import_id)
    rows = CatalogueImport.objects.filter(pk=record.pk)
    claimed = rows.exclude(status=CatalogueImport.Status.SUCCEEDED).update(
        status=CatalogueImport.Status.RUNNING,
        rows_done=0,
        rows_total=0,
        created=0,
        updated=0,
        suppliers=0,
        errors=[],
        finished_at=None,
    )
    if not claimed:
        return record
    with record.file.open("rb") as handle:
        content = handle.read()

    def progress(done: int, total: int) -> None:
        # Outside the write transaction, so the staff page sees the rows being checked.
        rows.update(rows_done=done, rows_total=total)

    try:
        catalogue_import_run(
            name=record.original_name,
            content=content,
            framework_reference=record.framework_reference,
            lot_slug=record.lot_slug,
            actor=record.uploaded_by,
            catalogue_import=record,
            progress=progress,
        )
    except ValidationError as exc:
        messages = (
            [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        catalogue_import_fail(import_id=record.pk, errors=messages)
    record.refresh_from_db()
    return record


def catalogue_import_fail(*, import_id: int, errors: list[str]) -> None:
    """Mark an import failed, keeping what went wrong. Nothing it would have written is kept."""
    CatalogueImport.objects.filter(pk=import_id).exclude(
        status=CatalogueImport.Status.SUCCEEDED
    ).update(
        status=CatalogueImport.Status.FAILED,
        errors=_stored_errors(errors),
        finished_at=timezone.now(),
    )
