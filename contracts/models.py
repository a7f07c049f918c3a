"""Call-off contracts. A contract records what a buyer organisation bought, from whom, at which
exact offer revision and price. Only an award (buying: direct award or further competition)
creates one, through `contracts.services.contract_create`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ndx.lifecycle import Lifecycle, Move

from .querysets import ContractQuerySet


class Contract(models.Model):
    """A call-off contract: what a buyer organisation bought, from whom, at which exact offer
    revision and price. Created only by an award (direct award or further competition)."""

    class Route(models.TextChoices):
        DIRECT_AWARD = "direct_award", "Direct award"
        FURTHER_COMPETITION = "further_competition", "Further competition"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        TERMINATED = "terminated", "Terminated early"

    # Active from the award; it ends at the end of its term, or is terminated early. (No page
    # ends or terminates a contract yet: the states are declared for reporting (OCDS) to read.)
    LIFECYCLE = Lifecycle(
        "status",
        {
            "end": Move(from_="active", to="ended"),
            "terminate": Move(from_="active", to="terminated"),
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
    def is_direct_award(self) -> bool:
        return self.route == self.Route.DIRECT_AWARD

    @property
    def saving(self):
        """Cost saving = (list price - awarded price) x quantity."""
        if self.list_price is None:
            return None
        return (self.list_price - self.unit_price) * self.quantity
