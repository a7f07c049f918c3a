"""Connecting the ORM-free matching engine to the catalogue: documents, index builds that swap
in atomically, incremental changes, and matching a buyer's requirement (frozen as a MatchRun)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone

from catalogue.models import Certification, HostingLocation, Offer, RevisionFacet
from catalogue.pricing import Estimate, estimate_cost
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from .engine import (
    ENGINE_VERSION,
    EngineConfig,
    Filters,
    Index,
    allowed_row_mask,
    build_index,
    related_results,
)
from .models import IndexBuild, IndexChange, MatchRun
from .publication import announce, index_publish, publications_prune

log = logging.getLogger(__name__)

TOP_OFFERS = 60  # ranked before the relevance floor cuts the list
TOP_SUPPLIERS = 10
KEEP_BUILD_FILES = 3


# --- documents -------------------------------------------------------------------------------


def offer_document(offer: Offer) -> dict[str, Any]:
    """The engine's view of a published offer (its published revision)."""
    revision = offer.published_revision
    return {
        "id": str(offer.pk),
        "title": revision.title,
        "summary": revision.summary,
        "description": revision.description,
        "features": [*revision.features, *revision.benefits],
        "categories": list(revision.categories),
        "supplier_id": str(offer.supplier_id),
        "supplier_name": offer.supplier.name,
        "price": str(revision.price) if revision.price is not None else None,
        "lot_id": str(offer.lot_id),
        "hosting_location": revision.hosting_location or None,
        "certifications": list(revision.certifications),
        "rating": float(offer.rating_average) if offer.rating_average is not None else None,
    }


def indexable_offers():
    return Offer.objects.buyable().select_related("published_revision", "supplier")


