"""Catalogue search: relevance, misspellings, filters, facet counts, sorting, paging, bad input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from catalogue.models import Offer
from catalogue.search import search_offers
from catalogue.search_index import revision_search_index
from tests.catalogue.factories import DynamicMarketFactory, LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db


def q(**params) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    return data


def publish(supplier, lot, **content) -> Offer:
    offer = make_offer(supplier, lot, **content)
    revision_search_index(revision_ids=[offer.published_revision_id])
    return offer


@pytest.fixture
def catalogue():
    lot = LotFactory()
    other_lot = LotFactory(framework=DynamicMarketFactory())
    small = approved_supplier(lot)
    approved_supplier(other_lot, organisation=small)
    large = approved_supplier(lot, is_sme=False, size="large", headcount_band="250+")
    offers = {
        "sharepoint": publish(
            small,
            lot,
            title="SharePoint intranet for councils",
            summary="A managed SharePoint intranet.",
            description="Document libraries and team sites.",
            price=Decimal("4.00"),
            list_price=Decimal("6.00"),
            certifications=["cyber-essentials", "iso-27001"],
            categories=["Collaboration"],
            cpv_codes=["72000000"],
        ),
        "cyber": publish(
            large,
            lot,
            title="Cyber security monitoring",
            summary="24/7 security operations centre.",
            description="Threat detection and incident response for public bodies.",
            price=Decimal("900.00"),
            list_price=Decimal("1000.00"),
            pricing_model="per_day",
            certifications=["cyber-essentials-plus"],
            hosting_location="uk-eea",
            cpv_codes=["72000000", "48000000"],
        ),
        "mention": publish(
            small,
            other_lot,
            title="Records management",
            summary="Keep records tidy.",
            description="Integrates with SharePoint and email archives.",
            price=Decimal("20.00"),
            list_price=Decimal("25.00"),
            pricing_model="per_licence",
        ),
    }
    return offers


def ids(outcome):
    return [r["offer"].pk for r in outcome.results]


def test_exact_title_match_ranks_above_description_mention(catalogue):
    outcome = search_offers(q(q="SharePoint"))
    assert ids(outcome)[:2] == [catalogue["sharepoint"].pk, catalogue["mention"].pk]


def test_misspellings_and_split_words_still_find_offers(catalogue):
    assert catalogue["cyber"].pk in ids(search_offers(q(q="cyber secuirty")))
    assert catalogue["sharepoint"].pk in ids(search_offers(q(q="share point")))
    outcome = search_offers(q(q="sharepont intranet"))
    assert catalogue["sharepoint"].pk == ids(outcome)[0]
    assert outcome.query.corrected_text


def test_filters_and_facet_counts_ignore_their_own_selection(catalogue):
    outcome = search_offers(q(pricing="per_day"))
    assert ids(outcome) == [catalogue["cyber"].pk]
    pricing = next(f for f in outcome.facets if f.name == "pricing")
    counts = {o.value: o.count for o in pricing.options}
    # The pricing facet still counts the other models, as shoppers expect.
    assert counts["per_user_month"] == 1 and counts["per_day"] == 1 and counts["per_licence"] == 1
    sme = next(f for f in outcome.facets if f.name == "sme")
    assert sme.options[0].count == 0  # the one per-day offer is from a large supplier
    assert ids(search_offers(q(sme="yes"))) and catalogue["cyber"].pk not in ids(
        search_offers(q(sme="yes"))
    )
    assert ids(search_offers(q(cert=["cyber-essentials", "iso-27001"]))) == [
        catalogue["sharepoint"].pk
    ]
    assert ids(search_offers(q(cpv="48"))) == [catalogue["cyber"].pk]
    assert ids(search_offers(q(hosting="uk-eea"))) == [catalogue["cyber"].pk]
    assert ids(search_offers(q(category="Collaboration"))) == [catalogue["sharepoint"].pk]
    assert sorted(ids(search_offers(q(price_min="5", price_max="100")))) == [
        catalogue["mention"].pk
    ]


def test_sorting_by_price(catalogue):
    assert ids(search_offers(q(sort="price"))) == [
        catalogue["sharepoint"].pk,
        catalogue["mention"].pk,
        catalogue["cyber"].pk,
    ]
    assert ids(search_offers(q(sort="-price")))[0] == catalogue["cyber"].pk


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "'; DROP TABLE catalogue_offer; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "!!! &&& ||| :* ()"},
        {"page": "999999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"sort": "nonsense"},
        {"pricing": "free"},
        {"price_min": "lots"},
        {"cpv": "AB"},
        {"lot": "99999"},
        {"framework": "NOPE"},
        {"size": "1000000"},
    ],
)
def test_bad_input_gives_a_normal_result(catalogue, params):
    outcome = search_offers(q(**params))
    assert outcome.page.number >= 1
    for result in outcome.results:
        assert "<script>" not in str(result["snippet"])


def test_snippets_escape_markup(catalogue):
    lot = catalogue["sharepoint"].lot
    publish(catalogue["sharepoint"].supplier, lot, title="Widget", summary="<b>bold</b> widget")
    outcome = search_offers(q(q="widget"))
    snippet = str(outcome.results[0]["snippet"])
    assert "<b>" not in snippet and "<mark>" in snippet.lower()


def test_ties_are_not_alphabetical(catalogue):
    supplier = catalogue["sharepoint"].supplier
    lot = catalogue["sharepoint"].lot
    names = [publish(supplier, lot, title=f"{c} widget").pk for c in "ABCDEFGH"]
    outcome = search_offers(q(q="widget"))
    assert sorted(ids(outcome)) == sorted(names)
    assert ids(outcome) != names  # a hash order, not the alphabet
    assert ids(search_offers(q(q="widget"))) == ids(outcome)  # and stable


def test_query_count_is_bounded_whatever_the_page_size(catalogue, django_assert_max_num_queries):
    supplier = catalogue["sharepoint"].supplier
    lot = catalogue["sharepoint"].lot
    for i in range(30):
        publish(supplier, lot, title=f"Widget {i}")
    for size in (10, 50):
        with django_assert_max_num_queries(22):
            outcome = search_offers(q(q="widget", size=size))
            [r["revision"].title for r in outcome.results]
            [r["offer"].supplier.supplier_profile.is_sme for r in outcome.results]


def test_empty_results(catalogue):
    outcome = search_offers(q(q="zzzzqqqq"))
    assert outcome.total == 0


def test_uses_postgres_full_text_when_available(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search needs DATABASE_URL=postgres://...")
    from catalogue.models import OfferRevision

    revision = OfferRevision.objects.get(pk=catalogue["sharepoint"].published_revision_id)
    assert revision.search_vector


def test_sorting_by_rating_and_newest(catalogue):
    from datetime import timedelta

    from django.utils import timezone

    Offer.objects.filter(pk=catalogue["cyber"].pk).update(
        rating_average=Decimal("4.50"), rating_count=3
    )
    Offer.objects.filter(pk=catalogue["mention"].pk).update(
        rating_average=Decimal("3.00"), rating_count=9
    )
    Offer.objects.filter(pk=catalogue["sharepoint"].pk).update(
        first_published_at=timezone.now() + timedelta(days=1)
    )
    from catalogue.facet_index import reset

    reset()
    assert ids(search_offers(q(sort="rating")))[:2] == [
        catalogue["cyber"].pk,
        catalogue["mention"].pk,
    ]
    assert ids(search_offers(q(sort="newest")))[0] == catalogue["sharepoint"].pk
    assert ids(search_offers(q(rating="4"))) == [catalogue["cyber"].pk]


def test_pagination_edges(catalogue):
    supplier, lot = catalogue["sharepoint"].supplier, catalogue["sharepoint"].lot
    for i in range(22):
        publish(supplier, lot, title=f"Gadget {i}")
    first = search_offers(q(q="gadget", size=10))
    assert first.total == 22 and first.paginator.num_pages == 3 and len(first.results) == 10
    last = search_offers(q(q="gadget", size=10, page=3))
    assert len(last.results) == 2
    beyond = search_offers(q(q="gadget", size=10, page=4))
    assert beyond.page.number == 3 and "only 3 pages" in " ".join(beyond.notices)
    seen = [r for p in (1, 2, 3) for r in ids(search_offers(q(q="gadget", size=10, page=p)))]
    assert len(seen) == len(set(seen)) == 22


@pytest.mark.parametrize(
    "params",
    [
        {"pricing": "per_day"},
        {"sme": "yes"},
        {"cert": ["cyber-essentials"]},
        {"cpv": "72"},
        {"hosting": "uk"},
        {"price_min": "5"},
        {"category": "Collaboration", "sme": "yes"},
        {"q": "sharepoint", "hosting": "uk"},
    ],
)
def test_in_memory_filters_agree_with_the_database_filters(catalogue, params):
    """The numpy facet table gives exactly what the django-filter querysets give."""
    from catalogue.filters import OfferFilter

    data = q(**params)
    outcome = search_offers(data)
    base = Offer.objects.buyable()
    if "q" in params:
        base = base.filter(pk__in=ids(search_offers(q(q=params["q"]))))
    expected = set(OfferFilter(data, queryset=base).qs.values_list("pk", flat=True))
    assert set(ids(outcome)) == expected


def test_highest_rated_uses_a_bayesian_average(catalogue):
    from catalogue.facet_index import reset

    Offer.objects.filter(pk=catalogue["cyber"].pk).update(
        rating_average=Decimal("5.00"), rating_count=1
    )
    Offer.objects.filter(pk=catalogue["mention"].pk).update(
        rating_average=Decimal("4.60"), rating_count=50
    )
    reset()
    assert ids(search_offers(q(sort="rating")))[:2] == [
        catalogue["mention"].pk,
        catalogue["cyber"].pk,
    ]
