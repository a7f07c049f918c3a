"""Matching index builds, incremental changes, and frozen match runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ndx.lifecycle import Lifecycle, Move


class IndexBuildQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def running(self):
        """Builds in progress: queued or building (see IndexBuild.is_in_progress)."""
        return self.filter(status__in=[IndexBuild.Status.QUEUED, IndexBuild.Status.RUNNING])


class IndexBuild(models.Model):
    """One full build of the matching index. Exactly one succeeded build is current."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    engine_version = models.CharField(max_length=40, blank=True)
    embeddings = models.BooleanField(default=False)
    is_current = models.BooleanField(default=False)
    path = models.CharField(max_length=500, blank=True)
    offers_total = models.PositiveIntegerField(default=0)
    offers_indexed = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=100, blank=True)
    # Changes with a sequence number up to this one are already in this build's snapshot.
    changes_upto = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Updated with every progress step; a running build silent for long was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    objects = IndexBuildQuerySet.as_manager()

    # A build is queued, a worker starts it, and it ends succeeded or failed (a worker that
    # died mid-build is found by its silent heartbeat and marked failed: "interrupt").
    LIFECYCLE = Lifecycle(
        "status",
        {
            "start": Move(from_="queued", to="running"),
            "succeed": Move(from_="running", to="succeeded"),
            "fail": Move(from_="running", to="failed"),
            "interrupt": Move(from_="running", to="failed"),
        },
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_index"
            )
        ]

    def __str__(self) -> str:
        return f"Index build {self.pk} ({self.get_status_display()})"

    @property
    def can_start(self) -> bool:
        return self.LIFECYCLE.can(self, "start")

    @property
    def is_in_progress(self) -> bool:
        """Queued or building: the current index keeps serving meanwhile."""
        return self.can_start or self.LIFECYCLE.can(self, "succeed")


class IndexChange(models.Model):
    """An offer's matching document changed (or it left the catalogue). Web processes apply
    changes newer than their build on top of it, so updates show within seconds."""

    offer_id = models.BigIntegerField(db_index=True)
    # The engine document as a mapping, or null when the offer must be removed.
    document = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Change {self.pk} to offer {self.offer_id}"


class MatchRun(models.Model):
    """A ranking shown to a buyer, frozen with the engine version, so it can be audited."""

    requirement = models.ForeignKey(
        "buying.Requirement", on_delete=models.CASCADE, related_name="match_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    engine_version = models.CharField(max_length=40)
    index_build = models.ForeignKey(
        IndexBuild, null=True, on_delete=models.SET_NULL, related_name="match_runs"
    )
    query_text = models.TextField()
    filters = models.JSONField(default=dict)
    # [{"rank", "offer_id", "revision_id", "score", "explanation": {...}, "title", "supplier"}]
    offers = models.JSONField(default=list)
    # related offers that fail a hard need, each with "reasons" (plain words)
    near_misses = models.JSONField(default=list, blank=True)
    suppliers = models.JSONField(default=list)
    eligible_offers = models.PositiveIntegerField(default=0)
    milliseconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Matches for {self.requirement} at {self.created_at:%Y-%m-%d %H:%M}"


class PublishedIndex(models.Model):
    """A build's index files packed into one archive and stored in the database in chunks, so
    a node that shares no disk with the worker can fetch it, check it and swap it in
    (matching/publication.py)."""

    build = models.OneToOneField(IndexBuild, on_delete=models.CASCADE, related_name="publication")
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    chunk_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Published index of build {self.build_id} ({self.size} bytes)"


class PublishedIndexChunk(models.Model):
    publication = models.ForeignKey(PublishedIndex, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["publication", "number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="one_chunk_per_number")
        ]

    def __str__(self) -> str:
        return f"Chunk {self.number} of {self.publication_id}"
