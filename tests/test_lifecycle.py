"""The lifecycle table: a move is allowed exactly from its declared states."""

import pytest

from ndx.lifecycle import Lifecycle, Move, TransitionRefused


class Thing:
    def __init__(self, status):
        self.status = status


LIFE = Lifecycle(
    "status",
    {
        "submit": Move(from_=["draft", "rejected"], to="pending", verb="send for review"),
        "approve": Move(from_="pending", to="published"),
        "withdraw": Move(from_=["published", "pending"], to="withdrawn"),
    },
)


@pytest.mark.parametrize("state", sorted(LIFE.states()))
@pytest.mark.parametrize("name", sorted(LIFE.moves))
def test_every_move_is_allowed_or_refused_as_declared(state, name):
    thing = Thing(state)
    declared = state in LIFE.moves[name].sources
    assert LIFE.can(thing, name) is declared
    if declared:
        assert LIFE.apply(thing, name) == LIFE.moves[name].to == thing.status
    else:
        with pytest.raises(TransitionRefused):
            LIFE.apply(thing, name)
        assert thing.status == state  # nothing changed


def test_refusal_speaks_plainly():
    with pytest.raises(TransitionRefused) as exc:
        LIFE.apply(Thing("published"), "submit")
    assert exc.value.messages == ["You cannot send for review this Thing while it is published."]
    assert LIFE.allowed(Thing("pending")) == ["approve", "withdraw"]


def test_unknown_move_is_a_programming_error():
    with pytest.raises(LookupError):
        LIFE.can(Thing("draft"), "publish")
