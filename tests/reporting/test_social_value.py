"""Social value on /reports/ and in OCDS: the weight used and the scores by theme."""

import pytest

from .factories import make_contract
from .test_ocds import assert_valid, validators  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


def _scored():
    for weight, scores in [
        (10, {"climate_change": 70, "economic_inequality": 50}),
        (20, {"climate_change": 90}),
    ]:
        make_contract(
            route="further_competition", social_value_weight=weight, social_value_scores=scores
        )
    make_contract()  # a direct award: no social value weight


def test_reports_show_the_weight_and_scores_by_theme(client):
    _scored()
    page = client.get("/reports/").content.decode()
    assert "gave social value 15.0% of the score on average (from 10% to 20%)" in page
    assert "over 2 contracts" in page
    assert "Fighting climate change" in page and "80.0" in page
    assert "Tackling economic inequality" in page and "50.0" in page


def test_ocds_carries_award_criteria_details_and_validates(client, validators):  # noqa: F811
    _scored()
    package = client.get("/open-data/ocds/releases.json").json()
    assert_valid(validators["release"], package)
    tenders = [release["tender"] for release in package["releases"]]
    rated = [t for t in tenders if t.get("awardCriteria") == "ratedCriteria"]
    assert len(rated) == 2
    details = sorted(t["awardCriteriaDetails"] for t in rated)
    assert details[0] == (
        "Social value weighted at 10%; model criteria scores of the winning response: "
        "Fighting climate change 70/100, Tackling economic inequality 50/100."
    )
    assert all("awardCriteria" not in t for t in tenders if t not in rated)
