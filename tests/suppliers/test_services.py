"""Supplier workflows: profiles and UK size rules, lot applications, standing on frameworks."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.models import Framework, Offer
from ndx.audit.models import AuditEntry
from suppliers import services
from suppliers.models import (
    FrameworkMembership,
    LotApplication,
    SupplierProfile,
    classify_size,
)
from tests.accounts.factories import (
    BuyerOrganisationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DraftFrameworkFactory,
    DynamicMarketFactory,
    FrameworkFactory,
    LotFactory,
    make_offer,
)
from tests.suppliers.factories import (
    LotApplicationFactory,
    SupplierProfileFactory,
    approved_supplier,
)

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "legal_name": "Bright Idea Limited",
        "trading_name": "Bright Idea",
        "companies_house_number": "01234567",
        "address_line_1": "1 Park Row",
        "address_line_2": "",
        "town": "Leeds",
        "postcode": "ls1 5ab",
        "region": "yorkshire",
        "headcount_band": "10-49",
        "turnover_band": "le2m",
        "balance_sheet_band": "le2m",
        "is_vcse": False,
        "description": "We build case management software.",
        "website": "brightidea.example.com",
        "contact_name": "Rosa Diaz",
        "contact_email": "sales@brightidea.example.com",
        "contact_phone": "0113 496 0000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def supplier_admin():
    return member(SupplierOrganisationFactory(name="Bright Idea Ltd"), role="admin")


@pytest.fixture
def staff():
    return StaffFactory()


# --- size and SME status ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headcount, turnover, balance, size",
    [
        ("0-9", "le2m", "le2m", "micro"),
        ("0-9", "gt44m", "le2m", "micro"),  # turnover OR balance sheet: the smaller counts
        ("10-49", "le10m", "", "small"),
        ("10-49", "", "le10m", "small"),
        ("10-49", "le44m", "le38m", "medium"),
        ("50-249", "le44m", "gt38m", "medium"),  # 249 staff and £44m turnover: still an SME
        ("50-249", "gt44m", "le38m", "medium"),  # big turnover, small balance sheet: an SME
        ("50-249", "gt44m", "gt38m", "large"),  # both money limits exceeded
        ("250+", "le2m", "le2m", "large"),  # 250 staff is large whatever the money
        ("0-9", "", "", ""),  # not enough to tell
        ("", "le2m", "le2m", ""),
    ],
)
def test_classify_size_follows_the_uk_sme_rule(headcount, turnover, balance, size):
    assert classify_size(headcount, turnover, balance) == size


@pytest.mark.parametrize(
    "bands, size, is_sme",
    [
        ({"headcount_band": "50-249", "turnover_band": "le44m"}, "medium", True),
        ({"headcount_band": "250+", "turnover_band": "le2m"}, "large", False),
        (
            {"headcount_band": "50-249", "turnover_band": "gt44m", "balance_sheet_band": "le38m"},
            "medium",
            True,
        ),
        (
            {"headcount_band": "50-249", "turnover_band": "gt44m", "balance_sheet_band": "gt38m"},
            "large",
            False,
        ),
    ],
)
def test_saving_a_profile_works_out_size_and_sme_status(supplier_admin, bands, size, is_sme):
    data = profile_data(**{"balance_sheet_band": "", **bands})
    profile = services.supplier_profile_save(actor=supplier_admin, **data)
    profile.refresh_from_db()
    assert (profile.size, profile.is_sme) == (size, is_sme)


def test_saving_a_profile_cleans_input_and_is_audited(supplier_admin):
    profile = services.supplier_profile_save(actor=supplier_admin, **profile_data())
    assert profile.organisation == supplier_admin.organisation
    assert profile.postcode == "LS1 5AB"
    assert profile.website == "https://brightidea.example.com"
    assert profile.is_complete
    entry = AuditEntry.objects.get(action="supplier.profile_saved")
    assert entry.actor == supplier_admin and entry.detail["size"] == "small"


@pytest.mark.parametrize(
    "entered, stored",
    [("01234567", "01234567"), ("1234567", "01234567"), (" sc 123456 ", "SC123456")],
)
def test_companies_house_numbers_in_a_valid_format_are_accepted(supplier_admin, entered, stored):
    profile = services.supplier_profile_save(
        actor=supplier_admin, **profile_data(companies_house_number=entered)
    )
    assert profile.companies_house_number == stored


@pytest.mark.parametrize("entered", ["1234ABCD", "123456789", "S1234567", "SC12345X"])
def test_companies_house_numbers_in_a_bad_format_are_refused(supplier_admin, entered):
    with pytest.raises(ValidationError) as exc:
        services.supplier_profile_save(
            actor=supplier_admin, **profile_data(companies_house_number=entered)
        )
    assert "correct format" in exc.value.message_dict["companies_house_number"][0]
    assert not SupplierProfile.objects.exists()


def test_a_companies_house_number_already_on_ndx_is_refused(supplier_admin):
    SupplierProfileFactory(companies_house_number="01234567")
    with pytest.raises(ValidationError) as exc:
        services.supplier_profile_save(actor=supplier_admin, **profile_data())
    assert "already has this Companies House number" in str(exc.value)
    assert not SupplierProfile.objects.filter(organisation=supplier_admin.organisation).exists()


def test_a_supplier_can_save_its_own_number_again(supplier_admin):
    services.supplier_profile_save(actor=supplier_admin, **profile_data())
    profile = services.supplier_profile_save(
        actor=supplier_admin, **profile_data(legal_name="Bright Idea Group Limited")
    )
    assert profile.legal_name == "Bright Idea Group Limited"
    assert SupplierProfile.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"legal_name": "  "}, "legal_name"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"region": "atlantis"}, "region"),
        ({"headcount_band": "lots"}, "headcount_band"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_saved(supplier_admin, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.supplier_profile_save(actor=supplier_admin, **profile_data(**overrides))
    assert field in exc.value.message_dict
    assert not SupplierProfile.objects.exists()


def test_only_a_supplier_admin_can_save_the_profile(supplier_admin):
    colleague = member(supplier_admin.organisation, role="member")
    buyer_admin = member(BuyerOrganisationFactory(), role="admin")
    for actor in (colleague, buyer_admin):
        with pytest.raises(PermissionDenied):
            services.supplier_profile_save(actor=actor, **profile_data())
    assert not SupplierProfile.objects.exists()


def test_profile_missing_lists_what_is_needed_to_apply(supplier_admin):
    blank = services.profile_for(supplier_admin.organisation)
    assert "Companies House number" in services.profile_missing(blank)
    profile = services.supplier_profile_save(
        actor=supplier_admin, **profile_data(companies_house_number="", headcount_band="")
    )
    assert profile.size == ""
    missing = services.profile_missing(profile)
    assert missing == [
        "Companies House number",
        "Staff headcount, and turnover or balance sheet total",
    ]
    assert not profile.is_complete


# --- applications -----------------------------------------------------------------------------


@pytest.fixture
def applicant():
    """An admin of a supplier with a complete profile."""
    return member(SupplierProfileFactory().organisation, role="admin")


@pytest.fixture
def open_lot():
    framework = FrameworkFactory(status=Framework.Status.OPEN, approved_at=None)
    return LotFactory(framework=framework)


def test_a_supplier_applies_to_an_open_framework(applicant, open_lot):
    yes_no = DeclarationQuestionFactory(framework=open_lot.framework)
    text = DeclarationQuestionFactory(
        framework=open_lot.framework, text="Describe your support", kind="text"
    )
    application = services.lot_application_submit(
        actor=applicant,
        lot=open_lot,
        answers={f"q{yes_no.pk}": "Yes", f"q{text.pk}": "  Phone and email, 9 to 5.  "},
    )
    assert application.status == "submitted"
    assert application.submitted_by == applicant
    assert application.answers == [
        {"question_id": yes_no.pk, "question": yes_no.text, "answer": "yes"},
        {"question_id": text.pk, "question": text.text, "answer": "Phone and email, 9 to 5."},
    ]
    assert AuditEntry.objects.filter(action="lot_application.submitted").exists()


@pytest.mark.parametrize(
    "answers, error",
    [
        ({}, "Select yes or no"),
        ({"yes_no": "maybe"}, "Select yes or no"),
        ({"yes_no": "no"}, "the answer must be yes"),
        ({"yes_no": "yes", "text": "   "}, "Answer the question"),
        ({"yes_no": "yes", "text": "x" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_missing_or_wrong_answers_are_refused_and_nothing_saved(
    applicant, open_lot, answers, error
):
    yes_no = DeclarationQuestionFactory(framework=open_lot.framework)
    text = DeclarationQuestionFactory(framework=open_lot.framework, kind="text", text="Support?")
    keys = {"yes_no": f"q{yes_no.pk}", "text": f"q{text.pk}"}
    with pytest.raises(ValidationError) as exc:
        services.lot_application_submit(
            actor=applicant, lot=open_lot, answers={keys[k]: v for k, v in answers.items()}
        )
    assert error in str(exc.value)
    assert set(exc.value.message_dict) <= set(keys.values())
    assert not LotApplication.objects.exists()


def test_applying_twice_is_refused(applicant, open_lot):
    services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    with pytest.raises(ValidationError, match="already applied"):
        services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    assert LotApplication.objects.count() == 1


def test_applying_again_when_approved_is_refused(open_lot):
    organisation = approved_supplier(open_lot)
    admin = member(organisation, role="admin")
    with pytest.raises(ValidationError, match="already approved"):
        services.lot_application_submit(actor=admin, lot=open_lot, answers={})


def test_a_rejected_or_withdrawn_supplier_may_apply_again(applicant, open_lot):
    LotApplicationFactory(supplier=applicant.organisation, lot=open_lot, status="rejected")
    LotApplicationFactory(supplier=applicant.organisation, lot=open_lot, status="withdrawn")
    services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    assert LotApplication.objects.filter(status="submitted").count() == 1


@pytest.mark.parametrize(
    "framework_factory",
    [
        lambda: DraftFrameworkFactory(),
        lambda: FrameworkFactory(),  # live fixed-membership framework: closed to applicants
        lambda: FrameworkFactory(status=Framework.Status.CLOSED),
        lambda: DynamicMarketFactory(ends_on=timezone.localdate() - timedelta(days=1)),
    ],
)
def test_applying_to_a_framework_not_taking_applications_is_refused(applicant, framework_factory):
    lot = LotFactory(framework=framework_factory())
    with pytest.raises(ValidationError, match="not taking applications"):
        services.lot_application_submit(actor=applicant, lot=lot, answers={})
    assert not LotApplication.objects.exists()


def test_a_live_dynamic_market_accepts_applications(applicant):
    lot = LotFactory(framework=DynamicMarketFactory())
    application = services.lot_application_submit(actor=applicant, lot=lot, answers={})
    assert application.status == "submitted"


def test_an_incomplete_profile_cannot_apply(open_lot):
    no_profile = member(SupplierOrganisationFactory(), role="admin")
    incomplete = member(
        SupplierProfileFactory(companies_house_number="").organisation, role="admin"
    )
    for actor in (no_profile, incomplete):
        with pytest.raises(ValidationError, match="Complete your organisation's profile"):
            services.lot_application_submit(actor=actor, lot=open_lot, answers={})
    assert not LotApplication.objects.exists()


def test_buyers_cannot_apply(open_lot):
    with pytest.raises(PermissionDenied):
        services.lot_application_submit(
            actor=member(BuyerOrganisationFactory(), role="admin"), lot=open_lot, answers={}
        )


def test_approving_creates_membership_and_emails_the_supplier_admins(
    applicant, open_lot, staff, django_capture_on_commit_callbacks, mailoutbox
):
    member(applicant.organisation, role="member", email="colleague@supplier.example.com")
    application = services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_application_approve(actor=staff, application=application)
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == staff
    membership = FrameworkMembership.objects.get(
        supplier=applicant.organisation, framework=open_lot.framework
    )
    assert membership.status == "active"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [applicant.email]
    assert mailoutbox[0].subject.startswith("Approved:")
    assert str(open_lot) in mailoutbox[0].body


def test_a_decided_application_cannot_be_decided_again(applicant, open_lot, staff):
    application = services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    services.lot_application_approve(actor=staff, application=application)
    with pytest.raises(ValidationError, match="already been decided"):
        services.lot_application_reject(actor=staff, application=application, reason="Late")
    with pytest.raises(ValidationError, match="already been decided"):
        services.lot_application_approve(actor=staff, application=application)


def test_rejecting_needs_a_reason_and_tells_the_supplier(
    applicant, open_lot, staff, django_capture_on_commit_callbacks, mailoutbox
):
    application = services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    with pytest.raises(ValidationError) as exc:
        services.lot_application_reject(actor=staff, application=application, reason="  ")
    assert exc.value.message_dict == {"reason": ["Enter the reason for rejecting this application"]}
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_application_reject(
            actor=staff, application=application, reason="No Cyber Essentials certificate"
        )
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.reason == "No Cyber Essentials certificate"
    assert not FrameworkMembership.objects.exists()
    assert mailoutbox[0].subject.startswith("Not approved:")
    assert "No Cyber Essentials certificate" in mailoutbox[0].body


def test_only_staff_decide_applications(applicant, open_lot):
    application = services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    with pytest.raises(PermissionDenied):
        services.lot_application_approve(actor=applicant, application=application)
    with pytest.raises(PermissionDenied):
        services.lot_application_reject(actor=applicant, application=application, reason="x")


def test_withdrawing_only_your_own_waiting_application(applicant, open_lot):
    application = services.lot_application_submit(actor=applicant, lot=open_lot, answers={})
    other = member(SupplierProfileFactory().organisation, role="admin")
    with pytest.raises(PermissionDenied):
        services.lot_application_withdraw(actor=other, application=application)
    services.lot_application_withdraw(actor=applicant, application=application)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    with pytest.raises(ValidationError, match="waiting for review"):
        services.lot_application_withdraw(actor=applicant, application=application)


# --- standing on a framework ------------------------------------------------------------------


@pytest.fixture
def listed():
    """A live framework's lot, an approved supplier on it and a published offer."""
    lot = LotFactory()
    supplier = approved_supplier(lot)
    offer = make_offer(supplier, lot)
    membership = FrameworkMembership.objects.get(supplier=supplier, framework=lot.framework)
    return lot, supplier, offer, membership


