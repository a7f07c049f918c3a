"""Lifecycles written down once: the declared transitions of a model's status field.

A stateful model declares its transitions in one table on the class::

    class Offer(models.Model):
        LIFECYCLE = Lifecycle(
            "status",
            {
                "submit": Move(from_=["draft", "rejected"], to="pending", verb="send for review"),
                "approve": Move(from_="pending", to="published"),
            },
        )

Services change the status only through it (`Offer.LIFECYCLE.apply(offer, "approve")`, then
save), so a move that the table does not allow is refused with a plain message and nothing is
written; templates and views ask the model (`offer.LIFECYCLE.can(offer, "approve")`, usually
through a property such as `can_approve`) instead of comparing status strings.

A small table of our own rather than django-fsm-2 or python-statemachine: our services already
own the workflow (validation, audit, queued tasks), and all we need from a library is the table
and the check. django-fsm's decorated model methods would move that workflow into models, and
python-statemachine's machine objects sit beside the row rather than on it; each adds a
dependency for about sixty lines of code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Move:
    """One transition: from any state in `from_` to `to`. `verb` reads "You cannot <verb> ..."."""

    from_: str | Iterable[str]
    to: str
    verb: str = ""
    sources: frozenset[str] = field(init=False)

    def __post_init__(self):
        sources = {self.from_} if isinstance(self.from_, str) else set(self.from_)
        object.__setattr__(self, "sources", frozenset(sources))


class TransitionRefused(ValidationError):
    """A move that the lifecycle does not allow from the object's current state."""


class Lifecycle:
    def __init__(self, field_name: str, moves: dict[str, Move]):
        self.field_name = field_name
        self.moves = dict(moves)

    # --- reading -------------------------------------------------------------------------------

    def state(self, obj) -> str:
        return getattr(obj, self.field_name)

    def move(self, name: str) -> Move:
        try:
            return self.moves[name]
        except KeyError:
            raise LookupError(f"no transition called {name!r}") from None

    def can(self, obj, name: str) -> bool:
        return self.state(obj) in self.move(name).sources

    def allowed(self, obj) -> list[str]:
        """The names of the transitions allowed from the object's current state."""
        return [name for name, move in self.moves.items() if self.state(obj) in move.sources]

    def states(self) -> set[str]:
        result: set[str] = set()
        for move in self.moves.values():
            result |= move.sources | {move.to}
        return result

    # --- changing ------------------------------------------------------------------------------

    def _label(self, obj, state: str) -> str:
        try:
            choices = dict(obj._meta.get_field(self.field_name).flatchoices)
        except Exception:  # noqa: BLE001 - a plain object without Django field choices
            choices = {}
        return str(choices.get(state, state)).lower()

    def check(self, obj, name: str, message: str | None = None) -> Move:
        """The move, or TransitionRefused with a plain message when it is not allowed now."""
        move = self.move(name)
        state = self.state(obj)
        if state not in move.sources:
            noun = obj._meta.verbose_name if hasattr(obj, "_meta") else type(obj).__name__
            verb = move.verb or name.replace("_", " ")
            raise TransitionRefused(
                message or f"You cannot {verb} this {noun} while it is {self._label(obj, state)}."
            )
        return move

    def apply(self, obj, name: str, message: str | None = None) -> str:
        """Check the move and set the new state on `obj` (the caller saves). Returns it."""
        move = self.check(obj, name, message)
        setattr(obj, self.field_name, move.to)
        return move.to
