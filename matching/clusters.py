"""Clusters of similar requirements from different buyer organisations, for demand pooling.

Open or recent requirements (submitted within RECENT_DAYS) are compared with the matcher's own
vectors (matching/need_vectors.py, over the current index); two are linked when their similarity
reaches SIMILAR, and a cluster is a connected group of links. Only clusters with requirements
from at least MIN_ORGANISATIONS organisations are kept. Staff only: a cluster names every
buyer's requirement, so no buyer page shows one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from buying.models import DemandPool, PoolMember, Requirement
from buying.services.pooling import MIN_ORGANISATIONS

from . import runtime
from .need_vectors import need_field_texts, need_similarities

RECENT_DAYS = 180
SIMILAR = 0.55


@dataclass
class Cluster:
    requirements: list[Requirement] = field(default_factory=list)
    similarity: float = 0.0  # the weakest link that holds the cluster together

    @property
    def organisations(self) -> int:
        return len({r.organisation_id for r in self.requirements})

    @property
    def users(self) -> int:
        return sum(r.user_count or 0 for r in self.requirements)

    @property
    def value(self) -> Decimal:
        return sum(
            (r.budget_max or r.budget_min or Decimal(0) for r in self.requirements), Decimal(0)
        )

    @property
    def key(self) -> str:
        return "-".join(str(r.pk) for r in self.requirements)


def _candidates():
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    pooled = PoolMember.objects.filter(
        pool__status__in=[DemandPool.Status.INVITING, DemandPool.Status.COMPETING]
    ).values("requirement")
    return list(
        Requirement.objects.filter(status=Requirement.Status.SUBMITTED, created_at__gte=since)
        .exclude(pk__in=pooled)
        .select_related("organisation", "lot")
        .order_by("pk")
    )


def requirement_clusters(*, similar: float = SIMILAR) -> list[Cluster]:
    """Clusters of 3+ organisations, biggest first. Empty when no index has been built."""
    loaded = runtime.current_index()
    requirements = _candidates()
    if loaded is None or len(requirements) < MIN_ORGANISATIONS:
        return []
    texts = [
        need_field_texts(
            title=r.title,
            problem=r.problem,
            users=r.users_description,
            needs=[*(r.must_haves or []), *(r.nice_to_haves or [])],
        )
        for r in requirements
    ]
    scores = need_similarities(loaded.index, texts)
    parent = list(range(len(requirements)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    weakest: dict[int, float] = {}
    for i in range(len(requirements)):
        for j in range(i + 1, len(requirements)):
            if requirements[i].organisation_id == requirements[j].organisation_id:
                continue
            if scores[i, j] >= similar:
                a, b = root(i), root(j)
                link = min(float(scores[i, j]), weakest.get(a, 1.0), weakest.get(b, 1.0))
                parent[b] = a
                weakest[a] = link
    groups: dict[int, Cluster] = {}
    for i, requirement in enumerate(requirements):
        cluster = groups.setdefault(root(i), Cluster())
        cluster.requirements.append(requirement)
    clusters = []
    for top, cluster in groups.items():
        if cluster.organisations >= MIN_ORGANISATIONS:
            cluster.similarity = weakest.get(top, 1.0)
            clusters.append(cluster)
    return sorted(clusters, key=lambda c: (-c.organisations, -c.value, c.key))