def test_suspension_hides_offers_at_once_and_reinstatement_restores_them(listed, staff):
    lot, supplier, offer, membership = listed
    other_offer = make_offer(approved_supplier(lot), lot)
    assert set(Offer.objects.buyable()) == {offer, other_offer}
    services.framework_membership_set_status(
        actor=staff, membership=membership, status="suspended", reason="Unpaid levy"
    )
    assert list(Offer.objects.buyable()) == [other_offer]
    membership.refresh_from_db()
    assert (membership.status, membership.reason) == ("suspended", "Unpaid levy")
    services.framework_membership_set_status(actor=staff, membership=membership, status="active")
    assert set(Offer.objects.buyable()) == {offer, other_offer}
    actions = list(
        AuditEntry.objects.filter(action__startswith="framework_membership.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["framework_membership.active", "framework_membership.suspended"]


@pytest.mark.parametrize("status", ["suspended", "removed"])
def test_suspending_or_removing_needs_a_reason(listed, staff, status):
    *_, offer, membership = listed
    with pytest.raises(ValidationError) as exc:
        services.framework_membership_set_status(
            actor=staff, membership=membership, status=status, reason=" "
        )
    assert exc.value.message_dict == {"reason": ["Enter the reason"]}
    membership.refresh_from_db()
    assert membership.status == "active"
    assert list(Offer.objects.buyable()) == [offer]


def test_only_staff_change_standing(listed):
    lot, supplier, offer, membership = listed
    with pytest.raises(PermissionDenied):
        services.framework_membership_set_status(
            actor=member(supplier, role="admin"),
            membership=membership,
            status="suspended",
            reason="x",
        )


def test_a_suspended_supplier_cannot_apply_to_more_lots(listed, staff):
    lot, supplier, offer, membership = listed
    Framework.objects.filter(pk=lot.framework_id).update(
        kind=Framework.Kind.DYNAMIC_MARKET
    )  # so it still takes applications
    services.framework_membership_set_status(
        actor=staff, membership=membership, status="suspended", reason="Late returns"
    )
    second_lot = LotFactory(framework=lot.framework)
    with pytest.raises(ValidationError, match="suspended on this framework"):
        services.lot_application_submit(
            actor=member(supplier, role="admin"), lot=second_lot, answers={}
        )


def test_a_removed_supplier_cannot_reapply_until_staff_allow_it(
    listed, staff, django_capture_on_commit_callbacks
):
    lot, supplier, offer, membership = listed
    Framework.objects.filter(pk=lot.framework_id).update(kind=Framework.Kind.DYNAMIC_MARKET)
    admin = member(supplier, role="admin")
    services.framework_membership_set_status(
        actor=staff, membership=membership, status="removed", reason="Fraud"
    )
    assert not Offer.objects.buyable().exists()
    approved = LotApplication.objects.get(supplier=supplier, lot=lot)
    assert approved.status == "withdrawn"
    assert "Fraud" in approved.reason
    # Removal is final: no reinstating, and no applying again by themselves.
    with pytest.raises(ValidationError, match="must apply again"):
        services.framework_membership_set_status(
            actor=staff, membership=membership, status="active"
        )
    with pytest.raises(ValidationError, match="removed on this framework"):
        services.lot_application_submit(actor=admin, lot=lot, answers={})
    with pytest.raises(PermissionDenied):
        services.framework_membership_allow_reapplication(actor=admin, membership=membership)

    services.framework_membership_allow_reapplication(actor=staff, membership=membership)
    assert not FrameworkMembership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(
        action="framework_membership.reapplication_allowed", object_id=str(membership.pk)
    ).exists()
    assert not Offer.objects.buyable().exists()
    application = services.lot_application_submit(actor=admin, lot=lot, answers={})
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_application_approve(actor=staff, application=application)
    assert FrameworkMembership.objects.get(supplier=supplier).status == "active"


def test_only_removed_suppliers_need_permission_to_reapply(listed, staff):
    *_, membership = listed
    with pytest.raises(ValidationError, match="Only a removed supplier"):
        services.framework_membership_allow_reapplication(actor=staff, membership=membership)
    assert FrameworkMembership.objects.filter(pk=membership.pk).exists()
