"""The catalogue's declared lifecycles: each move is allowed exactly from its declared states."""

import pytest

from catalogue.models import CatalogueImport, Framework, FrameworkMembership, Offer, OfferRevision
from ndx.lifecycle import TransitionRefused

MODELS = (Framework, Offer, OfferRevision, CatalogueImport, FrameworkMembership)


def pairs(model):
    """Every (state, move) pair: all the model's statuses, whether or not a move reaches them."""
    return [
        (state, name) for state in model.Status.values for name in sorted(model.LIFECYCLE.moves)
    ]


def check_move(model, state, name):
    obj = model(status=state)
    declared = state in model.LIFECYCLE.moves[name].sources
    assert model.LIFECYCLE.can(obj, name) is declared
    if declared:
        assert model.LIFECYCLE.apply(obj, name) == model.LIFECYCLE.moves[name].to == obj.status
    else:
        with pytest.raises(TransitionRefused):
            model.LIFECYCLE.apply(obj, name)
        assert obj.status == state  # nothing changed


@pytest.mark.parametrize(("state", "name"), pairs(Framework))
def test_framework_moves(state, name):
    check_move(Framework, state, name)


@pytest.mark.parametrize(("state", "name"), pairs(Offer))
def test_offer_moves(state, name):
    check_move(Offer, state, name)


@pytest.mark.parametrize(("state", "name"), pairs(OfferRevision))
def test_offer_revision_moves(state, name):
    check_move(OfferRevision, state, name)


@pytest.mark.parametrize(("state", "name"), pairs(CatalogueImport))
def test_catalogue_import_moves(state, name):
    check_move(CatalogueImport, state, name)


@pytest.mark.parametrize(("state", "name"), pairs(FrameworkMembership))
def test_framework_membership_moves(state, name):
    check_move(FrameworkMembership, state, name)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_tables_name_only_real_statuses(model):
    assert model.LIFECYCLE.states() <= set(model.Status.values)


def test_declared_tables():
    """The tables as written down, so that a change to one is a visible decision."""
    table = {
        model.__name__: {n: (sorted(m.sources), m.to) for n, m in model.LIFECYCLE.moves.items()}
        for model in MODELS
    }
    assert table["Framework"] == {
        "open": (["draft"], "open"),
        "approve_live": (["draft", "open"], "live"),
        "close": (["draft", "live", "open"], "closed"),
        "expire": (["draft", "live", "open"], "expired"),
    }
    assert table["Offer"] == {
        "edit": (["rejected"], "draft"),
        "submit": (["draft", "rejected", "withdrawn"], "submitted"),
        "recall": (["submitted"], "draft"),
        "reject": (["submitted", "withdrawn"], "rejected"),
        "publish": (["draft", "published", "rejected", "submitted"], "published"),
        "withdraw": (["published"], "withdrawn"),
        "suspend": (["published"], "suspended"),
        "reinstate": (["suspended"], "published"),
    }
    assert table["OfferRevision"] == {
        "edit": (["rejected"], "draft"),
        "submit": (["draft", "rejected"], "submitted"),
        "recall": (["submitted"], "draft"),
        "publish": (["submitted"], "published"),
        "reject": (["submitted"], "rejected"),
        "supersede": (["published"], "superseded"),
    }
    assert table["CatalogueImport"] == {
        "start": (["failed", "queued", "running"], "running"),
        "succeed": (["queued", "running"], "succeeded"),
        "fail": (["failed", "queued", "running"], "failed"),
    }
    assert table["FrameworkMembership"] == {
        "suspend": (["active"], "suspended"),
        "reinstate": (["suspended"], "active"),
        "remove": (["active", "suspended"], "removed"),
    }
    assert set(FrameworkMembership.MOVE_TO) == set(FrameworkMembership.Status.values)
    for status, name in FrameworkMembership.MOVE_TO.items():
        assert FrameworkMembership.LIFECYCLE.moves[name].to == status


@pytest.mark.parametrize(
    ("status", "withdraw", "suspend", "reinstate"),
    [
        ("draft", False, False, False),
        ("published", True, True, False),
        ("suspended", False, False, True),
        ("withdrawn", False, False, False),
    ],
)
def test_offer_properties_ask_the_lifecycle(status, withdraw, suspend, reinstate):
    offer = Offer(status=status)
    assert (offer.can_withdraw, offer.can_suspend, offer.can_reinstate) == (
        withdraw,
        suspend,
        reinstate,
    )


@pytest.mark.parametrize(
    ("status", "can_open", "can_go_live", "finished"),
    [
        ("draft", True, True, False),
        ("open", False, True, False),
        ("live", False, False, False),
        ("closed", False, False, True),
        ("expired", False, False, True),
    ],
)
def test_framework_properties_ask_the_lifecycle(status, can_open, can_go_live, finished):
    framework = Framework(status=status)
    assert (framework.can_open, framework.can_go_live, framework.is_finished) == (
        can_open,
        can_go_live,
        finished,
    )
    assert framework.can_close is not finished


def test_revision_properties_ask_the_lifecycle():
    assert [OfferRevision(status=s).is_editable for s in OfferRevision.Status.values] == [
        s in ("draft", "rejected") for s in OfferRevision.Status.values
    ]
    assert [
        OfferRevision(status=s).is_waiting_for_approval for s in OfferRevision.Status.values
    ] == [s == "submitted" for s in OfferRevision.Status.values]
