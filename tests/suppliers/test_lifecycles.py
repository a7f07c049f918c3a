"""The lot application lifecycle: each move is allowed exactly from its declared states."""

import pytest

from ndx.lifecycle import TransitionRefused
from suppliers.models import LotApplication

PAIRS = [
    (state, name)
    for state in LotApplication.Status.values
    for name in sorted(LotApplication.LIFECYCLE.moves)
]


@pytest.mark.parametrize(("state", "name"), PAIRS)
def test_lot_application_moves(state, name):
    application = LotApplication(status=state)
    declared = state in LotApplication.LIFECYCLE.moves[name].sources
    assert LotApplication.LIFECYCLE.can(application, name) is declared
    if declared:
        moved = LotApplication.LIFECYCLE.apply(application, name)
        assert moved == LotApplication.LIFECYCLE.moves[name].to == application.status
    else:
        with pytest.raises(TransitionRefused):
            LotApplication.LIFECYCLE.apply(application, name)
        assert application.status == state


def test_declared_table():
    assert {
        name: (sorted(move.sources), move.to)
        for name, move in LotApplication.LIFECYCLE.moves.items()
    } == {
        "approve": (["submitted"], "approved"),
        "reject": (["submitted"], "rejected"),
        "withdraw": (["submitted"], "withdrawn"),
        "withdraw_on_removal": (["approved"], "withdrawn"),
    }
    assert LotApplication.LIFECYCLE.states() <= set(LotApplication.Status.values)


def test_properties_ask_the_lifecycle():
    assert [LotApplication(status=s).is_waiting for s in LotApplication.Status.values] == [
        s == "submitted" for s in LotApplication.Status.values
    ]
    assert [LotApplication(status=s).is_approved for s in LotApplication.Status.values] == [
        s == "approved" for s in LotApplication.Status.values
    ]
