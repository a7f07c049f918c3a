"""Award pages: who may see what (another organisation or supplier gets 404), each form calls
its service and shows its errors, and text typed by anyone is shown escaped."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buying.models import (
    ClarificationQuestion,
    CompetitionResponse,
    FurtherCompetition,
)
from buying.services import awards as award_services
from buying.services import clarifications as clarification_services
from buying.services import competitions as competition_services
from buying.services import requirements as requirement_services
from contracts.models import Contract
from tests.catalogue.factories import LotFactory

from .award_helpers import (
    CompetitionSetup,
    buyer_user,
    frozen_shortlist,
    snapshot,
    supplier_offer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]

SCRIPT = '<script>alert("x")</script><b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def date_fields(name, day) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


@pytest.fixture
def direct():
    """A buyer with a frozen shortlist of one offer on a direct-award lot."""
    lot = LotFactory(name="Cloud software", direct_award_allowed=True)
    offer, supplier = supplier_offer(lot, "Northwind Digital Ltd", price="12.50", list_price="15")
    buyer = buyer_user()
    shortlist = frozen_shortlist(buyer, [offer])
    return {
        "offer": offer,
        "supplier": supplier,
        "buyer": buyer,
        "shortlist": shortlist,
        "item": shortlist.items.get(),
    }


def award_post(**overrides):
    start = timezone.localdate() + timedelta(days=7)
    data = {
        "quantity": "450",
        "unit_price": "12.00",
        **date_fields("start_date", start),
        **date_fields("end_date", start + timedelta(days=365)),
        "kpis": "99.9% availability",
        "justification": "The best fit at the lowest price.",
    }
    data.update(overrides)
    return data


def item_url(d) -> str:
    return f"/buying/shortlists/{d['shortlist'].pk}/items/{d['item'].pk}/award/"


# --- direct award ---------------------------------------------------------------------------


def test_direct_award_page_shows_the_frozen_terms(client, direct):
    client.force_login(direct["buyer"])
    response = client.get(item_url(direct))
    assert response.status_code == 200
    assert "buying/awards/direct_award.html" in templates(response)
    page = response.content.decode()
    assert "£12.50" in page and "£15.00" in page and "Northwind Digital Ltd" in page
    assert 'value="12.50"' in page  # the price starts at the national price


def test_direct_award_makes_the_contract_and_shows_the_saving(client, direct):
    client.force_login(direct["buyer"])
    response = client.post(item_url(direct), award_post(), follow=True)
    contract = Contract.objects.get()
    assert response.redirect_chain[-1][0] == f"/buying/contracts/{contract.pk}/"
    page = response.content.decode()
    assert "contracts/contract.html" in templates(response)
    assert f"Contract {contract.reference} awarded to Northwind Digital Ltd" in page
    assert "Saving against the list price: £1,350.00" in page
    assert contract.value == Decimal("5400.00")


def test_direct_award_errors_are_shown_and_nothing_is_saved(client, direct):
    client.force_login(direct["buyer"])
    before = snapshot()
    response = client.post(item_url(direct), award_post(unit_price="13.00", justification=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The price must be at or below the national price of £12.50" in page
    assert "Enter why you are awarding this contract directly" in page
    assert snapshot() == before


def test_a_bad_date_is_shown_as_a_form_error(client, direct):
    client.force_login(direct["buyer"])
    response = client.post(item_url(direct), award_post(**{"start_date-month": "13"}))
    assert response.status_code == 400
    assert "Contract start date must be a real date" in response.content.decode()
    assert not Contract.objects.exists()


def test_direct_award_from_an_offer_page(client, direct):
    client.force_login(direct["buyer"])
    requirement = requirement_services.requirement_start(actor=direct["buyer"], title="Case notes")
    requirement_services.requirement_answer(
        actor=direct["buyer"], requirement=requirement, step="problem", data={"problem": "x"}
    )
    offer_page = client.get(f"/catalogue/offers/{direct['offer'].pk}/").content.decode()
    assert f"/buying/offers/{direct['offer'].pk}/award/" in offer_page
    url = f"/buying/offers/{direct['offer'].pk}/award/"
    assert client.get(url).status_code == 200
    response = client.post(url, award_post())
    contract = Contract.objects.get()
    assert response.status_code == 302 and contract.shortlist is None


def test_a_further_competition_lot_offers_no_direct_award(client):
    setup = CompetitionSetup()
    client.force_login(setup.buyer)
    item = setup.shortlist.items.first()
    url = f"/buying/shortlists/{setup.shortlist.pk}/items/{item.pk}/award/"
    page = client.get(url).content.decode()
    assert "does not allow direct award" in page and "Award the contract" not in page
    response = client.post(url, award_post(unit_price="9.00"))
    assert response.status_code == 400
    assert "does not allow direct award" in response.content.decode()
    assert not Contract.objects.exists()
    offer_page = client.get(f"/catalogue/offers/{setup.offers[0].pk}/").content.decode()
    assert "Award a contract directly" not in offer_page


def test_direct_award_pages_are_for_the_buyers_own_organisation(client, direct):
    client.force_login(buyer_user("Kent County Council"))
    assert client.get(item_url(direct)).status_code == 404
    assert client.post(item_url(direct), award_post()).status_code == 404
    client.force_login(direct["supplier"])
    assert client.get(item_url(direct)).status_code == 403
    client.logout()
    assert client.get(item_url(direct)).status_code == 302
    assert not Contract.objects.exists()


def test_shortlist_page_links_to_awards(client, direct):
    client.force_login(direct["buyer"])
    page = client.get(f"/buying/shortlists/{direct['shortlist'].pk}/").content.decode()
    assert item_url(direct) in page
    assert f"/buying/shortlists/{direct['shortlist'].pk}/competition/" in page


# --- contracts --------------------------------------------------------------------------------


def make_contract(d, **overrides):
    values = {
        "justification": "Best value",
        "quantity": "100",
        "unit_price": "10.00",
        "start_date": timezone.localdate() + timedelta(days=1),
        "end_date": timezone.localdate() + timedelta(days=400),
        "kpis": "",
    }
    values.update(overrides)
    return award_services.direct_award_create(actor=d["buyer"], shortlist_item=d["item"], **values)


def test_register_totals_value_and_saving(client, direct):
    make_contract(direct)  # value 1,000, saving (15 - 10) x 100 = 500
    make_contract(direct, quantity="20", unit_price="12.50")  # 250, saving 50
    client.force_login(direct["buyer"])
    response = client.get("/buying/contracts/")
    assert "contracts/contracts.html" in templates(response)
    page = response.content.decode()
    assert "£1,250.00" in page  # total value
    assert "£550.00" in page  # total saving
    assert "£500.00" in page and "£50.00" in page  # per contract
    assert "2 contracts" in page


def test_register_shows_only_the_organisations_contracts(client, direct):
    contract = make_contract(direct)
    other = buyer_user("Kent County Council")
    client.force_login(other)
    page = client.get("/buying/contracts/").content.decode()
    assert contract.reference not in page and "not awarded any contracts" in page
    assert client.get(f"/buying/contracts/{contract.pk}/").status_code == 404


def test_contract_detail_for_buyer_and_supplier(client, direct):
    contract = make_contract(direct)
    client.force_login(direct["buyer"])
    page = client.get(f"/buying/contracts/{contract.pk}/").content.decode()
    assert contract.reference in page and "£500.00" in page and "Contract awarded" in page
    assert "Time from requirement to award" in page
    client.force_login(direct["supplier"])
    response = client.get(f"/suppliers/contracts/{contract.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leeds City Council" in page and "Best value" not in page  # justification is private
    assert client.get(f"/buying/contracts/{contract.pk}/").status_code == 403
    listing = client.get("/suppliers/contracts/").content.decode()
    assert contract.reference in listing and "Your contracts" in listing


def test_another_supplier_cannot_see_the_contract(client, direct):
    contract = make_contract(direct)
    _, other = supplier_offer(LotFactory(), "Kestrel Software Ltd")
    client.force_login(other)
    assert client.get(f"/suppliers/contracts/{contract.pk}/").status_code == 404
    assert contract.reference not in client.get("/suppliers/contracts/").content.decode()


def test_text_on_a_contract_is_escaped(client, direct):
    contract = make_contract(direct, justification=SCRIPT, kpis=SCRIPT)
    client.force_login(direct["buyer"])
    page = client.get(f"/buying/contracts/{contract.pk}/").content.decode()
    assert SCRIPT not in page and page.count(ESCAPED) == 2


def test_navigation_links_to_the_register(client, direct):
    client.force_login(direct["buyer"])
    assert 'href="/buying/contracts/"' in client.get("/").content.decode()


# --- further competition: buyer ---------------------------------------------------------------


@pytest.fixture
def setup():
    return CompetitionSetup()


def competition_post(setup, count=4, **overrides):
    today = timezone.localdate()
    items = list(setup.shortlist.items.order_by("position"))[:count]
    data = {
        "items": [str(i.pk) for i in items],
        "title": "Case management",
        "description": "We need case management.",
        "quantity": "1000",
        **date_fields("start_date", today + timedelta(days=60)),
        **date_fields("end_date", today + timedelta(days=700)),
        "quality_criteria": "Fit",
        "social_value_criteria": "Jobs",
        "weight_quality": "60",
        "weight_price": "30",
        "weight_social_value": "10",
        **date_fields("deadline", today + timedelta(days=14)),
        "deadline_time": "17:00",
    }
    data.update(overrides)
    return data


def test_competition_set_up_page_is_prefilled(client, setup):
    client.force_login(setup.buyer)
    response = client.get(f"/buying/shortlists/{setup.shortlist.pk}/competition/")
    assert response.status_code == 200
    assert "buying/awards/competition_form.html" in templates(response)
    page = response.content.decode()
    assert 'value="60"' in page and 'value="10"' in page and "Northwind Digital Ltd" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"weight_quality": "50"}, "The weights must add up to 100 (they add up to 90)"),
        (
            {"weight_quality": "65", "weight_social_value": "5"},
            "Social value must be weighted at least 10%",
        ),
        ({"deadline_time": "25:99"}, "Enter the time as hours and minutes"),
    ],
)
def test_competition_set_up_errors_change_nothing(client, setup, overrides, message):
    client.force_login(setup.buyer)
    before = snapshot()
    response = client.post(
        f"/buying/shortlists/{setup.shortlist.pk}/competition/",
        competition_post(setup, **overrides),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_fewer_than_three_suppliers_is_shown(client, setup):
    client.force_login(setup.buyer)
    response = client.post(
        f"/buying/shortlists/{setup.shortlist.pk}/competition/", competition_post(setup, count=2)
    )
    assert "Invite at least 3 suppliers (you selected 2)" in response.content.decode()
    assert not FurtherCompetition.objects.exists()


def test_set_up_check_and_send(client, setup, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(setup.buyer)
    response = client.post(
        f"/buying/shortlists/{setup.shortlist.pk}/competition/", competition_post(setup)
    )
    competition = FurtherCompetition.objects.get()
    assert response.url == f"/buying/competitions/{competition.pk}/"
    deadline = timezone.localtime(competition.deadline)
    assert (deadline.hour, deadline.minute) == (17, 0)
    page = client.get(response.url).content.decode()
    assert "Send the invitations" in page and "Draft" in page
    edit = client.get(f"/buying/competitions/{competition.pk}/edit/")
    assert edit.status_code == 200 and 'value="Case management"' in edit.content.decode()
    response = client.post(
        f"/buying/competitions/{competition.pk}/edit/", competition_post(setup, title="Renamed")
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/buying/competitions/{competition.pk}/publish/", follow=True)
    assert "Invitations sent to 4 suppliers" in response.content.decode()
    assert len(mailoutbox) == 4 and "Renamed" in mailoutbox[0].subject
    listing = client.get("/buying/competitions/").content.decode()
    assert "Renamed" in listing


def test_competition_pages_are_for_the_buyers_own_organisation(client, setup):
    competition = setup.published()
    client.force_login(buyer_user("Kent County Council"))
    for url in ("", "edit/", "award/", "cancel/"):
        assert client.get(f"/buying/competitions/{competition.pk}/{url}").status_code == 404
    assert client.post(f"/buying/competitions/{competition.pk}/publish/").status_code == 404
    assert client.get(f"/buying/shortlists/{setup.shortlist.pk}/competition/").status_code == 404
    client.force_login(setup.suppliers[0])
    assert client.get(f"/buying/competitions/{competition.pk}/").status_code == 403


def test_responses_are_sealed_on_the_buyers_page_until_the_deadline(client, setup):
    competition = setup.published()
    response = setup.respond(competition, 0, quality_response="Secret plan")
    client.force_login(setup.buyer)
    page = client.get(f"/buying/competitions/{competition.pk}/").content.decode()
    assert "Received (sealed)" in page and "Secret plan" not in page and "£9.50" not in page
    score_url = f"/buying/competitions/{competition.pk}/responses/{response.pk}/"
    assert client.get(score_url).status_code == 302


def test_answer_score_and_award_pages(client, setup, django_capture_on_commit_callbacks):
    competition = setup.published()
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[0], invitation=setup.invitation(competition, 0), question="When?"
    )
    client.force_login(setup.buyer)
    url = f"/buying/competitions/{competition.pk}/questions/{question.pk}/"
    page = client.get(url).content.decode()
    assert "Northwind Digital Ltd asked" in page
    response = client.post(url, {"shared_question": "When?", "answer": ""})
    assert response.status_code == 400 and "Enter your answer" in response.content.decode()
    response = client.post(url, {"shared_question": "When does it start?", "answer": "In May"})
    assert response.status_code == 302
    responses = [
        setup.respond(competition, 0, price="9.50"),
        setup.respond(competition, 1, price="8.50"),
        setup.respond(competition, 2, price="10.00"),
    ]
    setup.close(competition)
    score_url = f"/buying/competitions/{competition.pk}/responses/{responses[0].pk}/"
    page = client.get(score_url).content.decode()
    assert "Response from supplier 0" in page and 'value="89"' in page  # suggested price score
    bad = client.post(
        score_url, {"quality_score": "101", "price_score": "89", "social_value_score": "70"}
    )
    assert bad.status_code == 400 and "must be between 0 and 100" in bad.content.decode()
    for response, scores in zip(
        responses, [(80, 89, 70), (70, 100, 60), (60, 85, 50)], strict=True
    ):
        client.post(
            f"/buying/competitions/{competition.pk}/responses/{response.pk}/",
            dict(zip(("quality_score", "price_score", "social_value_score"), scores, strict=True)),
        )
    page = client.get(f"/buying/competitions/{competition.pk}/").content.decode()
    assert "81.70" in page and "Award the contract" in page
    award_url = f"/buying/competitions/{competition.pk}/award/"
    page = client.get(award_url).content.decode()
    assert "Northwind Digital Ltd offered the most advantageous response" in page
    wrong = client.post(award_url, {"response": str(responses[1].pk), "rationale": "x", "kpis": ""})
    assert wrong.status_code == 400 and "Award to the highest-scoring" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            award_url,
            {"response": str(responses[0].pk), "rationale": "Best score", "kpis": "Uptime"},
            follow=True,
        )
    contract = Contract.objects.get()
    assert response.redirect_chain[-1][0] == f"/buying/contracts/{contract.pk}/"
    assert "Saving against the list price: £2,500.00" in response.content.decode()


def test_cancel_page(client, setup):
    competition = setup.published()
    client.force_login(setup.buyer)
    url = f"/buying/competitions/{competition.pk}/cancel/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert (
        response.status_code == 400 and "Enter why you are cancelling" in response.content.decode()
    )
    assert client.post(url, {"reason": "No budget"}).status_code == 302
    competition.refresh_from_db()
    assert competition.status == "cancelled"


# --- further competition: supplier ------------------------------------------------------------


def test_invited_supplier_sees_the_invitation_on_the_dashboard(client, setup):
    competition = setup.published()
    client.force_login(setup.suppliers[0])
    dashboard = client.get("/suppliers/").content.decode()
    invitation = setup.invitation(competition, 0)
    assert f"/suppliers/competitions/{invitation.pk}/" in dashboard
    listing = client.get("/suppliers/competitions/")
    assert "buying/awards/supplier_competitions.html" in templates(listing)
    assert "Response needed" in listing.content.decode()
    page = client.get(f"/suppliers/competitions/{invitation.pk}/").content.decode()
    assert "Social workers need one place" in page and "Quality (60%)" in page


def test_supplier_responds_and_asks(client, setup):
    competition = setup.published()
    invitation = setup.invitation(competition, 0)
    client.force_login(setup.suppliers[0])
    url = f"/suppliers/competitions/{invitation.pk}/respond/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"unit_price": "10.50", "quality_response": "", "social_value_response": "x"}
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert (
        "at or below the national price of £10.00" in page
        and "Enter your response on quality" in page
    )
    assert not CompetitionResponse.objects.exists()
    ok = client.post(
        url, {"unit_price": "9.75", "quality_response": "Good", "social_value_response": "Jobs"}
    )
    assert ok.status_code == 302
    assert CompetitionResponse.objects.get().unit_price == Decimal("9.75")
    ask = f"/suppliers/competitions/{invitation.pk}/ask/"
    assert client.post(ask, {"question": ""}).status_code == 400
    assert client.post(ask, {"question": "Is SSO needed?"}).status_code == 302
    page = client.get(f"/suppliers/competitions/{invitation.pk}/").content.decode()
    assert "Is SSO needed?" in page and "waiting for an answer" in page


def test_late_response_is_refused_on_the_page(client, setup):
    competition = setup.published()
    invitation = setup.invitation(competition, 0)
    setup.close(competition)
    client.force_login(setup.suppliers[0])
    url = f"/suppliers/competitions/{invitation.pk}/respond/"
    response = client.get(url, follow=True)
    assert "The deadline has passed" in response.content.decode()
    response = client.post(
        url, {"unit_price": "9", "quality_response": "x", "social_value_response": "y"}
    )
    assert response.status_code == 400
    assert "late responses cannot be accepted" in response.content.decode()
    assert not CompetitionResponse.objects.exists()


def test_a_supplier_never_sees_a_competitors_invitation_or_response(client, setup):
    competition = setup.published()
    setup.respond(competition, 0, quality_response="Northwind's secret approach")
    theirs = setup.invitation(competition, 0)
    client.force_login(setup.suppliers[1])
    for suffix in ("", "respond/"):
        assert client.get(f"/suppliers/competitions/{theirs.pk}/{suffix}").status_code == 404
    assert (
        client.post(f"/suppliers/competitions/{theirs.pk}/ask/", {"question": "x"}).status_code
        == 404
    )
    response = client.post(
        f"/suppliers/competitions/{theirs.pk}/respond/",
        {"unit_price": "1", "quality_response": "x", "social_value_response": "y"},
    )
    assert response.status_code == 404
    own = setup.invitation(competition, 1)
    page = client.get(f"/suppliers/competitions/{own.pk}/").content.decode()
    assert "secret approach" not in page
    assert CompetitionResponse.objects.get().unit_price == Decimal("9.50")
    # nor a supplier that was not invited at all
    _, stranger = supplier_offer(LotFactory(), "Stranger Ltd")
    client.force_login(stranger)
    assert client.get(f"/suppliers/competitions/{own.pk}/").status_code == 404
    assert "Case management" not in client.get("/suppliers/competitions/").content.decode()


def test_shared_answers_do_not_say_who_asked(client, setup):
    competition = setup.published()
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[0],
        invitation=setup.invitation(competition, 0),
        question="Northwind asks: is SSO needed?",
    )
    clarification_services.clarification_answer(
        actor=setup.buyer, question=question, answer="Yes", shared_question="Is SSO needed?"
    )
    client.force_login(setup.suppliers[1])
    page = client.get(f"/suppliers/competitions/{setup.invitation(competition, 1).pk}/")
    html = page.content.decode()
    assert "Is SSO needed?" in html and "Northwind" not in html


def test_unsuccessful_supplier_is_told_why_on_the_page(client, setup):
    competition = setup.published()
    a = setup.respond(competition, 0, price="9.50")
    b = setup.respond(competition, 1, price="8.50")
    setup.close(competition)
    setup.score(a, quality=90, price=89, social_value=70)
    setup.score(b, quality=50, price=100, social_value=60)
    award_services.competition_award(
        actor=setup.buyer, competition=competition, response=a, rationale="Best", kpis=""
    )
    client.force_login(setup.suppliers[1])
    page = client.get(f"/suppliers/competitions/{setup.invitation(competition, 1).pk}/")
    html = page.content.decode()
    assert "Your response was not successful" in html
    assert "Your response scored 66.00 out of 100" in html
    listing = client.get("/suppliers/competitions/").content.decode()
    assert "Unsuccessful" in listing
    client.force_login(setup.suppliers[0])
    html = client.get(f"/suppliers/competitions/{setup.invitation(competition, 0).pk}/").content
    assert "Your response was successful" in html.decode() and "See the contract" in html.decode()


def test_text_in_every_competition_field_is_escaped(client, setup):
    competition = competition_services.competition_create(
        actor=setup.buyer,
        shortlist=setup.shortlist,
        data={
            **{k: v for k, v in competition_post(setup).items() if "-" not in k},
            "title": SCRIPT,
            "description": SCRIPT,
            "quality_criteria": SCRIPT,
            "social_value_criteria": SCRIPT,
            "start_date": timezone.localdate() + timedelta(days=60),
            "end_date": timezone.localdate() + timedelta(days=700),
            "deadline": timezone.now() + timedelta(days=7),
        },
    )
    competition_services.competition_publish(actor=setup.buyer, competition=competition)
    invitation = setup.invitation(competition, 0)
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[0], invitation=invitation, question=SCRIPT
    )
    clarification_services.clarification_answer(actor=setup.buyer, question=question, answer=SCRIPT)
    response = setup.respond(competition, 0, quality_response=SCRIPT, social_value_response=SCRIPT)
    client.force_login(setup.suppliers[0])
    for url in (
        f"/suppliers/competitions/{invitation.pk}/",
        "/suppliers/competitions/",
        "/suppliers/",
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page and ESCAPED in page, url
    setup.close(competition)
    setup.score(response)
    client.force_login(setup.buyer)
    for url in (
        f"/buying/competitions/{competition.pk}/",
        f"/buying/competitions/{competition.pk}/responses/{response.pk}/",
        f"/buying/competitions/{competition.pk}/award/",
        "/buying/competitions/",
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page and ESCAPED in page, url
    award_services.competition_award(
        actor=setup.buyer, competition=competition, response=response, rationale=SCRIPT, kpis=SCRIPT
    )
    client.force_login(setup.buyer)
    contract = Contract.objects.get()
    page = client.get(f"/buying/contracts/{contract.pk}/").content.decode()
    assert SCRIPT not in page and ESCAPED in page
    assert ClarificationQuestion.objects.get().answer == SCRIPT  # stored as typed


def test_calculate_shows_the_value_from_the_pricing_model_and_awards_nothing(client, direct):
    """Per user per month: 500 users over 12 months at £12.00 is £72,000, shown before the
    award (a plain submit button, so it works without JavaScript)."""
    from catalogue.models import OfferRevision
    from contracts.dates import add_months

    OfferRevision.objects.filter(offer=direct["offer"]).update(pricing_model="per_user_month")
    client.force_login(direct["buyer"])
    start = timezone.localdate() + timedelta(days=7)
    data = award_post(
        quantity="",
        units="500",
        calculate="1",
        **date_fields("end_date", add_months(start, 12) - timedelta(days=1)),
    )
    page = client.post(item_url(direct), data).content.decode()
    assert "Contract value: £72,000.00" in page
    assert "500 users × 12 months × £12.00 per user per month = £72,000.00" in page
    assert not Contract.objects.exists()
    del data["calculate"]
    client.post(item_url(direct), data)
    contract = Contract.objects.get()
    assert contract.value == Decimal("72000.00") and contract.status == Contract.Status.MOBILISING
