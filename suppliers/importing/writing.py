"""Writing a checked plan: suppliers (with a profile, approved on the lot, active on the
framework), new offers published, changed offers given a new published version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from catalogue.models import (
    CatalogueImport,
    Framework,
    FrameworkMembership,
    Lot,
    Offer,
    OfferDocument,
    OfferRevision,
)
from catalogue.search_index import queue_matching_update, revision_search_index
from ndx.accounts.models import Organisation, User
from ndx.audit.services import audit_record

from ..models import LotApplication
from ..services import supplier_profile_from_import
from .formats import (
    BATCH_SIZE,
    IMPORT_LOT_NAME,
    IMPORT_LOT_SLUG,
    IMPORT_MARKET_NAME,
    IMPORT_MARKET_REFERENCE,
    ImportRow,
    chunks,
)
from .planning import ImportPlan


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    suppliers: int
    framework: str
    lot: str

    @property
    def summary(self) -> str:
        return (
            f"imported {self.rows} offers ({self.created} created, {self.updated} updated) "
            f"from {self.suppliers} suppliers"
        )


def _import_market(now: datetime) -> tuple[Framework, Lot]:
    framework = Framework.objects.filter(reference=IMPORT_MARKET_REFERENCE).first()
    if framework is None:
        framework = Framework.objects.create(
            name=IMPORT_MARKET_NAME,
            reference=IMPORT_MARKET_REFERENCE,
            kind=Framework.Kind.DYNAMIC_MARKET,
            description=(
                "Offers imported in bulk from catalogue files. A dynamic market, so that "
                "imported offers are visible to buyers, search and matching at once."
            ),
            status=Framework.Status.LIVE,
            starts_on=timezone.localdate(),
            approved_at=now,
        )
        audit_record(
            action="framework.created",
            obj=framework,
            detail={"reference": framework.reference, "by": "catalogue import (system)"},
        )
    lot = framework.lots.filter(slug=IMPORT_LOT_SLUG).first()
    if lot is None:
        number = (framework.lots.aggregate(n=Max("number"))["n"] or 0) + 1
        lot = Lot.objects.create(
            framework=framework,
            number=number,
            slug=IMPORT_LOT_SLUG,
            name=IMPORT_LOT_NAME,
            description="Offers imported from catalogue files.",
            direct_award_allowed=True,
            categories=[],
        )
        audit_record(
            action="lot.created",
            obj=lot,
            detail={"framework": framework.reference, "by": "catalogue import (system)"},
        )
    return framework, lot


def _ensure_suppliers(plan: ImportPlan, framework: Framework, lot: Lot, now: datetime) -> None:
    """Find or create each supplier, with a profile, approved on the lot and active on the
    framework."""
    firsts: dict[str, ImportRow] = {}
    for row in plan.rows:
        firsts.setdefault(row.supplier_key, row)
    for key, row in firsts.items():
        organisation = plan.suppliers.get(key)
        if organisation is None:
            organisation = Organisation.objects.create(
                name=row.supplier_name, kind=Organisation.Kind.SUPPLIER
            )
            plan.suppliers[key] = organisation
        supplier_profile_from_import(organisation=organisation, sme=row.sme)
    supplier_ids = [plan.suppliers[key].pk for key in firsts]
    members, approved, waiting = set(), set(), []
    for chunk in chunks(supplier_ids):
        members.update(
            FrameworkMembership.objects.filter(
                framework=framework, supplier_id__in=chunk
            ).values_list("supplier_id", flat=True)
        )
        for application in LotApplication.objects.filter(
            lot=lot, supplier_id__in=chunk, status__in=["submitted", "approved"]
        ):
            approved.add(application.supplier_id)
            if application.status == LotApplication.Status.SUBMITTED:
                waiting.append(application.pk)
    if waiting:
        # An application waiting for review is approved by the import that lists the offers.
        approve = LotApplication.LIFECYCLE.move("approve")
        LotApplication.objects.filter(pk__in=waiting, status__in=approve.sources).update(
            status=approve.to, decided_at=now
        )
    LotApplication.objects.bulk_create(
        [
            LotApplication(
                supplier_id=pk, lot=lot, status=LotApplication.Status.APPROVED, decided_at=now
            )
            for pk in supplier_ids
            if pk not in approved
        ],
        batch_size=BATCH_SIZE,
    )
    FrameworkMembership.objects.bulk_create(
        [
            FrameworkMembership(supplier_id=pk, framework=framework)
            for pk in supplier_ids
            if pk not in members
        ],
        batch_size=BATCH_SIZE,
    )


def _differs(offer: Offer, content: dict[str, Any]) -> bool:
    current = offer.published_revision or offer.working_revision
    if current is None:
        return True
    return any(getattr(current, key) != value for key, value in content.items())


def write_plan(
    plan: ImportPlan, *, actor: User | None, catalogue_import: CatalogueImport | None
) -> ImportResult:
    now = timezone.now()
    if plan.lot is None:
        framework, lot = _import_market(now)
    else:
        framework, lot = plan.lot.framework, plan.lot
    _ensure_suppliers(plan, framework, lot, now)

    new_rows = [row for row in plan.rows if row.external_id not in plan.existing]
    changed = [
        (row, plan.existing[row.external_id])
        for row in plan.rows
        if row.external_id in plan.existing
        and _differs(plan.existing[row.external_id], row.content)
    ]

    indexed: list[int] = []
    new_offer_ids: list[int] = []
    # New offers: offers first (drafts: a published offer needs its revision), then their
    # first revisions, then publish them all with one UPDATE per batch.
    for batch in chunks(new_rows):
        offers = Offer.objects.bulk_create(
            [
                Offer(
                    supplier=plan.suppliers[row.supplier_key],
                    lot=lot,
                    external_id=row.external_id,
                    status=Offer.Status.DRAFT,
                )
                for row in batch
            ]
        )
        published = OfferRevision.objects.bulk_create(
            [
                OfferRevision(
                    offer=offer,
                    number=1,
                    status=OfferRevision.Status.PUBLISHED,
                    published_at=now,
                    **row.content,
                )
                for offer, row in zip(offers, batch, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        indexed.extend(revision.pk for revision in published)
        new_offer_ids.extend(offer.pk for offer in offers)
        first_revision = OfferRevision.objects.filter(offer=OuterRef("pk"), number=1).values("pk")
        Offer.objects.filter(pk__in=[offer.pk for offer in offers]).update(
            published_revision=Subquery(first_revision[:1]),
            status=Offer.Status.PUBLISHED,
            first_published_at=now,
            updated_at=now,
        )

    # Changed offers: a new published version; the one it replaces is kept, superseded.
    for batch in chunks(changed):
        offer_ids = [offer.pk for _row, offer in batch]
        latest = dict(
            OfferRevision.objects.filter(offer_id__in=offer_ids)
            .values("offer_id")
            .annotate(n=Max("number"))
            .values_list("offer_id", "n")
        )
        revisions = []
        for row, offer in batch:
            previous = offer.published_revision or offer.working_revision
            kept = {key: getattr(previous, key) for key in OfferRevision.CONTENT_FIELDS}
            revisions.append(
                OfferRevision(
                    offer=offer,
                    number=latest.get(offer.pk, 0) + 1,
                    status=OfferRevision.Status.PUBLISHED,
                    published_at=now,
                    **{**kept, **row.content},
                )
            )
        revisions = OfferRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
        indexed.extend(revision.pk for revision in revisions)
        superseded = [o.published_revision_id for _r, o in batch if o.published_revision_id]
        supersede = OfferRevision.LIFECYCLE.move("supersede")
        OfferRevision.objects.filter(pk__in=superseded, status__in=supersede.sources).update(
            status=supersede.to, updated_at=now
        )
        documents = list(OfferDocument.objects.filter(revision_id__in=superseded))
        new_revision_of = {revision.offer_id: revision for revision in revisions}
        old_to_offer = {o.published_revision_id: o.pk for _r, o in batch}
        OfferDocument.objects.bulk_create(
            [
                OfferDocument(
                    revision=new_revision_of[old_to_offer[document.revision_id]],
                    title=document.title,
                    file=document.file.name,
                    original_name=document.original_name,
                    size=document.size,
                    sha256=document.sha256,
                )
                for document in documents
            ]
        )
        offers = []
        for _row, offer in batch:
            offer.published_revision = new_revision_of[offer.pk]
            if Offer.LIFECYCLE.can(offer, "publish"):
                # Withdrawn and suspended offers stay so: the import changes what they say only.
                Offer.LIFECYCLE.apply(offer, "publish")
            offer.first_published_at = offer.first_published_at or now
            offer.updated_at = now
            offers.append(offer)
        Offer.objects.bulk_update(
            offers, ["published_revision", "status", "first_published_at", "updated_at"]
        )

    # Search text, facets and vocabulary, as publishing one offer writes them; and matching
    # records the new versions once this transaction commits.
    revision_search_index(revision_ids=indexed)
    queue_matching_update([*new_offer_ids, *(offer.pk for _row, offer in changed)])

    result = ImportResult(
        rows=len(plan.rows),
        created=len(new_rows),
        updated=len(changed),
        suppliers=plan.supplier_count,
        framework=framework.reference,
        lot=lot.slug,
    )
    detail = {
        "file": plan.source,
        "framework": framework.reference,
        "lot": lot.slug,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "suppliers": result.suppliers,
    }
    if catalogue_import is not None:
        succeed = CatalogueImport.LIFECYCLE.move("succeed")
        CatalogueImport.objects.filter(pk=catalogue_import.pk, status__in=succeed.sources).update(
            status=succeed.to,
            rows_total=result.rows,
            rows_done=result.rows,
            created=result.created,
            updated=result.updated,
            suppliers=result.suppliers,
            errors=[],
            finished_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        action="catalogue.imported",
        obj=catalogue_import or lot,
        detail=detail,
    )
    return result
