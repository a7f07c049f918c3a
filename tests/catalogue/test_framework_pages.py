"""Staff pages for frameworks, lots and declaration questions."""

from datetime import date
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from catalogue.models import DeclarationQuestion, Framework, Lot
from ndx.audit.models import AuditEntry
from tests.accounts.factories import StaffFactory, SupplierOrganisationFactory, member
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DraftFrameworkFactory,
    DynamicMarketFactory,
    FrameworkFactory,
    LotFactory,
)

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPTESTSECR"


def staff_user(**kwargs):
    """Platform staff with an authenticator app, as /staff/ pages require."""
    staff = StaffFactory(**kwargs)
    TOTP.activate(staff, SECRET)
    return staff


@pytest.fixture
def staff():
    return staff_user()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def text(response) -> str:
    return response.content.decode()


def page_urls(framework, lot, question):
    return {
        "list": reverse("catalogue:staff_frameworks"),
        "create": reverse("catalogue:staff_framework_create"),
        "detail": reverse("catalogue:staff_framework_detail", args=[framework.pk]),
        "edit": reverse("catalogue:staff_framework_edit", args=[framework.pk]),
        "lot_create": reverse("catalogue:staff_lot_create", args=[framework.pk]),
        "lot_edit": reverse("catalogue:staff_lot_edit", args=[framework.pk, lot.pk]),
        "questions": reverse("catalogue:staff_questions", args=[framework.pk]),
    }


POST_ONLY = [
    "staff_framework_open",
    "staff_framework_request_live",
    "staff_framework_approve_live",
    "staff_framework_close",
]


def framework_form(**overrides):
    data = {
        "name": "Technology Products and Services 3",
        "reference": "rm6098",
        "kind": "framework",
        "description": "Hardware, software and services.",
        "applications_open_on-day": "1",
        "applications_open_on-month": "3",
        "applications_open_on-year": "2026",
        "starts_on-day": "1",
        "starts_on-month": "6",
        "starts_on-year": "2026",
        "ends_on-day": "31",
        "ends_on-month": "5",
        "ends_on-year": "2030",
        "max_value": "£2,500,000.50",
    }
    data.update(overrides)
    return data


# --- access ----------------------------------------------------------------------------------


def test_url_names_and_paths():
    assert reverse("catalogue:staff_frameworks") == "/staff/frameworks/"
    assert reverse("catalogue:staff_framework_create") == "/staff/frameworks/new/"
    assert reverse("catalogue:staff_framework_detail", args=[3]) == "/staff/frameworks/3/"
    assert reverse("catalogue:staff_framework_edit", args=[3]) == "/staff/frameworks/3/edit/"
    assert reverse("catalogue:staff_lot_create", args=[3]) == "/staff/frameworks/3/lots/new/"
    assert reverse("catalogue:staff_lot_edit", args=[3, 4]) == "/staff/frameworks/3/lots/4/edit/"
    assert reverse("catalogue:staff_questions", args=[3]) == "/staff/frameworks/3/questions/"
    assert (
        reverse("catalogue:staff_question_remove", args=[3, 5])
        == "/staff/frameworks/3/questions/5/remove/"
    )


def test_every_page_is_for_staff_only(client):
    framework = DraftFrameworkFactory()
    lot = LotFactory(framework=framework)
    question = DeclarationQuestionFactory(framework=framework)
    urls = page_urls(framework, lot, question)
    post_urls = [reverse(f"catalogue:{name}", args=[framework.pk]) for name in POST_ONLY] + [
        reverse("catalogue:staff_question_remove", args=[framework.pk, question.pk])
    ]

    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url
    for url in post_urls:
        assert client.post(url).status_code == 302, url

    for user in [member(), member(SupplierOrganisationFactory(), role="admin")]:
        client.force_login(user)
        for url in list(urls.values()) + post_urls:
            method = client.post if url in post_urls else client.get
            response = method(url)
            assert response.status_code == 403, url
            assert "Only platform staff" in text(response)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert DeclarationQuestion.objects.filter(pk=question.pk).exists()
    assert not AuditEntry.objects.exists()


