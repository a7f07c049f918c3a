"""Fuzzing the main forms with hypothesis, posted as the role that may use them.

For any input: never a 500; markup typed in is only ever shown escaped (in the form shown
again with errors, and on every page that shows what was saved); and input the form refuses
changes nothing in the database. Each example runs in a savepoint that is rolled back, so every
example starts from the same world (tests/security/conftest.py). The search page is fuzzed in
tests/test_fuzz_search.py.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying.models import Requirement, SavedSearch
from buying.services.requirements import REQUIREMENT_STEPS
from catalogue.models import Framework, OfferRevision
from contracts.models import Contract
from reviews.models import Review
from suppliers.models import LotApplication
from tests.auth import Client
from tests.catalogue.factories import DeclarationQuestionFactory

from .conftest import REQUIREMENT_ANSWERS, changed_tables, fingerprint, sign_in

pytestmark = pytest.mark.django_db

# NDX_FUZZ_EXAMPLES=500 for a longer hunt; 25 in the normal test run.
FUZZ = settings(
    max_examples=int(os.environ.get("NDX_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "{{ request }}{% debug %}",
    "' OR '1'='1' --",
]
# What must never appear in a page: the start of each piece of markup above, unescaped.
UNESCAPED = ["<script>alert", "<img src=x", "<svg onload", '<a href="javascript', "WSGIRequest"]
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)

TEXT = st.one_of(
    st.text(max_size=120),
    st.sampled_from(MARKUP),
    st.builds(
        lambda before, markup, after: before + markup + after,
        st.text(max_size=20),
        st.sampled_from(MARKUP),
        st.text(max_size=20),
    ),
    st.text(alphabet="<>&\"'%;:*|!(){}£€\x00\n\r\t ", max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e308", "NaN", "Infinity", "9" * 40, "x" * 6000]),
)


def text_or(*valid: str):
    """A valid answer or anything at all (so some examples pass validation and get saved)."""
    return st.one_of(st.sampled_from(valid), TEXT)


@contextmanager
def rolled_back():
    """One example: fresh rate limits, and everything it saved undone afterwards."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_safe(response, what: str) -> None:
    assert response.status_code != 500, what
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    body = response.content.decode("utf-8", errors="replace")
    for fragment in UNESCAPED:
        assert fragment not in body, f"{what}: unescaped {fragment!r} in the page"
    assert not JAVASCRIPT_URL.search(body), f"{what}: a javascript: link in the page"


def check_pages(client, urls, role_note: str = "") -> None:
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), f"GET {url}{role_note}: {response.status_code}"
        assert_safe(response, f"GET {url}{role_note}")


def post_form(client, url: str, data: dict, *, shown_again=(200, 400)):
    """POST; the form is either accepted (302) or shown again with errors, changing nothing."""
    before = fingerprint()
    response = client.post(url, data)
    assert response.status_code in (302, *shown_again), f"POST {url}: {response.status_code}"
    assert_safe(response, f"POST {url}")
    if response.status_code != 302:
        changed = changed_tables(before, fingerprint())
        assert not changed, f"POST {url} was refused but changed {changed}"
    return response


def staff_client(world) -> Client:
    return sign_in(Client(), world, "staff")


# --- supplier profile (supplier admin) ---------------------------------------------------------

PROFILE = {
    "legal_name": text_or("Supplier A Limited"),
    "trading_name": TEXT,
    "companies_house_number": text_or("", "01234567", "SC123456"),
    "address_line_1": TEXT,
    "address_line_2": TEXT,
    "town": TEXT,
    "postcode": text_or("LS1 1AA"),
    "region": text_or("", "yorkshire", "london"),
    "headcount_band": text_or("", "10-49", "250+"),
    "turnover_band": text_or("", "le10m"),
    "balance_sheet_band": text_or("", "le10m"),
    "is_vcse": text_or("", "on"),
    "description": TEXT,
    "website": text_or("", "example.com", "https://example.com/a?b=c"),
    "contact_name": TEXT,
    "contact_email": text_or("", "sales@example.com"),
    "contact_phone": TEXT,
}


@FUZZ
@given(data=st.fixed_dictionaries(PROFILE))
def test_supplier_profile_form(client, world, data):
    with rolled_back():
        sign_in(client, world, "supplier_a_admin")
        post_form(client, "/suppliers/profile/", data)
        check_pages(
            client,
            ["/suppliers/profile/", "/suppliers/", f"/suppliers/{world.supplier_a.pk}/"],
        )
        check_pages(Client(), [f"/catalogue/offers/{world.offer.pk}/"], " (anonymous)")


