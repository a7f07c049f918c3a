"""The buying playbook: guidance pages (staff-edited, versioned) and case studies that buyers
offer from their contracts and staff publish."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ndx.lifecycle import Lifecycle, Move

from .querysets import CaseStudyQuerySet


class GuidancePage(models.Model):
    """One page of the playbook. The title, summary and body shown are the latest version's;
    every save by staff writes a new GuidanceVersion, so earlier wording can be read back."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text="A safe subset of Markdown.")
    position = models.PositiveSmallIntegerField(default=100)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class GuidanceVersion(models.Model):
    page = models.ForeignKey(GuidancePage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="guidance_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.page.slug} v{self.number}"


class CaseStudy(models.Model):
    """A buyer's account of one contract (problem, approach, outcomes, figures), offered with
    the supplier's agreement and published by staff under /guidance/case-studies/."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"

    LIFECYCLE = Lifecycle(
        "status",
        {
            "publish": Move(from_="offered", to="published"),
            "decline": Move(from_="offered", to="declined"),
            "withdraw": Move(from_="published", to="declined"),
        },
    )

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="case_study"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_studies"
    )
    title = models.CharField(max_length=150)
    problem = models.TextField()
    approach = models.TextField()
    outcomes = models.TextField()
    figures = models.TextField(blank=True)
    supplier_agreed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    decline_reason = models.TextField(blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supplier_agreed=True), name="case_study_supplier_agreed"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def can_publish(self) -> bool:
        return self.LIFECYCLE.can(self, "publish")

    @property
    def can_decline(self) -> bool:
        return self.LIFECYCLE.can(self, "decline")

    @property
    def can_withdraw(self) -> bool:
        return self.LIFECYCLE.can(self, "withdraw")