def test_staff_without_mfa_are_sent_to_set_it_up(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("catalogue:staff_frameworks"))
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_every_page_works_for_staff(staff_client):
    framework = DraftFrameworkFactory()
    lot = LotFactory(framework=framework)
    question = DeclarationQuestionFactory(framework=framework)
    expected = {
        "list": "catalogue/staff/framework_list.html",
        "create": "catalogue/staff/framework_form.html",
        "detail": "catalogue/staff/framework_detail.html",
        "edit": "catalogue/staff/framework_form.html",
        "lot_create": "catalogue/staff/lot_form.html",
        "lot_edit": "catalogue/staff/lot_form.html",
        "questions": "catalogue/staff/question_list.html",
    }
    for name, url in page_urls(framework, lot, question).items():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert expected[name] in templates(response), url


def test_action_urls_refuse_get(staff_client):
    framework = DraftFrameworkFactory()
    for name in POST_ONLY:
        assert (
            staff_client.get(reverse(f"catalogue:{name}", args=[framework.pk])).status_code == 405
        )


def test_unknown_framework_lot_or_question_is_404(staff_client):
    framework = DraftFrameworkFactory()
    other_lot = LotFactory()
    other_question = DeclarationQuestionFactory()
    assert staff_client.get("/staff/frameworks/999999/").status_code == 404
    response = staff_client.get(
        reverse("catalogue:staff_lot_edit", args=[framework.pk, other_lot.pk])
    )
    assert response.status_code == 404
    response = staff_client.post(
        reverse("catalogue:staff_question_remove", args=[framework.pk, other_question.pk])
    )
    assert response.status_code == 404
    assert DeclarationQuestion.objects.filter(pk=other_question.pk).exists()


# --- list ------------------------------------------------------------------------------------


def test_list_shows_each_framework_with_status_lots_and_approval_marker(staff_client):
    live = FrameworkFactory(name="Cloud Compute", reference="RM6111")
    LotFactory(framework=live)
    LotFactory(framework=live)
    waiting = DraftFrameworkFactory(name="Digital Outcomes", reference="RM6222")
    Framework.objects.filter(pk=waiting.pk).update(live_requested_at=waiting.created_at)
    DynamicMarketFactory(name="Cyber Security Market", reference="RM6333", status="closed")
    response = staff_client.get(reverse("catalogue:staff_frameworks"))
    html = text(response)
    for fragment in ["Cloud Compute", "RM6111", "Digital Outcomes", "Cyber Security Market"]:
        assert fragment in html
    assert "Dynamic market" in html
    assert "govuk-tag--green" in html and "govuk-tag--grey" in html and "govuk-tag--red" in html
    assert html.count("Waiting for second approval") == 1
    rows = {f.name: f.lot_count for f in response.context["frameworks"]}
    assert rows == {"Cloud Compute": 2, "Digital Outcomes": 0, "Cyber Security Market": 0}
    assert reverse("catalogue:staff_framework_create") in html
    assert reverse("catalogue:staff_framework_detail", args=[live.pk]) in html


def test_staff_home_links_to_frameworks(staff_client):
    assert reverse("catalogue:staff_frameworks") in text(staff_client.get("/staff/"))


# --- create and edit -------------------------------------------------------------------------


def test_create_framework(staff_client, staff):
    response = staff_client.post(reverse("catalogue:staff_framework_create"), framework_form())
    framework = Framework.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalogue:staff_framework_detail", args=[framework.pk])
    assert framework.reference == "RM6098"
    assert framework.status == Framework.Status.DRAFT
    assert framework.created_by == staff
    assert framework.applications_open_on == date(2026, 3, 1)
    assert framework.starts_on == date(2026, 6, 1)
    assert framework.ends_on == date(2030, 5, 31)
    assert framework.max_value == Decimal("2500000.50")
    assert AuditEntry.objects.filter(action="framework.created", actor=staff).exists()
    detail = text(staff_client.get(response.url))
    assert "Technology Products and Services 3 created" in detail
    assert "£2,500,000.50" in detail
    assert "1 June 2026" in detail and "31 May 2030" in detail


