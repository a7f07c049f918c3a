"""Every declared transition of the procurement records, from every state of the field: a move is
allowed exactly from the states its table declares, and a refused move changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buying.models import CompetitionInvitation, FurtherCompetition, Requirement, Shortlist
from contracts.models import Contract
from ndx.lifecycle import TransitionRefused
from reviews.models import Review

LIFECYCLES = [
    (Requirement, "LIFECYCLE"),
    (Shortlist, "LIFECYCLE"),
    (Shortlist, "OUTCOME_LIFECYCLE"),
    (FurtherCompetition, "LIFECYCLE"),
    (CompetitionInvitation, "LIFECYCLE"),
    (Contract, "LIFECYCLE"),
    (Review, "LIFECYCLE"),
]


def _states(model, field_name: str) -> list[str]:
    """The field's choices, and "" (not decided yet) where the field may be blank."""
    field = model._meta.get_field(field_name)
    states = [value for value, _ in field.flatchoices]
    return states + [""] if field.blank and "" not in states else states


def _cases():
    for model, attribute in LIFECYCLES:
        lifecycle = getattr(model, attribute)
        for state in _states(model, lifecycle.field_name):
            for name in lifecycle.moves:
                yield pytest.param(
                    model, attribute, state, name, id=f"{model.__name__}.{attribute}-{state}-{name}"
                )


@pytest.mark.parametrize(("model", "attribute", "state", "name"), list(_cases()))
def test_every_move_is_allowed_exactly_from_its_declared_states(model, attribute, state, name):
    lifecycle = getattr(model, attribute)
    obj = model(**{lifecycle.field_name: state})
    declared = state in lifecycle.moves[name].sources
    assert lifecycle.can(obj, name) is declared
    if declared:
        assert lifecycle.apply(obj, name) == lifecycle.moves[name].to
        assert getattr(obj, lifecycle.field_name) == lifecycle.moves[name].to
    else:
        with pytest.raises(TransitionRefused):
            lifecycle.apply(obj, name)
        assert getattr(obj, lifecycle.field_name) == state


@pytest.mark.parametrize(("model", "attribute"), LIFECYCLES)
def test_lifecycles_name_only_real_states(model, attribute):
    lifecycle = getattr(model, attribute)
    assert lifecycle.states() <= set(_states(model, lifecycle.field_name))


def test_every_shortlist_outcome_has_its_move():
    for outcome in Shortlist.Outcome.values:
        move = Shortlist.OUTCOME_MOVES[outcome]
        assert Shortlist.OUTCOME_LIFECYCLE.moves[move].to == outcome


@pytest.mark.parametrize("status", FurtherCompetition.Status.values)
def test_competition_properties_ask_the_lifecycle(status):
    past = FurtherCompetition(status=status, deadline=timezone.now() - timedelta(hours=1))
    future = FurtherCompetition(status=status, deadline=timezone.now() + timedelta(hours=1))
    assert past.can_publish is (status == "draft")
    assert past.can_cancel is (status in ("draft", "open"))
    assert past.can_award is (status == "open")
    assert future.can_award is False  # not before the deadline
    flags = [past.is_draft, past.is_open, past.is_awarded, past.is_cancelled]
    assert flags.count(True) == 1


@pytest.mark.parametrize(
    ("status", "outcome", "can_award", "can_record"),
    [
        ("open", "", False, False),
        ("frozen", "", True, True),
        ("frozen", "awarded", True, False),
        ("frozen", "cancelled", False, False),
        ("frozen", "none_suitable", False, False),
    ],
)
def test_shortlist_properties(status, outcome, can_award, can_record):
    shortlist = Shortlist(status=status, outcome=outcome)
    assert shortlist.can_award is can_award
    assert shortlist.can_record_outcome is can_record
    assert shortlist.can_freeze is (status == "open")


@pytest.mark.parametrize("status", Review.Status.values)
def test_review_properties(status):
    review = Review(status=status)
    assert review.can_publish is (status == "held")
    assert review.can_reject is (status != "rejected")
    assert [review.is_held, review.is_published, review.is_rejected].count(True) == 1


def test_refusals_keep_the_services_messages():
    with pytest.raises(TransitionRefused) as exc:
        Review.LIFECYCLE.apply(
            Review(status="rejected"), "reject", message="This review has already been rejected."
        )
    assert exc.value.messages == ["This review has already been rejected."]
    with pytest.raises(TransitionRefused) as exc:
        FurtherCompetition.LIFECYCLE.apply(FurtherCompetition(status="awarded"), "publish")
    assert exc.value.messages == [
        "You cannot send the invitations for this further competition while it is awarded."
    ]


@pytest.mark.django_db
def test_an_organisation_with_a_competition_cannot_be_deleted():
    from django.db.models import ProtectedError

    from tests.buying.award_helpers import CompetitionSetup

    competition = CompetitionSetup().create()
    with pytest.raises(ProtectedError):
        competition.organisation.delete()
    assert FurtherCompetition.objects.filter(pk=competition.pk).exists()
