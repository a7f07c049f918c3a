"""Checking a whole file against the database without writing anything: the import plan.

Where the offers go (framework and lot), which suppliers and offers already exist, and
every problem, by line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from catalogue.models import (
    Framework,
    FrameworkMembership,
    Lot,
    Offer,
)
from ndx.accounts.models import Organisation

from .checking import check_record
from .formats import (
    BATCH_SIZE,
    IMPORT_LOT_NAME,
    IMPORT_LOT_SLUG,
    IMPORT_MARKET_REFERENCE,
    ImportRow,
    Progress,
    chunks,
    supplier_key,
)
from .reading import catalogue_import_read


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


def resolve_target(framework_reference: str, lot_slug: str) -> tuple[Framework | None, Lot | None]:
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
    if framework.is_finished or framework.has_ended:
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
    resolve_target(framework_reference, lot_slug)


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
    framework, lot = resolve_target(framework_reference, lot_slug)
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
            row, errors = check_record(record, check_lot)
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
    for chunk in chunks([row.external_id for row in rows]):
        for offer in Offer.objects.filter(external_id__in=chunk).select_related(
            "supplier", "lot__framework", "published_revision", "working_revision"
        ):
            existing[offer.external_id] = offer
    plan.existing = existing
    standing: dict[int, FrameworkMembership] = {}
    if framework is not None:
        supplier_ids = [org.pk for org in plan.suppliers.values()]
        for chunk in chunks(supplier_ids):
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
