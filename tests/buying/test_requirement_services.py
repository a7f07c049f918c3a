"""Requirement services: each question's rules, submitting, deleting, copying, and who may."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict

from buying.models import Requirement
from buying.services import requirements as requirement_services
from ndx.audit.models import AuditEntry
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import DraftFrameworkFactory, FrameworkFactory, LotFactory
from tests.suppliers.factories import SupplierProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    return member(BuyerOrganisationFactory(name="Leeds City Council"))


@pytest.fixture
def requirement(buyer):
    return requirement_services.requirement_start(actor=buyer, title="Case management")


def answer(actor, requirement, step, **data):
    return requirement_services.requirement_answer(
        actor=actor, requirement=requirement, step=step, data=data
    )


def saved(requirement):
    return model_to_dict(Requirement.objects.get(pk=requirement.pk))


def assert_refused(actor, requirement, step, data, field, message):
    before = saved(requirement)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        answer(actor, requirement, step, **data)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert saved(requirement) == before
    assert AuditEntry.objects.count() == entries


def complete(actor, requirement):
    answer(actor, requirement, "problem", problem="Social workers need one place for case notes.")
    answer(actor, requirement, "users", users_description="Social workers", user_count="250")
    answer(actor, requirement, "timescale", timescale="3m")
    return requirement


# --- starting -----------------------------------------------------------------------------


def test_start_creates_a_draft_for_the_buyers_organisation_and_audits(buyer):
    requirement = requirement_services.requirement_start(actor=buyer, title="  Case   management ")
    assert requirement.title == "Case management"
    assert requirement.organisation == buyer.organisation
    assert requirement.created_by == buyer
    assert requirement.is_draft
    assert AuditEntry.objects.filter(action="requirement.started").count() == 1


@pytest.mark.parametrize(
    "title, message",
    [("", "Enter a short name"), ("   ", "Enter a short name"), ("x" * 151, "150 characters")],
)
def test_start_refuses_a_bad_title(buyer, title, message):
    with pytest.raises(ValidationError) as exc:
        requirement_services.requirement_start(actor=buyer, title=title)
    assert message in exc.value.message_dict["title"][0]
    assert not Requirement.objects.exists()


def test_start_refuses_suppliers_and_people_without_an_organisation():
    supplier = member(SupplierProfileFactory().organisation)
    for actor in (supplier, StaffFactory()):
        with pytest.raises(PermissionDenied):
            requirement_services.requirement_start(actor=actor, title="Anything")
    assert not Requirement.objects.exists()


# --- each question ---------------------------------------------------------------------------


def test_problem_is_saved_trimmed(buyer, requirement):
    answer(buyer, requirement, "problem", problem="  Too many spreadsheets.\r\nNeed one system. ")
    assert saved(requirement)["problem"] == "Too many spreadsheets.\nNeed one system."
    assert requirement.problem == "Too many spreadsheets.\nNeed one system."


@pytest.mark.parametrize(
    "problem, message",
    [
        ("", "Describe the problem or the outcome you want"),
        ("   \n ", "Describe the problem or the outcome you want"),
        ("x" * 5001, "5,000 characters or fewer"),
    ],
)
def test_problem_refused(buyer, requirement, problem, message):
    answer(buyer, requirement, "problem", problem="Kept")
    assert_refused(buyer, requirement, "problem", {"problem": problem}, "problem", message)
    assert saved(requirement)["problem"] == "Kept"


def test_problem_of_exactly_5000_characters_is_accepted(buyer, requirement):
    answer(buyer, requirement, "problem", problem="x" * 5000)
    assert len(saved(requirement)["problem"]) == 5000


@pytest.mark.parametrize(
    "raw, expected", [("250", 250), ("1,500", 1500), (" 10000000 ", 10_000_000), ("", None)]
)
def test_user_count_accepted(buyer, requirement, raw, expected):
    answer(buyer, requirement, "users", users_description="Residents", user_count=raw)
    assert saved(requirement)["user_count"] == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("-5", "1 or more"),
        ("0", "1 or more"),
        ("10000001", "10,000,000 or fewer"),
        ("99999999999999999999", "10,000,000 or fewer"),
        ("lots", "whole number"),
        ("2.5", "whole number"),
    ],
)
def test_user_count_refused(buyer, requirement, raw, message):
    answer(buyer, requirement, "users", users_description="Residents", user_count="40")
    assert_refused(
        buyer,
        requirement,
        "users",
        {"users_description": "Everyone", "user_count": raw},
        "user_count",
        message,
    )
    assert saved(requirement)["users_description"] == "Residents"


def test_users_description_is_required_and_limited(buyer, requirement):
    assert_refused(
        buyer, requirement, "users", {"users_description": ""}, "users_description", "Describe"
    )
    assert_refused(
        buyer,
        requirement,
        "users",
        {"users_description": "x" * 2001},
        "users_description",
        "2,000 characters",
    )


def test_needs_are_one_a_line_and_blank_lines_are_dropped(buyer, requirement):
    answer(
        buyer,
        requirement,
        "needs",
        must_haves="Works offline\n\n  Single sign-on  \r\n",
        nice_to_haves=["Mobile app"],
    )
    row = saved(requirement)
    assert row["must_haves"] == ["Works offline", "Single sign-on"]
    assert row["nice_to_haves"] == ["Mobile app"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("must_haves", "\n".join(f"Need {i}" for i in range(21)), "20 must-haves or fewer"),
        ("nice_to_haves", "\n".join(f"Want {i}" for i in range(21)), "20 nice-to-haves or fewer"),
        ("must_haves", "Short\n" + "word " * 70, "300 characters or fewer"),
    ],
)
def test_needs_refused(buyer, requirement, field, value, message):
    answer(buyer, requirement, "needs", must_haves="Kept", nice_to_haves="Also kept")
    assert_refused(buyer, requirement, "needs", {field: value}, field, message)


@pytest.mark.parametrize(
    "low, high, expected_low, expected_high",
    [
        ("25000", "50,000.50", Decimal("25000.00"), Decimal("50000.50")),
        ("£1000", "", Decimal("1000.00"), None),
        ("", "", None, None),
        ("100", "100", Decimal("100.00"), Decimal("100.00")),
        ("10.500", "", Decimal("10.50"), None),
    ],
)
def test_budget_accepted(buyer, requirement, low, high, expected_low, expected_high):
    answer(buyer, requirement, "budget", budget_min=low, budget_max=high)
    row = saved(requirement)
    assert (row["budget_min"], row["budget_max"]) == (expected_low, expected_high)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"budget_min": "about ten grand"}, "budget_min", "amount in pounds"),
        ({"budget_max": "1e5"}, "budget_max", "amount in pounds"),
        ({"budget_min": "10.505"}, "budget_min", "no more than 2 decimal places"),
        ({"budget_min": "-1"}, "budget_min", "£0 or more"),
        ({"budget_max": "99999999999"}, "budget_max", "less than £10,000,000,000"),
        ({"budget_min": "5000", "budget_max": "4000"}, "budget_max", "same as or more than"),
    ],
)
def test_budget_refused(buyer, requirement, data, field, message):
    answer(buyer, requirement, "budget", budget_min="1000", budget_max="2000")
    assert_refused(buyer, requirement, "budget", data, field, message)


def test_budget_reports_both_bad_amounts_at_once(buyer, requirement):
    with pytest.raises(ValidationError) as exc:
        answer(buyer, requirement, "budget", budget_min="x", budget_max="1.001")
    assert set(exc.value.message_dict) == {"budget_min", "budget_max"}


def test_timescale_must_be_one_of_the_choices(buyer, requirement):
    answer(buyer, requirement, "timescale", timescale="6m")
    assert saved(requirement)["timescale"] == "6m"
    assert_refused(buyer, requirement, "timescale", {"timescale": ""}, "timescale", "Select")
    assert_refused(buyer, requirement, "timescale", {"timescale": "2y"}, "timescale", "Select")


def test_location_is_optional_and_limited(buyer, requirement):
    answer(buyer, requirement, "location", location=" Leeds ")
    assert saved(requirement)["location"] == "Leeds"
    answer(buyer, requirement, "location", location="")
    assert saved(requirement)["location"] == ""
    assert_refused(
        buyer, requirement, "location", {"location": "x" * 201}, "location", "200 characters"
    )


def test_security_saves_known_values_in_order(buyer, requirement):
    answer(
        buyer,
        requirement,
        "security",
        hosting_locations=["uk-eea", "uk"],
        certifications=["iso-27001", "cyber-essentials"],
    )
    row = saved(requirement)
    assert row["hosting_locations"] == ["uk", "uk-eea"]
    assert row["certifications"] == ["cyber-essentials", "iso-27001"]
    answer(buyer, requirement, "security", hosting_locations=[], certifications=[])
    assert saved(requirement)["hosting_locations"] == []


@pytest.mark.parametrize(
    "data, field",
    [
        ({"hosting_locations": ["uk", "moon"]}, "hosting_locations"),
        ({"certifications": ["made-up"]}, "certifications"),
    ],
)
def test_security_refuses_unknown_values(buyer, requirement, data, field):
    answer(buyer, requirement, "security", hosting_locations=["uk"], certifications=["psn"])
    assert_refused(buyer, requirement, "security", data, field, "from the list")


def test_preference_stores_the_lot_and_its_framework(buyer, requirement):
    lot = LotFactory()
    answer(buyer, requirement, "preference", lot=str(lot.pk))
    row = saved(requirement)
    assert (row["lot"], row["framework"]) == (lot.pk, lot.framework.pk)
    answer(buyer, requirement, "preference", lot="none")
    row = saved(requirement)
    assert (row["lot"], row["framework"]) == (None, None)


def test_preference_refuses_lots_not_on_a_live_framework(buyer, requirement):
    live = LotFactory()
    answer(buyer, requirement, "preference", lot=str(live.pk))
    draft_lot = LotFactory(framework=DraftFrameworkFactory())
    assert_refused(
        buyer, requirement, "preference", {"lot": str(draft_lot.pk)}, "lot", "not available"
    )
    assert_refused(buyer, requirement, "preference", {"lot": "999999"}, "lot", "not available")
    assert_refused(buyer, requirement, "preference", {"lot": ""}, "lot", "Select")


def test_ended_framework_lot_is_refused(buyer, requirement):
    ended = LotFactory(framework=FrameworkFactory(ends_on="2000-01-01"))
    assert_refused(buyer, requirement, "preference", {"lot": str(ended.pk)}, "lot", "not available")


def test_each_answer_is_audited_with_the_step(buyer, requirement):
    answer(buyer, requirement, "location", location="Leeds")
    entry = AuditEntry.objects.get(action="requirement.answered")
    assert entry.detail == {"step": "location", "fields": ["location"]}
    assert entry.organisation == buyer.organisation


def test_an_answer_saves_only_its_own_step(buyer, requirement):
    answer(buyer, requirement, "problem", problem="Original")
    stale = Requirement.objects.get(pk=requirement.pk)
    answer(buyer, requirement, "location", location="Leeds")
    answer(buyer, stale, "timescale", timescale="asap")
    row = saved(requirement)
    assert (row["problem"], row["location"], row["timescale"]) == ("Original", "Leeds", "asap")


def test_unknown_step_is_refused(buyer, requirement):
    with pytest.raises(ValidationError):
        answer(buyer, requirement, "favourite_colour", colour="blue")


# --- who may ---------------------------------------------------------------------------------


def test_other_organisations_and_suppliers_cannot_touch_it(buyer, requirement):
    complete(buyer, requirement)
    before = saved(requirement)
    outsiders = [
        member(BuyerOrganisationFactory()),
        member(SupplierProfileFactory().organisation),
        StaffFactory(),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            answer(outsider, requirement, "problem", problem="Hijacked")
        with pytest.raises(PermissionDenied):
            requirement_services.requirement_submit(actor=outsider, requirement=requirement)
        with pytest.raises(PermissionDenied):
            requirement_services.requirement_delete(actor=outsider, requirement=requirement)
        with pytest.raises(PermissionDenied):
            requirement_services.requirement_copy(actor=outsider, requirement=requirement)
    assert saved(requirement) == before
    assert Requirement.objects.count() == 1


def test_a_colleague_in_the_same_organisation_can_continue_it(buyer, requirement):
    colleague = member(buyer.organisation)
    answer(colleague, requirement, "location", location="Leeds")
    assert saved(requirement)["location"] == "Leeds"


def test_visible_only_to_the_organisation(buyer, requirement):
    assert list(Requirement.objects.visible_to(buyer)) == [requirement]
    assert not Requirement.objects.visible_to(member(BuyerOrganisationFactory())).exists()


# --- submitting --------------------------------------------------------------------------------


def test_submit_needs_the_required_answers(buyer, requirement):
    with pytest.raises(ValidationError) as exc:
        requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    assert set(exc.value.message_dict) == {"problem", "users_description", "timescale"}
    assert saved(requirement)["status"] == "draft"
    assert not AuditEntry.objects.filter(action="requirement.submitted").exists()


def test_submit_with_only_problem_missing_is_refused(buyer, requirement):
    complete(buyer, requirement)
    Requirement.objects.filter(pk=requirement.pk).update(problem="")
    requirement.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    assert list(exc.value.message_dict) == ["problem"]
    assert saved(requirement)["status"] == "draft"


def test_submit_refuses_a_lot_that_is_no_longer_live(buyer, requirement):
    complete(buyer, requirement)
    lot = LotFactory()
    answer(buyer, requirement, "preference", lot=str(lot.pk))
    lot.framework.status = "closed"
    lot.framework.save()
    with pytest.raises(ValidationError) as exc:
        requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    assert "no longer available" in exc.value.message_dict["lot"][0]


def test_submit_sets_status_and_time_then_it_is_read_only(buyer, requirement):
    complete(buyer, requirement)
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    row = Requirement.objects.get(pk=requirement.pk)
    assert row.status == "submitted" and row.submitted_at is not None
    assert requirement.status == "submitted"
    assert AuditEntry.objects.filter(action="requirement.submitted").count() == 1
    with pytest.raises(ValidationError, match="submitted"):
        answer(buyer, requirement, "location", location="York")
    with pytest.raises(ValidationError):
        requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    with pytest.raises(ValidationError, match="Only drafts"):
        requirement_services.requirement_delete(actor=buyer, requirement=requirement)
    assert Requirement.objects.get(pk=requirement.pk).location == ""


# --- deleting and copying ----------------------------------------------------------------------


def test_delete_a_draft(buyer, requirement):
    requirement_services.requirement_delete(actor=buyer, requirement=requirement)
    assert not Requirement.objects.exists()
    assert AuditEntry.objects.filter(action="requirement.deleted").count() == 1


def test_copy_makes_a_new_draft_with_the_same_answers(buyer, requirement):
    complete(buyer, requirement)
    lot = LotFactory()
    answer(buyer, requirement, "preference", lot=str(lot.pk))
    answer(buyer, requirement, "security", hosting_locations=["uk"], certifications=["psn"])
    requirement_services.requirement_submit(actor=buyer, requirement=requirement)
    colleague = member(buyer.organisation)
    copy = requirement_services.requirement_copy(actor=colleague, requirement=requirement)
    assert copy.pk != requirement.pk and copy.is_draft and copy.created_by == colleague
    assert copy.title == "Copy of Case management"
    assert (copy.problem, copy.user_count, copy.timescale) == (
        requirement.problem,
        250,
        "3m",
    )
    assert (copy.lot, copy.framework) == (lot, lot.framework)
    assert copy.hosting_locations == ["uk"] and copy.certifications == ["psn"]
    assert Requirement.objects.get(pk=requirement.pk).status == "submitted"
    assert AuditEntry.objects.get(action="requirement.copied").detail == {"from": requirement.pk}


def test_copy_drops_a_lot_no_longer_live_and_keeps_the_title_short(buyer):
    requirement = requirement_services.requirement_start(actor=buyer, title="x" * 150)
    lot = LotFactory()
    answer(buyer, requirement, "preference", lot=str(lot.pk))
    lot.framework.status = "expired"
    lot.framework.save()
    copy = requirement_services.requirement_copy(actor=buyer, requirement=requirement)
    assert copy.lot is None and copy.framework is None
    assert len(copy.title) == 150 and copy.title.startswith("Copy of ")


# --- resuming ----------------------------------------------------------------------------------


def test_resume_step(buyer, requirement):
    assert requirement_services.requirement_resume_step(requirement) == "problem"
    answer(buyer, requirement, "problem", problem="Need")
    assert requirement_services.requirement_resume_step(requirement) == "users"
    answer(buyer, requirement, "users", users_description="Staff")
    answer(buyer, requirement, "needs", must_haves="", nice_to_haves="")  # optional, left blank
    answer(buyer, requirement, "budget", budget_min="10")
    assert requirement_services.requirement_resume_step(requirement) == "timescale"
    answer(buyer, requirement, "location", location="Leeds")  # jumped ahead
    assert (
        requirement_services.requirement_resume_step(requirement) == "timescale"
    )  # a required one skipped
    answer(buyer, requirement, "timescale", timescale="asap")
    assert requirement_services.requirement_resume_step(requirement) == "security"
    answer(buyer, requirement, "preference", lot=str(LotFactory().pk))
    assert requirement_services.requirement_resume_step(requirement) == "check"
