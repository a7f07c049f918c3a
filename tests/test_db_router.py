"""Search reads go to the read replica (DATABASE_REPLICA_URL) and nothing else does: writes,
reads outside the search, and reads inside a transaction stay on the default database."""

from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from catalogue.models import Offer
from catalogue.search_index import revision_search_index
from ndx import db_router
from ndx.db_router import REPLICA, ReplicaRouter, replica_reads
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


@pytest.mark.django_db(transaction=True)
def test_search_reads_use_the_replica_when_one_is_configured(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Offer) is None
    with replica_reads():
        assert router.db_for_read(Offer) == REPLICA
        assert router.db_for_write(Offer) == "default"
        with transaction.atomic():  # a workflow never reads around its own writes
            assert router.db_for_read(Offer) is None
    assert router.db_for_read(Offer) is None
    assert router.allow_migrate(REPLICA, "catalogue") is False
    assert router.allow_migrate("default", "catalogue") is True


@pytest.mark.django_db
def test_without_a_replica_everything_uses_default(settings):
    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(Offer) is None


@pytest.fixture
def replica_on_the_same_server(requires_postgres, replica):
    """A replica connection to the same PostgreSQL database (as DATABASE_REPLICA_URL pointing
    at the same server would make): its own connection, so its queries can be told apart."""
    default = connections["default"]
    wrapper = type(default)({**default.settings_dict}, alias=REPLICA)
    connections[REPLICA] = wrapper
    yield wrapper
    wrapper.close()
    del connections[REPLICA]


@pytest.mark.django_db(transaction=True)
def test_the_search_page_reads_from_the_replica(replica_on_the_same_server, client):
    lot = LotFactory()
    offer = make_offer(approved_supplier(lot), lot, title="Replica widget", price=Decimal("1"))
    revision_search_index(revision_ids=[offer.published_revision_id])
    with CaptureQueriesContext(replica_on_the_same_server) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_default:
            response = client.get("/catalogue/", {"q": "replica widget"})
    assert response.status_code == 200 and "Replica widget" in response.content.decode()
    assert any("catalogue_offer" in q["sql"] for q in on_replica.captured_queries)
    assert not any("catalogue_offer" in q["sql"] for q in on_default.captured_queries)
