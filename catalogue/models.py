"""Frameworks and dynamic markets, lots, declaration questions, offers and their revisions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ndx.lifecycle import Lifecycle, Move

from .querysets import (
    FrameworkMembershipQuerySet,
    FrameworkQuerySet,
    OfferQuerySet,
    OfferRevisionQuerySet,
)


class Framework(models.Model):
    """An agreement under which offers are pre-approved."""

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", "Framework (fixed membership)"
        DYNAMIC_MARKET = "dynamic_market", "Dynamic market (open to new suppliers at any time)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for applications"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"
        EXPIRED = "expired", "Expired"

    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=30, unique=True, help_text="For example RM6263")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FRAMEWORK)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    applications_open_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField("live from", null=True, blank=True)
    ends_on = models.DateField("expires on", null=True, blank=True)
    max_value = models.DecimalField(
        "maximum value (£)", max_digits=15, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Two-person rule: one staff user asks for the framework to go live, another approves.
    live_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = FrameworkQuerySet.as_manager()

    # Going live also needs a request and a second person's approval (catalogue.services).
    LIFECYCLE = Lifecycle(
        "status",
        {
            "open": Move(from_="draft", to="open", verb="open for applications"),
            "approve_live": Move(from_=["draft", "open"], to="live", verb="approve going live"),
            "close": Move(from_=["draft", "open", "live"], to="closed"),
            "expire": Move(from_=["draft", "open", "live"], to="expired"),
        },
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gt=models.F("starts_on")),
                name="framework_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(status="live") | Q(approved_at__isnull=False),
                name="framework_live_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    @property
    def can_open(self) -> bool:
        return self.LIFECYCLE.can(self, "open")

    @property
    def can_go_live(self) -> bool:
        """Draft or open: it may be put forward to go live, and approved."""
        return self.LIFECYCLE.can(self, "approve_live")

    @property
    def can_close(self) -> bool:
        return self.LIFECYCLE.can(self, "close")

    @property
    def is_finished(self) -> bool:
        """Closed or expired: it can no longer be changed, nor its lots."""
        return not self.LIFECYCLE.can(self, "close")

    @property
    def is_dynamic_market(self) -> bool:
        return self.kind == self.Kind.DYNAMIC_MARKET

    @property
    def accepts_applications(self) -> bool:
        """Frameworks take applications while open; dynamic markets also once live."""
        if self.status == self.Status.OPEN:
            return True
        return self.is_dynamic_market and self.status == self.Status.LIVE and not self.has_ended

    @property
    def has_ended(self) -> bool:
        return self.ends_on is not None and self.ends_on < timezone.localdate()

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE and not self.has_ended

    @property
    def awaiting_approval(self) -> bool:
        return self.live_requested_at is not None and self.status != self.Status.LIVE


class FrameworkMembership(models.Model):
    """A supplier's standing on a framework: active once a lot application is approved.

    Its offers are buyable only while it is active (OfferQuerySet.buyable). Kept in the table
    the suppliers app created (suppliers_frameworkmembership): the model moved, the rows did not."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REMOVED = "removed", "Removed"

    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="framework_memberships"
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    reason = models.TextField(blank=True, help_text="Why the supplier was suspended or removed.")
    changed_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkMembershipQuerySet.as_manager()

    LIFECYCLE = Lifecycle(
        "status",
        {
            "suspend": Move(from_="active", to="suspended"),
            "reinstate": Move(from_="suspended", to="active"),
            # Final: a removed supplier applies again (staff delete the row to allow it).
            "remove": Move(from_=["active", "suspended"], to="removed"),
        },
    )
    # The move that sets each status, for the staff form that picks the new status.
    MOVE_TO = {"suspended": "suspend", "active": "reinstate", "removed": "remove"}

    class Meta:
        db_table = "suppliers_frameworkmembership"
        ordering = ["framework", "supplier"]
        constraints = [
            models.UniqueConstraint("supplier", "framework", name="one_membership_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.supplier} on {self.framework} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_removed(self) -> bool:
        return self.status == self.Status.REMOVED


class DeclarationQuestion(models.Model):
    """A question every applicant to the framework answers. Kept as data, per framework."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes or no"
        TEXT = "text", "Written answer"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("question", max_length=500)
    hint = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    required_answer = models.CharField(
        max_length=3,
        blank=True,
        choices=[("", "Any answer"), ("yes", "Yes"), ("no", "No")],
        help_text="For yes or no questions: the answer a supplier must give to be eligible.",
    )

    class Meta:
        ordering = ["framework", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Lot(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(default=1)
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    direct_award_allowed = models.BooleanField(
        default=True,
        help_text="If not, buyers must run a further competition to award on this lot.",
    )
    # G-Cloud style service categories offers in this lot may choose from (empty: free text).
    categories = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["framework", "number", "id"]
        constraints = [
            models.UniqueConstraint("framework", "slug", name="lot_unique_slug_per_framework"),
            models.UniqueConstraint("framework", "number", name="lot_unique_number_per_framework"),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"

    @property
    def award_route(self) -> str:
        return "Direct award allowed" if self.direct_award_allowed else "Further competition"


class PricingModel(models.TextChoices):
    PER_USER_MONTH = "per_user_month", "per user per month"
    PER_LICENCE = "per_licence", "per licence"
    PER_UNIT = "per_unit", "per unit"
    PER_DAY = "per_day", "per day"
    FIXED = "fixed", "fixed price"


class VatTreatment(models.TextChoices):
    EXCLUDING = "excluding", "excluding VAT"
    INCLUDING = "including", "including VAT"
    EXEMPT = "exempt", "VAT exempt"


class Certification(models.TextChoices):
    CYBER_ESSENTIALS = "cyber-essentials", "Cyber Essentials"
    CYBER_ESSENTIALS_PLUS = "cyber-essentials-plus", "Cyber Essentials Plus"
    ISO_27001 = "iso-27001", "ISO/IEC 27001"
    ISO_9001 = "iso-9001", "ISO 9001"
    DSPT = "dspt", "NHS Data Security and Protection Toolkit"
    PSN = "psn", "Public Services Network (PSN) compliance"


class HostingLocation(models.TextChoices):
    UK = "uk", "UK only"
    UK_EEA = "uk-eea", "UK and European Economic Area"
    WORLDWIDE = "worldwide", "Outside the UK and EEA"
    NOT_APPLICABLE = "n/a", "Not applicable (no data hosted)"


class AccessibilityConformance(models.TextChoices):
    FULL = "full", "Fully conforms to WCAG 2.2 AA"
    PARTIAL = "partial", "Partially conforms to WCAG 2.2 AA"
    NONE = "none", "Does not conform to WCAG 2.2 AA"
    NOT_ASSESSED = "not-assessed", "Not yet assessed"
    NOT_APPLICABLE = "n/a", "Not applicable (no user interface)"


class Offer(models.Model):
    """A pre-approved deal. What it says lives in revisions; buyers see the published one."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUSPENDED = "suspended", "Suspended"

    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="offers"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="offers")
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The offer's id in an imported catalogue."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_revision = models.OneToOneField(
        "OfferRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The revision the supplier is working on, or that waits for review; empty when none.
    working_revision = models.OneToOneField(
        "OfferRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_reason = models.TextField(blank=True)
    # Kept up to date by the reviews app: the plain average and count of published reviews.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    # The offer's own status; what it says moves through OfferRevision.LIFECYCLE. "submit",
    # "recall" and "reject" change the offer only while it has no live published version
    # (never published, or withdrawn): an edit of a published offer keeps it published.
    LIFECYCLE = Lifecycle(
        "status",
        {
            "edit": Move(from_="rejected", to="draft"),
            "submit": Move(from_=["draft", "rejected", "withdrawn"], to="submitted"),
            "recall": Move(from_="submitted", to="draft"),
            "reject": Move(from_=["submitted", "withdrawn"], to="rejected"),
            # Approving a version (or importing one); withdrawn and suspended offers stay so.
            "publish": Move(from_=["draft", "submitted", "rejected", "published"], to="published"),
            "withdraw": Move(from_="published", to="withdrawn"),
            "suspend": Move(from_="published", to="suspended"),
            "reinstate": Move(from_="suspended", to="published"),
        },
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "external_id", condition=~Q(external_id=""), name="offer_unique_external_id"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_revision__isnull=False),
                name="offer_published_has_revision",
            ),
        ]
        indexes = [models.Index(fields=["status", "lot"])]

    def __str__(self) -> str:
        revision = self.published_revision or self.working_revision
        return revision.title if revision else f"Offer {self.pk}"

    @property
    def current(self) -> OfferRevision | None:
        """What the public sees if published, else the supplier's working copy."""
        return self.published_revision or self.working_revision

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def can_withdraw(self) -> bool:
        return self.LIFECYCLE.can(self, "withdraw")

    @property
    def can_suspend(self) -> bool:
        return self.LIFECYCLE.can(self, "suspend")

    @property
    def can_reinstate(self) -> bool:
        return self.LIFECYCLE.can(self, "reinstate")

    @property
    def has_pending_changes(self) -> bool:
        return self.working_revision_id is not None and self.published_revision_id is not None