def test_create_form_starts_empty_with_framework_selected(staff_client):
    html = text(staff_client.get(reverse("catalogue:staff_framework_create")))
    assert 'name="starts_on-day"' in html and 'name="ends_on-year"' in html
    assert 'value="framework" checked' in html
    assert "For example, 27 3 2027" in html
    assert "There is a problem" not in html


@pytest.mark.parametrize(
    ("overrides", "message", "anchor"),
    [
        ({"name": ""}, "Enter the framework&#39;s name", "#id_name"),
        ({"reference": ""}, "Enter the framework&#39;s reference", "#id_reference"),
        ({"reference": "RM 60!"}, "letters, numbers and hyphens", "#id_reference"),
        ({"kind": ""}, "Select whether this is a framework or a dynamic market", "#id_kind"),
        ({"starts_on-day": "31", "starts_on-month": "2"}, "Live-from date must be a real date", "#id_starts_on"),
        ({"ends_on-month": ""}, "Expiry date must include a month", "#id_ends_on"),
        ({"ends_on-year": "30"}, "Expiry date must be a real date", "#id_ends_on"),
        ({"applications_open_on-day": "x"}, "Applications open date must be a real date", "#id_applications_open_on"),
        ({"ends_on-year": "2025"}, "The expiry date must be after the date it goes live", "#id_ends_on"),
        ({"max_value": "-10"}, "The maximum value must be more than £0", "#id_max_value"),
        ({"max_value": "lots"}, "Enter the maximum value as a number of pounds", "#id_max_value"),
        ({"max_value": "10.555"}, "must be in pounds and pence", "#id_max_value"),
    ],
)  # fmt: skip
def test_create_form_errors_are_shown_and_nothing_is_created(
    staff_client, overrides, message, anchor
):
    response = staff_client.post(
        reverse("catalogue:staff_framework_create"), framework_form(**overrides)
    )
    assert response.status_code == 200
    html = text(response)
    assert "There is a problem" in html
    assert message in html
    assert f'href="{anchor}"' in html
    assert not Framework.objects.exists()
    assert not AuditEntry.objects.exists()


def test_form_keeps_what_was_typed_after_an_error(staff_client):
    response = staff_client.post(
        reverse("catalogue:staff_framework_create"),
        framework_form(name="", **{"starts_on-day": "31", "starts_on-month": "2"}),
    )
    html = text(response)
    assert 'id="id_starts_on" name="starts_on-day" type="text" value="31"' in html
    assert 'value="£2,500,000.50"' in html


def test_duplicate_reference_is_shown_on_the_field(staff_client):
    FrameworkFactory(reference="RM6098")
    response = staff_client.post(reverse("catalogue:staff_framework_create"), framework_form())
    assert "A framework with reference RM6098 already exists" in text(response)
    assert 'href="#id_reference"' in text(response)
    assert Framework.objects.count() == 1


def test_edit_framework_shows_current_values_and_saves(staff_client, staff):
    framework = DraftFrameworkFactory(
        name="Old name", reference="RM7000", starts_on=date(2026, 4, 27), max_value=100
    )
    url = reverse("catalogue:staff_framework_edit", args=[framework.pk])
    html = text(staff_client.get(url))
    assert 'value="Old name"' in html
    assert 'id="id_starts_on" name="starts_on-day" type="text" value="27"' in html
    assert 'name="starts_on-year" type="text" value="2026"' in html
    response = staff_client.post(url, framework_form(name="New name", reference="RM7000"))
    assert response.status_code == 302
    framework.refresh_from_db()
    assert framework.name == "New name"
    assert framework.ends_on == date(2030, 5, 31)
    assert AuditEntry.objects.filter(action="framework.updated", actor=staff).exists()


def test_edit_errors_change_nothing(staff_client):
    framework = DraftFrameworkFactory(name="Old name")
    url = reverse("catalogue:staff_framework_edit", args=[framework.pk])
    response = staff_client.post(url, framework_form(name="New", **{"ends_on-year": "2020"}))
    assert response.status_code == 200
    assert "The expiry date must be after the date it goes live" in text(response)
    framework.refresh_from_db()
    assert framework.name == "Old name"


