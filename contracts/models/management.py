"""Managing a contract after the award: its KPIs and performance reports (rated on the
Procurement Act 2023 scale), its variations (section 74) and the versions they make, and the
outcomes it was bought for (benefits realisation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ndx.lifecycle import Lifecycle, Move


class Rating(models.TextChoices):
    """The Procurement Act 2023 contract performance scale (Procurement Regulations 2024)."""

    GOOD = "good", "Good"
    APPROACHING = "approaching", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    OTHER = "other", "Other"


# A number for each rating, for charts (higher is better; Other is not charted).
RATING_SCORES = {
    Rating.GOOD: 4,
    Rating.APPROACHING: 3,
    Rating.REQUIRES_IMPROVEMENT: 2,
    Rating.INADEQUATE: 1,
}


class ContractKpi(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="kpi_set"
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, blank=True)
    target = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )

    class Meta:
        ordering = ["contract", "position", "id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name

    @property
    def months(self) -> int:
        return 1 if self.frequency == self.Frequency.MONTHLY else 3


class PerformanceReport(models.Model):
    """The buyer's assessment of one period: each KPI's value and rating, an overall rating."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", "Periodic report"
        FINAL = "final", "Final assessment (on expiry or termination)"

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="performance_reports"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERIODIC)
    period_start = models.DateField()
    period_end = models.DateField()
    overall_rating = models.CharField(max_length=22, choices=Rating.choices)
    overall_explanation = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField()
    supplier_response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "period_end", "id"]
        constraints = [
            models.UniqueConstraint(
                "contract", "period_end", "kind", name="performance_report_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="performance_report_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.period_start} to {self.period_end}"

    @property
    def is_inadequate(self) -> bool:
        return self.overall_rating == Rating.INADEQUATE


class KpiResult(models.Model):
    report = models.ForeignKey(PerformanceReport, on_delete=models.CASCADE, related_name="results")
    kpi = models.ForeignKey(ContractKpi, on_delete=models.CASCADE, related_name="results")
    achieved = models.CharField("value achieved", max_length=200)
    rating = models.CharField(max_length=22, choices=Rating.choices)
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "kpi__position", "id"]
        constraints = [models.UniqueConstraint("report", "kpi", name="kpi_result_once_per_report")]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.achieved} ({self.rating})"

    @property
    def score(self) -> int | None:
        return RATING_SCORES.get(self.rating)


class ContractVariation(models.Model):
    """A proposed change to a contract's value, end date or scope, on a section 74 ground."""

    class Ground(models.TextChoices):
        BELOW_THRESHOLD = (
            "below_threshold",
            "Below-threshold modification (section 74 and Schedule 8 paragraph 9)",
        )
        NOT_SUBSTANTIAL = "not_substantial", "Not a substantial modification (section 74(2))"
        PROVIDED_FOR = (
            "provided_for",
            "Permitted: provided for in the contract (Schedule 8 paragraph 1)",
        )
        UNFORESEEABLE = (
            "unforeseeable",
            "Permitted: unforeseeable circumstances (Schedule 8 paragraph 5)",
        )
        ADDITIONAL = (
            "additional",
            "Permitted: additional goods, services or works (Schedule 8 paragraph 4)",
        )

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the supplier"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected by the supplier"
        WITHDRAWN = "withdrawn", "Withdrawn by the buyer"

    LIFECYCLE = Lifecycle(
        "status",
        {
            "accept": Move(from_="proposed", to="accepted"),
            "reject": Move(from_="proposed", to="rejected"),
            "withdraw": Move(from_="proposed", to="withdrawn"),
        },
    )

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="variations"
    )
    number = models.PositiveSmallIntegerField()
    ground = models.CharField(max_length=20, choices=Ground.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # The contract as it would stand after the change (None: unchanged).
    new_value = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)
    new_quantity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_end_date = models.DateField(null=True, blank=True)
    scope_change = models.TextField(blank=True)
    material_scope_change = models.BooleanField(default=False)
    reason = models.TextField()
    # Above 10% of the award value: a contract change notice is published first, and the
    # change cannot take effect until 8 working days after it.
    change_notice_at = models.DateTimeField(null=True, blank=True)
    standstill_ends_on = models.DateField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    supplier_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint("contract", "number", name="variation_number_per_contract")
        ]

    def __str__(self) -> str:
        return f"Variation {self.number} to contract {self.contract_id}"

    @property
    def is_proposed(self) -> bool:
        return self.LIFECYCLE.can(self, "accept")

    @property
    def needs_notice(self) -> bool:
        return self.change_notice_at is not None


class ContractVersion(models.Model):
    """The contract's terms as they stood from one point: version 1 is the award, each accepted
    variation adds one. Versions are never changed."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    variation = models.OneToOneField(
        ContractVariation, null=True, blank=True, on_delete=models.PROTECT, related_name="version"
    )
    value = models.DecimalField(max_digits=15, decimal_places=2)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    end_date = models.DateField()
    scope = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint("contract", "number", name="contract_version_number")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of contract {self.contract_id}"


class ContractOutcome(models.Model):
    """An outcome the contract was bought for, and whether it was achieved (with evidence)."""

    class Assessment(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    assessment = models.CharField(max_length=12, choices=Assessment.choices, blank=True)
    evidence = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "position", "id"]

    def __str__(self) -> str:
        return self.text
