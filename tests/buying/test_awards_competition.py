"""Further competition services, one state change at a time: set up, invite, publish, ask and
answer, respond, score, award, cancel. Every refusal is clear and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from buying.models import (
    CompetitionInvitation,
    FurtherCompetition,
    Requirement,
    Shortlist,
)
from buying.services import awards as award_services
from buying.services import clarifications as clarification_services
from buying.services import competitions as competition_services
from buying.services import emails as award_emails
from buying.services import requirements as requirement_services
from buying.services import responses as response_services
from buying.services import shortlists as shortlist_services
from contracts.models import Contract
from ndx.audit.models import AuditEntry
from suppliers.models import FrameworkMembership
from tests.catalogue.factories import LotFactory

from .award_helpers import (
    CompetitionSetup,
    buyer_user,
    competition_data,
    frozen_shortlist,
    snapshot,
    supplier_offer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return CompetitionSetup()


def errors_of(exc) -> dict:
    value = exc.value
    return value.message_dict if hasattr(value, "error_dict") else {"__all__": value.messages}


def assert_refused(call, field, message, exception=ValidationError):
    before = snapshot()
    with pytest.raises(exception) as exc:
        call()
    if exception is ValidationError:
        errors = errors_of(exc)
        assert field in errors, errors
        assert message in " ".join(errors[field]), errors
    assert snapshot() == before


# --- set-up -----------------------------------------------------------------------------------


def test_create_makes_a_draft_inviting_the_chosen_suppliers(setup):
    competition = setup.create(count=3)
    assert competition.status == FurtherCompetition.Status.DRAFT
    assert competition.lot == setup.lot and competition.shortlist == setup.shortlist
    assert competition.weights == {"quality": 60, "price": 30, "social_value": 10}
    invitations = list(competition.invitations.order_by("id"))
    assert [i.supplier for i in invitations] == [o.supplier for o in setup.offers[:3]]
    item = setup.shortlist.items.get(offer=setup.offers[0])
    assert invitations[0].revision == item.revision
    assert invitations[0].national_price == Decimal("10.00")
    assert invitations[0].list_price == Decimal("12.00")
    actions = list(
        AuditEntry.objects.filter(object_id=str(competition.pk)).values_list("action", flat=True)
    )
    assert "competition.created" in actions and "competition.invited" in actions


def test_drafts_are_not_shown_to_suppliers(setup):
    setup.create()
    assert not CompetitionInvitation.objects.for_supplier(setup.suppliers[0]).exists()


@pytest.mark.parametrize(
    "weights, field, message",
    [
        (
            ("60", "30", "20"),
            "weight_quality",
            "The weights must add up to 100 (they add up to 110)",
        ),
        (
            ("50", "30", "10"),
            "weight_quality",
            "The weights must add up to 100 (they add up to 90)",
        ),
        (("65", "30", "5"), "weight_social_value", "Social value must be weighted at least 10%"),
        (("70", "30", "0"), "weight_social_value", "at least 10% (you entered 0%)"),
        (("", "30", "10"), "weight_quality", "Enter the weight for quality"),
        (("sixty", "30", "10"), "weight_quality", "as a whole number of percent"),
        (("60.5", "29.5", "10"), "weight_quality", "as a whole number of percent"),
        (("160", "30", "10"), "weight_quality", "100 or less"),
    ],
)
def test_bad_weights_are_refused(setup, weights, field, message):
    quality, price, social = weights
    assert_refused(
        lambda: setup.create(
            weight_quality=quality, weight_price=price, weight_social_value=social
        ),
        field,
        message,
    )
    assert not FurtherCompetition.objects.exists()


def test_weights_with_percent_signs_are_accepted(setup):
    competition = setup.create(weight_quality="50%", weight_price="30 %", weight_social_value="20")
    assert competition.weights == {"quality": 50, "price": 30, "social_value": 20}


def test_fewer_than_three_suppliers_is_refused(setup):
    assert_refused(
        lambda: setup.create(count=2), "items", "Invite at least 3 suppliers (you selected 2)"
    )


def test_suppliers_from_two_lots_are_refused(setup):
    other_lot = LotFactory(direct_award_allowed=False, framework=setup.lot.framework)
    offer, _ = supplier_offer(other_lot, "Other Lot Ltd")
    shortlist = frozen_shortlist(setup.buyer, [*setup.offers[:2], offer], name="Mixed")
    assert_refused(
        lambda: competition_services.competition_create(
            actor=setup.buyer, shortlist=shortlist, data=competition_data(shortlist)
        ),
        "items",
        "Select offers from one lot only",
    )


def test_the_same_supplier_twice_is_refused(setup):
    from tests.catalogue.factories import make_offer

    second = make_offer(setup.offers[0].supplier, setup.lot, title="Second offer")
    shortlist = frozen_shortlist(setup.buyer, [*setup.offers[:2], second], name="Twice")
    assert_refused(
        lambda: competition_services.competition_create(
            actor=setup.buyer, shortlist=shortlist, data=competition_data(shortlist)
        ),
        "items",
        "Select one offer from each supplier",
    )


def test_items_from_another_shortlist_are_refused(setup):
    other = frozen_shortlist(setup.buyer, setup.offers[:1], name="Other")
    data = competition_data(setup.shortlist, count=2)
    data["items"].append(str(other.items.get().pk))
    assert_refused(
        lambda: competition_services.competition_create(
            actor=setup.buyer, shortlist=setup.shortlist, data=data
        ),
        "items",
        "Select suppliers from this shortlist",
    )


def test_a_supplier_no_longer_in_good_standing_cannot_be_invited(setup):
    FrameworkMembership.objects.filter(supplier=setup.offers[1].supplier).update(status="suspended")
    assert_refused(lambda: setup.create(), "items", "can no longer be bought: Brightwater")


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": " "}, "title", "Enter a title for the competition"),
        ({"title": "x" * 151}, "title", "150 characters or fewer"),
        ({"description": ""}, "description", "Describe the requirement"),
        ({"quantity": "0"}, "quantity", "The quantity must be more than 0"),
        ({"quality_criteria": ""}, "quality_criteria", "Describe what suppliers' quality"),
        ({"social_value_criteria": ""}, "social_value_criteria", "social value answers"),
        ({"deadline": None}, "deadline", "Enter the deadline for responses"),
        ({"start_date": None}, "start_date", "Enter the start date"),
    ],
)
def test_bad_set_up_is_refused(setup, overrides, field, message):
    assert_refused(lambda: setup.create(**overrides), field, message)


def test_a_deadline_in_the_past_or_after_the_start_is_refused(setup):
    assert_refused(
        lambda: setup.create(deadline=timezone.now() - timedelta(hours=1)),
        "deadline",
        "The deadline must be in the future",
    )
    assert_refused(
        lambda: setup.create(deadline=timezone.now() + timedelta(days=90)),
        "deadline",
        "The deadline must be before the contract starts",
    )


def test_every_error_is_reported_at_once(setup):
    with pytest.raises(ValidationError) as exc:
        setup.create(count=1, title="", weight_social_value="5")
    assert {"items", "title", "weight_social_value"} <= set(exc.value.message_dict)


def test_only_a_frozen_shortlist_of_the_buyers_organisation_can_be_used(setup):
    open_list = shortlist_services.shortlist_create(actor=setup.buyer, name="Open")
    assert_refused(
        lambda: competition_services.competition_create(
            actor=setup.buyer, shortlist=open_list, data=competition_data(setup.shortlist)
        ),
        "__all__",
        "Freeze the shortlist",
    )
    other = buyer_user("Kent County Council")
    assert_refused(
        lambda: competition_services.competition_create(
            actor=other, shortlist=setup.shortlist, data=competition_data(setup.shortlist)
        ),
        None,
        None,
        exception=PermissionDenied,
    )


def test_update_changes_a_draft_and_its_invitations(setup):
    competition = setup.create(count=4)
    competition_services.competition_update(
        actor=setup.buyer,
        competition=competition,
        data=competition_data(setup.shortlist, count=3, title="Renamed"),
    )
    competition.refresh_from_db()
    assert competition.title == "Renamed" and competition.invitations.count() == 3


def test_invite_replaces_the_chosen_suppliers(setup):
    competition = setup.create(count=3)
    items = [i.pk for i in setup.shortlist.items.order_by("-position")[:3]]
    competition_services.competition_invite(
        actor=setup.buyer, competition=competition, item_ids=items
    )
    assert set(competition.invitations.values_list("shortlist_item_id", flat=True)) == set(items)


# --- publishing -------------------------------------------------------------------------------


def test_publish_sends_the_invitations_by_email(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    competition = setup.create()
    with django_capture_on_commit_callbacks(execute=True):
        competition_services.competition_publish(actor=setup.buyer, competition=competition)
    competition.refresh_from_db()
    assert competition.status == FurtherCompetition.Status.OPEN and competition.published_at
    assert len(mailoutbox) == 4
    assert {m.to[0] for m in mailoutbox} == {u.email for u in setup.suppliers}
    assert all("Invitation to a further competition" in m.subject for m in mailoutbox)
    assert "Leeds City Council" in mailoutbox[0].body
    assert CompetitionInvitation.objects.for_supplier(setup.suppliers[0]).count() == 1
    assert AuditEntry.objects.filter(action="competition.published").exists()


def test_publish_twice_or_after_the_deadline_is_refused(setup):
    competition = setup.create()
    FurtherCompetition.objects.filter(pk=competition.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    assert_refused(
        lambda: competition_services.competition_publish(
            actor=setup.buyer, competition=competition
        ),
        "__all__",
        "The deadline has passed",
    )
    FurtherCompetition.objects.filter(pk=competition.pk).update(
        deadline=timezone.now() + timedelta(days=3)
    )
    competition_services.competition_publish(actor=setup.buyer, competition=competition)
    assert_refused(
        lambda: competition_services.competition_publish(
            actor=setup.buyer, competition=competition
        ),
        "__all__",
        "The invitations have been sent",
    )
    assert_refused(
        lambda: competition_services.competition_update(
            actor=setup.buyer, competition=competition, data=competition_data(setup.shortlist)
        ),
        "__all__",
        "cannot change",
    )


# --- clarifications ---------------------------------------------------------------------------


def test_answers_are_shared_with_every_invited_supplier_without_the_asker(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    competition = setup.published()
    invitation = setup.invitation(competition, 0)
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[0],
        invitation=invitation,
        question="Northwind here: do you need single sign-on?",
    )
    assert question.asked_by == setup.suppliers[0]
    with django_capture_on_commit_callbacks(execute=True):
        clarification_services.clarification_answer(
            actor=setup.buyer,
            question=question,
            answer="Yes, with Microsoft Entra ID.",
            shared_question="Do you need single sign-on?",
        )
    question.refresh_from_db()
    assert question.is_answered and question.shared_question == "Do you need single sign-on?"
    assert len(mailoutbox) == 4
    assert all("Northwind" not in m.body for m in mailoutbox)
    assert all("Microsoft Entra ID" in m.body for m in mailoutbox)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"clarification.asked", "clarification.answered"} <= actions


def test_the_question_is_shared_as_asked_unless_reworded(setup):
    competition = setup.published()
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[1], invitation=setup.invitation(competition, 1), question="Budget?"
    )
    clarification_services.clarification_answer(
        actor=setup.buyer, question=question, answer="£100k"
    )
    question.refresh_from_db()
    assert question.shared_question == "Budget?"


def test_bad_questions_and_answers_are_refused(setup):
    competition = setup.published()
    invitation = setup.invitation(competition, 0)
    assert_refused(
        lambda: clarification_services.clarification_ask(
            actor=setup.suppliers[0], invitation=invitation, question="  "
        ),
        "question",
        "Enter your question",
    )
    assert_refused(
        lambda: clarification_services.clarification_ask(
            actor=setup.suppliers[1], invitation=invitation, question="Not mine"
        ),
        None,
        None,
        exception=PermissionDenied,
    )
    question = clarification_services.clarification_ask(
        actor=setup.suppliers[0], invitation=invitation, question="When?"
    )
    assert_refused(
        lambda: clarification_services.clarification_answer(
            actor=setup.buyer, question=question, answer=""
        ),
        "answer",
        "Enter your answer",
    )
    clarification_services.clarification_answer(actor=setup.buyer, question=question, answer="Soon")
    assert_refused(
        lambda: clarification_services.clarification_answer(
            actor=setup.buyer, question=question, answer="x"
        ),
        "__all__",
        "already been answered",
    )
    other = buyer_user("Kent County Council")
    second = clarification_services.clarification_ask(
        actor=setup.suppliers[0], invitation=invitation, question="Where?"
    )
    assert_refused(
        lambda: clarification_services.clarification_answer(
            actor=other, question=second, answer="x"
        ),
        None,
        None,
        exception=PermissionDenied,
    )


def test_questions_after_the_deadline_are_refused(setup):
    competition = setup.published()
    assert_refused(
        lambda: clarification_services.clarification_ask(
            actor=setup.suppliers[0],
            invitation=setup.invitation(competition, 0),
            question="Too late?",
            now=competition.deadline,
        ),
        "__all__",
        "late questions cannot be accepted",
    )


# --- responses --------------------------------------------------------------------------------


def test_a_response_is_submitted_and_can_be_replaced_before_the_deadline(setup):
    competition = setup.published()
    response = setup.respond(competition, 0, price="9.50")
    assert response.unit_price == Decimal("9.50") and response.submitted_by == setup.suppliers[0]
    again = setup.respond(competition, 0, price="9.00")
    assert again.pk == response.pk and again.unit_price == Decimal("9.00")
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "competition_response.submitted" in actions
    assert "competition_response.replaced" in actions


def test_a_response_after_the_deadline_is_refused(setup):
    competition = setup.published()
    invitation = setup.invitation(competition, 2)

    def late():
        return response_services.response_submit(
            actor=setup.suppliers[2],
            invitation=invitation,
            unit_price="9.00",
            quality_response="Late",
            social_value_response="Late",
            now=competition.deadline + timedelta(seconds=1),
        )

    assert_refused(late, "__all__", "late responses cannot be accepted")
    setup.close(competition)
    assert_refused(
        lambda: setup.respond(competition, 2), "__all__", "late responses cannot be accepted"
    )


def test_a_response_exactly_at_the_deadline_is_late(setup):
    competition = setup.published()
    with pytest.raises(ValidationError, match="The deadline was"):
        response_services.response_submit(
            actor=setup.suppliers[0],
            invitation=setup.invitation(competition, 0),
            unit_price="9",
            quality_response="x",
            social_value_response="y",
            now=competition.deadline,
        )


def test_a_price_above_the_national_price_is_refused(setup):
    competition = setup.published()
    assert_refused(
        lambda: setup.respond(competition, 0, price="10.01"),
        "unit_price",
        "The price must be at or below the national price of £10.00",
    )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"unit_price": ""}, "unit_price", "Enter the unit price"),
        ({"unit_price": "cheap"}, "unit_price", "Enter the unit price as a number"),
        ({"quality_response": ""}, "quality_response", "Enter your response on quality"),
        ({"social_value_response": " "}, "social_value_response", "on social value"),
        ({"quality_response": "x" * 10001}, "quality_response", "10,000 characters or fewer"),
    ],
)
def test_bad_responses_are_refused(setup, overrides, field, message):
    competition = setup.published()
    assert_refused(lambda: setup.respond(competition, 0, **overrides), field, message)


def test_a_supplier_cannot_respond_for_another(setup):
    competition = setup.published()
    assert_refused(
        lambda: response_services.response_submit(
            actor=setup.suppliers[1],
            invitation=setup.invitation(competition, 0),
            unit_price="9",
            quality_response="x",
            social_value_response="y",
        ),
        None,
        None,
        exception=PermissionDenied,
    )


def test_responses_to_a_draft_or_cancelled_competition_are_refused(setup):
    competition = setup.create()
    invitation = setup.invitation(competition, 0)
    with pytest.raises(PermissionDenied):  # a draft is not shown to suppliers at all
        response_services.response_submit(
            actor=setup.suppliers[0],
            invitation=invitation,
            unit_price="9",
            quality_response="x",
            social_value_response="y",
        )
    competition_services.competition_publish(actor=setup.buyer, competition=competition)
    competition_services.competition_cancel(
        actor=setup.buyer, competition=competition, reason="Budget cut"
    )
    assert_refused(
        lambda: setup.respond(competition, 0), "__all__", "This competition is cancelled"
    )


# --- scoring ----------------------------------------------------------------------------------


def test_scoring_computes_the_weighted_total(setup):
    competition = setup.published()
    response = setup.respond(competition, 0)
    setup.close(competition)
    scored = setup.score(response, quality=70, price=80, social_value=55)
    # 70 x 60% + 80 x 30% + 55 x 10% = 42 + 24 + 5.5
    assert scored.weighted_score == Decimal("71.50")
    assert scored.scored_by == setup.buyer
    entry = AuditEntry.objects.get(action="competition_response.scored")
    assert entry.detail["total"] == "71.50"


def test_responses_are_sealed_until_the_deadline(setup):
    competition = setup.published()
    response = setup.respond(competition, 0)
    assert_refused(lambda: setup.score(response), "__all__", "Responses are sealed")


@pytest.mark.parametrize(
    "scores, field, message",
    [
        ((101, 50, 50), "quality_score", "must be between 0 and 100"),
        (("", 50, 50), "quality_score", "Enter a score for quality"),
        ((50, -1, 50), "price_score", "as a whole number"),
        ((50, 50, "7.5"), "social_value_score", "as a whole number"),
    ],
)
def test_bad_scores_are_refused(setup, scores, field, message):
    competition = setup.published()
    response = setup.respond(competition, 0)
    setup.close(competition)
    quality, price, social = scores
    assert_refused(
        lambda: setup.score(response, quality=quality, price=price, social_value=social),
        field,
        message,
    )


def test_another_buyer_cannot_score(setup):
    competition = setup.published()
    response = setup.respond(competition, 0)
    setup.close(competition)
    other = buyer_user("Kent County Council")
    assert_refused(
        lambda: response_services.response_score(
            actor=other, response=response, quality=1, price=1, social_value=1
        ),
        None,
        None,
        exception=PermissionDenied,
    )


def test_price_score_suggestions_give_the_lowest_price_100(setup):
    competition = setup.published()
    a = setup.respond(competition, 0, price="8.00")
    b = setup.respond(competition, 1, price="9.00")
    assert response_services.price_score_suggestions(competition) == {a.pk: 100, b.pk: 89}


# --- awarding ---------------------------------------------------------------------------------


def scored_competition(setup, *, requirement=None):
    competition = setup.published()
    if requirement is not None:
        FurtherCompetition.objects.filter(pk=competition.pk).update(requirement=requirement)
        competition.refresh_from_db()
    responses = [
        setup.respond(competition, 0, price="9.50"),
        setup.respond(competition, 1, price="8.50"),
        setup.respond(competition, 2, price="10.00"),
    ]
    setup.close(competition)
    setup.score(responses[0], quality=80, price=89, social_value=70)  # 48 + 26.7 + 7 = 81.70
    setup.score(responses[1], quality=70, price=100, social_value=60)  # 42 + 30 + 6 = 78.00
    setup.score(responses[2], quality=60, price=85, social_value=50)  # 36 + 25.5 + 5 = 66.50
    return competition, responses


def test_award_creates_the_contract_and_tells_every_supplier(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    competition, responses = scored_competition(setup)
    rationale = award_services.competition_award_rationale(competition)
    assert rationale.startswith("Responses were scored on quality (60%), price (30%)")
    assert "Northwind Digital Ltd offered the most advantageous response" in rationale
    with django_capture_on_commit_callbacks(execute=True):
        contract = award_services.competition_award(
            actor=setup.buyer,
            competition=competition,
            response=responses[0],
            rationale=rationale,
            kpis="Available 99.9%\nCases closed in 5 days",
            unsuccessful_feedback="Thank you for taking part.",
        )
    assert contract.route == Contract.Route.FURTHER_COMPETITION
    assert contract.supplier == setup.offers[0].supplier
    assert contract.revision == setup.invitation(competition, 0).revision
    assert contract.unit_price == Decimal("9.50") and contract.quantity == Decimal("1000.00")
    assert contract.value == Decimal("9500.00")
    assert contract.saving == Decimal("2500.00")  # (12.00 - 9.50) x 1000
    assert contract.justification == rationale
    assert contract.start_date == competition.start_date
    competition.refresh_from_db()
    assert competition.status == FurtherCompetition.Status.AWARDED
    assert competition.contract == contract
    outcomes = {
        i.supplier.name: (i.outcome, i.feedback)
        for i in competition.invitations.select_related("supplier")
    }
    assert outcomes["Northwind Digital Ltd"][0] == "successful"
    outcome, feedback = outcomes["Brightwater Cloud plc"]
    assert outcome == "unsuccessful"
    assert "Your response scored 78.00 out of 100" in feedback
    assert "from Northwind Digital Ltd, scored 81.70" in feedback
    assert "Thank you for taking part." in feedback
    assert "did not submit a response" in outcomes["Ash CIC"][1]
    subjects = sorted(m.subject for m in mailoutbox)
    assert len(subjects) == 4
    assert sum("was not successful" in s for s in subjects) == 3
    assert sum("was successful" in s for s in subjects) == 1
    # no supplier is told another unsuccessful supplier's scores
    brightwater_mail = next(m for m in mailoutbox if m.to == [setup.suppliers[1].email])
    assert "66.50" not in brightwater_mail.body
    setup.shortlist.refresh_from_db()
    assert setup.shortlist.outcome == Shortlist.Outcome.AWARDED
    assert AuditEntry.objects.filter(action="competition.awarded").exists()


def test_time_to_award_runs_from_the_competitions_requirement(setup):
    requirement = requirement_services.requirement_start(actor=setup.buyer, title="Case management")
    Requirement.objects.filter(pk=requirement.pk).update(
        created_at=timezone.now() - timedelta(days=45)
    )
    competition, responses = scored_competition(setup, requirement=requirement)
    contract = award_services.competition_award(
        actor=setup.buyer,
        competition=competition,
        response=responses[0],
        rationale="Best",
        kpis="",
    )
    assert contract.requirement_id == requirement.pk
    assert timedelta(days=44) < contract.time_to_award < timedelta(days=46)


def test_award_to_a_lower_score_is_refused(setup):
    competition, responses = scored_competition(setup)
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer,
            competition=competition,
            response=responses[1],
            rationale="x",
            kpis="",
        ),
        "response",
        "Award to the highest-scoring response (weighted score 81.70)",
    )


def test_award_before_every_response_is_scored_is_refused(setup):
    competition = setup.published()
    first = setup.respond(competition, 0)
    setup.respond(competition, 1, price="8.00")
    setup.close(competition)
    setup.score(first)
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer, competition=competition, response=first, rationale="x", kpis=""
        ),
        "__all__",
        "Score every response before awarding (1 still to score)",
    )


def test_award_before_the_deadline_is_refused(setup):
    competition = setup.published()
    response = setup.respond(competition, 0)
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer, competition=competition, response=response, rationale="x", kpis=""
        ),
        "__all__",
        "once the deadline has passed",
    )


def test_award_needs_a_rationale_and_enough_kpis(setup):
    competition, responses = scored_competition(setup)
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer,
            competition=competition,
            response=responses[0],
            rationale=" ",
            kpis="",
        ),
        "rationale",
        "Enter the rationale for the award",
    )
    FurtherCompetition.objects.filter(pk=competition.pk).update(quantity=Decimal("600000"))
    competition.refresh_from_db()
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer,
            competition=competition,
            response=responses[0],
            rationale="Best",
            kpis="One\nTwo",
        ),
        "kpis",
        "need at least 3 KPIs",
    )


def test_award_with_nothing_chosen_or_twice_is_refused(setup):
    competition, responses = scored_competition(setup)
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer, competition=competition, response=None, rationale="x", kpis=""
        ),
        "response",
        "Select the supplier",
    )
    award_services.competition_award(
        actor=setup.buyer, competition=competition, response=responses[0], rationale="x", kpis=""
    )
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer,
            competition=competition,
            response=responses[0],
            rationale="x",
            kpis="",
        ),
        "__all__",
        "This competition is awarded",
    )
    assert_refused(lambda: setup.score(responses[1]), "__all__", "its scores can no longer change")


def test_award_with_no_responses_is_refused(setup):
    competition = setup.close(setup.published())
    assert_refused(
        lambda: award_services.competition_award(
            actor=setup.buyer, competition=competition, response=None, rationale="x", kpis=""
        ),
        "__all__",
        "No supplier responded",
    )


def test_another_buyer_cannot_award(setup):
    competition, responses = scored_competition(setup)
    other = buyer_user("Kent County Council")
    assert_refused(
        lambda: award_services.competition_award(
            actor=other, competition=competition, response=responses[0], rationale="x", kpis=""
        ),
        None,
        None,
        exception=PermissionDenied,
    )


# --- cancelling -------------------------------------------------------------------------------


def test_cancel_tells_invited_suppliers_why(setup, django_capture_on_commit_callbacks, mailoutbox):
    competition = setup.published()
    with django_capture_on_commit_callbacks(execute=True):
        competition_services.competition_cancel(
            actor=setup.buyer, competition=competition, reason="The budget was withdrawn"
        )
    competition.refresh_from_db()
    assert competition.status == FurtherCompetition.Status.CANCELLED
    assert set(competition.invitations.values_list("outcome", flat=True)) == {"cancelled"}
    assert len(mailoutbox) == 4 and "The budget was withdrawn" in mailoutbox[0].body
    assert_refused(
        lambda: competition_services.competition_cancel(
            actor=setup.buyer, competition=competition, reason="again"
        ),
        "__all__",
        "already been cancelled",
    )


def test_cancelling_a_draft_sends_nothing_and_needs_a_reason(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    competition = setup.create()
    assert_refused(
        lambda: competition_services.competition_cancel(
            actor=setup.buyer, competition=competition, reason=""
        ),
        "reason",
        "Enter why you are cancelling",
    )
    with django_capture_on_commit_callbacks(execute=True):
        competition_services.competition_cancel(
            actor=setup.buyer, competition=competition, reason="Changed"
        )
    assert mailoutbox == []
    assert not CompetitionInvitation.objects.for_supplier(setup.suppliers[0]).exists()


def test_award_emails_can_be_turned_off(setup, django_capture_on_commit_callbacks, mailoutbox):
    competition = setup.create()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with award_emails.award_emails_off():
            competition_services.competition_publish(actor=setup.buyer, competition=competition)
            question = clarification_services.clarification_ask(
                actor=setup.suppliers[0],
                invitation=setup.invitation(competition, 0),
                question="When?",
            )
            clarification_services.clarification_answer(
                actor=setup.buyer, question=question, answer="Soon"
            )
    assert callbacks == [] and mailoutbox == []