def test_closed_framework_cannot_be_edited(staff_client):
    framework = DraftFrameworkFactory(name="Old name", status=Framework.Status.CLOSED)
    detail = text(
        staff_client.get(reverse("catalogue:staff_framework_detail", args=[framework.pk]))
    )
    assert reverse("catalogue:staff_framework_edit", args=[framework.pk]) not in detail
    url = reverse("catalogue:staff_framework_edit", args=[framework.pk])
    response = staff_client.post(url, framework_form(name="New"))
    assert response.status_code == 200
    assert "A closed or expired framework cannot be edited." in text(response)
    framework.refresh_from_db()
    assert framework.name == "Old name"


# --- detail and status changes ---------------------------------------------------------------


def test_detail_shows_fields_lots_questions_and_history(staff_client, staff):
    framework = DraftFrameworkFactory(
        name="Cloud Compute",
        reference="RM6111",
        description="Hosting and compute.",
        ends_on=date(2030, 1, 2),
        created_by=staff,
    )
    lot = LotFactory(
        framework=framework,
        number=1,
        name="Hosting",
        direct_award_allowed=False,
        categories=["Compute", "Storage"],
    )
    DeclarationQuestionFactory(framework=framework, text="Do you pay the living wage?")
    staff_client.post(
        reverse("catalogue:staff_framework_edit", args=[framework.pk]),
        framework_form(name="Cloud Compute", reference="RM6111"),
    )
    response = staff_client.get(reverse("catalogue:staff_framework_detail", args=[framework.pk]))
    html = text(response)
    for fragment in [
        "Cloud Compute",
        "RM6111",
        "Framework (fixed membership)",
        "Lot 1",
        "Hosting",
        "Further competition",
        "Do you pay the living wage?",
        "Must answer “Yes”",
        reverse("catalogue:staff_lot_edit", args=[framework.pk, lot.pk]),
        reverse("catalogue:staff_lot_create", args=[framework.pk]),
        reverse("catalogue:staff_questions", args=[framework.pk]),
        "History",
        "Framework details changed",
        f"by {staff}",
    ]:
        assert fragment in html, fragment
    assert response.context["lots"][0].categories == ["Compute", "Storage"]
    # A draft can be opened, put forward or closed; nobody has asked for approval yet.
    assert "Open for applications" in html
    assert "Ask for approval to go live" in html
    assert "Approve: make live" not in html
    assert reverse("catalogue:staff_framework_close", args=[framework.pk]) in html


def test_full_two_person_flow(client):
    creator, approver = staff_user(), staff_user()
    framework = DraftFrameworkFactory(created_by=creator)
    LotFactory(framework=framework)
    detail = reverse("catalogue:staff_framework_detail", args=[framework.pk])

    client.force_login(creator)
    response = client.post(reverse("catalogue:staff_framework_open", args=[framework.pk]))
    assert response.url == detail
    response = client.post(reverse("catalogue:staff_framework_request_live", args=[framework.pk]))
    assert response.url == detail
    html = text(client.get(detail))
    assert "A second member of staff must now approve it" in html
    assert "Waiting for second approval" in html
    assert "Approve: make live" not in html
    assert "because you created it and asked for it to go live" in html

    client.force_login(approver)
    html = text(client.get(detail))
    assert "Approve: make live" in html
    response = client.post(reverse("catalogue:staff_framework_approve_live", args=[framework.pk]))
    assert response.url == detail
    framework.refresh_from_db()
    assert framework.status == Framework.Status.LIVE
    assert framework.approved_by == approver
    html = text(client.get(detail))
    assert f"{framework.name} is live" in html
    assert "Framework approved and made live" in html
    assert f"by {approver}" in html
    assert reverse("catalogue:staff_framework_open", args=[framework.pk]) not in html
    assert reverse("catalogue:staff_framework_approve_live", args=[framework.pk]) not in html
    entry = AuditEntry.objects.get(action="framework.approved_live")
    assert entry.detail == {"created_by": creator.pk, "requested_by": creator.pk}


