"""The playbook's demo section: pages, several offers with a price spread, one cluster."""

import pytest
from django.core.management import call_command

from buying.models import Requirement
from catalogue.models import Offer, VolumeTier
from contracts.models import Contract
from contracts.prices import offer_price_spread
from guidance.demo import CLUSTER
from guidance.models import GuidancePage

pytestmark = pytest.mark.django_db


def test_demo_shows_spreads_and_a_cluster_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "guidance: 7 playbook pages" in out
    spreads = [
        offer
        for offer in Offer.objects.filter(contracts__isnull=False).distinct()
        if offer_price_spread(offer).shown
    ]
    assert len(spreads) >= 3
    assert VolumeTier.objects.filter(revision__title__icontains="Housing repairs").exists()
    scored = Contract.objects.exclude(social_value_scores={}).filter(
        social_value_weight__isnull=False
    )
    assert scored.count() >= 2
    titles = [row["title"] for row in CLUSTER["requirements"]]
    cluster = Requirement.objects.filter(title__in=titles, status="submitted")
    assert cluster.values("organisation").distinct().count() == 3
    counts = (Contract.objects.count(), Requirement.objects.count(), GuidancePage.objects.count())
    call_command("seed_demo")
    assert (
        Contract.objects.count(),
        Requirement.objects.count(),
        GuidancePage.objects.count(),
    ) == counts
