"""Demo market: a supplier directory of 120+ organisations with varied consent (agreed at once,
daily or weekly; never agreed; agreed then withdrew), the two demo suppliers among them,
open and closed pre-market engagements with questions and responses, forward plans, and the
alerts the matcher sent for them (immediate alerts and the daily and weekly digests), so the
suppliers' dashboards and notifications show them on first run.

Everything goes through the real services; the content is data in this folder
(directory.json, engagements.json). Keyed on names and titles, so running it twice changes
nothing. Directory members' contacts are users without a password (they cannot sign in).
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from ndx.accounts.models import Membership, Organisation, User

from ..models import Alert, DirectoryMember, Engagement, PipelineEntry
from ..services import alerts, directory, engagements, pipeline

DATA = Path(__file__).parent
DIRECTORY = json.loads((DATA / "directory.json").read_text(encoding="utf-8"))
MARKET = json.loads((DATA / "engagements.json").read_text(encoding="utf-8"))


def _member_data(work: dict, regions: list[str], size: str, frequency: str) -> dict:
    return {
        "description": work["text"],
        "cpv_divisions": work["cpv"],
        "regions": regions,
        "size": size,
        "is_vcse": False,
        "consent_contact": frequency not in ("none",),
        "consent_sectors": [],
        "frequency": frequency if frequency in DirectoryMember.Frequency.values else "weekly",
    }


def _contact(organisation: Organisation, index: int) -> User:
    membership = Membership.objects.filter(organisation=organisation).select_related("user")
    found = membership.order_by("-role", "user__email").first()
    if found is not None:
        return found.user
    slug = "".join(c for c in organisation.name.lower() if c.isalnum())[:30]
    user, created = User.objects.get_or_create(
        email=f"contact@{slug}.example.com", defaults={"full_name": f"Contact {index}"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user, defaults={"organisation": organisation, "role": Membership.Role.ADMIN}
    )
    return user


def _directory(out) -> tuple[int, int]:
    works = DIRECTORY["work"]
    made = 0
    people = []
    for entry in DIRECTORY["demo_suppliers"]:
        organisation = Organisation.objects.filter(name=entry["name"], kind="supplier").first()
        if organisation is not None:
            work = works[entry["work"]]
            people.append((organisation, work, entry["regions"], entry["size"], entry["frequency"]))
    starts, ends = DIRECTORY["name_starts"], DIRECTORY["name_ends"]
    for i in range(DIRECTORY["count"]):
        name = f"{starts[i % len(starts)]} {ends[(i // len(starts)) % len(ends)]}"
        if i >= len(starts) * len(ends):
            name = f"{name} {i}"
        organisation, _ = Organisation.objects.get_or_create(name=name, kind="supplier")
        consent = DIRECTORY["consent"][i % len(DIRECTORY["consent"])]
        regions = DIRECTORY["regions"][i % len(DIRECTORY["regions"])]
        size = DIRECTORY["sizes"][i % len(DIRECTORY["sizes"])]
        work = works[(i * 7 + i // 10) % len(works)]
        people.append((organisation, work, regions, size, consent))
    for index, (organisation, work, regions, size, consent) in enumerate(people):
        if DirectoryMember.objects.filter(organisation=organisation).exists():
            continue
        contact = _contact(organisation, index)
        member = directory.directory_join(
            actor=contact, data=_member_data(work, regions, size, consent)
        )
        if consent == "withdrawn":
            directory.directory_withdraw(member=member)
        made += 1
    return made, DirectoryMember.objects.count()


def _buyer(email: str) -> User | None:
    return User.objects.filter(email=email, membership__organisation__kind="buyer").first()


def _engagements(out) -> list[Engagement]:
    published = []
    today = timezone.localdate()
    texts, costs = MARKET["response_texts"], MARKET["costs"]
    for number, spec in enumerate(MARKET["engagements"]):
        actor = _buyer(spec["buyer"])
        if actor is None or Engagement.objects.filter(title=spec["title"]).exists():
            continue
        days = spec["days_to_close"]
        engagement = engagements.engagement_publish(
            actor=actor,
            data={
                "title": spec["title"],
                "problem": spec["problem"],
                "outcomes": spec["outcomes"],
                "constraints": spec["constraints"],
                "budget_min": spec["budget_min"],
                "budget_max": spec["budget_max"],
                "closes_on": today + timedelta(days=max(days, 1)),
                "market_questions": spec["market_questions"],
                "cpv_division": spec["cpv"],
                "region": spec["region"],
            },
        )
        published.append(engagement)
        # Ranked now (not queued), so the alerts exist when the dashboards are first opened.
        alerts.alert_engagement(engagement_id=engagement.pk)
        responders = list(
            DirectoryMember.objects.consenting()
            .filter(cpv_divisions__isnull=False)
            .select_related("organisation", "contact")
            .order_by("organisation__name")
        )
        responders = [m for m in responders if spec["cpv"] in m.cpv_divisions][
            number : number + spec["responses"]
        ]
        for question, answer in spec["questions"]:
            asker = responders[0].contact if responders else actor
            asked = engagements.engagement_ask(
                actor=asker, engagement=engagement, question=question
            )
            engagements.engagement_answer(actor=actor, question=asked, answer=answer)
        responses = []
        for i, member in enumerate(responders):
            responses.append(
                engagements.engagement_respond(
                    actor=member.contact,
                    engagement=engagement,
                    data={
                        "approach": texts[(number + i) % len(texts)],
                        "similar_work": "Similar work for another public body last year.",
                        "rough_cost": costs[(number + i) % len(costs)],
                        "is_sme": member.size != "large",
                        "is_vcse": member.is_vcse,
                    },
                )
            )
        if days < 0:
            # Closed by its date in the past: the date is moved back, as if time had passed.
            Engagement.objects.filter(pk=engagement.pk).update(
                closes_on=today + timedelta(days=days)
            )
            engagements.engagements_close_due()
            engagement = Engagement.objects.get(pk=engagement.pk)
            for response in responses[:2]:
                engagements.engagement_mark_useful(actor=actor, response=response, useful=True)
            if spec.get("outcome") == "concluded":
                engagements.engagement_conclude(
                    actor=actor, engagement=engagement, summary=spec["summary"]
                )
    return published


def _pipeline() -> int:
    made = 0
    today = timezone.localdate()
    for spec in MARKET["pipeline"]:
        actor = _buyer(spec["buyer"])
        if actor is None or PipelineEntry.objects.filter(title=spec["title"]).exists():
            continue
        pipeline.pipeline_entry_add(
            actor=actor,
            data={
                "title": spec["title"],
                "description": spec["description"],
                "cpv_division": spec["cpv"],
                "estimated_value": Decimal(spec["value"]),
                "expected_start": today + timedelta(days=30 * spec["months"]),
                "route": spec["route"],
                "region": spec["region"],
                "lot": None,
            },
        )
        made += 1
    for entry in PipelineEntry.objects.order_by("pk"):
        alerts.alert_pipeline_entry(entry_id=entry.pk)
    return made


def seed(out, context: dict) -> dict:
    made, members = _directory(out)
    published = _engagements(out)
    planned = _pipeline()
    before = Alert.objects.filter(notified_at__isnull=False).count()
    digests = alerts.alerts_digests_send()
    sent = Alert.objects.filter(notified_at__isnull=False).count()
    consenting = DirectoryMember.objects.consenting().count()
    out.write(
        f"market: {members} directory members ({made} new, {consenting} consenting), "
        f"{len(published)} new engagements, {planned} new forward plan entries, "
        f"{Alert.objects.count()} alerts ({sent} sent, {sent - before} in {digests} new digests)\n"
    )
    return {}


def describe() -> list[str]:
    return [
        "Market:",
        "  pre-market engagements at /engagements/ (open and closed, with responses), forward",
        "  plans at /pipeline/ (and CSV), the supplier directory at /directory/ (buyers and staff",
        "  see consenting members only); suppliers join at /directory/join/ and see the alerts",
        "  the matcher sent them, with the reason, on their dashboard and at /market/alerts/",
    ]