def test_own_approval_shows_the_error_and_framework_stays_not_live(client):
    creator = staff_user()
    framework = DraftFrameworkFactory(created_by=creator)
    LotFactory(framework=framework)
    client.force_login(creator)
    client.post(reverse("catalogue:staff_framework_request_live", args=[framework.pk]))
    response = client.post(
        reverse("catalogue:staff_framework_approve_live", args=[framework.pk]), follow=True
    )
    assert response.status_code == 200
    html = text(response)
    assert "govuk-notification-banner" in html
    assert "A second member of staff must approve this framework" in html
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert framework.approved_at is None
    assert not AuditEntry.objects.filter(action="framework.approved_live").exists()


def test_requester_sees_the_inset_text_not_the_button(client):
    creator, requester = staff_user(), staff_user()
    framework = DraftFrameworkFactory(created_by=creator)
    LotFactory(framework=framework)
    client.force_login(requester)
    client.post(reverse("catalogue:staff_framework_request_live", args=[framework.pk]))
    html = text(client.get(reverse("catalogue:staff_framework_detail", args=[framework.pk])))
    assert "govuk-inset-text" in html
    assert "because you asked for it to go live" in html
    assert "Approve: make live" not in html


def test_opening_without_lots_shows_the_error_and_changes_nothing(staff_client):
    framework = DraftFrameworkFactory()
    response = staff_client.post(
        reverse("catalogue:staff_framework_open", args=[framework.pk]), follow=True
    )
    assert "Add at least one lot before opening" in text(response)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT


def test_close_framework(staff_client):
    framework = FrameworkFactory()
    response = staff_client.post(
        reverse("catalogue:staff_framework_close", args=[framework.pk]), follow=True
    )
    assert f"{framework.name} is closed" in text(response)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.CLOSED
    html = text(response)
    assert "Ask for approval to go live" not in html
    assert reverse("catalogue:staff_framework_close", args=[framework.pk]) not in html
    response = staff_client.post(
        reverse("catalogue:staff_framework_close", args=[framework.pk]), follow=True
    )
    assert "already closed" in text(response)


def test_live_framework_offers_only_close(staff_client):
    framework = FrameworkFactory()
    html = text(staff_client.get(reverse("catalogue:staff_framework_detail", args=[framework.pk])))
    assert reverse("catalogue:staff_framework_close", args=[framework.pk]) in html
    for name in POST_ONLY[:3]:
        assert reverse(f"catalogue:{name}", args=[framework.pk]) not in html


# --- lots ------------------------------------------------------------------------------------


def test_add_lot(staff_client, staff):
    framework = DraftFrameworkFactory()
    url = reverse("catalogue:staff_lot_create", args=[framework.pk])
    assert 'value="direct" checked' in text(staff_client.get(url))
    response = staff_client.post(
        url,
        {
            "name": "Cloud hosting",
            "slug": "",
            "description": "Hosting.",
            "award_route": "competition",
            "categories": "Compute\r\n\r\nStorage\r\nCompute\r\n",
        },
    )
    assert response.status_code == 302
    lot = Lot.objects.get()
    assert (lot.framework, lot.number, lot.slug) == (framework, 1, "cloud-hosting")
    assert lot.direct_award_allowed is False
    assert lot.categories == ["Compute", "Storage"]
    assert AuditEntry.objects.filter(action="lot.created", actor=staff).exists()
    assert "Lot 1: Cloud hosting added" in text(staff_client.get(response.url))


def test_lot_form_errors(staff_client):
    framework = DraftFrameworkFactory()
    LotFactory(framework=framework, slug="hosting")
    url = reverse("catalogue:staff_lot_create", args=[framework.pk])
    response = staff_client.post(url, {"name": "", "award_route": ""})
    html = text(response)
    assert "Enter the lot&#39;s name" in html
    assert "Select how buyers can award contracts on this lot" in html
    response = staff_client.post(url, {"name": "Hosting", "award_route": "direct"})
    assert "This framework already has a lot called hosting" in text(response)
    assert 'href="#id_slug"' in text(response)
    assert framework.lots.count() == 1


def test_edit_lot(staff_client):
    framework = DraftFrameworkFactory()
    lot = LotFactory(framework=framework, name="Hosting", categories=["A", "B"])
    url = reverse("catalogue:staff_lot_edit", args=[framework.pk, lot.pk])
    html = text(staff_client.get(url))
    assert 'value="Hosting"' in html
    assert "A\nB</textarea>" in html
    response = staff_client.post(
        url,
        {"name": "Hosting plus", "slug": lot.slug, "award_route": "direct", "categories": "C"},
    )
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.name, lot.categories, lot.direct_award_allowed) == ("Hosting plus", ["C"], True)
    assert AuditEntry.objects.filter(action="lot.updated").exists()


