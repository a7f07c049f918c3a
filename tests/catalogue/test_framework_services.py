"""Framework, lot and declaration question services: rules, the two-person rule and the audit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.models import DeclarationQuestion, Framework, Lot
from catalogue.services import frameworks as services
from ndx.audit.models import AuditEntry
from tests.accounts.factories import StaffFactory, SupplierOrganisationFactory, member
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DraftFrameworkFactory,
    FrameworkFactory,
    LotFactory,
)

pytestmark = pytest.mark.django_db


def ready_for_approval(creator, requester=None):
    """A draft framework with a lot, created by `creator` and put forward by `requester`."""
    framework = services.framework_create(actor=creator, name="Cloud", reference="RM1234")
    LotFactory(framework=framework)
    return services.framework_request_live(actor=requester or creator, framework=framework)


# --- creating and editing --------------------------------------------------------------------


def test_create_cleans_values_and_is_audited():
    staff = StaffFactory()
    framework = services.framework_create(
        actor=staff,
        name="  Technology   Products ",
        reference=" rm6263 ",
        kind="dynamic_market",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        max_value=Decimal("2500000.00"),
    )
    assert framework.name == "Technology Products"
    assert framework.reference == "RM6263"
    assert framework.status == Framework.Status.DRAFT
    assert framework.created_by == staff
    entry = AuditEntry.objects.for_object(framework).get()
    assert entry.action == "framework.created"
    assert entry.actor == staff


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "reference": "RM1"}, "name", "Enter the framework's name"),
        ({"reference": "RM 12!"}, "reference", "letters, numbers and hyphens"),
        ({"reference": ""}, "reference", "letters, numbers and hyphens"),
        ({"reference": "X" * 31}, "reference", "letters, numbers and hyphens"),
        ({"kind": "marketplace"}, "kind", "framework or a dynamic market"),
        (
            {"starts_on": date(2027, 1, 1), "ends_on": date(2026, 12, 31)},
            "ends_on",
            "after the date it goes live",
        ),
        (
            {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 1, 1)},
            "ends_on",
            "after the date it goes live",
        ),
        ({"max_value": Decimal("-1")}, "max_value", "more than £0"),
        ({"max_value": Decimal("0")}, "max_value", "more than £0"),
    ],
)
def test_bad_framework_details_raise_and_create_nothing(data, field, message):
    values = {"name": "Cloud", "reference": "RM1234", **data}
    with pytest.raises(ValidationError) as exc:
        services.framework_create(actor=StaffFactory(), **values)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Framework.objects.exists()
    assert not AuditEntry.objects.exists()


def test_duplicate_reference_is_refused_whatever_its_case():
    staff = StaffFactory()
    services.framework_create(actor=staff, name="Cloud", reference="RM1234")
    with pytest.raises(ValidationError) as exc:
        services.framework_create(actor=staff, name="Other", reference="rm1234")
    assert "already exists" in exc.value.message_dict["reference"][0]
    assert Framework.objects.count() == 1


def test_update_may_keep_its_own_reference_and_records_what_changed():
    staff = StaffFactory()
    framework = services.framework_create(actor=staff, name="Cloud", reference="RM1234")
    services.framework_update(actor=staff, framework=framework, name="Cloud 2", reference="RM1234")
    framework.refresh_from_db()
    assert framework.name == "Cloud 2"
    entry = AuditEntry.objects.get(action="framework.updated")
    assert entry.detail["changed"] == {"name": "Cloud 2"}


def test_update_refuses_bad_values_and_changes_nothing():
    staff = StaffFactory()
    framework = services.framework_create(
        actor=staff, name="Cloud", reference="RM1234", starts_on=date(2027, 1, 1)
    )
    other = services.framework_create(actor=staff, name="Other", reference="RM9999")
    with pytest.raises(ValidationError):
        services.framework_update(actor=staff, framework=framework, ends_on=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.framework_update(actor=staff, framework=other, reference="RM1234")
    framework.refresh_from_db()
    other.refresh_from_db()
    assert framework.ends_on is None
    assert other.reference == "RM9999"
    assert not AuditEntry.objects.filter(action="framework.updated").exists()


def test_closed_framework_cannot_be_edited():
    staff = StaffFactory()
    framework = DraftFrameworkFactory(status=Framework.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.framework_update(actor=staff, framework=framework, name="New")
    framework.refresh_from_db()
    assert framework.name != "New"


@pytest.mark.parametrize("who", ["buyer", "supplier", "anonymous"])
def test_only_staff_can_change_frameworks(who):
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "buyer": lambda: member(),
        "supplier": lambda: member(SupplierOrganisationFactory()),
        "anonymous": AnonymousUser,
    }[who]()
    framework = DraftFrameworkFactory()
    LotFactory(framework=framework)
    attempts = [
        lambda: services.framework_create(actor=actor, name="X", reference="RM1"),
        lambda: services.framework_update(actor=actor, framework=framework, name="X"),
        lambda: services.framework_open_applications(actor=actor, framework=framework),
        lambda: services.framework_request_live(actor=actor, framework=framework),
        lambda: services.framework_approve_live(actor=actor, framework=framework),
        lambda: services.framework_close(actor=actor, framework=framework),
        lambda: services.lot_create(actor=actor, framework=framework, name="Lot"),
        lambda: services.question_add(actor=actor, framework=framework, text="Q?"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert framework.lots.count() == 1
    assert not AuditEntry.objects.exists()


# --- status changes and the two-person rule --------------------------------------------------


def test_opening_without_lots_is_refused():
    staff = StaffFactory()
    framework = services.framework_create(actor=staff, name="Cloud", reference="RM1234")
    with pytest.raises(ValidationError, match="at least one lot"):
        services.framework_open_applications(actor=staff, framework=framework)
    with pytest.raises(ValidationError, match="at least one lot"):
        services.framework_request_live(actor=staff, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert framework.live_requested_at is None


def test_open_then_open_again_is_refused():
    staff = StaffFactory()
    framework = DraftFrameworkFactory()
    LotFactory(framework=framework)
    services.framework_open_applications(actor=staff, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.OPEN
    with pytest.raises(ValidationError):
        services.framework_open_applications(actor=staff, framework=framework)
    assert AuditEntry.objects.filter(action="framework.opened").count() == 1


def test_creator_cannot_approve_their_own_framework():
    creator = StaffFactory()
    framework = ready_for_approval(creator)
    with pytest.raises(PermissionDenied, match="second member of staff"):
        services.framework_approve_live(actor=creator, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert framework.approved_by is None and framework.approved_at is None


def test_requester_cannot_approve_even_if_someone_else_created_it():
    creator, requester = StaffFactory(), StaffFactory()
    framework = ready_for_approval(creator, requester)
    with pytest.raises(PermissionDenied):
        services.framework_approve_live(actor=requester, framework=framework)
    with pytest.raises(PermissionDenied):
        services.framework_approve_live(actor=creator, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT
    assert not AuditEntry.objects.filter(action="framework.approved_live").exists()


def test_second_staff_approves_and_it_is_audited_with_both_user_ids():
    creator, requester, approver = StaffFactory(), StaffFactory(), StaffFactory()
    framework = ready_for_approval(creator, requester)
    assert Framework.objects.awaiting_approval().get() == framework
    services.framework_approve_live(actor=approver, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.LIVE
    assert framework.is_live
    assert framework.approved_by == approver
    assert framework.approved_at is not None
    assert not Framework.objects.awaiting_approval().exists()
    entry = AuditEntry.objects.get(action="framework.approved_live")
    assert entry.actor == approver
    assert entry.detail == {"created_by": creator.pk, "requested_by": requester.pk}
    actions = list(AuditEntry.objects.for_object(framework).values_list("action", flat=True))
    assert actions[::-1] == [
        "framework.created",
        "framework.live_requested",
        "framework.approved_live",
    ]


def test_approval_needs_a_request_first_and_cannot_repeat():
    creator, other = StaffFactory(), StaffFactory()
    framework = services.framework_create(actor=creator, name="Cloud", reference="RM1234")
    LotFactory(framework=framework)
    with pytest.raises(ValidationError, match="Nobody has asked"):
        services.framework_approve_live(actor=other, framework=framework)
    services.framework_request_live(actor=creator, framework=framework)
    services.framework_approve_live(actor=other, framework=framework)
    with pytest.raises(ValidationError):
        services.framework_approve_live(actor=StaffFactory(), framework=framework)
    with pytest.raises(ValidationError):
        services.framework_request_live(actor=creator, framework=framework)
    assert AuditEntry.objects.filter(action="framework.approved_live").count() == 1


def test_framework_past_its_expiry_date_cannot_go_live():
    creator, other = StaffFactory(), StaffFactory()
    framework = ready_for_approval(creator)
    Framework.objects.filter(pk=framework.pk).update(
        starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1)
    )
    with pytest.raises(ValidationError, match="expiry date has passed"):
        services.framework_approve_live(actor=other, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT


def test_close_is_audited_and_only_once():
    staff = StaffFactory()
    framework = FrameworkFactory()
    services.framework_close(actor=staff, framework=framework)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.CLOSED
    with pytest.raises(ValidationError, match="already closed"):
        services.framework_close(actor=staff, framework=framework)
    assert AuditEntry.objects.filter(action="framework.closed").count() == 1


def test_expire_due_is_idempotent():
    today = timezone.localdate()
    due = FrameworkFactory(starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=1))
    ending_today = FrameworkFactory(starts_on=today - timedelta(days=30), ends_on=today)
    closed = FrameworkFactory(
        status=Framework.Status.CLOSED, ends_on=today - timedelta(days=1), starts_on=None
    )
    assert services.framework_expire_due(today=today) == 1
    assert services.framework_expire_due(today=today) == 0
    due.refresh_from_db()
    ending_today.refresh_from_db()
    closed.refresh_from_db()
    assert due.status == Framework.Status.EXPIRED
    assert ending_today.status == Framework.Status.LIVE
    assert closed.status == Framework.Status.CLOSED
    entries = AuditEntry.objects.filter(action="framework.expired")
    assert [e.object_id for e in entries] == [str(due.pk)]
    assert entries.get().actor is None


# --- lots and declaration questions ----------------------------------------------------------


def test_lots_are_numbered_and_slugged_and_categories_tidied():
    staff = StaffFactory()
    framework = DraftFrameworkFactory()
    first = services.lot_create(
        actor=staff,
        framework=framework,
        name=" Cloud  hosting ",
        categories=["Compute", " compute", "", "Compute", "Storage "],
        direct_award_allowed=False,
    )
    second = services.lot_create(actor=staff, framework=framework, name="Cloud support")
    assert (first.number, first.slug, first.name) == (1, "cloud-hosting", "Cloud hosting")
    assert first.categories == ["Compute", "compute", "Storage"]
    assert first.award_route == "Further competition"
    assert (second.number, second.slug) == (2, "cloud-support")
    assert AuditEntry.objects.filter(action="lot.created").count() == 2


def test_bad_lots_raise_and_change_nothing():
    staff = StaffFactory()
    framework = DraftFrameworkFactory()
    lot = services.lot_create(actor=staff, framework=framework, name="Cloud hosting")
    with pytest.raises(ValidationError) as exc:
        services.lot_create(actor=staff, framework=framework, name="  ")
    assert "Enter the lot's name" in exc.value.message_dict["name"]
    with pytest.raises(ValidationError) as exc:
        services.lot_create(actor=staff, framework=framework, name="Other", slug="Cloud Hosting")
    assert "already has a lot called cloud-hosting" in exc.value.message_dict["slug"][0]
    other = services.lot_create(actor=staff, framework=framework, name="Support")
    with pytest.raises(ValidationError):
        services.lot_update(actor=staff, lot=other, name="Support", slug="cloud-hosting")
    other.refresh_from_db()
    assert other.slug == "support"
    assert list(framework.lots.values_list("pk", flat=True)) == [lot.pk, other.pk]


def test_lots_cannot_be_added_to_a_closed_framework():
    framework = DraftFrameworkFactory(status=Framework.Status.EXPIRED)
    with pytest.raises(ValidationError):
        services.lot_create(actor=StaffFactory(), framework=framework, name="Lot")
    assert not Lot.objects.exists()


def test_questions_are_added_in_order_and_removed_with_audit():
    staff = StaffFactory()
    framework = DraftFrameworkFactory()
    first = services.question_add(
        actor=staff, framework=framework, text=" Do you  accept the terms? ", required_answer="yes"
    )
    second = services.question_add(
        actor=staff, framework=framework, text="Describe your support", kind="text"
    )
    assert first.text == "Do you accept the terms?"
    assert (first.order, second.order) == (1, 2)
    services.question_remove(actor=staff, question=first)
    assert list(framework.questions.all()) == [second]
    actions = list(AuditEntry.objects.for_object(framework).values_list("action", flat=True))
    assert actions == ["framework.question_removed", "framework.question_added"] + [
        "framework.question_added"
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "Q?", "kind": "essay"}, "kind"),
        ({"text": "Q?", "kind": "text", "required_answer": "yes"}, "required_answer"),
        ({"text": "Q?", "required_answer": "maybe"}, "required_answer"),
    ],
)
def test_bad_questions_raise_and_add_nothing(data, field):
    framework = DraftFrameworkFactory()
    with pytest.raises(ValidationError) as exc:
        services.question_add(actor=StaffFactory(), framework=framework, **data)
    assert field in exc.value.message_dict
    assert not DeclarationQuestion.objects.exists()


def test_non_staff_cannot_remove_questions():
    question = DeclarationQuestionFactory()
    with pytest.raises(PermissionDenied):
        services.question_remove(actor=member(), question=question)
    assert DeclarationQuestion.objects.filter(pk=question.pk).exists()