def iter_documents(queryset=None, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    queryset = queryset if queryset is not None else indexable_offers()
    for offer in queryset.order_by("pk").iterator(chunk_size=chunk_size):
        yield offer_document(offer)


def engine_config() -> EngineConfig:
    return EngineConfig()


def make_embedder():
    if not settings.MATCHING_EMBEDDINGS:
        return None
    from .engine import SentenceTransformerEmbedder

    if not SentenceTransformerEmbedder.available():
        raise RuntimeError(
            "NDX_MATCHING_EMBEDDINGS=1 but the embeddings extra is not installed: "
            "pip install .[embeddings]"
        )
    return SentenceTransformerEmbedder()


# --- full builds -----------------------------------------------------------------------------


def index_dir() -> Path:
    path = Path(settings.MATCHING_INDEX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def index_build_queue(*, actor=None) -> IndexBuild:
    """Ask the worker for a full rebuild. The current index keeps serving meanwhile."""
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only platform staff can rebuild the matching index.")
    with transaction.atomic():
        build = IndexBuild.objects.create(requested_by=actor, engine_version=ENGINE_VERSION)
        if actor is not None:
            audit_record(actor=actor, action="matching.index_build_requested", obj=build)
        enqueue_on_commit("matching.tasks.build_matching_index", build.pk)
    return build


def index_rebuild_for_engine() -> IndexBuild | None:
    """The loaded index file is from another engine version: queue one rebuild, unless a
    build is already queued or running (web processes ask every time they check). Idempotent."""
    if IndexBuild.objects.running().exists():
        return None
    return index_build_queue()


def _progress(build: IndexBuild, percent: int, stage: str, **fields: Any) -> None:
    IndexBuild.objects.filter(pk=build.pk).update(
        progress=percent, stage=stage, heartbeat_at=timezone.now(), **fields
    )


INTERRUPTED_AFTER = timedelta(minutes=15)


def index_builds_mark_interrupted(*, now: datetime | None = None) -> int:
    """A build whose worker died (killed, restarted) stays "running" with no heartbeat:
    mark it failed so staff see it and a new build can be asked for. Idempotent."""
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        stale = (
            IndexBuild.objects.select_for_update()
            .filter(status=IndexBuild.Status.RUNNING)
            .filter(
                Q(heartbeat_at__lt=now - INTERRUPTED_AFTER)
                | Q(heartbeat_at__isnull=True, started_at__lt=now - INTERRUPTED_AFTER)
            )
        )
        for build in stale:
            IndexBuild.LIFECYCLE.apply(build, "interrupt")
            build.error = "Interrupted: the worker stopped before the build finished."
            build.stage = "Interrupted"
            build.finished_at = now
            build.save(update_fields=["status", "error", "stage", "finished_at"])
            marked += 1
    return marked


def _write_atomically(index: Index, build: IndexBuild) -> Path:
    """Save the index folder (matching/engine/storage.py) under its build's name: written in a
    temporary folder and renamed into place, so a reader never sees half a build."""
    target = index_dir() / f"index-{build.pk}"
    index.save(target)
    return target


def _make_current(build: IndexBuild) -> bool:
    """Swap this build in, unless a build started later is already current. Retries once
    when another build swaps at the same moment (the unique constraint keeps one current)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                current = IndexBuild.objects.select_for_update().filter(is_current=True).first()
                if current is not None and current.changes_upto > build.changes_upto:
                    return False
                IndexBuild.objects.filter(is_current=True).update(is_current=False)
                IndexBuild.objects.filter(pk=build.pk).update(is_current=True)
                return True
        except IntegrityError:
            time.sleep(0.05)
    raise RuntimeError("Could not make the new index current: another build kept swapping in")


def _prune_files() -> None:
    keep = set(
        IndexBuild.objects.filter(status="succeeded")
        .order_by("-is_current", "-finished_at")
        .values_list("path", flat=True)[:KEEP_BUILD_FILES]
    )
    # index-<pk> folders, and index-<pk>.bin files written by engines before 1.2
    for path in index_dir().glob("index-*"):
        if str(path) not in keep:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def index_build_run(*, build_id: int) -> IndexBuild:
    """Build the whole index from the published catalogue and swap it in atomically.

    Idempotent: a build that has already started or finished is not run again. On any
    error the build is marked failed (with the error) and the previous index stays current.
    """
    with transaction.atomic():
        build = IndexBuild.objects.select_for_update().get(pk=build_id)
        if not build.can_start:
            return build
        IndexBuild.LIFECYCLE.apply(build, "start")
        build.started_at = build.heartbeat_at = timezone.now()
        build.engine_version = ENGINE_VERSION
        build.save(update_fields=["status", "started_at", "heartbeat_at", "engine_version"])
    started = time.perf_counter()
    try:
        # Changes recorded from here on are applied on top of this snapshot by web processes.
        upto = IndexChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        queryset = indexable_offers()
        total = queryset.count()
        _progress(build, 2, "Reading offers", offers_total=total, changes_upto=upto)
        documents = []
        for document in iter_documents(queryset):
            documents.append(document)
            if len(documents) % 5000 == 0:
                _progress(
                    build,
                    2 + int(38 * len(documents) / max(total, 1)),
                    f"Read {len(documents)} of {total} offers",
                )
        _progress(build, 40, "Building vectors and the semantic model")
        embedder = make_embedder()
        index = build_index(documents, engine_config(), embedder=embedder)
        _progress(build, 90, "Saving the index")
        path = _write_atomically(index, build)
        if settings.MATCHING_PUBLISH_INDEX:  # for nodes that share no disk with this worker
            _progress(build, 95, "Publishing the index for other nodes")
            index_publish(build_id=build.pk, folder=path)
        IndexBuild.LIFECYCLE.apply(build, "succeed")
        build.changes_upto = upto
        build.path = str(path)
        build.offers_total = total
        build.offers_indexed = len(index)
        build.embeddings = embedder is not None
        build.progress = 100
        build.stage = "Done"
        build.finished_at = build.heartbeat_at = timezone.now()
        build.seconds = round(time.perf_counter() - started, 3)
        build.save(
            update_fields=[
                "status",
                "changes_upto",
                "path",
                "offers_total",
                "offers_indexed",
                "embeddings",
                "progress",
                "stage",
                "finished_at",
                "heartbeat_at",
                "seconds",
            ]
        )
        if _make_current(build):
            index_changes_prune()
            if settings.MATCHING_PUBLISH_INDEX:
                publications_prune()
                transaction.on_commit(lambda: announce(build.pk))
        _prune_files()
    except Exception as exc:
        _build_failed(build, exc, seconds=round(time.perf_counter() - started, 3))
        log.exception("matching index build %s failed", build.pk)
        raise
    build.refresh_from_db()
    return build


def _build_failed(build: IndexBuild, exc: Exception, *, seconds: float) -> None:
    """Record the error on a build that was running. A build that has already succeeded (the
    error came while swapping it in) or was marked interrupted meanwhile keeps its status."""
    with transaction.atomic():
        build = IndexBuild.objects.select_for_update().get(pk=build.pk)
        if not IndexBuild.LIFECYCLE.can(build, "fail"):
            return
        IndexBuild.LIFECYCLE.apply(build, "fail")
        build.error = f"{type(exc).__name__}: {exc}"[:5000]
        build.finished_at = timezone.now()
        build.seconds = seconds
        build.stage = "Failed"
        build.save(update_fields=["status", "error", "finished_at", "seconds", "stage"])


def index_rebuild_now(*, actor=None) -> IndexBuild:
    """Build synchronously (manage.py reindex, demo data)."""
    build = IndexBuild.objects.create(requested_by=actor, engine_version=ENGINE_VERSION)
    return index_build_run(build_id=build.pk)


# --- incremental changes ---------------------------------------------------------------------


def queue_offer_reindex(offer_ids: Iterable[int]) -> None:
    """After the current transaction commits, record the offers' new matching documents."""
    ids = sorted({int(i) for i in offer_ids})
    if not ids:
        return
    enqueue_on_commit("matching.tasks.update_matching_index", ids)


def index_offers_changed(*, offer_ids: Iterable[int]) -> int:
    """Record each offer's current document (or its removal). Idempotent: recording the
    same state twice is harmless, because applying a change is an upsert or a removal."""
    ids = sorted({int(i) for i in offer_ids})
    visible = {o.pk: o for o in indexable_offers().filter(pk__in=ids)}
    changes = [
        IndexChange(
            offer_id=offer_id,
            document=offer_document(visible[offer_id]) if offer_id in visible else None,
        )
        for offer_id in ids
    ]
    with transaction.atomic():
        IndexChange.objects.bulk_create(changes)
        index_changes_prune(offer_ids=ids)
    return len(changes)


# Rows younger than this are never pruned: far longer than any web process takes to notice a
# new build (MATCHING_REFRESH_SECONDS, a second) or to apply a batch of changes.
PRUNE_CHANGES_AFTER = timedelta(minutes=10)


def index_changes_prune(
    *, offer_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Delete IndexChange rows that no process can still need. Returns how many went.

    Every web process polls IndexChange about once a second and applies the rows after the last
    one it applied, starting from its build's `changes_upto`. A row can go when it is older than
    PRUNE_CHANGES_AFTER and either
    1. the current build already contains it (id <= current.changes_upto): a process that loads
       the current build starts after it, and a process still serving an older build switches
       to the current one at its next check, well within the window; or
    2. a newer row for the same offer exists: each row carries the offer's whole document (or
       its removal), and a process applies only the newest row of each offer it reads, so the
       newer row gives every process the same index.
    Run after each build is swapped in (rule 1 over the whole table), after each batch of
    offer changes (rule 2 for those offers), and by the `matching.tasks.prune_index_changes`
    task (both rules, whole table). Idempotent.
    """
    cutoff = (now or timezone.now()) - PRUNE_CHANGES_AFTER
    old = IndexChange.objects.filter(created_at__lt=cutoff)
    removed = 0
    current = IndexBuild.objects.current().first()
    if current is not None and current.changes_upto:
        removed += old.filter(id__lte=current.changes_upto).delete()[0]
    superseded = old.filter(
        Exists(IndexChange.objects.filter(offer_id=OuterRef("offer_id"), id__gt=OuterRef("id")))
    )
    if offer_ids is not None:
        superseded = superseded.filter(offer_id__in=sorted({int(i) for i in offer_ids}))
    removed += superseded.delete()[0]
    return removed


def pending_changes() -> int:
    current = IndexBuild.objects.current().first()
    upto = current.changes_upto if current else 0
    return IndexChange.objects.filter(id__gt=upto).count()


# --- matching a requirement ------------------------------------------------------------------


def estimated_cost(price: Decimal | None, pricing_model: str, users: int | None) -> Estimate | None:
    """The cost for the requirement's number of users (catalogue/pricing.py), or None."""
    return estimate_cost(pricing_model=pricing_model, price=price, quantity=users)


def _cost_expression(users: int | None):
    """`estimate_cost` in SQL (a day rate is compared as it is)."""
    quantity = max(users or 1, 1)
    money = DecimalField(max_digits=20, decimal_places=2)
    price = F("published_revision__price")
    return Case(
        When(
            published_revision__pricing_model="per_user_month",
            then=ExpressionWrapper(price * Value(quantity * 12), output_field=money),
        ),
        When(
            published_revision__pricing_model__in=["per_licence", "per_unit"],
            then=ExpressionWrapper(price * Value(quantity), output_field=money),
        ),
        default=price,
        output_field=money,
    )


def eligible_offers(*, actor, requirement):
    """Every hard criterion, checked in the database at match time: visible to this buyer,
    published on a live framework by a supplier in good standing, in the preferred lot or
    framework, hosted where allowed, holding every required certification, within budget."""
    qs = Offer.objects.visible_to(actor).buyable()
    if requirement.lot_id:
        qs = qs.filter(lot_id=requirement.lot_id)
    elif requirement.framework_id:
        qs = qs.filter(lot__framework_id=requirement.framework_id)
    if requirement.hosting_locations:
        qs = qs.filter(published_revision__hosting_location__in=requirement.hosting_locations)
    for cert in requirement.certifications:
        qs = qs.filter(
            published_revision__facets__kind=RevisionFacet.Kind.CERTIFICATION,
            published_revision__facets__value=cert,
        )
    if requirement.budget_max is not None:
        qs = qs.annotate(estimated_cost=_cost_expression(requirement.user_count)).filter(
            Q(published_revision__price__isnull=True)
            | Q(estimated_cost__lte=requirement.budget_max)
        )
    return qs


def hard_need_failures(offer: Offer, requirement) -> list[str]:
    """Why an offer fails the requirement's hard needs, in plain words ([] when it meets them)."""
    revision = offer.published_revision
    reasons: list[str] = []
    if requirement.lot_id and offer.lot_id != requirement.lot_id:
        reasons.append(f"In another lot ({offer.lot.name}); you chose {requirement.lot.name}.")
    elif requirement.framework_id and offer.lot.framework_id != requirement.framework_id:
        reasons.append(
            f"On another framework ({offer.lot.framework.name}); "
            f"you chose {requirement.framework.name}."
        )
    if requirement.hosting_locations and revision.hosting_location not in set(
        requirement.hosting_locations
    ):
        wanted = ", ".join(
            str(HostingLocation(h).label) if h in HostingLocation.values else h
            for h in requirement.hosting_locations
        )
        have = revision.get_hosting_location_display() or "not stated"
        reasons.append(f"Hosting is {have}; you need {wanted}.")
    missing = [c for c in requirement.certifications if c not in set(revision.certifications)]
    if missing:
        labels = ", ".join(
            str(Certification(c).label) if c in Certification.values else c for c in missing
        )
        reasons.append(f"Does not hold {labels}.")
    estimate = estimated_cost(revision.price, revision.pricing_model, requirement.user_count)
    over = estimate.over_budget_by(requirement.budget_max) if estimate is not None else None
    if over is not None:
        reasons.append(f"£{over:,.0f} {estimate.basis} over your budget.")
    return reasons


def _cost_text(entry: dict[str, Any], requirement) -> str:
    if entry.get("price") is None:
        return "Price not stated."
    label = entry.get("estimate_label")
    if not label:
        return f"£{Decimal(entry['price']):,.2f} {entry['unit']}."
    users = entry.get("estimate_quantity") or 0  # 1 for a fixed price: not per user
    for_whom = f" for {users} users" if users > 1 else ""
    text = f"Estimated {label}{for_whom} (£{Decimal(entry['price']):,.2f} {entry['unit']})"
    if requirement.budget_max is not None:
        verdict = "within" if Decimal(entry["estimated_cost"]) <= requirement.budget_max else "over"
        text += f", {verdict} your budget of up to £{requirement.budget_max:,.2f}"
    return text + "."


def _explanation_text(entry: dict[str, Any], requirement) -> str:
    explanation = entry["explanation"]
    parts = [explanation.get("words_text") or ""]
    parts.append(_cost_text(entry, requirement))
    if entry.get("rating") is None:
        parts.append("Not yet rated.")
    else:
        parts.append(f"Rated {entry['rating']:.1f} out of 5.")
    return " ".join(p for p in parts if p)


def _entry(result, offer: Offer, requirement, rank: int) -> dict[str, Any]:
    revision = offer.published_revision
    estimate = estimated_cost(revision.price, revision.pricing_model, requirement.user_count)
    profile = getattr(offer.supplier, "supplier_profile", None)
    entry = {
        "rank": rank,
        "offer_id": offer.pk,
        "revision_id": revision.pk,
        "revision_number": revision.number,
        "title": revision.title,
        "summary": revision.summary,
        "supplier_id": offer.supplier_id,
        "supplier": offer.supplier.name,
        "sme": profile.is_sme if profile else None,
        "lot": f"{offer.lot.framework.name}: {offer.lot.name}",
        "lot_id": offer.lot_id,
        "price": str(revision.price) if revision.price is not None else None,
        "unit": revision.get_pricing_model_display(),
        "estimated_cost": str(estimate.amount) if estimate is not None else None,
        "estimate_label": estimate.label() if estimate is not None else None,
        "estimate_basis": estimate.basis if estimate is not None else None,
        "estimate_quantity": estimate.quantity if estimate is not None else None,
        "rating": float(offer.rating_average) if offer.rating_average is not None else None,
        "score": round(result.score, 6),
        "explanation": result.explanation.as_dict(),
    }
    budget = requirement.budget_max
    if estimate is not None and budget is not None:
        entry["explanation"]["within_budget"] = estimate.amount <= budget
    entry["explanation"]["text"] = _explanation_text(entry, requirement)
    return entry


def requirement_match(*, actor, requirement) -> MatchRun:
    """Rank offers and suppliers for a submitted requirement and freeze the ranking.

    The whole market the buyer may see is ranked. Offers that meet every hard need are the
    matches, down to the relevance floor (`relevance_floor` x the best match's score: below it
    offers are not related); offers that fail a hard need (lot, hosting, certificate, budget)
    but score within the floor of the best of them are kept apart with the reasons, so the
    buyer sees the real market.
    """
    from buying.models import Requirement

    if requirement.organisation_id != getattr(actor.organisation, "pk", None):
        raise PermissionDenied("You can only match your own organisation's requirements.")
    if requirement.status != Requirement.Status.SUBMITTED:
        raise ValidationError("Submit the requirement before looking for matches.")
    from .runtime import current_index

    loaded = current_index()
    if loaded is None:
        raise ValidationError(
            "Matching is not ready yet: the catalogue has not been indexed. Try again in a minute."
        )
    started = time.perf_counter()
    market_ids = np.fromiter(
        Offer.objects.visible_to(actor).buyable().values_list("pk", flat=True), dtype=np.int64
    )
    eligible = eligible_offers(actor=actor, requirement=requirement)
    allowed_ids = np.fromiter(eligible.values_list("pk", flat=True), dtype=np.int64)
    allowed = {str(pk) for pk in allowed_ids.tolist()}
    text = requirement.matching_text()
    from .runtime import index_lock

    with index_lock:  # never search while incremental changes are being applied
        # Row masks built under the same lock, so they match the index rows searched. The
        # whole market the buyer may see is ranked; the eligible offers are split out below.
        market = Filters(allowed_rows=allowed_row_mask(loaded.index, market_ids))
        results = loaded.index.search(text, top_k=TOP_OFFERS, filters=market, explain=True)
        supplier_results = loaded.index.rank_suppliers(
            text,
            top_k=TOP_SUPPLIERS,
            filters=Filters(allowed_rows=allowed_row_mask(loaded.index, allowed_ids)),
            explain=False,
        )
    # each list ends at the relevance floor below its own best offer (on the development split,
    # where nothing is filtered, the two are the same calibrated floor)
    floor = loaded.index.config.relevance_floor
    related = related_results([r for r in results if r.id in allowed], floor)
    related += related_results([r for r in results if r.id not in allowed], floor)
    related.sort(key=lambda r: r.rank)
    offers = {
        o.pk: o
        for o in Offer.objects.filter(pk__in=[int(r.id) for r in related]).select_related(
            "published_revision", "supplier__supplier_profile", "lot__framework"
        )
    }
    entries: list[dict[str, Any]] = []
    near_misses: list[dict[str, Any]] = []
    for result in related:
        offer = offers.get(int(result.id))
        if offer is None:
            continue
        if result.id in allowed:
            entries.append(_entry(result, offer, requirement, len(entries) + 1))
        else:
            entry = _entry(result, offer, requirement, len(near_misses) + 1)
            entry["reasons"] = hard_need_failures(offer, requirement) or [
                "Does not meet one of your hard needs."
            ]
            near_misses.append(entry)
    suppliers = [
        {
            "rank": s.rank,
            "supplier_id": int(s.supplier_id) if s.supplier_id.isdigit() else s.supplier_id,
            "supplier": s.supplier_name,
            "score": round(s.score, 6),
            "offers": [{"offer_id": int(r.id), "title": r.document.title} for r in s.offers],
        }
        for s in supplier_results
    ]
    elapsed = (time.perf_counter() - started) * 1000
    with transaction.atomic():
        run = MatchRun.objects.create(
            requirement=requirement,
            created_by=actor,
            engine_version=ENGINE_VERSION,
            index_build_id=loaded.build_id,
            query_text=text,
            filters={
                "lot": requirement.lot_id,
                "framework": requirement.framework_id,
                "hosting_locations": requirement.hosting_locations,
                "certifications": requirement.certifications,
                "budget_max": str(requirement.budget_max) if requirement.budget_max else None,
                "user_count": requirement.user_count,
                "relevance_floor": loaded.index.config.relevance_floor,
            },
            offers=entries,
            near_misses=near_misses,
            suppliers=suppliers,
            eligible_offers=len(allowed),
            milliseconds=round(elapsed, 1),
        )
        audit_record(
            actor=actor,
            action="matching.requirement_matched",
            obj=requirement,
            detail={"run": run.pk, "engine_version": ENGINE_VERSION, "results": len(entries)},
        )
    return run