def test_lot_cannot_be_added_to_a_closed_framework(staff_client):
    framework = DraftFrameworkFactory(status=Framework.Status.CLOSED)
    response = staff_client.post(
        reverse("catalogue:staff_lot_create", args=[framework.pk]),
        {"name": "Hosting", "award_route": "direct"},
    )
    assert response.status_code == 200
    assert "Lots cannot be added to a closed or expired framework." in text(response)
    assert not Lot.objects.exists()


# --- declaration questions -------------------------------------------------------------------


def test_add_and_remove_questions(staff_client, staff):
    framework = DraftFrameworkFactory()
    url = reverse("catalogue:staff_questions", args=[framework.pk])
    response = staff_client.post(
        url,
        {
            "text": "Do you accept the terms?",
            "hint": "Read them first.",
            "kind": "yes_no",
            "required_answer": "yes",
        },
    )
    assert response.status_code == 302 and response.url == url
    question = DeclarationQuestion.objects.get()
    assert (question.framework, question.required_answer, question.hint) == (
        framework,
        "yes",
        "Read them first.",
    )
    html = text(staff_client.get(url))
    assert "Declaration question added" in html
    assert "Do you accept the terms?" in html and "Read them first." in html

    remove = reverse("catalogue:staff_question_remove", args=[framework.pk, question.pk])
    response = staff_client.post(remove)
    assert response.url == url
    assert not DeclarationQuestion.objects.exists()
    actions = set(AuditEntry.objects.for_object(framework).values_list("action", flat=True))
    assert actions == {"framework.question_added", "framework.question_removed"}


def test_remove_from_the_detail_page_returns_there(staff_client):
    question = DeclarationQuestionFactory(framework=DraftFrameworkFactory())
    framework = question.framework
    response = staff_client.post(
        reverse("catalogue:staff_question_remove", args=[framework.pk, question.pk]),
        {"next": "detail"},
    )
    assert response.url == reverse("catalogue:staff_framework_detail", args=[framework.pk])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "kind": "yes_no"}, "Enter the question"),
        ({"text": "Q?", "kind": ""}, "Select the kind of answer"),
        (
            {"text": "Describe it", "kind": "text", "required_answer": "yes"},
            "Only yes or no questions can require an answer",
        ),
    ],
)
def test_question_form_errors(staff_client, data, message):
    framework = DraftFrameworkFactory()
    response = staff_client.post(reverse("catalogue:staff_questions", args=[framework.pk]), data)
    assert response.status_code == 200
    assert message in text(response)
    assert "There is a problem" in text(response)
    assert not DeclarationQuestion.objects.exists()


# --- Django admin ----------------------------------------------------------------------------


def test_catalogue_admin_is_read_only(client):
    from tests.catalogue.factories import make_offer

    superuser = staff_user(is_superuser=True)
    client.force_login(superuser)
    framework = DraftFrameworkFactory()
    lot = LotFactory(framework=framework)
    question = DeclarationQuestionFactory(framework=framework)
    offer = make_offer(SupplierOrganisationFactory(), lot)
    objects = {
        "framework": framework.pk,
        "lot": lot.pk,
        "declarationquestion": question.pk,
        "offer": offer.pk,
        "offerrevision": offer.published_revision_id,
        "offerdocument": None,
        "catalogueimport": None,
    }
    for model, pk in objects.items():
        assert client.get(f"/admin/catalogue/{model}/").status_code == 200, model
        assert client.get(f"/admin/catalogue/{model}/add/").status_code == 403, model
        if pk:
            response = client.get(f"/admin/catalogue/{model}/{pk}/change/")
            assert response.status_code == 200, model
            assert 'name="_save"' not in text(response), model
    response = client.post(
        f"/admin/catalogue/framework/{framework.pk}/change/", {"status": "live", "name": "X"}
    )
    assert response.status_code == 403
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
