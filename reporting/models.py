"""Spend returns loaded from files, and report snapshots computed from them and from contracts.

Reports are not computed on page views: a Celery beat job (and staff, on demand) computes each
report into a new ReportSnapshot with its rows, and marks it current only when every row is
written. A failed run is kept, marked failed, and the last good snapshot stays current.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .querysets import ReportSnapshotQuerySet, SpendRecordQuerySet

# Government's targets and ambitions the reports are measured against.
SME_TARGET = Decimal("0.40")  # 40% of spend with SMEs (directly or through the supply chain)
SAVINGS_AMBITION_PER_YEAR = Decimal("1000000000")  # £1bn a year of savings

SHARE_PLACES = Decimal("0.0001")
MONEY_PLACES = Decimal("0.01")


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a fraction to 4 places; None when the whole is not positive (a group
    whose credit notes cancel its spend has no meaningful share)."""
    if whole is None or whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


class SpendRecord(models.Model):
    """One row of a spend return: what a buyer paid a supplier in a month on a lot.

    Negative amounts are credit notes and are kept as such. `row_key` identifies the row by its
    normalised values and its occurrence number among identical rows of the same file, so loading
    a file twice (or a later, cumulative file) adds only rows not loaded before, while genuinely
    repeated rows within a file are all kept.
    """

    row_key = models.CharField(max_length=64, unique=True, editable=False)
    framework_name = models.CharField(max_length=200, default="G-Cloud")
    lot_name = models.CharField(max_length=200)
    month = models.DateField(help_text="The first day of the month the spend was returned for.")
    amount = models.DecimalField("amount (£, excluding VAT)", max_digits=16, decimal_places=4)
    sector = models.CharField(max_length=100, blank=True)
    is_sme = models.BooleanField("SME")
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="spend_received"
    )
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="spend_made"
    )
    source = models.CharField("source file", max_length=255)
    line = models.PositiveIntegerField("line in the source file")
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = SpendRecordQuerySet.as_manager()

    class Meta:
        ordering = ["month", "id"]
        indexes = [models.Index(fields=["month"]), models.Index(fields=["source"])]

    def __str__(self) -> str:
        return f"{self.month:%b %Y} {self.buyer_id}→{self.supplier_id} £{self.amount}"

    @property
    def is_credit_note(self) -> bool:
        return self.amount < 0


class ReportSnapshot(models.Model):
    class Kind(models.TextChoices):
        SME_SHARE = "sme_share", "SME share"
        SAVINGS = "savings", "Savings"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    is_current = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, blank=True, help_text="schedule, staff or command")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    computed_at = models.DateTimeField(null=True, blank=True)
    spend_rows = models.PositiveIntegerField(default=0)
    contracts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "kind", condition=Q(is_current=True), name="reportsnapshot_one_current_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="succeeded"),
                name="reportsnapshot_current_only_when_succeeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} snapshot {self.pk} ({self.get_status_display()})"

    @property
    def is_empty(self) -> bool:
        """Computed from nothing: no spend rows and no contracts."""
        return self.spend_rows == 0 and self.contracts == 0


class SmeShareRow(models.Model):
    """One group of the SME share report, e.g. dimension 'fy', group '2013-14'."""

    class Dimension(models.TextChoices):
        OVERALL = "overall", "Overall"
        YEAR = "year", "Calendar year"
        FY = "fy", "Financial year"
        QUARTER = "quarter", "Quarter"
        MONTH = "month", "Month"
        FRAMEWORK = "framework", "Framework"
        LOT = "lot", "Lot"
        SECTOR = "sector", "Buyer sector"
        BUYER = "buyer", "Buyer organisation"

    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.CASCADE, related_name="sme_rows")
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    position = models.PositiveIntegerField()
    group = models.CharField(max_length=255)
    total_spend = models.DecimalField(max_digits=20, decimal_places=4)
    sme_spend = models.DecimalField(max_digits=20, decimal_places=4)
    vcse_spend = models.DecimalField(max_digits=20, decimal_places=4)
    contracts = models.PositiveIntegerField()
    sme_contracts = models.PositiveIntegerField()
    vcse_contracts = models.PositiveIntegerField()

    class Meta:
        ordering = ["snapshot", "dimension", "position"]
        constraints = [
            models.UniqueConstraint(
                "snapshot", "dimension", "group", name="smesharerow_unique_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.group}"

    @property
    def sme_share(self) -> Decimal | None:
        return share(self.sme_spend, self.total_spend)

    @property
    def vcse_share(self) -> Decimal | None:
        return share(self.vcse_spend, self.total_spend)

    @property
    def sme_contract_share(self) -> Decimal | None:
        return share(self.sme_contracts, self.contracts)

    @property
    def vcse_contract_share(self) -> Decimal | None:
        return share(self.vcse_contracts, self.contracts)

    @property
    def meets_target(self) -> bool | None:
        value = self.sme_share
        return None if value is None else value >= SME_TARGET


class SavingsRow(models.Model):
    """One group of the savings report: saving = (list price - awarded price) x quantity,
    over the contracts whose list price at award is known."""

    class Dimension(models.TextChoices):
        OVERALL = "overall", "Overall"
        FY = "fy", "Financial year"
        YEAR = "year", "Calendar year"
        FRAMEWORK = "framework", "Framework"
        ORGANISATION = "organisation", "Buyer organisation"

    snapshot = models.ForeignKey(
        ReportSnapshot, on_delete=models.CASCADE, related_name="savings_rows"
    )
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    position = models.PositiveIntegerField()
    group = models.CharField(max_length=255)
    contracts = models.PositiveIntegerField()
    priced_contracts = models.PositiveIntegerField(help_text="Contracts with a list price")
    total_value = models.DecimalField(max_digits=20, decimal_places=2)
    list_value = models.DecimalField(max_digits=20, decimal_places=2)
    saving = models.DecimalField(max_digits=20, decimal_places=2)
    # Cost avoidance = baseline (the buyer's previous price, or the lot's median awarded price)
    # minus what the buyer pays, over the contracts with a baseline.
    avoidance_contracts = models.PositiveIntegerField(default=0)
    avoidance = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        ordering = ["snapshot", "dimension", "position"]
        constraints = [
            models.UniqueConstraint(
                "snapshot", "dimension", "group", name="savingsrow_unique_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.group}"

    @property
    def saving_share(self) -> Decimal | None:
        """The saving as a fraction of what the same contracts cost at list price."""
        return share(self.saving, self.list_value)

    @property
    def combined(self) -> Decimal:
        return self.saving + self.avoidance

    @property
    def ambition_share(self) -> Decimal | None:
        """For a financial or calendar year: the saving as a fraction of £1bn."""
        if self.dimension not in (self.Dimension.FY, self.Dimension.YEAR):
            return None
        return (self.saving / SAVINGS_AMBITION_PER_YEAR).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_UP
        )
