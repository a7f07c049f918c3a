"""The search, compare and saved-search pages: status, template, content, permissions."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from buying.models import SavedSearch, Shortlist
from catalogue.search_index import revision_search_index
from catalogue.services import offers as catalogue_services
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import LotFactory, make_offer, revision_content
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db


def templates(response):
    return [t.name for t in response.templates]


@pytest.fixture
def offers():
    lot = LotFactory()
    supplier = approved_supplier(lot)
    made = []
    for title, price in [
        ("Case management system", "10.00"),
        ("Payroll service", "5.00"),
        ("Cyber monitoring", "50.00"),
    ]:
        offer = make_offer(
            supplier, lot, title=title, price=Decimal(price), list_price=Decimal("60.00")
        )
        revision_search_index(revision_ids=[offer.published_revision_id])
        made.append(offer)
    return made


@pytest.fixture
def buyer():
    return member(BuyerOrganisationFactory(), role="admin")


def test_search_page_renders_results_and_facets(client, offers):
    response = client.get("/catalogue/", {"q": "payroll"})
    assert response.status_code == 200
    assert "catalogue/search.html" in templates(response)
    body = response.content.decode()
    assert "Payroll service" in body and "Case management system" not in body
    assert "Pricing model" in body and "per user per month (1)" in body


def test_search_page_empty_results_help(client, offers):
    response = client.get("/catalogue/", {"q": "qqqqzzzz"})
    assert response.status_code == 200
    assert "No offers match your search" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "<script>alert('x')</script>"},
        {"q": "' OR 1=1 --"},
        {"page": "99999999999999999999"},
        {"pricing": "bogus", "lot": "abc", "cert": "nope", "price_min": "-5"},
        {"size": "0"},
    ],
)
def test_bad_input_never_500s(client, offers, params):
    response = client.get("/catalogue/", params)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_compare_add_limit_and_remove(client, offers):
    lot = offers[0].lot
    extra = make_offer(offers[0].supplier, lot, title="Fifth")
    for offer in [*offers, extra]:
        client.post("/catalogue/compare/add/", {"offer": offer.pk})
    response = client.post("/catalogue/compare/add/", {"offer": extra.pk}, follow=True)
    assert (
        "You can compare up to 4 offers" in response.content.decode()
        or "already" in response.content.decode()
    )
    response = client.get("/catalogue/compare/")
    assert response.status_code == 200 and "catalogue/compare.html" in templates(response)
    assert response.content.decode().count('name="offer"') == 4
    client.post("/catalogue/compare/remove/", {"offer": offers[0].pk})
    assert client.get("/catalogue/compare/").content.decode().count('name="offer"') == 3


def test_compare_survives_sign_in(client, offers, buyer):
    client.post("/catalogue/compare/add/", {"offer": offers[0].pk})
    client.force_login(buyer)
    response = client.get("/catalogue/compare/")
    assert offers[0].published_revision.title in response.content.decode()


def test_compare_refuses_unpublished_offer(client, offers):
    draft = make_offer(offers[0].supplier, offers[0].lot, status="draft", title="Secret draft")
    response = client.post("/catalogue/compare/add/", {"offer": draft.pk}, follow=True)
    assert "not available to compare" in response.content.decode()


def test_saved_search_freeze_export_and_outcome(client, offers, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("buying:saved_search_create"),
        {"name": "Cheap things", "query_string": "sort=price&page=3"},
    )
    saved = SavedSearch.objects.get()
    assert response.status_code == 302 and saved.query_string == "sort=price"
    response = client.post(reverse("buying:saved_search_freeze", args=[saved.pk]))
    shortlist = Shortlist.objects.get()
    assert response.status_code == 302 and shortlist.is_frozen
    assert [i.title for i in shortlist.items.all()] == [
        "Payroll service",
        "Case management system",
        "Cyber monitoring",
    ]
    # The frozen list does not change when the offer is edited and the edit approved.
    staff = StaffFactory()
    supplier_user = member(offers[1].supplier, role="admin")
    catalogue_services.offer_update(
        actor=supplier_user,
        offer=offers[1],
        **revision_content(title="Payroll 2", price="1.00", list_price="60"),
    )
    catalogue_services.offer_submit(actor=supplier_user, offer=offers[1])
    offers[1].refresh_from_db()
    catalogue_services.offer_approve(actor=staff, revision=offers[1].working_revision)
    item = shortlist.items.get(offer=offers[1])
    assert (
        item.title == "Payroll service"
        and item.price == Decimal("5.00")
        and item.revision.number == 1
    )

    csv_response = client.get(reverse("buying:shortlist_export", args=[shortlist.pk, "csv"]))
    assert csv_response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert [r["title"] for r in rows] == [
        "Payroll service",
        "Case management system",
        "Cyber monitoring",
    ]
    assert rows[0]["price"] == "5.00" and rows[0]["revision"] == "1"
    ods = client.get(reverse("buying:shortlist_export", args=[shortlist.pk, "ods"]))
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    with zipfile.ZipFile(io.BytesIO(ods.content)) as archive:
        content = archive.read("content.xml").decode()
    assert "Payroll service" in content and "Cyber monitoring" in content

    response = client.post(
        reverse("buying:shortlist_outcome", args=[shortlist.pk]), {"outcome": "bogus"}
    )
    assert response.status_code == 400
    client.post(reverse("buying:shortlist_outcome", args=[shortlist.pk]), {"outcome": "awarded"})
    shortlist.refresh_from_db()
    assert shortlist.outcome == "awarded"


def test_other_organisations_get_404(client, offers, buyer):
    client.force_login(buyer)
    client.post(reverse("buying:saved_search_create"), {"name": "Mine", "query_string": "q=case"})
    saved = SavedSearch.objects.get()
    client.post(reverse("buying:saved_search_freeze", args=[saved.pk]))
    shortlist = Shortlist.objects.get()
    other = member(BuyerOrganisationFactory(), role="admin")
    client.force_login(other)
    for url in [
        reverse("buying:saved_search", args=[saved.pk]),
        reverse("buying:shortlist", args=[shortlist.pk]),
        reverse("buying:shortlist_export", args=[shortlist.pk, "csv"]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("buying:saved_search_freeze", args=[saved.pk])).status_code == 404
    assert Shortlist.objects.count() == 1


def test_suppliers_cannot_save_searches(client, offers):
    supplier_user = member(offers[0].supplier)
    client.force_login(supplier_user)
    assert client.get(reverse("buying:saved_searches")).status_code == 403


def test_search_page_query_count_bounded(client, offers, django_assert_max_num_queries):
    lot = offers[0].lot
    for i in range(25):
        offer = make_offer(offers[0].supplier, lot, title=f"Widget {i}")
        revision_search_index(revision_ids=[offer.published_revision_id])
    for size in (10, 50):
        with django_assert_max_num_queries(30):
            assert client.get("/catalogue/", {"q": "widget", "size": size}).status_code == 200
