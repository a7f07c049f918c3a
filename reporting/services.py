"""Reporting workflows: loading spend returns, and computing report snapshots."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import Organisation
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit
from suppliers.models import SupplierProfile

from .figures import savings_figures, sme_share_figures
from .models import ReportSnapshot, SavingsRow, SmeShareRow, SpendRecord
from .spend import SpendFileError, SpendRow, buyer_type_for_sector, name_key, read_spend_file

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
SNAPSHOTS_KEPT = 20  # per kind, besides the current one


def _chunks(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- spend returns ---------------------------------------------------------------------------


@dataclass
class SpendImportResult:
    source: str
    read: int = 0
    loaded: int = 0
    already_loaded: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    suppliers_created: int = 0
    buyers_created: int = 0
    amount_loaded: Decimal = Decimal("0")
    credit_notes_loaded: int = 0

    @property
    def summary(self) -> list[str]:
        return [
            f"read {self.read} rows: {self.loaded} loaded, {self.already_loaded} already loaded, "
            f"{len(self.rejected)} rejected",
            f"loaded £{self.amount_loaded:,.2f} ({self.credit_notes_loaded} credit notes); "
            f"created {self.suppliers_created} suppliers and {self.buyers_created} buyers",
        ]


def _organisations_by_name(kind: str, keys: set[str]) -> dict[str, Organisation]:
    """Existing organisations of `kind` by name, ignoring case and spacing (matched here, not in
    SQL, so that non-ASCII names match the same way on SQLite and PostgreSQL)."""
    found: dict[str, Organisation] = {}
    for organisation in Organisation.objects.filter(kind=kind).order_by("pk"):
        key = name_key(organisation.name)
        if key in keys and key not in found:
            found[key] = organisation
    return found


def _find_or_create_organisations(rows: list[SpendRow], result: SpendImportResult):
    suppliers_wanted: dict[str, SpendRow] = {}
    buyers_wanted: dict[str, SpendRow] = {}
    for row in rows:
        suppliers_wanted.setdefault(name_key(row.supplier_name), row)
        buyers_wanted.setdefault(name_key(row.buyer_name), row)
    suppliers = _organisations_by_name(Organisation.Kind.SUPPLIER, set(suppliers_wanted))
    buyers = _organisations_by_name(Organisation.Kind.BUYER, set(buyers_wanted))

    new_suppliers = [
        Organisation(name=row.supplier_name, kind=Organisation.Kind.SUPPLIER)
        for key, row in suppliers_wanted.items()
        if key not in suppliers
    ]
    Organisation.objects.bulk_create(new_suppliers, batch_size=BATCH_SIZE)
    # Suppliers the import creates say only whether they are an SME, as in the return.
    sme_of = {name_key(row.supplier_name): row.is_sme for row in suppliers_wanted.values()}
    SupplierProfile.objects.bulk_create(
        [
            SupplierProfile(
                organisation=org, legal_name=org.name, is_sme=sme_of[name_key(org.name)]
            )
            for org in new_suppliers
        ],
        batch_size=BATCH_SIZE,
    )
    new_buyers = [
        Organisation(
            name=row.buyer_name,
            kind=Organisation.Kind.BUYER,
            buyer_type=buyer_type_for_sector(row.sector),
        )
        for key, row in buyers_wanted.items()
        if key not in buyers
    ]
    Organisation.objects.bulk_create(new_buyers, batch_size=BATCH_SIZE)
    suppliers.update({name_key(o.name): o for o in new_suppliers})
    buyers.update({name_key(o.name): o for o in new_buyers})
    result.suppliers_created = len(new_suppliers)
    result.buyers_created = len(new_buyers)
    return suppliers, buyers


def spend_import(*, actor=None, name: str, content: bytes | str) -> SpendImportResult:
    """Load a spend return file. Rows already loaded (same row key) are skipped, bad rows are
    rejected with their line and reason, and the rest are loaded in one transaction, with any
    supplier and buyer organisations not yet known. Raises ValidationError({"file": ...}) when
    the file as a whole cannot be read; then nothing changes."""
    try:
        spend_file = read_spend_file(content)
    except SpendFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    result = SpendImportResult(source=name, read=spend_file.read, rejected=spend_file.rejected)

    existing: set[str] = set()
    for chunk in _chunks([row.row_key for row in spend_file.rows]):
        existing.update(
            SpendRecord.objects.filter(row_key__in=chunk).values_list("row_key", flat=True)
        )
    new_rows = [row for row in spend_file.rows if row.row_key not in existing]
    result.already_loaded = len(spend_file.rows) - len(new_rows)

    with transaction.atomic():
        if new_rows:
            suppliers, buyers = _find_or_create_organisations(new_rows, result)
            SpendRecord.objects.bulk_create(
                [
                    SpendRecord(
                        row_key=row.row_key,
                        lot_name=row.lot_name,
                        month=row.month,
                        amount=row.amount,
                        sector=row.sector,
                        is_sme=row.is_sme,
                        supplier=suppliers[name_key(row.supplier_name)],
                        buyer=buyers[name_key(row.buyer_name)],
                        source=name[:255],
                        line=row.line,
                    )
                    for row in new_rows
                ],
                batch_size=BATCH_SIZE,
            )
        result.loaded = len(new_rows)
        result.amount_loaded = sum((row.amount for row in new_rows), Decimal("0"))
        result.credit_notes_loaded = sum(1 for row in new_rows if row.amount < 0)
        audit_record(
            action="reporting.spend_imported",
            actor=actor,
            detail={
                "source": name,
                "read": result.read,
                "loaded": result.loaded,
                "already_loaded": result.already_loaded,
                "rejected": len(result.rejected),
                "amount_loaded": str(result.amount_loaded),
                "suppliers_created": result.suppliers_created,
                "buyers_created": result.buyers_created,
            },
        )
        if new_rows:
            # Recompute the reports soon after new spend arrives (the hourly job would, later);
            # kept in the outbox if the broker is down.
            enqueue_on_commit("reporting.tasks.refresh_report_snapshots", trigger="spend import")
    return result


# --- report snapshots ------------------------------------------------------------------------


def _compute_sme_share(snapshot: ReportSnapshot) -> None:
    figures = sme_share_figures()
    for row in figures.rows:
        row.snapshot = snapshot
    SmeShareRow.objects.bulk_create(figures.rows, batch_size=BATCH_SIZE)
    snapshot.spend_rows = figures.spend_rows
    snapshot.contracts = figures.contracts


def _compute_savings(snapshot: ReportSnapshot) -> None:
    figures = savings_figures()
    for row in figures.rows:
        row.snapshot = snapshot
    SavingsRow.objects.bulk_create(figures.rows, batch_size=BATCH_SIZE)
    snapshot.contracts = figures.contracts


COMPUTERS = {
    ReportSnapshot.Kind.SME_SHARE: _compute_sme_share,
    ReportSnapshot.Kind.SAVINGS: _compute_savings,
}


def report_snapshot_compute(*, kind: str, actor=None, trigger: str = "") -> ReportSnapshot:
    """Compute a report into a new snapshot and make it current. The rows are written and the
    snapshot made current in one transaction, so a run that fails part-way leaves no rows, is
    kept marked failed (with the error), and the last good snapshot stays current. Re-raises the
    error after recording it."""
    if kind not in COMPUTERS:
        raise ValidationError({"kind": f"There is no report called {kind}"})
    user = actor if actor is not None and actor.is_authenticated else None
    snapshot = ReportSnapshot.objects.create(
        kind=kind, trigger=trigger[:20], requested_by=user, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            # Runs of the same report take turns from here on.
            previous = list(
                ReportSnapshot.objects.select_for_update().filter(kind=kind, is_current=True)
            )
            COMPUTERS[kind](snapshot)
            ReportSnapshot.objects.filter(pk__in=[p.pk for p in previous]).update(is_current=False)
            snapshot.status = ReportSnapshot.Status.SUCCEEDED
            snapshot.is_current = True
            snapshot.computed_at = timezone.now()
            snapshot.save()
            if trigger != "schedule":  # the hourly runs would drown the log
                audit_record(
                    action="reporting.snapshot_computed",
                    actor=user,
                    obj=snapshot,
                    detail={
                        "kind": kind,
                        "trigger": trigger,
                        "spend_rows": snapshot.spend_rows,
                        "contracts": snapshot.contracts,
                    },
                )
            _prune(kind, keep_from=snapshot)
    except Exception as exc:
        ReportSnapshot.objects.filter(pk=snapshot.pk).update(
            status=ReportSnapshot.Status.FAILED,
            is_current=False,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        snapshot.refresh_from_db()
        logger.exception("computing the %s report failed (snapshot %s)", kind, snapshot.pk)
        raise
    return snapshot


def _prune(kind: str, keep_from: ReportSnapshot) -> None:
    """Keep the newest SNAPSHOTS_KEPT runs of a report (and always the current one)."""
    old = list(
        ReportSnapshot.objects.filter(kind=kind, is_current=False)
        .exclude(pk=keep_from.pk)
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)[SNAPSHOTS_KEPT:]
    )
    if old:
        ReportSnapshot.objects.filter(pk__in=old).delete()


def report_snapshots_refresh(*, actor=None, trigger: str = "schedule") -> dict[str, str]:
    """Recompute every report; one failing does not stop the others. Returns each report's
    outcome ('succeeded' or 'failed: ...')."""
    outcomes: dict[str, str] = {}
    for kind in COMPUTERS:
        try:
            report_snapshot_compute(kind=kind, actor=actor, trigger=trigger)
        except Exception as exc:  # recorded on the failed snapshot and logged
            outcomes[kind] = f"failed: {exc.__class__.__name__}: {exc}"
        else:
            outcomes[kind] = "succeeded"
    return outcomes
