"""The import rules this refactoring set up, checked on the real import graph (grimp): contracts
imports neither buying nor reviews, reviews does not import buying, buying's services never
import buying.tasks (they queue tasks by name), and reviews' querysets do not import its models.

The graph holds these apps and the foundation only: chains through catalogue and matching are
those apps' own contracts (import-linter, docs/architecture.md)."""

import grimp
import pytest


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("buying", "reviews", "contracts", "ndx")


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("contracts", "buying"), ("contracts", "reviews"), ("reviews", "buying")],
)
def test_lower_apps_do_not_import_higher_ones(graph, importer, imported):
    assert not graph.chain_exists(importer=importer, imported=imported, as_packages=True)


def test_buying_services_queue_tasks_by_name(graph):
    services = graph.find_descendants("buying.services") | {"buying.services"}
    assert "buying.tasks" not in {
        module
        for service in services
        for module in graph.find_modules_directly_imported_by(service)
    }
    assert graph.find_shortest_chain(importer="buying.tasks", imported="buying.services.emails")


def test_review_querysets_do_not_import_review_models(graph):
    assert graph.find_shortest_chain(importer="reviews.models", imported="reviews.querysets")
    assert not graph.find_shortest_chain(importer="reviews.querysets", imported="reviews.models")


def test_contracts_imports_no_higher_app_and_its_services_queue_tasks_by_name():
    """contracts sits below reviews, buying, matching and reporting (and above suppliers and
    catalogue); its services queue emails by task name and never import contracts.tasks."""
    whole = grimp.build_graph(
        "contracts", "buying", "reviews", "matching", "reporting", "catalogue", "ndx"
    )
    for higher in ("buying", "reviews", "matching", "reporting"):
        assert not whole.chain_exists(importer="contracts", imported=higher, as_packages=True)
    services = whole.find_descendants("contracts.services") | {"contracts.services"}
    assert not any(
        whole.chain_exists(importer=service, imported="contracts.tasks") for service in services
    )


def test_the_contract_beat_tasks_are_scheduled_and_registered():
    from django.conf import settings

    import contracts.tasks  # noqa: F401 (registers the tasks, as the worker's autodiscovery does)
    from ndx.celery import app

    for key in ("contracts-move-daily", "contracts-remind-reports", "contracts-remind-renewals"):
        schedule = settings.CELERY_BEAT_SCHEDULE[key]
        assert schedule["task"] in app.tasks and schedule["schedule"] <= 24 * 3600