_MONEY = dict(
    max_digits=12,
    decimal_places=2,
    null=True,
    blank=True,
    validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9999999999.99"))],
)


class OfferRevision(models.Model):
    """One version of an offer's content. Published revisions are never changed or deleted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded by a later version"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    features = models.JSONField(default=list, blank=True)
    benefits = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    cpv_codes = models.JSONField("CPV codes", default=list, blank=True)
    pricing_model = models.CharField(
        max_length=20, choices=PricingModel.choices, default=PricingModel.PER_UNIT
    )
    price = models.DecimalField("national price (£)", **_MONEY)
    list_price = models.DecimalField("list price (£)", **_MONEY)
    vat = models.CharField(
        "VAT", max_length=10, choices=VatTreatment.choices, default=VatTreatment.EXCLUDING
    )
    minimum_term_months = models.PositiveSmallIntegerField(
        "minimum term (months)", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    service_levels = models.TextField(blank=True)
    certifications = models.JSONField(default=list, blank=True)
    other_certifications = models.CharField(max_length=300, blank=True)
    hosting_location = models.CharField(max_length=12, choices=HostingLocation.choices, blank=True)
    accessibility = models.CharField(
        "accessibility conformance",
        max_length=15,
        choices=AccessibilityConformance.choices,
        blank=True,
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Search fields, written by catalogue.search_index.revision_search_index when a revision is
    # published (published revisions never change, so neither do these).
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = OfferRevisionQuerySet.as_manager()

    LIFECYCLE = Lifecycle(
        "status",
        {
            "edit": Move(from_="rejected", to="draft"),
            "submit": Move(from_=["draft", "rejected"], to="submitted"),
            "recall": Move(from_="submitted", to="draft"),
            "publish": Move(from_="submitted", to="published"),
            "reject": Move(from_="submitted", to="rejected"),
            "supersede": Move(from_="published", to="superseded"),
        },
    )

    # The content fields: what a revision says, compared field by field in the review diff.
    CONTENT_FIELDS = (
        "title",
        "summary",
        "description",
        "features",
        "benefits",
        "categories",
        "cpv_codes",
        "pricing_model",
        "price",
        "list_price",
        "vat",
        "minimum_term_months",
        "service_levels",
        "certifications",
        "other_certifications",
        "hosting_location",
        "accessibility",
    )

    class Meta:
        ordering = ["offer", "-number"]
        constraints = [
            models.UniqueConstraint("offer", "number", name="revision_unique_number"),
            models.CheckConstraint(
                condition=Q(price__isnull=True)
                | Q(list_price__isnull=True)
                | Q(price__lte=models.F("list_price")),
                name="revision_price_not_above_list_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @property
    def saving(self) -> Decimal | None:
        if self.price is None or self.list_price is None:
            return None
        return self.list_price - self.price

    @property
    def saving_percent(self) -> Decimal | None:
        if self.saving is None or not self.list_price:
            return None
        return (self.saving / self.list_price * 100).quantize(Decimal("1"))

    @property
    def unit_label(self) -> str:
        return self.get_pricing_model_display()

    @property
    def is_editable(self) -> bool:
        """Draft or rejected: the supplier may change it and submit it."""
        return self.LIFECYCLE.can(self, "submit")

    @property
    def is_waiting_for_approval(self) -> bool:
        return self.LIFECYCLE.can(self, "publish")

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    def certification_labels(self) -> list[str]:
        labels = dict(Certification.choices)
        names = [labels.get(code, code) for code in self.certifications]
        if self.other_certifications:
            names.append(self.other_certifications)
        return names

    def cpv_divisions(self) -> list[str]:
        return sorted({code[:2] for code in self.cpv_codes})


class RevisionFacet(models.Model):
    """One value of a multi-valued facet of a published revision (category, CPV division,
    certification), so that search can filter and count them with plain indexed joins."""

    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        CPV_DIVISION = "cpv", "CPV division"
        CERTIFICATION = "cert", "Certification"

    revision = models.ForeignKey(OfferRevision, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint("revision", "kind", "value", name="facet_unique_value")
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class SearchTerm(models.Model):
    """The vocabulary of published offers, for correcting misspelt and split/joined words."""

    word = models.CharField(max_length=60, unique=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


def _document_path(instance: OfferDocument, filename: str) -> str:
    return f"offer-documents/{instance.revision.offer_id}/{instance.sha256[:16]}.pdf"


class OfferDocument(models.Model):
    """A PDF attached to a revision. Copied by reference to later revisions."""

    MAX_BYTES = 10 * 1024 * 1024

    revision = models.ForeignKey(OfferRevision, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision", "title", "id"]

    def __str__(self) -> str:
        return self.title


class CatalogueImport(models.Model):
    """A staff upload of a catalogue file, processed in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="catalogue-imports/")
    original_name = models.CharField(max_length=255)
    framework_reference = models.CharField(max_length=30, blank=True)
    lot_slug = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    suppliers = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Moved by conditional UPDATEs (a worker claims the row), filtered on each move's sources.
    LIFECYCLE = Lifecycle(
        "status",
        {
            # A task delivered again restarts an import that is not yet done.
            "start": Move(from_=["queued", "running", "failed"], to="running"),
            "succeed": Move(from_=["queued", "running"], to="succeeded"),
            "fail": Move(from_=["queued", "running", "failed"], to="failed"),
        },
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.original_name}"

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.succeeded else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class VolumeTier(models.Model):
    """A lower unit price from a quantity upwards, stated on one revision of an offer (e.g.
    £9.50 per user per month from 1,000 users). Below the first tier the revision's price
    applies; `catalogue.volume_pricing.unit_price_for` picks the price for a quantity."""

    revision = models.ForeignKey(OfferRevision, on_delete=models.CASCADE, related_name="tiers")
    from_quantity = models.PositiveIntegerField("from this quantity")
    unit_price = models.DecimalField(
        "unit price (£)", max_digits=12, decimal_places=2, validators=_MONEY["validators"]
    )

    class Meta:
        ordering = ["revision", "from_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "from_quantity"], name="volume_tier_one_price_per_quantity"
            ),
            models.CheckConstraint(
                condition=models.Q(from_quantity__gt=1) & models.Q(unit_price__gte=0),
                name="volume_tier_from_above_one_and_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.unit_price} from {self.from_quantity:,}"
