"""Model social value criteria: a buyer picks themes, scores responses by theme, and the
contract keeps the weight and the winner's scores."""

import pytest
from django.urls import reverse

from buying.services import competitions as competition_services
from contracts.models import Contract
from tests.auth import Client

from .award_helpers import CompetitionSetup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


def test_themes_scores_and_the_contract():
    setup = CompetitionSetup()
    competition = setup.create()
    client = Client()
    client.force_login(setup.buyer)
    url = reverse("buying:competition_themes", args=[competition.pk])
    page = client.get(url).content.decode()
    assert "How many new jobs, apprenticeships or training places" in page
    response = client.post(url, {"themes": []})
    assert "Choose at least one theme from the list" in response.content.decode()
    response = client.post(
        url, {"themes": ["climate_change", "economic_inequality"], "note": "Leeds first."}
    )
    assert response.status_code == 302
    competition.refresh_from_db()
    assert competition.social_value_themes == ["economic_inequality", "climate_change"]
    assert competition.social_value_criteria.startswith("Leeds first.")
    assert "carbon reduction plan" in competition.social_value_criteria
    competition = competition_services.competition_publish(
        actor=setup.buyer, competition=competition
    )
    assert client.get(url).status_code == 302  # sent: the criteria no longer change
    responses = [setup.respond(competition, i, price=p) for i, p in [(0, "9.50"), (2, "10.00")]]
    setup.close(competition)
    setup.score(responses[0], quality=80, price=100, social_value=70)
    setup.score(responses[1], quality=50, price=90, social_value=50)
    score_url = reverse("buying:response_themes", args=[competition.pk, responses[0].pk])
    bad = client.post(score_url, {"climate_change": "101", "economic_inequality": "x"})
    assert bad.status_code == 200
    assert "Enter a score from 0 to 100 for fighting climate change" in bad.content.decode()
    ok = client.post(score_url, {"climate_change": "75", "economic_inequality": "60"})
    assert ok.status_code == 302
    award = client.post(
        reverse("buying:competition_award", args=[competition.pk]),
        {
            "response": str(responses[0].pk),
            "rationale": "Best value.",
            "kpis": "Available 99.9%",
            "unsuccessful_feedback": "",
        },
    )
    assert award.status_code == 302
    contract = Contract.objects.get()
    assert contract.social_value_weight == 10
    assert contract.social_value_scores == {"climate_change": 75, "economic_inequality": 60}


def test_another_buyer_cannot_choose_themes():
    setup = CompetitionSetup()
    competition = setup.create()
    from tests.accounts.factories import member

    client = Client()
    client.force_login(member())
    url = reverse("buying:competition_themes", args=[competition.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"themes": ["wellbeing"]}).status_code == 404
