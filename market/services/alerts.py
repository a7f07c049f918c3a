"""Two-way alerts through the matcher, sent with ndx.notifications.

To suppliers: each new need (an engagement, a forward plan entry, a submitted requirement that
the buyer did not keep private, a further competition to its invited suppliers only) is ranked
once against the consenting directory (`alerts_for_need`, keyed by the need, so it is never
ranked twice); members at or above MARKET_ALERT_THRESHOLD get an Alert row with the matcher's
explanation, shown on their dashboard. Members who chose "as soon as there is a match" are
notified by the next task (`alerts_notify`, one notification per alert); the others get one
digest notification a day or a week (`alerts_digests_send`, beat). Notifications are keyed,
so nothing is sent twice; their emails go out through the outbox (retried on SMTP errors) as
the person chose on the notifications page. Every alert and digest carries the signed link
that withdraws consent.

To buyers: a followed saved search sends a daily digest of new or changed offers matching it.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from buying.models import FurtherCompetition, Requirement
from catalogue.cpv import CPV_DIVISIONS
from matching.ranking_api import Candidate, Need, rank_candidates
from ndx.notifications.services import notification_send
from ndx.outbox import enqueue_on_commit
from suppliers.models import Region

from ..models import (
    Alert,
    AlertSource,
    DirectoryMember,
    Engagement,
    PipelineEntry,
    PrivateRequirement,
)
from .directory import withdraw_url

REGION_NAMES = dict(Region.choices)
DIGEST_GAP = {
    DirectoryMember.Frequency.DAILY: timedelta(hours=20),
    DirectoryMember.Frequency.WEEKLY: timedelta(days=6, hours=20),
}
SCAN_WINDOW = timedelta(days=14)
NOTIFY_TASK = "market.tasks.notify_alerts"


def rank_directory(
    need: Need, *, division: str = "", organisation_ids=None, threshold: float | None = None
) -> list:
    """Rank consenting members (of `organisation_ids` only, if given) against a need: the
    best MARKET_ALERT_LIMIT at or above MARKET_ALERT_THRESHOLD. Reads plain values (no model
    instances), so 10,000 members take a fraction of a second."""
    members = DirectoryMember.objects.consenting()
    if organisation_ids is not None:
        members = members.filter(organisation_id__in=list(organisation_ids))
    rows = members.values_list("pk", "terms", "cpv_divisions", "regions", "consent_sectors")
    pool = (
        Candidate(key=pk, terms=terms, cpv_divisions=divisions, regions=regions)
        for pk, terms, divisions, regions, sectors in rows.iterator(chunk_size=2000)
        if not division or not sectors or division in sectors
    )
    return rank_candidates(
        need,
        pool,
        threshold=settings.MARKET_ALERT_THRESHOLD if threshold is None else threshold,
        limit=settings.MARKET_ALERT_LIMIT,
    )


def alerts_for_need(
    *,
    key: str,
    kind: str,
    title: str,
    url: str,
    need: Need,
    division: str = "",
    organisation_ids=None,
    threshold: float | None = None,
) -> AlertSource:
    """Rank the directory against one need, once, and record the alerts; then queue the
    notifications for members who want each match at once ("market.tasks.notify_alerts").
    Idempotent: a need already ranked is returned as it is."""
    with transaction.atomic():
        source, created = AlertSource.objects.get_or_create(
            key=key, defaults={"kind": kind, "title": title[:200], "url": url}
        )
        if not created:
            return source
        started = time.perf_counter()
        ranked = rank_directory(
            need, division=division, organisation_ids=organisation_ids, threshold=threshold
        )
        names = {"cpv_names": CPV_DIVISIONS, "region_names": REGION_NAMES}
        Alert.objects.bulk_create(
            [
                Alert(
                    source=source,
                    member_id=r.key,
                    score=r.score,
                    explanation=r.explanation(**names),
                )
                for r in ranked
            ],
            ignore_conflicts=True,
        )
        source.ranked = DirectoryMember.objects.consenting().count()
        source.alerted = len(ranked)
        source.seconds = round(time.perf_counter() - started, 4)
        source.save(update_fields=["ranked", "alerted", "seconds"])
        enqueue_on_commit(NOTIFY_TASK, source.pk)
    return source


def alerts_notify(*, source_id: int) -> int:
    """Notify, one notification per alert, the members of one need who want each match at
    once (the worker, after the ranking). Each alert is locked and marked notified in the same
    transaction as its notification, so none is sent twice. Returns how many were notified."""
    count = 0
    pending = Alert.objects.pending().filter(
        source_id=source_id, member__frequency=DirectoryMember.Frequency.IMMEDIATE
    )
    for alert_id in pending.values_list("pk", flat=True):
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update()
                .select_related("source", "member__contact", "member__organisation")
                .filter(pk=alert_id)
                .first()
            )
            if alert is not None and _notify_one(alert):
                count += 1
    return count


def _unsubscribe(member: DirectoryMember) -> str:
    return f"To stop all emails about opportunities, withdraw your consent: {withdraw_url(member)}"


def _notify_one(alert: Alert) -> bool:
    member = alert.member
    if not member.consents or alert.notified_at or alert.cancelled_at:
        return False
    source = alert.source
    notification_send(
        recipient=member.contact,
        kind="market.alert",
        title=f"A match for {member.organisation}: {source.title}"[:200],
        body=(
            f"{source.get_kind_display()}: {source.title}\n{alert.explanation}\n\n"
            f"{_unsubscribe(member)}"
        ),
        url=source.url or reverse("market:alerts"),
        key=f"market-alert-{alert.pk}",
        obj=alert,
    )
    Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())
    return True


def alerts_digests_send(*, now=None) -> int:
    """One digest notification for each daily or weekly member whose pending alerts are due.
    Idempotent: the member row is locked, the alerts marked notified and the digest keyed by
    member and day in one transaction. Returns how many digests were sent."""
    now = now or timezone.now()
    sent = 0
    member_ids = (
        Alert.objects.pending()
        .filter(member__consent_contact=True, member__withdrawn_at__isnull=True)
        .exclude(member__frequency=DirectoryMember.Frequency.IMMEDIATE)
        .values_list("member_id", flat=True)
        .distinct()
    )
    for member_id in sorted(set(member_ids)):
        with transaction.atomic():
            member = (
                DirectoryMember.objects.select_for_update()
                .select_related("contact", "organisation")
                .get(pk=member_id)
            )
            gap = DIGEST_GAP.get(member.frequency)
            if not member.consents or gap is None:
                continue
            if member.last_digest_at and now - member.last_digest_at < gap:
                continue
            alerts = list(member.alerts.pending().select_related("source").order_by("created_at"))
            if not alerts:
                continue
            lines = [
                f"- {a.source.get_kind_display()}: {a.source.title}\n  {a.explanation}\n"
                f"  {settings.SITE_URL}{a.source.url or reverse('market:alerts')}"
                for a in alerts
            ]
            noun = "match" if len(alerts) == 1 else "matches"
            notification_send(
                recipient=member.contact,
                kind="market.digest",
                title=f"{len(alerts)} new {noun} for {member.organisation}"[:200],
                body="\n".join(lines) + f"\n\n{_unsubscribe(member)}",
                url=reverse("market:alerts"),
                key=f"market-digest-{member.pk}-{now:%Y-%m-%d}",
                obj=member,
            )
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=now)
            member.last_digest_at = now
            member.save(update_fields=["last_digest_at"])
            sent += 1
    return sent


# --- the needs ----------------------------------------------------------------------------------


def alert_engagement(*, engagement_id: int) -> AlertSource | None:
    engagement = Engagement.objects.filter(pk=engagement_id).first()
    if engagement is None:
        return None
    return alerts_for_need(
        key=f"engagement-{engagement.pk}",
        kind=AlertSource.Kind.ENGAGEMENT,
        title=engagement.title,
        url=reverse("market:engagement", args=[engagement.pk]),
        need=Need(
            engagement.need_text(),
            frozenset([engagement.cpv_division]),
            engagement.region,
        ),
        division=engagement.cpv_division,
    )


def alert_pipeline_entry(*, entry_id: int) -> AlertSource | None:
    entry = PipelineEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        return None
    return alerts_for_need(
        key=f"pipeline-{entry.pk}",
        kind=AlertSource.Kind.PIPELINE,
        title=f"{entry.title} ({entry.organisation}, from {entry.expected_start:%B %Y})",
        url=reverse("market:pipeline") + f"#entry-{entry.pk}",
        need=Need(entry.need_text(), frozenset([entry.cpv_division]), entry.region),
        division=entry.cpv_division,
    )


def alert_requirement(*, requirement_id: int) -> AlertSource | None:
    requirement = Requirement.objects.filter(pk=requirement_id, status="submitted").first()
    if requirement is None or PrivateRequirement.objects.filter(requirement=requirement).exists():
        return None
    text = "\n".join([requirement.title, requirement.problem, *requirement.must_haves])
    return alerts_for_need(
        key=f"requirement-{requirement.pk}",
        kind=AlertSource.Kind.REQUIREMENT,
        title=f"{requirement.title} ({requirement.organisation})",
        url=reverse("market:alerts"),
        need=Need(text),
    )


def alert_competition(*, competition_id: int) -> AlertSource | None:
    """A further competition goes to its invited suppliers only: each consenting one that
    shares any words with it (the buyer chose them, so no threshold), with the reason."""
    competition = FurtherCompetition.objects.filter(pk=competition_id, status="open").first()
    if competition is None:
        return None
    invited = competition.invitations.values_list("supplier_id", flat=True)
    return alerts_for_need(
        key=f"competition-{competition.pk}",
        kind=AlertSource.Kind.COMPETITION,
        title=competition.title,
        url=reverse("buying:supplier_competition", args=[competition.pk]),
        need=Need(f"{competition.title}\n{competition.description}"),
        organisation_ids=list(invited),
        threshold=0.0,
    )


def alerts_scan(*, now=None) -> dict[str, int]:
    """Beat task: rank the directory against requirements submitted and competitions opened
    recently that have not been ranked yet (buying does not import market, so market looks)."""
    now = now or timezone.now()
    since = now - SCAN_WINDOW
    done = set(
        AlertSource.objects.filter(created_at__gte=since - SCAN_WINDOW).values_list(
            "key", flat=True
        )
    )
    counts = {"requirements": 0, "competitions": 0}
    requirements = Requirement.objects.filter(status="submitted", submitted_at__gte=since)
    for pk in requirements.exclude(market_privacy__isnull=False).values_list("pk", flat=True):
        if f"requirement-{pk}" not in done and alert_requirement(requirement_id=pk):
            counts["requirements"] += 1
    competitions = FurtherCompetition.objects.filter(status="open", published_at__gte=since)
    for pk in competitions.values_list("pk", flat=True):
        if f"competition-{pk}" not in done and alert_competition(competition_id=pk):
            counts["competitions"] += 1
    return counts
