"""Buyers' saved searches and shortlists. A frozen shortlist keeps the exact offer revisions
and prices at the moment it was frozen, as evidence for a direct award."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ndx.lifecycle import Lifecycle, Move

from .querysets import (
    CompetitionInvitationQuerySet,
    FurtherCompetitionQuerySet,
    RequirementQuerySet,
    SavedSearchQuerySet,
    ShortlistQuerySet,
)

MAX_SHORTLIST_ITEMS = 30


class Requirement(models.Model):
    """A buyer's need, captured one question a page. Drafts are resumable; only the buyer's
    organisation sees them. Submitting it runs the matcher (matching app)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class BudgetBasis(models.TextChoices):
        TOTAL = "total", "For the whole contract"
        YEAR = "year", "For each year"

    class Timescale(models.TextChoices):
        ASAP = "asap", "As soon as possible"
        THREE_MONTHS = "3m", "Within 3 months"
        SIX_MONTHS = "6m", "Within 6 months"
        TWELVE_MONTHS = "12m", "Within 12 months"
        FLEXIBLE = "flexible", "Flexible"

    # Answered one question a page while a draft; submitting runs the matcher. Submitted is
    # final (copy it to change it).
    LIFECYCLE = Lifecycle("status", {"submit": Move(from_="draft", to="submitted")})

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="requirements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField("short name", max_length=150)
    problem = models.TextField("problem or outcome wanted", blank=True)
    users_description = models.TextField("who will use it", blank=True)
    user_count = models.PositiveIntegerField("number of users", null=True, blank=True)
    must_haves = models.JSONField(default=list, blank=True)
    nice_to_haves = models.JSONField(default=list, blank=True)
    budget_min = models.DecimalField(
        "budget from (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        "budget up to (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Asked once with the budget; later steps (the comparison's estimate, the award's
    # quantity) use them instead of asking again.
    budget_basis = models.CharField(
        "the budget is", max_length=5, choices=BudgetBasis.choices, blank=True
    )
    contract_months = models.PositiveSmallIntegerField(
        "contract length (months)", null=True, blank=True
    )
    timescale = models.CharField(max_length=10, choices=Timescale.choices, blank=True)
    location = models.CharField(max_length=200, blank=True)
    hosting_locations = models.JSONField("acceptable data hosting", default=list, blank=True)
    certifications = models.JSONField("required certifications", default=list, blank=True)
    framework = models.ForeignKey(
        "catalogue.Framework", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lot = models.ForeignKey(
        "catalogue.Lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="requirement_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="requirement_budget_range_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_submit(self) -> bool:
        return self.LIFECYCLE.can(self, "submit")

    def matching_text(self) -> str:
        """The words the matcher reads: the need first, then must-haves, then the rest."""
        parts = [self.title, self.problem, *self.must_haves, *self.nice_to_haves]
        if self.users_description:
            parts.append(self.users_description)
        return "\n".join(p for p in parts if p)


class SavedSearch(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="saved_searches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    query_string = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Shortlist(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FROZEN = "frozen", "Frozen"

    class Outcome(models.TextChoices):
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"
        NONE_SUITABLE = "none_suitable", "None suitable"

    # Open while offers are added; freezing pins every item to its revision and price then.
    LIFECYCLE = Lifecycle("status", {"freeze": Move(from_="open", to="frozen", verb="freeze")})
    # Once frozen, the outcome is recorded once: by a buyer, or "awarded" by the first award.
    OUTCOME_LIFECYCLE = Lifecycle(
        "outcome",
        {
            "award": Move(from_="", to="awarded", verb="record an award on"),
            "cancel": Move(from_="", to="cancelled", verb="record as cancelled"),
            "find_none_suitable": Move(from_="", to="none_suitable", verb="record an outcome on"),
        },
    )
    OUTCOME_MOVES = {
        "awarded": "award",
        "cancelled": "cancel",
        "none_suitable": "find_none_suitable",
    }

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="shortlists"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.SET_NULL, related_name="shortlists"
    )
    query_string = models.TextField(blank=True, help_text="The search that produced it, if any.")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="shortlists"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShortlistQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="shortlist_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(status="frozen"),
                name="shortlist_outcome_only_when_frozen",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN

    @property
    def can_freeze(self) -> bool:
        return self.LIFECYCLE.can(self, "freeze")

    @property
    def can_record_outcome(self) -> bool:
        return self.is_frozen and bool(self.OUTCOME_LIFECYCLE.allowed(self))

    @property
    def can_award(self) -> bool:
        """Frozen, and not recorded as anything but awarded: more can be awarded from it."""
        return self.is_frozen and self.outcome in ("", self.Outcome.AWARDED)


class ShortlistItem(models.Model):
    """One offer on a shortlist, with what it said and cost when the list was frozen."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(
        "catalogue.OfferRevision", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    supplier_name = models.CharField(max_length=200)
    supplier_is_sme = models.BooleanField(null=True)
    framework_reference = models.CharField(max_length=30)
    lot_name = models.CharField(max_length=200)
    pricing_model = models.CharField(max_length=20)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    vat = models.CharField(max_length=10)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortlist", "position"]
        constraints = [models.UniqueConstraint("shortlist", "offer", name="shortlist_offer_once")]

    def __str__(self) -> str:
        return f"{self.title} on {self.shortlist}"


# --- further competitions -----------------------------------------------------------------------


class FurtherCompetition(models.Model):
    """A mini-competition among three or more shortlisted suppliers on one lot. The buyer sets
    the requirement, the evaluation weights and a deadline; invited suppliers ask questions and
    respond; after the deadline the buyer scores every response and awards a contract."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Invitations sent"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"

    # A draft is edited and published (the invitations go out); an open competition takes
    # questions and responses until the deadline, then is awarded. Either can be cancelled.
    LIFECYCLE = Lifecycle(
        "status",
        {
            "publish": Move(from_="draft", to="open", verb="send the invitations for"),
            "award": Move(from_="open", to="awarded"),
            "cancel": Move(from_=["draft", "open"], to="cancelled"),
        },
    )

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="competitions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shortlist = models.ForeignKey(Shortlist, on_delete=models.PROTECT, related_name="competitions")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="competitions"
    )
    lot = models.ForeignKey("catalogue.Lot", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=150)
    description = models.TextField("the requirement")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    start_date = models.DateField("contract start date")
    end_date = models.DateField("contract end date")
    quality_criteria = models.TextField("what the quality score is for")
    social_value_criteria = models.TextField("what the social value score is for")
    # Themes picked from the model social value criteria (contracts/social_value.py).
    social_value_themes = models.JSONField(default=list, blank=True)
    weight_quality = models.PositiveSmallIntegerField()
    weight_price = models.PositiveSmallIntegerField()
    weight_social_value = models.PositiveSmallIntegerField()
    deadline = models.DateTimeField("response deadline")
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    rationale = models.TextField("award rationale", blank=True)
    unsuccessful_feedback = models.TextField(blank=True)
    contract = models.OneToOneField(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competition",
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FurtherCompetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="competition_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    weight_quality__gte=0, weight_price__gte=0, weight_social_value__gte=10
                )
                & models.Q(
                    weight_quality__lte=100, weight_price__lte=100, weight_social_value__lte=100
                ),
                name="competition_weights_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="competition_term_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="competition_positive_quantity"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weights(self) -> dict[str, int]:
        return {
            "quality": self.weight_quality,
            "price": self.weight_price,
            "social_value": self.weight_social_value,
        }

    def is_past_deadline(self, now=None) -> bool:
        return (now or timezone.now()) >= self.deadline

    @property
    def past_deadline(self) -> bool:
        return self.is_past_deadline()

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_awarded(self) -> bool:
        return self.status == self.Status.AWARDED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def can_publish(self) -> bool:
        return self.LIFECYCLE.can(self, "publish")

    @property
    def can_cancel(self) -> bool:
        return self.LIFECYCLE.can(self, "cancel")

    @property
    def can_award(self) -> bool:
        """Open and past its deadline (scoring every response is checked by the award)."""
        return self.LIFECYCLE.can(self, "award") and self.past_deadline

    @property
    def accepting_responses(self) -> bool:
        return self.is_open and not self.past_deadline


class CompetitionInvitation(models.Model):
    """One supplier invited to a competition, for the exact offer revision frozen on the
    shortlist. Its outcome and feedback are what the supplier is told after the award."""

    class Outcome(models.TextChoices):
        PENDING = "", "Not decided"
        SUCCESSFUL = "successful", "Successful"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
        CANCELLED = "cancelled", "Competition cancelled"

    # Decided once, when the competition is awarded or cancelled.
    LIFECYCLE = Lifecycle(
        "outcome",
        {
            "succeed": Move(from_="", to="successful", verb="record success on"),
            "fail": Move(from_="", to="unsuccessful", verb="record failure on"),
            "cancel": Move(from_="", to="cancelled"),
        },
    )

    competition = models.ForeignKey(
        FurtherCompetition, on_delete=models.CASCADE, related_name="invitations"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="competition_invitations"
    )
    shortlist_item = models.ForeignKey(ShortlistItem, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(
        "catalogue.OfferRevision", on_delete=models.PROTECT, related_name="+"
    )
    national_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default="")
    feedback = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompetitionInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["competition", "id"]
        constraints = [
            models.UniqueConstraint(
                "competition", "supplier", name="competition_invites_supplier_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} invited to {self.competition}"

    @property
    def is_successful(self) -> bool:
        return self.outcome == self.Outcome.SUCCESSFUL

    @property
    def is_unsuccessful(self) -> bool:
        return self.outcome == self.Outcome.UNSUCCESSFUL


class ClarificationQuestion(models.Model):
    """A question from an invited supplier. Once answered, the question (as the buyer words it,
    without saying who asked) and the answer are shown to every invited supplier."""

    competition = models.ForeignKey(
        FurtherCompetition, on_delete=models.CASCADE, related_name="questions"
    )
    invitation = models.ForeignKey(
        CompetitionInvitation, on_delete=models.CASCADE, related_name="questions"
    )
    question = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField()
    shared_question = models.TextField("question as shared with every supplier", blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CompetitionResponse(models.Model):
    """A supplier's sealed response: a unit price and written answers on quality and social
    value. The buyer sees it only after the deadline, and scores each criterion 0 to 100."""

    invitation = models.OneToOneField(
        CompetitionInvitation, on_delete=models.CASCADE, related_name="response"
    )
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quality_response = models.TextField()
    social_value_response = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    quality_score = models.PositiveSmallIntegerField(null=True, blank=True)
    price_score = models.PositiveSmallIntegerField(null=True, blank=True)
    social_value_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # The buyer's score (0 to 100) for each model criteria theme of the competition.
    social_value_theme_scores = models.JSONField(default=dict, blank=True)
    weighted_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invitation"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="response_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(quality_score__isnull=True)
                | models.Q(
                    quality_score__lte=100, price_score__lte=100, social_value_score__lte=100
                ),
                name="response_scores_out_of_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Response from {self.invitation.supplier}"

    @property
    def is_scored(self) -> bool:
        return self.weighted_score is not None


class DemandPool(models.Model):
    """Demand pooled across buyers: staff invite the organisations of similar requirements to
    one aggregated further competition run by a lead buyer. Each joining buyer confirms its own
    quantity; the award makes one call-off contract per buyer at the pooled price
    (buying/services/pooling.py)."""

    class Status(models.TextChoices):
        INVITING = "inviting", "Inviting buyers"
        COMPETING = "competing", "Further competition running"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"

    LIFECYCLE = Lifecycle(
        "status",
        {
            "start_competition": Move(
                from_="inviting", to="competing", verb="start the competition for"
            ),
            "award": Move(from_="competing", to="awarded"),
            "cancel": Move(from_=["inviting", "competing"], to="cancelled"),
        },
    )

    title = models.CharField(max_length=150)
    lot = models.ForeignKey("catalogue.Lot", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="led_pools"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITING)
    competition = models.OneToOneField(
        FurtherCompetition, null=True, blank=True, on_delete=models.SET_NULL, related_name="pool"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_inviting(self) -> bool:
        return self.status == self.Status.INVITING

    @property
    def can_start_competition(self) -> bool:
        return self.LIFECYCLE.can(self, "start_competition")

    @property
    def can_award(self) -> bool:
        return self.LIFECYCLE.can(self, "award")


class PoolMember(models.Model):
    """One buyer organisation in a pool, with its own requirement and confirmed quantity."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        JOINED = "joined", "Joined"
        DECLINED = "declined", "Declined"

    LIFECYCLE = Lifecycle(
        "status",
        {
            "join": Move(from_=["invited", "joined"], to="joined"),
            "decline": Move(from_=["invited", "joined"], to="declined"),
        },
    )

    pool = models.ForeignKey(DemandPool, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="pool_memberships"
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="pool_members"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    contract = models.OneToOneField(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pool", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "organisation"], name="pool_member_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(status="joined", quantity__gt=0) | ~models.Q(status="joined"),
                name="pool_member_joined_with_a_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.pool}"

    @property
    def has_joined(self) -> bool:
        return self.status == self.Status.JOINED

    @property
    def can_join(self) -> bool:
        return self.pool.is_inviting and self.LIFECYCLE.can(self, "join")

    @property
    def can_decline(self) -> bool:
        return self.pool.is_inviting and self.LIFECYCLE.can(self, "decline")
