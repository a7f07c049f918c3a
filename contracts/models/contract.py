"""Call-off contracts. A contract records what a buyer organisation bought, from whom, at which
exact offer revision and price. Only an award (buying: direct award or further competition)
creates one, through `contracts.services.contract_create`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from ndx.lifecycle import Lifecycle, Move

from ..dates import months_between
from ..querysets import ContractQuerySet


class Contract(models.Model):
    """A call-off contract: what a buyer organisation bought, from whom, at which exact offer
    revision and price. Created only by an award (direct award or further competition)."""

    class Route(models.TextChoices):
        DIRECT_AWARD = "direct_award", "Direct award"
        FURTHER_COMPETITION = "further_competition", "Further competition"

    class Status(models.TextChoices):
        MOBILISING = "mobilising", "Mobilising"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        TERMINATED = "terminated", "Terminated early"

    class BaselineMethod(models.TextChoices):
        NONE = "", "No baseline"
        PREVIOUS_CONTRACT = "previous_contract", "The buyer's previous contract price"
        LOT_MEDIAN = "lot_median", "Median awarded price of comparable contracts on the lot"

    class Benefits(models.TextChoices):
        PENDING = "", "Not yet assessed"
        ASSESSED = "assessed", "Assessed"
        NOT_ASSESSED = "not_assessed", "Not assessed"

    # Mobilising from the award until its start date, then active (a daily beat task starts it);
    # it ends on its end date (the beat task, once the benefits are assessed) or is terminated
    # early by the buyer. An extension keeps it active with a later end date.
    LIFECYCLE = Lifecycle(
        "status",
        {
            "start": Move(from_="mobilising", to="active"),
            "extend": Move(from_=["mobilising", "active"], to="active", verb="extend"),
            "end": Move(from_="active", to="ended"),
            "terminate": Move(from_=["mobilising", "active"], to="terminated"),
        },
    )

    reference = models.CharField(max_length=30, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contracts"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="supplier_contracts"
    )
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="contracts")
    revision = models.ForeignKey(
        "catalogue.OfferRevision", on_delete=models.PROTECT, related_name="contracts"
    )
    route = models.CharField(max_length=20, choices=Route.choices)
    requirement = models.ForeignKey(
        "buying.Requirement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    shortlist = models.ForeignKey(
        "buying.Shortlist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    title = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField("awarded unit price (£)", max_digits=12, decimal_places=2)
    list_price = models.DecimalField(
        "list price at award (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    national_price = models.DecimalField(
        "national price at award (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField("total value (£)", max_digits=15, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    kpis = models.JSONField("key performance indicators", default=list, blank=True)
    justification = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    scope = models.TextField("scope", blank=True)
    # The value at award (`value` is the value as it now stands, after accepted variations).
    award_value = models.DecimalField(
        "value at award (£)", max_digits=15, decimal_places=2, null=True, blank=True
    )
    # What the buyer said it knew at award: users or units, and the term in months.
    units = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    max_extension_months = models.PositiveSmallIntegerField(
        "extension allowed at award (months)", default=0
    )
    original_end_date = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    baseline_method = models.CharField(
        max_length=20, choices=BaselineMethod.choices, blank=True, default=""
    )
    baseline_unit_price = models.DecimalField(
        "baseline unit price (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    benefits = models.CharField(max_length=14, choices=Benefits.choices, blank=True, default="")
    benefits_not_assessed_reason = models.TextField(blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=300, blank=True)
    renewal_90_sent_at = models.DateTimeField(null=True, blank=True)
    renewal_30_sent_at = models.DateTimeField(null=True, blank=True)
    report_reminder_for = models.DateField(null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField()
    # From the requirement's creation (or the shortlist's, for awards without one) to award.
    time_to_award = models.DurationField(null=True, blank=True)
    # Further competitions: the weight given to social value (%) and the winning response's
    # score (0 to 100) for each model criteria theme it was asked (contracts/social_value.py).
    social_value_weight = models.PositiveSmallIntegerField(null=True, blank=True)
    social_value_scores = models.JSONField(default=dict, blank=True)
    review_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        # The table keeps its name from when contracts lived in buying (no data was moved).
        db_table = "buying_contract"
        ordering = ["-awarded_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="contract_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="contract_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0) & models.Q(unit_price__gte=0),
                name="contract_positive_quantity_and_price",
            ),
            models.CheckConstraint(
                condition=models.Q(national_price__isnull=True)
                | models.Q(unit_price__lte=models.F("national_price")),
                name="contract_price_at_or_below_national_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_mobilising(self) -> bool:
        return self.status == self.Status.MOBILISING

    @property
    def is_open(self) -> bool:
        """Mobilising or active: it can still be varied, extended, terminated or reported on."""
        return self.LIFECYCLE.can(self, "terminate")

    @property
    def can_end(self) -> bool:
        return self.LIFECYCLE.can(self, "end")

    @property
    def can_extend(self) -> bool:
        return self.LIFECYCLE.can(self, "extend") and self.extension_left_months > 0

    @property
    def extension_left_months(self) -> int:
        if not self.max_extension_months:
            return 0
        used = months_between(self.original_end_date or self.end_date, self.end_date)
        return max(self.max_extension_months - used, 0)

    @property
    def value_at_award(self):
        return self.award_value if self.award_value is not None else self.value

    @property
    def baseline_value(self):
        if self.baseline_unit_price is None:
            return None
        return self.baseline_unit_price * self.quantity

    @property
    def cost_avoidance(self):
        """What the buyer would otherwise have paid (the baseline) minus what it pays."""
        baseline = self.baseline_value
        if baseline is None:
            return None
        return (baseline - self.value).quantize(Decimal("0.01"))

    @property
    def is_direct_award(self) -> bool:
        return self.route == self.Route.DIRECT_AWARD

    @property
    def saving(self):
        """Cost saving = (list price - awarded price) x quantity (the quantity as it now stands,
        so an accepted variation updates it)."""
        if self.list_price is None:
            return None
        return (self.list_price - self.unit_price) * self.quantity
