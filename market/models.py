"""Before the procurement: engagements, the pipeline, the supplier directory with consent, and
match alerts. One row's rules here; workflows in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalogue.cpv import CPV_DIVISIONS
from ndx.lifecycle import Lifecycle, Move
from suppliers.models import Region, Size

from .querysets import (
    AlertQuerySet,
    DirectoryMemberQuerySet,
    EngagementQuerySet,
    PipelineEntryQuerySet,
)

CPV_CHOICES = sorted(CPV_DIVISIONS.items())
REGION_CHOICES = [(value, label) for value, label in Region.choices if value != "outside-uk"]

# The words a member agrees to, stored with each consent record as they were shown.
CONSENT_WORDING = (
    "I agree that the National Digital Exchange may email me about new opportunities (public "
    "sector needs, pre-market engagements, further competitions and forward plans) that match "
    "what my organisation does, in the sectors I chose, as often as I chose. I can withdraw at "
    "any time from the link in every email, without signing in, and no more emails will be sent."
)


class Engagement(models.Model):
    """A buyer's problem statement put to the market before deciding on a solution."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for responses"
        CLOSED = "closed", "Closed"
        CONCLUDED = "concluded", "Closed with a summary"
        CONVERTED = "converted", "Turned into a requirement"

    LIFECYCLE = Lifecycle(
        "status",
        {
            "close": Move(from_="open", to="closed"),
            "conclude": Move(from_="closed", to="concluded", verb="publish a summary of"),
            "convert": Move(from_="closed", to="converted", verb="turn into a requirement"),
        },
    )

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="engagements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=150)
    problem = models.TextField("the problem")
    outcomes = models.TextField("the outcomes wanted")
    constraints = models.TextField(blank=True)
    budget_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    closes_on = models.DateField("closing date")
    market_questions = models.TextField("questions for the market", blank=True)
    cpv_division = models.CharField("sector", max_length=2, choices=CPV_CHOICES)
    region = models.CharField(max_length=20, choices=REGION_CHOICES, blank=True)
    summary = models.TextField("what was learned", blank=True)
    requirement = models.OneToOneField(
        "buying.Requirement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement",
    )
    published_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["closes_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="engagement_budget_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"NDX-E-{self.pk:06d}"

    @property
    def past_closing(self) -> bool:
        return timezone.localdate() > self.closes_on

    @property
    def is_open(self) -> bool:
        return self.LIFECYCLE.state(self) == self.Status.OPEN and not self.past_closing

    @property
    def can_close(self) -> bool:
        return self.LIFECYCLE.can(self, "close")

    @property
    def can_conclude(self) -> bool:
        return self.LIFECYCLE.can(self, "conclude")

    @property
    def can_convert(self) -> bool:
        return self.LIFECYCLE.can(self, "convert")

    @property
    def sector_label(self) -> str:
        return CPV_DIVISIONS.get(self.cpv_division, self.cpv_division)

    def need_text(self) -> str:
        return "\n".join([self.title, self.problem, self.outcomes, self.constraints])


class EngagementQuestion(models.Model):
    """A clarification question; published to all once the buyer answers it."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="questions")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField()
    answer = models.TextField(blank=True)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class EngagementResponse(models.Model):
    """One supplier organisation's idea in answer to an engagement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="engagement_responses"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approach = models.TextField("the approach")
    similar_work = models.TextField("similar work", blank=True)
    rough_cost = models.CharField("rough cost", max_length=200, blank=True)
    is_sme = models.BooleanField("SME")
    is_vcse = models.BooleanField("VCSE")
    useful = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "engagement", "organisation", name="engagement_response_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.engagement}"


class PipelineEntry(models.Model):
    """One procurement in a buyer organisation's forward plan (the next 18 months)."""

    class Route(models.TextChoices):
        DIRECT_AWARD = "direct_award", "Direct award from a framework"
        FURTHER_COMPETITION = "further_competition", "Further competition on a framework"
        ENGAGEMENT_FIRST = "engagement_first", "Pre-market engagement first"
        OPEN = "open", "Open procedure"
        UNDECIDED = "undecided", "Not decided yet"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="pipeline_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    cpv_division = models.CharField("CPV division", max_length=2, choices=CPV_CHOICES)
    lot = models.ForeignKey(
        "catalogue.Lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    estimated_value = models.DecimalField(max_digits=12, decimal_places=2)
    expected_start = models.DateField()
    route = models.CharField(max_length=20, choices=Route.choices)
    region = models.CharField(max_length=20, choices=REGION_CHOICES, blank=True)
    engagement = models.OneToOneField(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="pipeline_entry"
    )
    requirement = models.OneToOneField(
        "buying.Requirement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pipeline_entry",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PipelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["expected_start", "id"]
        verbose_name_plural = "pipeline entries"

    def __str__(self) -> str:
        return self.title

    @property
    def is_started(self) -> bool:
        return self.engagement_id is not None or self.requirement_id is not None

    @property
    def sector_label(self) -> str:
        return CPV_DIVISIONS.get(self.cpv_division, self.cpv_division)

    def need_text(self) -> str:
        return f"{self.title}\n{self.description}"


class DirectoryMember(models.Model):
    """An organisation in the supplier directory (on a framework or not), with its consent."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "As soon as there is a match"
        DAILY = "daily", "One email a day"
        WEEKLY = "weekly", "One email a week"

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="directory_member"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="directory_memberships",
        help_text="Who gets the alerts (the person who gave consent).",
    )
    description = models.TextField("what you do")
    cpv_divisions = models.JSONField(default=list)
    regions = models.JSONField(default=list)
    size = models.CharField(max_length=10, choices=Size.choices)
    is_vcse = models.BooleanField("VCSE", default=False)
    consent_contact = models.BooleanField(default=False)
    consent_sectors = models.JSONField(default=list, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    consented_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # Derived: matching.ranking_api.text_terms of the description (and profile), for ranking.
    terms = models.JSONField(default=list, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectoryMemberQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_contact=False) | Q(consented_at__isnull=False),
                name="directory_consent_has_a_time",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def consents(self) -> bool:
        return self.consent_contact and self.withdrawn_at is None

    def wants_sector(self, division: str) -> bool:
        return not self.consent_sectors or division in self.consent_sectors

    @property
    def sector_labels(self) -> list[str]:
        return [CPV_DIVISIONS.get(c, c) for c in self.cpv_divisions]

    @property
    def region_labels(self) -> list[str]:
        names = dict(Region.choices)
        return [names.get(r, r) for r in self.regions]


class ConsentRecord(models.Model):
    """Each consent given, changed or withdrawn: when, how, and the exact wording shown."""

    class Action(models.TextChoices):
        GIVEN = "given", "Consent given"
        CHANGED = "changed", "Consent changed"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    member = models.ForeignKey(
        DirectoryMember, on_delete=models.CASCADE, related_name="consent_records"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    wording = models.TextField()
    sectors = models.JSONField(default=list, blank=True)
    frequency = models.CharField(max_length=10, blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, help_text="form, or email link")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.member} at {self.recorded_at:%Y-%m-%d %H:%M}"


class AlertSource(models.Model):
    """A need the matcher has ranked the directory against (once: the key is unique)."""

    class Kind(models.TextChoices):
        ENGAGEMENT = "engagement", "Pre-market engagement"
        REQUIREMENT = "requirement", "Requirement"
        COMPETITION = "competition", "Further competition"
        PIPELINE = "pipeline", "Forward plan"

    key = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    ranked = models.PositiveIntegerField(default=0)
    alerted = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    """One need matched to one consenting member, with the matcher's reason."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="alerts")
    member = models.ForeignKey(DirectoryMember, on_delete=models.CASCADE, related_name="alerts")
    score = models.FloatField()
    explanation = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    # Consent was withdrawn before it was sent: it never will be.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint("source", "member", name="alert_once_per_member_and_need")
        ]

    def __str__(self) -> str:
        return f"{self.source} for {self.member}"


class FollowedSearch(models.Model):
    """A buyer follows a saved search: new or changed offers matching it come in a daily digest."""

    saved_search = models.ForeignKey(
        "buying.SavedSearch", on_delete=models.CASCADE, related_name="followers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_searches"
    )
    since = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("saved_search", "user", name="followed_search_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.saved_search}"


class PrivateRequirement(models.Model):
    """The buyer keeps this requirement out of the suppliers' alerts."""

    requirement = models.OneToOneField(
        "buying.Requirement", on_delete=models.CASCADE, related_name="market_privacy"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.requirement} (private)"
