"""How the foundation finds the apps' parts without importing them (nothing in `ndx/` imports
an app): through the app registry.

- Demo data: an app whose AppConfig has `demo_order` (an int) has a `demo` module with
  `seed(out, context) -> dict` and optionally `describe() -> list[str]`. `seed_demo` runs them
  in `demo_order`, each seeing what the earlier ones returned in `context`.
- Derived data: an AppConfig may define `rebuild_derived(self) -> dict`, which rebuilds what is
  derived from the database rather than backed up (search fields, the matching index) and
  returns figures by name, with a "message" for people. `restore_data` calls each after a
  restore, in INSTALLED_APPS order.
- Moved models: an AppConfig's `moved_models = {"old_app.model": "new_app.model"}` names the
  models that moved into it from another app (same rows, same ids), so that `restore_data`
  reads a backup made before the move.
- Leavers: an AppConfig may define `handover_member_work(self, *, user, organisation, to)
  -> int`, which passes the open work of `user` in `organisation` (drafts) to `to`, an admin,
  audited, and returns how many things it passed on. Called when a member is removed, leaves
  or closes their account.
- Personal data: an AppConfig may define `personal_data(self, user) -> dict`, everything the
  app holds on that person (for the "Your data" download), keyed by kind, JSON-serialisable.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from django.apps import apps


def demo_sections() -> list[ModuleType]:
    configs = [c for c in apps.get_app_configs() if getattr(c, "demo_order", None) is not None]
    configs.sort(key=lambda c: c.demo_order)
    return [importlib.import_module(f"{c.name}.demo") for c in configs]


def rebuild_derived() -> dict:
    """Every app's rebuild_derived(), merged; messages are joined in order."""
    figures: dict = {}
    messages: list[str] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "rebuild_derived", None)
        if hook is None:
            continue
        result = dict(hook() or {})
        if message := result.pop("message", ""):
            messages.append(message)
        figures.update(result)
    figures["messages"] = messages
    return figures


def model_renames() -> dict[str, str]:
    """Old model label (lower case) -> the label it has now, from every app's moved_models."""
    renames: dict[str, str] = {}
    for config in apps.get_app_configs():
        for old, new in getattr(config, "moved_models", {}).items():
            renames[old.lower()] = new.lower()
    return renames


def handover_member_work(*, user, organisation, to) -> dict[str, int]:
    """Every app's handover_member_work(); how many things each passed on, by app label."""
    passed: dict[str, int] = {}
    for config in apps.get_app_configs():
        hook = getattr(config, "handover_member_work", None)
        if hook is not None:
            passed[config.label] = int(hook(user=user, organisation=organisation, to=to) or 0)
    return passed


def personal_data(user) -> dict[str, dict]:
    """Every app's personal_data(user), by app label."""
    collected: dict[str, dict] = {}
    for config in apps.get_app_configs():
        hook = getattr(config, "personal_data", None)
        if hook is not None:
            collected[config.label] = hook(user)
    return collected
