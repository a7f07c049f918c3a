"""Writing the search fields of published revisions: weighted text, tsvector, facets, vocabulary.

Called inside the publishing transaction (one revision) and by bulk imports (many)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection, transaction

from ndx.outbox import enqueue_on_commit

from .facet_index import catalogue_changed
from .models import Certification, OfferRevision, RevisionFacet, SearchTerm

WORD_RE = re.compile(r"[a-z0-9]+")
VOCABULARY_WORD_RE = re.compile(r"^[a-z][a-z0-9]{2,59}$")
BATCH = 1000

# Field groups and their tsvector weights: title A, categories and supplier B,
# summary, features and benefits C, the rest D.
_WEIGHTED_SQL = """
UPDATE catalogue_offerrevision AS r SET search_vector =
    setweight(to_tsvector('english', coalesce(r.title, '')), 'A')
 || setweight(to_tsvector('english', coalesce(%s, '')), 'B')
 || setweight(to_tsvector('english', %s), 'C')
 || setweight(to_tsvector('english', %s), 'D')
WHERE r.id = %s
"""


def revision_groups(revision: OfferRevision, supplier_name: str) -> dict[str, str]:
    return {
        "title": revision.title,
        "b": " ".join([*revision.categories, supplier_name]),
        "c": " ".join([revision.summary, *revision.features, *revision.benefits]),
        "d": " ".join([revision.description, revision.service_levels]),
    }


def search_text_for(groups: dict[str, str]) -> str:
    """Lower-cased text, title first, used for LIKE search on SQLite and for snippets."""
    return "\n".join(groups[k].lower() for k in ("title", "b", "c", "d"))


def facets_for(revision: OfferRevision) -> list[tuple[str, str]]:
    values = [(RevisionFacet.Kind.CATEGORY, c[:200]) for c in revision.categories]
    values += [(RevisionFacet.Kind.CPV_DIVISION, d) for d in revision.cpv_divisions()]
    known = set(Certification.values)
    values += [(RevisionFacet.Kind.CERTIFICATION, c) for c in revision.certifications if c in known]
    return list(dict.fromkeys(values))


def vocabulary_for(text: str) -> set[str]:
    return {w for w in WORD_RE.findall(text.lower()) if VOCABULARY_WORD_RE.match(w)}


@transaction.atomic
def revision_search_index(*, revision_ids: Iterable[int]) -> int:
    """(Re)write search text, tsvector (PostgreSQL), facets and vocabulary for these revisions."""
    ids = list(revision_ids)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        revisions = list(
            OfferRevision.objects.filter(pk__in=chunk).select_related("offer__supplier")
        )
        facets: list[RevisionFacet] = []
        words: set[str] = set()
        params = []
        for revision in revisions:
            groups = revision_groups(revision, revision.offer.supplier.name)
            revision.search_text = search_text_for(groups)
            facets += [
                RevisionFacet(revision=revision, kind=kind, value=value)
                for kind, value in facets_for(revision)
            ]
            words |= vocabulary_for(f"{groups['title']} {groups['b']} {groups['c']}")
            params.append((groups["b"], groups["c"], groups["d"], revision.pk))
        OfferRevision.objects.bulk_update(revisions, ["search_text"], batch_size=500)
        RevisionFacet.objects.filter(revision_id__in=chunk).delete()
        RevisionFacet.objects.bulk_create(facets, batch_size=1000)
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.executemany(_WEIGHTED_SQL, params)
        done += len(revisions)
    catalogue_changed()
    return done


def reindex_all_published() -> int:
    """Rebuild search fields for every published revision (used after upgrades)."""
    ids = OfferRevision.objects.filter(status="published").values_list("pk", flat=True)
    return revision_search_index(revision_ids=list(ids))


def queue_matching_update(offer_ids: Iterable[int]) -> None:
    """After the current transaction commits, matching records these offers' new documents
    (its task by registered name: the catalogue imports nothing from matching)."""
    ids = sorted({int(i) for i in offer_ids})
    if ids:
        enqueue_on_commit("matching.tasks.update_matching_index", ids)


def offers_changed(offer_ids: Iterable[int]) -> None:
    """Tell search and matching that these offers changed (content or who may see them).
    Search tables refresh at once; matching records the new documents after commit."""
    catalogue_changed()
    queue_matching_update(offer_ids)