# --- offers (supplier member) --------------------------------------------------------------------

OFFER = {
    "title": text_or("Case management"),
    "summary": TEXT,
    "description": TEXT,
    "features": TEXT,
    "benefits": TEXT,
    "categories": TEXT,
    "cpv_codes": text_or("72000000", "72000000, 48000000-8"),
    "pricing_model": text_or("per_user_month", "fixed"),
    "price": text_or("12.50", "0.01"),
    "list_price": text_or("", "15.00"),
    "vat": text_or("excluding", "including"),
    "minimum_term_months": text_or("", "12"),
    "service_levels": TEXT,
    "certifications": st.lists(text_or("cyber-essentials", "iso-27001"), max_size=3),
    "other_certifications": TEXT,
    "hosting_location": text_or("", "uk"),
    "accessibility": text_or("", "full"),
}


@FUZZ
@given(data=st.fixed_dictionaries(OFFER))
def test_offer_form(client, world, data):
    offer = world.draft_offer
    with rolled_back():
        sign_in(client, world, "supplier_a_member")
        post_form(client, f"/suppliers/offers/{offer.pk}/edit/", data)
        check_pages(client, [f"/suppliers/offers/{offer.pk}/", f"/catalogue/offers/{offer.pk}/"])
        check_pages(staff_client(world), [f"/staff/offers/{offer.pk}/"], " (staff)")


@FUZZ
@given(data=st.fixed_dictionaries(OFFER))
def test_new_offer_form(client, world, data):
    with rolled_back():
        sign_in(client, world, "supplier_b_member")
        before = set(OfferRevision.objects.values_list("pk", flat=True))
        response = post_form(client, f"/suppliers/offers/new/?lot={world.lot.pk}", data)
        if response.status_code == 302:
            revision = OfferRevision.objects.exclude(pk__in=before).get()
            offer = revision.offer
            assert offer.supplier == world.supplier_b
            check_pages(client, [f"/suppliers/offers/{offer.pk}/", "/suppliers/offers/"])


# --- lot application (supplier admin) ------------------------------------------------------------


@pytest.fixture
def written_question(world):
    return DeclarationQuestionFactory(
        framework=world.open_framework,
        kind="text",
        text="Describe a similar contract",
        required_answer="",
    )


@FUZZ
@given(yes_no=text_or("yes", "no"), written=text_or("We ran payroll for 30 councils."))
def test_lot_application_form(client, world, written_question, yes_no, written):
    data = {f"q{world.question.pk}": yes_no, f"q{written_question.pk}": written}
    url = f"/suppliers/frameworks/lots/{world.open_lot.pk}/apply/"
    with rolled_back():
        sign_in(client, world, "supplier_b_admin")
        response = post_form(client, url, data)
        check_pages(client, ["/suppliers/", "/suppliers/frameworks/"])
        if response.status_code == 302:
            application = LotApplication.objects.get(supplier=world.supplier_b, lot=world.open_lot)
            check_pages(
                staff_client(world),
                ["/staff/applications/", f"/staff/applications/{application.pk}/"],
                " (staff)",
            )


# --- requirement questions (buyer member) ----------------------------------------------------------

STEP_DATA = {
    "title": st.fixed_dictionaries({"title": text_or("Case management")}),
    "problem": st.fixed_dictionaries({"problem": text_or("Case notes are in spreadsheets.")}),
    "users": st.fixed_dictionaries(
        {"users_description": text_or("Social workers"), "user_count": text_or("", "250")}
    ),
    "needs": st.fixed_dictionaries(
        {"must_haves": text_or("Works offline\nSingle sign-on"), "nice_to_haves": TEXT}
    ),
    "budget": st.fixed_dictionaries(
        {"budget_min": text_or("", "£25,000"), "budget_max": text_or("", "50000.50")}
    ),
    "timescale": st.fixed_dictionaries({"timescale": text_or("3m", "asap", "")}),
    "location": st.fixed_dictionaries({"location": text_or("Leeds", "")}),
    "security": st.fixed_dictionaries(
        {
            "hosting_locations": st.lists(text_or("uk", "uk-eea"), max_size=3),
            "certifications": st.lists(text_or("cyber-essentials"), max_size=3),
        }
    ),
    "preference": st.fixed_dictionaries({"lot": text_or("none", "")}),
}
assert set(STEP_DATA) == set(REQUIREMENT_STEPS) == set(REQUIREMENT_ANSWERS)


@FUZZ
@given(
    step_and_data=st.sampled_from(REQUIREMENT_STEPS).flatmap(
        lambda step: st.tuples(st.just(step), STEP_DATA[step])
    )
)
def test_requirement_questions(client, world, step_and_data):
    step, data = step_and_data
    requirement = world.requirement_draft
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, f"/buying/requirements/{requirement.pk}/{step}/", data)
        check_pages(
            client,
            [
                f"/buying/requirements/{requirement.pk}/check/",
                f"/buying/requirements/{requirement.pk}/",
                f"/buying/requirements/{requirement.pk}/{step}/",
                "/buying/requirements/",
            ],
        )


@FUZZ
@given(title=TEXT)
def test_requirement_start(client, world, title):
    with rolled_back():
        sign_in(client, world, "buyer_a_admin")
        before = set(Requirement.objects.values_list("pk", flat=True))
        response = post_form(client, "/buying/requirements/new/", {"title": title})
        if response.status_code == 302:
            requirement = Requirement.objects.exclude(pk__in=before).get()
            check_pages(
                client, ["/buying/requirements/", f"/buying/requirements/{requirement.pk}/"]
            )


# --- saved search (buyer) ----------------------------------------------------------------------------


@FUZZ
@given(name=TEXT, query_string=text_or("q=case+management", "q=%3Cscript%3E&sort=price", "q=a%00b"))
def test_saved_search_name(client, world, name, query_string):
    with rolled_back():
        sign_in(client, world, "buyer_b_member")
        before = set(SavedSearch.objects.values_list("pk", flat=True))
        data = {"name": name, "query_string": query_string}
        response = post_form(client, "/buying/searches/new/", data)
        if response.status_code == 302:
            saved = SavedSearch.objects.exclude(pk__in=before).get()
            assert saved.organisation == world.buyer_b
            check_pages(client, [f"/buying/searches/{saved.pk}/", "/buying/searches/"])


# --- reviews (buyer writes, supplier responds) ----------------------------------------------------------

STARS = text_or("1", "3", "5")
REVIEW = {
    "rating": STARS,
    "value_for_money": STARS,
    "delivery": STARS,
    "support": STARS,
    "ease_of_use": STARS,
    "performance": text_or("good", "inadequate"),
    "title": text_or("Reliable and easy to roll out"),
    "text": text_or("Our social workers were using it within a month."),
}


@FUZZ
@given(data=st.fixed_dictionaries(REVIEW))
def test_review_form(client, world, data):
    contract = world.contract
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, f"/reviews/contracts/{contract.pk}/new/", data)
        review = Review.objects.filter(contract=contract).first()
        if review is not None:
            check_pages(client, [f"/reviews/{review.pk}/", "/reviews/"])
            check_pages(
                staff_client(world),
                [f"/staff/reviews/{review.pk}/", "/staff/reviews/"],
                " (staff)",
            )
            if review.is_published:
                check_pages(Client(), [f"/reviews/offers/{contract.offer_id}/"], " (anonymous)")


@FUZZ
@given(text=text_or("Thank you for the review."))
def test_review_response_form(client, world, text):
    review = world.review
    with rolled_back():
        sign_in(client, world, "supplier_a_member")
        post_form(client, f"/reviews/{review.pk}/respond/", {"text": text})
        check_pages(Client(), [f"/reviews/{review.pk}/"], " (anonymous)")


# --- guidance pages (staff) and case studies (buyer, staff) ---------------------------------------

GUIDANCE_PAGE = {
    "title": text_or("Choosing a route"),
    "summary": text_or("When each route is allowed."),
    "body": text_or("## When\n\nSome *text* and [a link](https://www.gov.uk/).", "No heading"),
}


@FUZZ
@given(data=st.fixed_dictionaries(GUIDANCE_PAGE))
def test_guidance_page_form(client, world, data):
    slug = world.guidance_page.slug
    with rolled_back():
        client = staff_client(world)
        post_form(client, f"/staff/guidance/{slug}/", data)
        check_pages(client, [f"/staff/guidance/{slug}/", "/staff/guidance/"], " (staff)")
        check_pages(Client(), [f"/guidance/{slug}/", "/guidance/"], " (anonymous)")


CASE_STUDY = {
    "title": text_or("Faster repairs"),
    "problem": text_or("Repairs took weeks."),
    "approach": text_or("A direct award."),
    "outcomes": text_or("Same-day repairs."),
    "figures": text_or("", "£40,000 a year"),
    "supplier_agreed": text_or("on", ""),
}


@FUZZ
@given(data=st.fixed_dictionaries(CASE_STUDY), reason=text_or("Names a tenant."))
def test_case_study_forms(client, world, data, reason):
    from guidance.models import CaseStudy

    contract = world.contract
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, f"/guidance/case-studies/offer/{contract.pk}/", data)
        study = CaseStudy.objects.filter(contract=contract).first()
        if study is not None:
            staff = staff_client(world)
            check_pages(staff, [f"/staff/guidance/case-studies/{study.pk}/"], " (staff)")
            post_form(staff, f"/staff/guidance/case-studies/{study.pk}/publish/", {})
            check_pages(Client(), [f"/guidance/case-studies/{study.pk}/"], " (anonymous)")
            post_form(
                staff, f"/staff/guidance/case-studies/{study.pk}/decline/", {"reason": reason}
            )


# --- demand pooling (buyer, staff) ---------------------------------------------------------------


@FUZZ
@given(quantity=text_or("150", "0", "-5", "1e9"), requirements=TEXT, lead=TEXT)
def test_pool_forms(client, world, quantity, requirements, lead):
    pool = world.pool
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, f"/buying/pools/{pool.pk}/join/", {"quantity": quantity})
        post_form(client, f"/buying/pools/{pool.pk}/start/", {"competition": requirements})
        check_pages(client, [f"/buying/pools/{pool.pk}/", "/buying/pools/"])
        staff = staff_client(world)
        post_form(staff, "/staff/pooling/new/", {"requirements": requirements, "lead": lead})
        check_pages(staff, ["/staff/pooling/"], " (staff)")


@FUZZ
@given(themes=st.lists(text_or("wellbeing", "climate_change"), max_size=3), note=TEXT, score=TEXT)
def test_social_value_criteria_forms(client, world, themes, note, score):
    draft, closed = world.competition_draft, world.competition_closed
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        url = f"/buying/competitions/{draft.pk}/social-value/"
        post_form(client, url, {"themes": themes, "note": note})
        check_pages(client, [f"/buying/competitions/{draft.pk}/"])
        url = f"/buying/competitions/{closed.pk}/responses/{world.response.pk}/social-value/"
        post_form(client, url, {"wellbeing": score})
        check_pages(client, [f"/buying/competitions/{closed.pk}/"])


# --- frameworks (staff) --------------------------------------------------------------------------------


def date_parts(name: str):
    return st.fixed_dictionaries(
        {f"{name}-day": text_or("1", "31"), f"{name}-month": text_or("1", "12")}
        | {f"{name}-year": text_or("2027", "27", "")}
    )


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "name": text_or("Technology Products 5"),
            "reference": text_or("RM9001", "RM-9002"),
            "kind": text_or("framework", "dynamic_market"),
            "description": TEXT,
            "max_value": text_or("", "2500000", "£2,500,000.00"),
        }
    ),
    opens=date_parts("applications_open_on"),
    ends=date_parts("ends_on"),
)
def test_framework_form(world, data, opens, ends):
    client = staff_client(world)
    with rolled_back():
        before = set(Framework.objects.values_list("pk", flat=True))
        response = post_form(client, "/staff/frameworks/new/", {**data, **opens, **ends})
        if response.status_code == 302:
            framework = Framework.objects.exclude(pk__in=before).get()
            check_pages(
                client,
                [
                    f"/staff/frameworks/{framework.pk}/",
                    f"/staff/frameworks/{framework.pk}/edit/",
                    "/staff/frameworks/",
                ],
            )


# --- direct award (buyer): money, quantities and dates ---------------------------------------------------


@FUZZ
@given(
    quantity=text_or("450", "1"),
    unit_price=text_or("12.00", "12.50"),
    start=date_parts("start_date"),
    end=date_parts("end_date"),
    kpis=TEXT,
    justification=text_or("The best fit at the lowest price."),
)
def test_direct_award_form(client, world, quantity, unit_price, start, end, kpis, justification):
    url = f"/buying/shortlists/{world.frozen.pk}/items/{world.frozen_item.pk}/award/"
    data = {
        "quantity": quantity,
        "unit_price": unit_price,
        "kpis": kpis,
        "justification": justification,
        **start,
        **end,
    }
    with rolled_back():
        sign_in(client, world, "buyer_a_admin")
        before = set(Contract.objects.values_list("pk", flat=True))
        response = post_form(client, url, data)
        if response.status_code == 302:
            contract = Contract.objects.exclude(pk__in=before).get()
            check_pages(client, [f"/buying/contracts/{contract.pk}/", "/buying/contracts/"])
            supplier = sign_in(Client(), world, "supplier_a_member")
            check_pages(supplier, [f"/suppliers/contracts/{contract.pk}/"], " (supplier)")


# --- numbers far outside any sensible range, in every money and number field -----------------------
# Deterministic, so a regression shows on every run rather than when hypothesis happens to
# generate it. Each form's valid data is accepted (the control), and the same data with one
# field replaced by each odd number is refused with an error, changing nothing.

ODD_NUMBERS = [
    "100000000000000000000000000",  # 1e26: more digits than Decimal's default precision
    "1e26",
    "9" * 40,
    "1E+999999",
    "-1e30",
    "0.000000000000000000000000000001",
]

OFFER_VALID = {
    "title": "Case management",
    "summary": "Cloud case management for councils.",
    "description": "Record assessments and plan care.",
    "features": "Assessments\nCare plans",
    "benefits": "Less paperwork",
    "categories": "",
    "cpv_codes": "72000000",
    "pricing_model": "per_user_month",
    "price": "12.50",
    "list_price": "15.00",
    "vat": "excluding",
    "minimum_term_months": "12",
    "service_levels": "99.9% availability",
    "certifications": ["cyber-essentials"],
    "other_certifications": "",
    "hosting_location": "uk",
    "accessibility": "full",
}


def _award_valid(world) -> dict:
    start = timezone.localdate() + timedelta(days=7)
    end = start + timedelta(days=365)
    return {
        "quantity": "450",
        "unit_price": "12.00",
        "start_date-day": start.day,
        "start_date-month": start.month,
        "start_date-year": start.year,
        "end_date-day": end.day,
        "end_date-month": end.month,
        "end_date-year": end.year,
        "kpis": "99.9% availability",
        "justification": "The best fit at the lowest price.",
    }


# name: (role, url builder, valid data builder, the number fields)
NUMBER_FORMS = {
    "offer-edit": (
        "supplier_a_member",
        lambda w: f"/suppliers/offers/{w.draft_offer.pk}/edit/",
        lambda w: OFFER_VALID,
        ["price", "list_price", "minimum_term_months"],
    ),
    "offer-new": (
        "supplier_b_member",
        lambda w: f"/suppliers/offers/new/?lot={w.lot.pk}",
        lambda w: OFFER_VALID,
        ["price", "list_price", "minimum_term_months"],
    ),
    "requirement-budget": (
        "buyer_a_member",
        lambda w: f"/buying/requirements/{w.requirement_draft.pk}/budget/",
        lambda w: {"budget_min": "1000", "budget_max": "5000"},
        ["budget_min", "budget_max"],
    ),
    "requirement-users": (
        "buyer_a_member",
        lambda w: f"/buying/requirements/{w.requirement_draft.pk}/users/",
        lambda w: {"users_description": "Social workers", "user_count": "250"},
        ["user_count"],
    ),
    "direct-award": (
        "buyer_a_admin",
        lambda w: f"/buying/shortlists/{w.frozen.pk}/items/{w.frozen_item.pk}/award/",
        _award_valid,
        ["quantity", "unit_price"],
    ),
    "competition-response": (
        "supplier_a_admin",
        lambda w: f"/suppliers/competitions/{w.invitation.pk}/respond/",
        lambda w: {
            "unit_price": "9.50",
            "quality_response": "We have done this before.",
            "social_value_response": "Apprenticeships.",
        },
        ["unit_price"],
    ),
    "framework": (
        "staff",
        lambda w: "/staff/frameworks/new/",
        lambda w: {
            "name": "Technology Products 9",
            "reference": "RM9100",
            "kind": "framework",
            "description": "",
            "max_value": "2500000",
        },
        ["max_value"],
    ),
}


@pytest.mark.parametrize("form", NUMBER_FORMS)
def test_number_forms_accept_their_valid_data(client, world, form):
    role, url, valid, _ = NUMBER_FORMS[form]
    sign_in(client, world, role)
    response = client.post(url(world), valid(world))
    assert response.status_code == 302, f"{form}: the valid data was refused"


@pytest.mark.parametrize("number", ODD_NUMBERS)
@pytest.mark.parametrize(
    ("form", "field"),
    [(form, field) for form, spec in NUMBER_FORMS.items() for field in spec[3]],
)
def test_odd_numbers_are_refused_cleanly(client, world, form, field, number):
    role, url, valid, _ = NUMBER_FORMS[form]
    sign_in(client, world, role)
    response = post_form(client, url(world), {**valid(world), field: number})
    assert response.status_code != 302, f"{form}: {field}={number} was accepted"


# --- dates typed as day, month and year boxes (DatePartsField) ----------------------------------------

ODD_DATES = [
    ("1", "2147483648", "2027"),  # a month past a C int
    ("99999999999999999999", "1", "2027"),
    ("1", "1", "99999999999999999999"),
    ("-1", "1", "2027"),
    ("31", "2", "2027"),
    ("0", "0", "0000"),
    ("x", "<b>", "2027"),
]

# name: (role, url builder, valid data builder, the date fields)
DATE_FORMS = {
    "framework": (
        "staff",
        NUMBER_FORMS["framework"][1],
        NUMBER_FORMS["framework"][2],
        ["applications_open_on", "starts_on", "ends_on"],
    ),
    "direct-award": (
        "buyer_a_admin",
        NUMBER_FORMS["direct-award"][1],
        NUMBER_FORMS["direct-award"][2],
        ["start_date", "end_date"],
    ),
}


@pytest.mark.parametrize("parts", ODD_DATES, ids="-".join)
@pytest.mark.parametrize(
    ("form", "field"),
    [(form, field) for form, spec in DATE_FORMS.items() for field in spec[3]],
)
def test_odd_dates_are_refused_cleanly(client, world, form, field, parts):
    role, url, valid, _ = DATE_FORMS[form]
    sign_in(client, world, role)
    typed = dict(zip((f"{field}-day", f"{field}-month", f"{field}-year"), parts, strict=True))
    response = post_form(client, url(world), {**valid(world), **typed})
    assert response.status_code != 302, f"{form}: {field}={parts} was accepted"


# --- market: engagements, responses, questions, forward plans, the directory ---------------------

ENGAGEMENT = {
    "title": text_or("Housing case management"),
    "problem": text_or("Caseworkers lose track."),
    "outcomes": text_or("Every case in one place."),
    "constraints": TEXT,
    "budget_min": text_or("", "40000", "£40,000"),
    "budget_max": text_or("", "90000"),
    "market_questions": TEXT,
    "cpv_division": text_or("72", "48", ""),
    "region": text_or("", "london"),
}


@FUZZ
@given(data=st.fixed_dictionaries(ENGAGEMENT), closes=date_parts("closes_on"))
def test_engagement_form(client, world, data, closes):
    from market.models import Engagement

    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        before = set(Engagement.objects.values_list("pk", flat=True))
        response = post_form(client, "/engagements/new/", {**data, **closes})
        pages = ["/engagements/"]
        if response.status_code == 302:
            engagement = Engagement.objects.exclude(pk__in=before).get()
            pages += [f"/engagements/{engagement.pk}/", f"/engagements/{engagement.pk}/responses/"]
        check_pages(client, pages)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "approach": text_or("Configure our product."),
            "similar_work": TEXT,
            "rough_cost": TEXT,
            "is_sme": text_or("yes", "no"),
            "is_vcse": text_or("yes", "no"),
        }
    ),
    question=text_or("Is there an API?"),
    answer=text_or("Yes."),
)
def test_engagement_response_question_and_answer_forms(client, world, data, question, answer):
    engagement = world.engagement
    with rolled_back():
        supplier = sign_in(client, world, "supplier_b_member")
        post_form(supplier, f"/engagements/{engagement.pk}/respond/", data)
        post_form(supplier, f"/engagements/{engagement.pk}/ask/", {"question": question})
        buyer = sign_in(Client(), world, "buyer_a_member")
        q = world.engagement_question
        url = f"/engagements/{engagement.pk}/questions/{q.pk}/answer/"
        post_form(buyer, url, {f"q{q.pk}-answer": answer})
        check_pages(buyer, [f"/engagements/{engagement.pk}/responses/"])
        check_pages(Client(), [f"/engagements/{engagement.pk}/"], " (anonymous)")


@FUZZ
@given(summary=text_or("We learned a lot."))
def test_engagement_summary_form(client, world, summary):
    engagement = world.closed_engagement
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, f"/engagements/{engagement.pk}/conclude/", {"summary": summary})
        check_pages(Client(), [f"/engagements/{engagement.pk}/"], " (anonymous)")


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "title": text_or("Replace the library system"),
            "description": TEXT,
            "cpv_division": text_or("48", ""),
            "estimated_value": text_or("250000", "£1,000"),
            "route": text_or("open", "direct_award"),
            "region": text_or("", "wales"),
        }
    ),
    start=date_parts("expected_start"),
)
def test_pipeline_form(client, world, data, start):
    with rolled_back():
        sign_in(client, world, "buyer_a_member")
        post_form(client, "/pipeline/new/", {**data, **start})
        check_pages(client, ["/pipeline/", "/pipeline.csv"])


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "description": text_or("We mend roads."),
            "cpv_divisions": st.lists(text_or("45", "72"), max_size=3),
            "regions": st.lists(text_or("wales", "london"), max_size=3),
            "size": text_or("micro", "large"),
            "is_vcse": text_or("", "on"),
            "consent_contact": text_or("", "on"),
            "consent_sectors": st.lists(text_or("45"), max_size=2),
            "frequency": text_or("daily", "weekly", "immediate"),
        }
    ),
    query=TEXT,
)
def test_directory_form_and_search(client, world, data, query):
    with rolled_back():
        sign_in(client, world, "supplier_b_admin")
        post_form(client, "/directory/join/", data)
        check_pages(client, ["/directory/join/", "/market/alerts/", "/suppliers/"])
        buyer = sign_in(Client(), world, "buyer_a_member")
        response = buyer.get("/directory/", {"q": query, "division": query, "region": query})
        assert response.status_code == 200
        assert_safe(response, "GET /directory/")


@FUZZ
@given(token=TEXT)
def test_withdraw_link_with_any_token(client, world, token):
    with rolled_back():
        before = fingerprint()
        from django.urls import NoReverseMatch, reverse

        try:
            url = reverse("market:withdraw", args=[token])
        except NoReverseMatch:
            return
        response = client.post(url)
        assert response.status_code in (400, 404), f"POST {url}: {response.status_code}"
        assert_safe(response, f"POST {url}")
        assert not changed_tables(before, fingerprint())


# --- stored markup: every page of the permission matrix, with markup in every stored text -------------

STORED = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
POISONED_APPS = ("accounts", "catalogue", "suppliers", "contracts", "buying", "reviews", "market")
POISONED_APPS += ("guidance",)
# Text fields that hold codes, addresses or values copied from a list of choices, not prose.
NOT_PROSE = {
    "email",
    "password",
    "slug",
    "reference",
    "token",
    "sha256",
    "query_string",
    "external_id",
    "path",
    "companies_house_number",
    "postcode",
    "website",
    "contact_email",
    "contact_phone",
    "domain",
    "pricing_model",
    "vat",
    "framework_reference",
    "unit",
    "status",
    "kind",
}
LIST_FIELDS = {
    "catalogue.offerrevision": ["features", "benefits"],
    "buying.requirement": ["must_haves", "nice_to_haves"],
    "contracts.contract": ["kpis"],
    "catalogue.catalogueimport": ["errors"],
}


def poison_stored_text() -> None:
    """Put markup into every free-text field of every row (as a hostile user could type it)."""
    from django.apps import apps
    from django.db import models as m
    from django.db.models import Value
    from django.db.models.functions import Cast, Concat

    for model in apps.get_models():
        if model._meta.app_label not in POISONED_APPS:
            continue
        values = {}
        for field in model._meta.concrete_fields:
            if not isinstance(field, m.CharField | m.TextField) or field.choices:
                continue
            if field.unique or field.name in NOT_PROSE or isinstance(field, m.EmailField):
                continue
            # Each row's own text (names can be unique together): the markup, then the id.
            limit = field.max_length or len(STORED) + 10
            if limit >= 24:
                values[field.name] = Concat(
                    Value(STORED[: limit - 10]), Cast("pk", output_field=m.CharField())
                )
        for name in LIST_FIELDS.get(model._meta.label_lower, []):
            values[name] = [STORED]
        if values:
            model.objects.update(**values)
    from matching.models import MatchRun

    for run in MatchRun.objects.all():
        for entry in run.offers:
            entry.update(title=STORED, summary=STORED, supplier=STORED, lot=STORED)
        run.save(update_fields=["offers"])


def _matrix_pages():
    from .test_permission_matrix import ROWS, _first_allowed

    return [(row, _first_allowed(row)) for row in ROWS if _first_allowed(row)]


@pytest.mark.parametrize(("entry", "role"), _matrix_pages(), ids=lambda v: getattr(v, "id", v))
def test_stored_markup_is_escaped_on_every_page(client, world, entry, role):
    poison_stored_text()
    url = entry.url(world)
    response = sign_in(client, world, role).get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
    assert_safe(response, f"GET {url} as {role}")


# --- "next": buttons that send you back where you were never send you off the site --------------------

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
    "http://testserver@evil.example/",
]
NEXT_FORMS = {
    "compare-add": (
        "anonymous",
        lambda w: "/catalogue/compare/add/",
        lambda w: {"offer": w.offer.pk},
    ),
    "compare-remove": (
        "anonymous",
        lambda w: "/catalogue/compare/remove/",
        lambda w: {"offer": w.offer.pk},
    ),
    "review-helpful": (
        "buyer_b_member",
        lambda w: f"/reviews/{w.review.pk}/helpful/",
        lambda w: {},
    ),
    "match-shortlist": (
        "buyer_a_member",
        lambda w: f"/buying/requirements/{w.requirement.pk}/matches/shortlist/",
        lambda w: {"offer": w.offer.pk},
    ),
}


@pytest.mark.parametrize("target", OFF_SITE)
@pytest.mark.parametrize("form", NEXT_FORMS)
def test_next_never_leaves_the_site(client, world, form, target):
    from django.utils.http import url_has_allowed_host_and_scheme

    role, url, data = NEXT_FORMS[form]
    response = sign_in(client, world, role).post(url(world), {**data(world), "next": target})
    assert response.status_code == 302, f"{form}: {response.status_code}"
    location = response["Location"]
    assert url_has_allowed_host_and_scheme(location, {"testserver"}), (
        f"{form}: next={target!r} redirected to {location!r}"
    )


# --- query parameters: every page of the matrix with odd values in every parameter the views read ---

QUERY_KEYS = [
    "page",
    "sort",
    "size",
    "q",
    "lot",
    "framework",
    "category",
    "status",
    "by",
    "before",
    "next",
    "refresh",
    "sme",
    "within_budget",
    "chosen",
    "query_string",
    "price_min",
    "price_max",
    "return",
    "rating",
    "cert",
    "hosting",
]
ODD_QUERY_VALUES = {
    "nul": "a\x00b",
    "unicode-digit": "²",
    "huge": "9" * 40,
    "negative": "-1",
    "markup": "<script>alert(1)</script>",
    "exponent": "1E+999999",
}


@pytest.mark.parametrize("value", ODD_QUERY_VALUES)
@pytest.mark.parametrize(("entry", "role"), _matrix_pages(), ids=lambda v: getattr(v, "id", v))
def test_odd_query_parameters_on_every_page(client, world, entry, role, value):
    url = entry.url(world)
    query = {key: ODD_QUERY_VALUES[value] for key in QUERY_KEYS}
    response = sign_in(client, world, role).get(url, query)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, f"GET {url}?…={value} as {role}"
    assert_safe(response, f"GET {url}?…={value} as {role}")


def test_saved_search_with_an_encoded_nul_is_frozen_cleanly(client, world):
    """A saved query string is replayed as a search when frozen: %00 in it must not crash it
    (PostgreSQL refuses NUL bytes in text)."""
    sign_in(client, world, "buyer_a_member")
    response = client.post("/buying/searches/new/", {"name": "Odd", "query_string": "q=a%00b"})
    assert response.status_code == 302
    detail = response["Location"]
    assert client.get(detail).status_code == 200
    response = client.post(f"{detail}freeze/")
    assert response.status_code == 302
