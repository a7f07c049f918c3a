"""Supplier organisations' public profile and their applications to lots.

(Their standing on a framework, FrameworkMembership, is a catalogue model.)"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

# A supplier's standing on a framework lives in the catalogue (which offers are buyable depends
# on it); importable from here as before.
from catalogue.models import FrameworkMembership  # noqa: F401
from ndx.lifecycle import Lifecycle, Move

from .querysets import LotApplicationQuerySet

# Companies House numbers: 8 digits, or a 2-letter prefix (SC, NI, OC, SO, NC, R0, ...)
# followed by 6 digits. Leading zeros are significant, so the number is kept as text.
COMPANY_NUMBER_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R0\d{6})$")


def normalise_company_number(value: str) -> str:
    number = re.sub(r"\s+", "", value or "").upper()
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    return number


def validate_company_number(value: str) -> None:
    if value and not COMPANY_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a Companies House number in the correct format, like 01234567 or SC123456",
            code="invalid",
        )


class Size(models.TextChoices):
    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


class HeadcountBand(models.TextChoices):
    UNDER_10 = "0-9", "Fewer than 10"
    UNDER_50 = "10-49", "10 to 49"
    UNDER_250 = "50-249", "50 to 249"
    OVER_250 = "250+", "250 or more"


class TurnoverBand(models.TextChoices):
    UP_TO_2M = "le2m", "£2 million or less"
    UP_TO_10M = "le10m", "More than £2 million, up to £10 million"
    UP_TO_44M = "le44m", "More than £10 million, up to £44 million"
    OVER_44M = "gt44m", "More than £44 million"


class BalanceSheetBand(models.TextChoices):
    UP_TO_2M = "le2m", "£2 million or less"
    UP_TO_10M = "le10m", "More than £2 million, up to £10 million"
    UP_TO_38M = "le38m", "More than £10 million, up to £38 million"
    OVER_38M = "gt38m", "More than £38 million"


class Region(models.TextChoices):
    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and The Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"
    OUTSIDE_UK = "outside-uk", "Outside the UK"


# Ceilings per size, by band order: (headcount, turnover, balance sheet). The UK definition
# (as in the Procurement Act guidance and the EU recommendation it follows): a business is
# of a size when it has fewer staff than the ceiling AND its turnover OR its balance sheet
# total is within that size's limit. Medium: < 250 staff and turnover <= £44m or balance
# sheet <= £38m.
_HEADCOUNT_RANK = {b: i for i, b in enumerate(HeadcountBand.values)}
_TURNOVER_RANK = {b: i for i, b in enumerate(TurnoverBand.values)}
_BALANCE_RANK = {b: i for i, b in enumerate(BalanceSheetBand.values)}
_SIZES_BY_RANK = [Size.MICRO, Size.SMALL, Size.MEDIUM]


def classify_size(headcount: str, turnover: str, balance_sheet: str) -> str:
    """The size (micro, small, medium, large) from the three bands; '' if any is unknown."""
    if not headcount or not (turnover or balance_sheet):
        return ""
    staff_rank = _HEADCOUNT_RANK[headcount]
    money_ranks = []
    if turnover:
        money_ranks.append(_TURNOVER_RANK[turnover])
    if balance_sheet:
        money_ranks.append(_BALANCE_RANK[balance_sheet])
    # Turnover OR balance sheet: the better (smaller) of the two counts.
    rank = max(staff_rank, min(money_ranks))
    return _SIZES_BY_RANK[rank] if rank < len(_SIZES_BY_RANK) else Size.LARGE


class SupplierProfile(models.Model):
    """What a supplier organisation tells buyers about itself. One per supplier organisation."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="supplier_profile",
        limit_choices_to={"kind": "supplier"},
    )
    legal_name = models.CharField(max_length=200)
    trading_name = models.CharField(max_length=200, blank=True)
    companies_house_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number]
    )
    address_line_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    headcount_band = models.CharField(max_length=10, choices=HeadcountBand.choices, blank=True)
    turnover_band = models.CharField(max_length=10, choices=TurnoverBand.choices, blank=True)
    balance_sheet_band = models.CharField(
        max_length=10, choices=BalanceSheetBand.choices, blank=True
    )
    # Derived from the bands by the service that saves a profile; for imported suppliers,
    # who state only whether they are an SME, size stays empty and is_sme is what they said.
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    is_sme = models.BooleanField("SME", null=True, blank=True)
    is_vcse = models.BooleanField("VCSE", default=False)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                "companies_house_number",
                condition=~Q(companies_house_number=""),
                name="supplierprofile_unique_company_number",
            ),
            models.CheckConstraint(
                condition=~Q(size="large") | Q(is_sme=False),
                name="supplierprofile_large_is_not_sme",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def size_label(self) -> str:
        if self.size:
            return self.get_size_display()
        if self.is_sme is True:
            return "SME (size not stated)"
        if self.is_sme is False:
            return "Large"
        return "Not stated"

    @property
    def sme_label(self) -> str:
        return {True: "SME", False: "Not an SME", None: "Not stated"}[self.is_sme]

    @property
    def is_complete(self) -> bool:
        return bool(
            self.legal_name
            and self.companies_house_number
            and self.postcode
            and self.region
            and self.size
            and self.contact_email
        )


class LotApplication(models.Model):
    """A supplier asks to join a lot, answering the framework's declaration questions."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="lot_applications"
    )
    lot = models.ForeignKey("catalogue.Lot", on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # [{"question_id", "question", "answer"}] as asked and answered at the time.
    answers = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = LotApplicationQuerySet.as_manager()

    LIFECYCLE = Lifecycle(
        "status",
        {
            "approve": Move(from_="submitted", to="approved"),
            "reject": Move(from_="submitted", to="rejected"),
            "withdraw": Move(from_="submitted", to="withdrawn"),
            # Removed from the framework: its approvals there are withdrawn.
            "withdraw_on_removal": Move(from_="approved", to="withdrawn"),
        },
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "supplier",
                "lot",
                condition=Q(status__in=["submitted", "approved"]),
                name="one_open_or_approved_application_per_lot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} applying to {self.lot}"

    @property
    def is_waiting(self) -> bool:
        """Not yet decided: staff may approve or reject it, the supplier withdraw it."""
        return self.LIFECYCLE.can(self, "approve")

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED
