"""Requirement pages: each question, check your answers, resume, submit, delete, copy, access."""

import html
import re

import pytest

from buying.models import Requirement
from buying.services import requirements as requirement_services
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import DraftFrameworkFactory, FrameworkFactory, LotFactory
from tests.suppliers.factories import SupplierProfileFactory

pytestmark = pytest.mark.django_db

STEPS = [
    "title",
    "problem",
    "users",
    "needs",
    "budget",
    "timescale",
    "location",
    "security",
    "preference",
]
GOOD = {
    "title": {"title": "Case management"},
    "problem": {"problem": "Social workers keep case notes in spreadsheets."},
    "users": {"users_description": "Social workers", "user_count": "250"},
    "needs": {"must_haves": "Works offline\nSingle sign-on", "nice_to_haves": "Mobile app"},
    "budget": {"budget_min": "£25,000", "budget_max": "50000.50"},
    "timescale": {"timescale": "3m"},
    "location": {"location": "Leeds"},
    "security": {"hosting_locations": ["uk"], "certifications": ["cyber-essentials"]},
    "preference": {"lot": "none"},
}
BAD = {
    "problem": ({"problem": ""}, "Describe the problem or the outcome you want"),
    "users": ({"users_description": "Staff", "user_count": "-3"}, "1 or more"),
    "needs": ({"must_haves": "x" * 301}, "300 characters or fewer"),
    "budget": ({"budget_min": "500", "budget_max": "40"}, "same as or more than"),
    "timescale": ({}, "Select when you need it"),
    "location": ({"location": "y" * 201}, "200 characters or fewer"),
    "security": ({"certifications": ["bogus"]}, "Select certifications from the list"),
    "preference": ({"lot": "424242"}, "not available"),
    "title": ({"title": ""}, "Enter a short name"),
}


def templates(response):
    return [t.name for t in response.templates]


def text(response):
    content = html.unescape(response.content.decode())
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", content))


@pytest.fixture
def buyer():
    return member(BuyerOrganisationFactory(name="Leeds City Council"))


@pytest.fixture
def requirement(buyer):
    return requirement_services.requirement_start(actor=buyer, title="Case management")


@pytest.fixture
def signed_in(client, buyer):
    client.force_login(buyer)
    return client


def step_url(requirement, step):
    return f"/buying/requirements/{requirement.pk}/{step}/"


def fill_all(buyer, requirement):
    for step in STEPS:
        requirement_services.requirement_answer(
            actor=buyer, requirement=requirement, step=step, data=GOOD[step]
        )
    return requirement


# --- list and start -----------------------------------------------------------------------------


def test_list_is_empty_with_a_start_button(signed_in):
    response = signed_in.get("/buying/requirements/")
    assert response.status_code == 200
    assert "buying/requirements/list.html" in templates(response)
    page = text(response)
    assert "Your requirements" in page
    assert 'href="/buying/requirements/new/"' in page and "Start a new requirement" in page
    assert "You have no draft requirements" in page
    assert '"Requirements"' in page or ">Requirements<" in page  # navigation item


def test_start_asks_the_short_name_then_goes_to_the_first_question(signed_in, buyer):
    response = signed_in.get("/buying/requirements/new/")
    assert response.status_code == 200
    assert "buying/requirements/start.html" in templates(response)
    assert "What do you want to call this requirement?" in text(response)
    response = signed_in.post("/buying/requirements/new/", {"title": "Case management"})
    requirement = Requirement.objects.get()
    assert requirement.organisation == buyer.organisation and requirement.is_draft
    assert response.status_code == 302
    assert response["Location"] == step_url(requirement, "problem")


def test_start_without_a_name_shows_an_error_and_creates_nothing(signed_in):
    response = signed_in.post("/buying/requirements/new/", {"title": "  "})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "Enter a short name for your requirement" in page
    assert 'href="#id_title"' in page
    assert not Requirement.objects.exists()


# --- each question ----------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_each_step_page_shows_its_question_and_saved_answer(signed_in, buyer, requirement, step):
    fill_all(buyer, requirement)
    response = signed_in.get(step_url(requirement, step))
    assert response.status_code == 200
    assert f"buying/requirements/step_{step}.html" in templates(response)
    page = text(response)
    assert "Save and come back later" in page and ">Continue<" in page
    assert "govuk-back-link" in page
    assert page.count("<h1") == 1
    shown = {
        "title": 'value="Case management"',
        "problem": "Social workers keep case notes in spreadsheets.",
        "users": 'value="250"',
        "needs": "Works offline\nSingle sign-on".replace("\n", " "),
        "budget": 'value="25000"',
        "timescale": 'value="3m" checked',
        "location": 'value="Leeds"',
        "security": 'value="cyber-essentials" checked',
        "preference": "No preference",
    }[step]
    assert shown in page


def test_problem_page_has_a_character_count(signed_in, requirement):
    page = text(signed_in.get(step_url(requirement, "problem")))
    assert "govuk-character-count" in page and 'data-maxlength="5000"' in page
    assert "What problem do you need to solve, or what outcome do you want?" in page


def test_budget_page_has_pound_prefixes(signed_in, requirement):
    page = text(signed_in.get(step_url(requirement, "budget")))
    assert page.count("govuk-input__prefix") == 2


def test_preference_lists_lots_of_live_frameworks_only(signed_in, requirement):
    live = LotFactory(name="Cloud hosting", framework=FrameworkFactory(name="G-Cloud 14"))
    LotFactory(name="Hidden lot", framework=DraftFrameworkFactory(name="Draft thing"))
    page = text(signed_in.get(step_url(requirement, "preference")))
    assert "G-Cloud 14: Cloud hosting" in page and f'value="{live.pk}"' in page
    assert "Hidden lot" not in page
    assert "No preference" in page


@pytest.mark.parametrize("step", STEPS)
def test_good_answer_is_saved_and_moves_to_the_next_question(signed_in, requirement, step):
    response = signed_in.post(step_url(requirement, step), GOOD[step])
    assert response.status_code == 302
    index = STEPS.index(step)
    expected = (
        f"/buying/requirements/{requirement.pk}/check/"
        if index == len(STEPS) - 1
        else step_url(requirement, STEPS[index + 1])
    )
    assert response["Location"] == expected


def test_answers_are_stored(signed_in, requirement):
    lot = LotFactory()
    for step in STEPS:
        data = {"lot": str(lot.pk)} if step == "preference" else GOOD[step]
        assert signed_in.post(step_url(requirement, step), data).status_code == 302
    requirement.refresh_from_db()
    assert requirement.problem == GOOD["problem"]["problem"]
    assert requirement.user_count == 250
    assert requirement.must_haves == ["Works offline", "Single sign-on"]
    assert str(requirement.budget_min) == "25000.00" and str(requirement.budget_max) == "50000.50"
    assert requirement.timescale == "3m" and requirement.location == "Leeds"
    assert requirement.hosting_locations == ["uk"]
    assert requirement.certifications == ["cyber-essentials"]
    assert (requirement.lot, requirement.framework) == (lot, lot.framework)


@pytest.mark.parametrize("step", STEPS)
def test_bad_answer_shows_an_error_and_keeps_saved_answers(signed_in, buyer, requirement, step):
    fill_all(buyer, requirement)
    before = Requirement.objects.filter(pk=requirement.pk).values().get()
    data, message = BAD[step]
    response = signed_in.post(step_url(requirement, step), data)
    assert response.status_code == 200
    assert f"buying/requirements/step_{step}.html" in templates(response)
    page = text(response)
    assert "There is a problem" in page and message in page
    assert "govuk-error-message" in page
    assert "<title>" in page and " - Error - " in page
    after = Requirement.objects.filter(pk=requirement.pk).values().get()
    assert after == before


def test_bad_answer_redisplays_what_was_typed(signed_in, requirement):
    response = signed_in.post(
        step_url(requirement, "budget"), {"budget_min": "ten pounds", "budget_max": "20"}
    )
    page = text(response)
    assert 'value="ten pounds"' in page and 'value="20"' in page
    assert 'href="#id_budget_min"' in page


def test_save_and_come_back_later_saves_and_returns_to_the_list(signed_in, requirement):
    response = signed_in.post(
        step_url(requirement, "location"), {"location": "York", "save_later": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/buying/requirements/"
    assert "have been saved" in text(response)
    requirement.refresh_from_db()
    assert requirement.location == "York"


def test_save_and_come_back_later_with_a_bad_answer_shows_the_error(signed_in, requirement):
    response = signed_in.post(
        step_url(requirement, "users"), {"users_description": "", "save_later": "1"}
    )
    assert response.status_code == 200
    assert "Describe who will use it" in text(response)


def test_back_links_go_to_the_previous_question(signed_in, requirement):
    page = text(signed_in.get(step_url(requirement, "budget")))
    assert f'href="{step_url(requirement, "needs")}" class="govuk-back-link"' in page
    page = text(signed_in.get(step_url(requirement, "problem")))
    assert f'href="{step_url(requirement, "title")}" class="govuk-back-link"' in page
    page = text(signed_in.get(step_url(requirement, "title")))
    assert 'href="/buying/requirements/" class="govuk-back-link"' in page


def test_unknown_step_is_404(signed_in, requirement):
    assert signed_in.get(step_url(requirement, "colour")).status_code == 404
    assert signed_in.post(step_url(requirement, "colour"), {"x": "1"}).status_code == 404


# --- resume ---------------------------------------------------------------------------------------


def test_list_shows_draft_with_continue_link_to_first_unanswered_question(
    signed_in, buyer, requirement
):
    for step in ("problem", "users", "needs"):
        requirement_services.requirement_answer(
            actor=buyer, requirement=requirement, step=step, data=GOOD[step]
        )
    response = signed_in.get("/buying/requirements/")
    page = text(response)
    assert "Case management" in page
    assert f'href="{step_url(requirement, "budget")}">Continue' in page


def test_list_continue_goes_to_check_when_everything_is_answered(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    requirement_services.requirement_answer(
        actor=buyer, requirement=requirement, step="preference", data={"lot": LotFactory().pk}
    )
    page = text(signed_in.get("/buying/requirements/"))
    assert f'href="/buying/requirements/{requirement.pk}/check/">Continue' in page


def test_list_separates_submitted_requirements(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    other_draft = requirement_services.requirement_start(actor=buyer, title="Room booking")
    page = text(signed_in.get("/buying/requirements/"))
    drafts, submitted = page.split('<h2 class="govuk-heading-m">Submitted</h2>')
    assert "Room booking" in drafts and "Case management" not in drafts
    assert "Case management" in submitted and "Room booking" not in submitted
    assert other_draft.pk


# --- check your answers -----------------------------------------------------------------------


def test_check_page_lists_every_answer_with_change_links(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    response = signed_in.get(f"/buying/requirements/{requirement.pk}/check/")
    assert response.status_code == 200
    assert "buying/requirements/check.html" in templates(response)
    page = text(response)
    for expected in [
        "Check your answers before submitting your requirement",
        "Social workers keep case notes in spreadsheets.",
        "250",
        "<li>Works offline</li>",
        "£25,000.00 to £50,000.50",
        "Within 3 months",
        "Leeds",
        "UK only",
        "Cyber Essentials",
        "No preference",
        "Submit requirement",
    ]:
        assert expected in page, expected
    for step in STEPS:
        assert f'href="{step_url(requirement, step)}?return=check"' in page
    assert "<p>Social workers keep case notes in spreadsheets.</p>" in page
    assert "&lt;" not in response.content.decode()


def test_answers_are_escaped_on_check_and_detail(signed_in, buyer, requirement):
    requirement_services.requirement_answer(
        actor=buyer,
        requirement=requirement,
        step="problem",
        data={"problem": "<script>alert(1)</script>\n\nSecond <b>para</b>"},
    )
    requirement_services.requirement_answer(
        actor=buyer, requirement=requirement, step="needs", data={"must_haves": "<i>x</i>"}
    )
    for url in ("check/", ""):
        content = signed_in.get(f"/buying/requirements/{requirement.pk}/{url}").content.decode()
        assert "<script>alert" not in content and "<i>x</i>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "<p>Second &lt;b&gt;para&lt;/b&gt;</p>" in content


def test_check_page_marks_missing_required_answers(signed_in, requirement):
    page = text(signed_in.get(f"/buying/requirements/{requirement.pk}/check/"))
    assert "Enter problem or outcome wanted" in page
    assert "Not given" in page
    # a missing answer's "Enter ..." link replaces its Change link
    assert 'Change<span class="govuk-visually-hidden">problem or outcome wanted' not in page
    assert 'Change<span class="govuk-visually-hidden">location' in page


def test_change_link_round_trip_returns_to_check(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    url = step_url(requirement, "location") + "?return=check"
    page = text(signed_in.get(url))
    assert f'href="/buying/requirements/{requirement.pk}/check/" class="govuk-back-link"' in page
    response = signed_in.post(url, {"location": "Bradford"})
    assert response.status_code == 302
    assert response["Location"] == f"/buying/requirements/{requirement.pk}/check/"
    page = text(signed_in.get(response["Location"]))
    assert "Bradford" in page and "Leeds" not in page


def test_change_with_a_bad_answer_stays_on_the_question(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    url = step_url(requirement, "budget") + "?return=check"
    response = signed_in.post(url, {"budget_min": "1.234"})
    assert response.status_code == 200
    assert "no more than 2 decimal places" in text(response)


def test_submit_goes_to_the_matches_then_the_read_only_requirement(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    response = signed_in.post(f"/buying/requirements/{requirement.pk}/check/")
    assert response.status_code == 302
    assert response["Location"] == f"/buying/requirements/{requirement.pk}/matches/"
    requirement.refresh_from_db()
    assert requirement.status == "submitted"
    response = signed_in.get(f"/buying/requirements/{requirement.pk}/")
    assert "buying/requirements/detail.html" in templates(response)
    page = text(response)
    assert "has been submitted" in page and "Submitted" in page
    assert "?return=check" not in page and "Copy as a new draft" in page


def test_submit_with_missing_answers_shows_errors_linking_to_the_questions(signed_in, requirement):
    response = signed_in.post(f"/buying/requirements/{requirement.pk}/check/")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Describe the problem or the outcome you want" in page
    assert f'href="{step_url(requirement, "problem")}?return=check"' in page
    assert f'href="{step_url(requirement, "timescale")}?return=check"' in page
    requirement.refresh_from_db()
    assert requirement.is_draft


def test_submitted_requirement_questions_and_check_redirect_to_detail(
    signed_in, buyer, requirement
):
    fill_all(buyer, requirement)
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    detail = f"/buying/requirements/{requirement.pk}/"
    for url in (step_url(requirement, "location"), f"{detail}check/"):
        assert signed_in.get(url)["Location"] == detail
    response = signed_in.post(step_url(requirement, "location"), {"location": "Hull"})
    assert response["Location"] == detail
    requirement.refresh_from_db()
    assert requirement.location == "Leeds"


# --- detail, delete, copy ---------------------------------------------------------------------


def test_draft_detail_offers_continue_and_delete(signed_in, requirement):
    response = signed_in.get(f"/buying/requirements/{requirement.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Draft" in page and step_url(requirement, "problem") in page
    assert f"/buying/requirements/{requirement.pk}/delete/" in page
    assert "Copy as a new draft" not in page


def test_delete_asks_then_deletes_the_draft(signed_in, requirement):
    url = f"/buying/requirements/{requirement.pk}/delete/"
    response = signed_in.get(url)
    assert response.status_code == 200
    assert "buying/requirements/delete.html" in templates(response)
    assert "Are you sure you want to delete this draft?" in text(response)
    response = signed_in.post(url, follow=True)
    assert response.redirect_chain[-1][0] == "/buying/requirements/"
    assert "has been deleted" in text(response)
    assert not Requirement.objects.exists()


def test_submitted_requirement_cannot_be_deleted(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    response = signed_in.post(f"/buying/requirements/{requirement.pk}/delete/")
    assert response.status_code == 302
    assert Requirement.objects.filter(pk=requirement.pk).exists()


def test_copy_as_a_new_draft(signed_in, buyer, requirement):
    fill_all(buyer, requirement)
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    url = f"/buying/requirements/{requirement.pk}/copy/"
    assert signed_in.get(url).status_code == 405
    response = signed_in.post(url)
    copy = Requirement.objects.exclude(pk=requirement.pk).get()
    assert response["Location"] == f"/buying/requirements/{copy.pk}/check/"
    assert copy.is_draft and copy.location == "Leeds" and copy.title == "Copy of Case management"


# --- access -----------------------------------------------------------------------------------


def all_urls(requirement):
    base = f"/buying/requirements/{requirement.pk}/"
    return [base, f"{base}check/", f"{base}delete/"] + [f"{base}{s}/" for s in STEPS]


def test_another_organisation_gets_404_everywhere(client, buyer, requirement):
    fill_all(buyer, requirement)
    client.force_login(member(BuyerOrganisationFactory()))
    for url in all_urls(requirement):
        assert client.get(url).status_code == 404, url
    for url in all_urls(requirement) + [f"/buying/requirements/{requirement.pk}/copy/"]:
        assert client.post(url, {"location": "Hull"}).status_code == 404, url
    page = text(client.get("/buying/requirements/"))
    assert "Case management" not in page
    requirement.refresh_from_db()
    assert requirement.is_draft and requirement.location == "Leeds"
    assert Requirement.objects.count() == 1


def test_suppliers_get_403(client, requirement):
    client.force_login(member(SupplierProfileFactory().organisation))
    urls = ["/buying/requirements/", "/buying/requirements/new/", *all_urls(requirement)]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post("/buying/requirements/new/", {"title": "Mine"}).status_code == 403
    assert Requirement.objects.count() == 1


def test_staff_without_an_organisation_get_403(client, requirement):
    client.force_login(StaffFactory())
    assert client.get("/buying/requirements/").status_code == 403
    assert client.get(f"/buying/requirements/{requirement.pk}/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, requirement):
    for url in ["/buying/requirements/", "/buying/requirements/new/", *all_urls(requirement)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_colleague_in_the_same_organisation_sees_and_continues_the_draft(
    client, buyer, requirement
):
    client.force_login(member(buyer.organisation))
    assert "Case management" in text(client.get("/buying/requirements/"))
    response = client.post(step_url(requirement, "problem"), GOOD["problem"])
    assert response.status_code == 302
