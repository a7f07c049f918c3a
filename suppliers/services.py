"""Supplier workflows: the public profile, applying to lots, and standing on frameworks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Framework, FrameworkMembership, Lot, Offer
from catalogue.search_index import offers_changed
from ndx.accounts.models import Organisation, User
from ndx.accounts.services import require_staff
from ndx.audit.services import audit_record
from ndx.notifications.services import notification_send_to_organisation
from ndx.outbox import enqueue_on_commit

from .models import (
    BalanceSheetBand,
    HeadcountBand,
    LotApplication,
    Region,
    SupplierProfile,
    TurnoverBand,
    classify_size,
    normalise_company_number,
    validate_company_number,
)

PROFILE_FIELDS = (
    "legal_name",
    "trading_name",
    "companies_house_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "region",
    "headcount_band",
    "turnover_band",
    "balance_sheet_band",
    "is_vcse",
    "description",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _supplier_admin_org(actor: User) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.SUPPLIER:
        raise PermissionDenied("Only members of a supplier organisation can do this.")
    return organisation


def profile_for(organisation: Organisation) -> SupplierProfile:
    """The organisation's profile, or an unsaved blank one named after it."""
    try:
        return organisation.supplier_profile
    except SupplierProfile.DoesNotExist:
        return SupplierProfile(organisation=organisation, legal_name=organisation.name)


def clean_profile(
    data: dict[str, Any], *, instance: SupplierProfile | None = None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = {k: data.get(k) for k in PROFILE_FIELDS}
    for key in PROFILE_FIELDS:
        if key != "is_vcse":
            cleaned[key] = (
                " ".join(str(cleaned[key] or "").split())
                if key != "description"
                else str(cleaned[key] or "").strip()
            )
    cleaned["is_vcse"] = bool(data.get("is_vcse"))
    if not cleaned["legal_name"]:
        errors["legal_name"] = "Enter your organisation's legal name"
    number = normalise_company_number(cleaned["companies_house_number"])
    try:
        validate_company_number(number)
    except ValidationError as exc:
        errors["companies_house_number"] = exc.messages[0]
    else:
        clash = SupplierProfile.objects.filter(companies_house_number=number).exclude(
            pk=getattr(instance, "pk", None)
        )
        if number and clash.exists():
            errors["companies_house_number"] = (
                "Another supplier on NDX already has this Companies House number"
            )
    cleaned["companies_house_number"] = number
    cleaned["postcode"] = cleaned["postcode"].upper()
    for key, choices, message in (
        ("region", Region.values, "Select the region of your registered address"),
        ("headcount_band", HeadcountBand.values, "Select how many staff you employ"),
        ("turnover_band", TurnoverBand.values, "Select your annual turnover"),
        ("balance_sheet_band", BalanceSheetBand.values, "Select your balance sheet total"),
    ):
        if cleaned[key] and cleaned[key] not in choices:
            errors[key] = message
    if cleaned["contact_email"]:
        from django.core.validators import validate_email

        try:
            validate_email(cleaned["contact_email"])
        except ValidationError:
            errors["contact_email"] = (
                "Enter an email address in the correct format, like name@example.com"
            )
    if cleaned["website"] and not cleaned["website"].startswith(("https://", "http://")):
        cleaned["website"] = "https://" + cleaned["website"]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def supplier_profile_save(*, actor: User, **data: Any) -> SupplierProfile:
    """Create or update the actor's organisation's profile; size and SME status follow the bands."""
    organisation = _supplier_admin_org(actor)
    if not actor.is_org_admin:
        raise PermissionDenied("Only an admin of your organisation can change its profile.")
    profile = profile_for(organisation)
    cleaned = clean_profile(data, instance=profile)
    for key, value in cleaned.items():
        setattr(profile, key, value)
    size = classify_size(profile.headcount_band, profile.turnover_band, profile.balance_sheet_band)
    profile.size = size
    if size:
        profile.is_sme = size != "large"
    profile.full_clean(exclude=["organisation"])
    profile.save()
    audit_record(
        actor=actor,
        action="supplier.profile_saved",
        obj=profile,
        detail={"size": profile.size, "is_sme": profile.is_sme, "is_vcse": profile.is_vcse},
    )
    offers_changed(Offer.objects.filter(supplier=organisation).values_list("pk", flat=True))
    return profile


@transaction.atomic
def supplier_profile_from_import(
    *, organisation: Organisation, sme: bool | None
) -> SupplierProfile:
    """Imported suppliers state only their name and whether they are an SME."""
    profile, _ = SupplierProfile.objects.get_or_create(
        organisation=organisation, defaults={"legal_name": organisation.name, "is_sme": sme}
    )
    if not profile.size and profile.is_sme != sme and sme is not None:
        profile.is_sme = sme
        profile.save(update_fields=["is_sme", "updated_at"])
    return profile


# --- lot applications ------------------------------------------------------------------------


def clean_answers(framework: Framework, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Check every declaration question is answered (and eligible answers given)."""
    errors: dict[str, str] = {}
    recorded = []
    for question in framework.questions.all():
        key = f"q{question.pk}"
        answer = str(answers.get(key) or answers.get(str(question.pk)) or "").strip()
        if question.kind == "yes_no":
            answer = answer.lower()
            if answer not in ("yes", "no"):
                errors[key] = f"Select yes or no: {question.text}"
                continue
            if question.required_answer and answer != question.required_answer:
                errors[key] = (
                    f"To join this framework the answer must be {question.required_answer}: "
                    f"{question.text}"
                )
                continue
        elif not answer:
            errors[key] = f"Answer the question: {question.text}"
            continue
        elif len(answer) > 5000:
            errors[key] = "Answers must be 5,000 characters or fewer"
            continue
        recorded.append({"question_id": question.pk, "question": question.text, "answer": answer})
    if errors:
        raise ValidationError(errors)
    return recorded


@transaction.atomic
def lot_application_submit(*, actor: User, lot: Lot, answers: dict[str, Any]) -> LotApplication:
    organisation = _supplier_admin_org(actor)
    if not actor.is_org_admin:
        raise PermissionDenied("Only an admin of your organisation can apply to a framework.")
    framework = Framework.objects.select_for_update().get(pk=lot.framework_id)
    if not framework.accepts_applications:
        raise ValidationError(f"{framework.name} is not taking applications.")
    profile = profile_for(organisation)
    if profile.pk is None or not profile.is_complete:
        raise ValidationError(
            "Complete your organisation's profile before applying to a framework."
        )
    membership = FrameworkMembership.objects.filter(
        supplier=organisation, framework=framework
    ).first()
    if membership is not None and not membership.is_active:
        raise ValidationError(
            f"Your organisation is {membership.get_status_display().lower()} on this framework. "
            "Contact the NDX team."
        )
    existing = LotApplication.objects.filter(
        supplier=organisation, lot=lot, status__in=["submitted", "approved"]
    ).first()
    if existing is not None:
        raise ValidationError(
            "Your organisation is already approved for this lot."
            if existing.is_approved
            else "Your organisation has already applied to this lot."
        )
    recorded = clean_answers(framework, answers)
    application = LotApplication.objects.create(
        supplier=organisation, lot=lot, answers=recorded, submitted_by=actor
    )
    audit_record(
        actor=actor, action="lot_application.submitted", obj=application, detail={"lot": lot.pk}
    )
    return application


def _notify(application: LotApplication) -> None:
    enqueue_on_commit("suppliers.tasks.send_application_decision_email", application.pk)
    decided = "approved" if application.status == LotApplication.Status.APPROVED else "rejected"
    notification_send_to_organisation(
        organisation=application.supplier,
        kind="suppliers.application_decided",
        title=f"Your application to join {application.lot} was {decided}",
        body=application.reason,
        url=reverse("suppliers:dashboard"),
        key=f"lot-application-decided-{application.pk}",
        obj=application,
        emailed_by_app=True,  # the decision email above
    )


@transaction.atomic
def lot_application_approve(*, actor: User, application: LotApplication) -> LotApplication:
    require_staff(actor, "approve applications")
    application = (
        LotApplication.objects.select_for_update()
        .select_related("lot__framework")
        .get(pk=application.pk)
    )
    LotApplication.LIFECYCLE.apply(
        application, "approve", message="This application has already been decided."
    )
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.reason = ""
    application.save()
    FrameworkMembership.objects.get_or_create(
        supplier=application.supplier, framework=application.lot.framework
    )
    audit_record(
        actor=actor,
        action="lot_application.approved",
        obj=application,
        organisation=application.supplier,
    )
    offers_changed(
        Offer.objects.filter(
            supplier=application.supplier, lot__framework=application.lot.framework
        ).values_list("pk", flat=True)
    )
    _notify(application)
    return application


@transaction.atomic
def lot_application_reject(
    *, actor: User, application: LotApplication, reason: str
) -> LotApplication:
    require_staff(actor, "reject applications")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for rejecting this application"})
    application = LotApplication.objects.select_for_update().get(pk=application.pk)
    LotApplication.LIFECYCLE.apply(
        application, "reject", message="This application has already been decided."
    )
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.reason = reason
    application.save()
    audit_record(
        actor=actor,
        action="lot_application.rejected",
        obj=application,
        organisation=application.supplier,
        detail={"reason": reason},
    )
    _notify(application)
    return application


@transaction.atomic
def lot_application_withdraw(*, actor: User, application: LotApplication) -> LotApplication:
    organisation = _supplier_admin_org(actor)
    application = LotApplication.objects.select_for_update().get(pk=application.pk)
    if application.supplier_id != organisation.pk:
        raise PermissionDenied("You can only withdraw your own organisation's applications.")
    LotApplication.LIFECYCLE.apply(
        application, "withdraw", message="Only an application waiting for review can be withdrawn."
    )
    application.save(update_fields=["status"])
    audit_record(actor=actor, action="lot_application.withdrawn", obj=application)
    return application


def application_email_send(*, application_id: int) -> None:
    """Email the supplier's admins the decision on an application."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    application = LotApplication.objects.select_related("lot__framework", "supplier").get(
        pk=application_id
    )
    recipients = list(
        application.supplier.memberships.filter(role="admin").values_list("user__email", flat=True)
    )
    if not recipients:
        return
    site_url = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {"application": application, "site_url": site_url}
    subject = (
        f"Approved: {application.lot.framework.name}, {application.lot.name}"
        if application.is_approved
        else f"Not approved: {application.lot.framework.name}, {application.lot.name}"
    )
    send_mail(
        subject,
        render_to_string("suppliers/email/application_decision.txt", context),
        None,
        recipients,
    )


# --- standing on a framework -----------------------------------------------------------------


@transaction.atomic
def framework_membership_set_status(
    *, actor: User, membership: FrameworkMembership, status: str, reason: str = ""
) -> FrameworkMembership:
    """Suspend, remove or reinstate a supplier. Its offers' visibility follows at once."""
    require_staff(actor, "change a supplier's standing")
    reason = (reason or "").strip()
    if status not in FrameworkMembership.Status.values:
        raise ValidationError({"status": "Select suspend, remove or reinstate"})
    if status != FrameworkMembership.Status.ACTIVE and not reason:
        raise ValidationError({"reason": "Enter the reason"})
    membership = FrameworkMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == status:
        raise ValidationError(
            f"This supplier is already {membership.get_status_display().lower()}."
        )
    if membership.is_removed:
        raise ValidationError("A removed supplier must apply again to rejoin.")
    previous = membership.status
    FrameworkMembership.LIFECYCLE.apply(membership, FrameworkMembership.MOVE_TO[status])
    membership.reason = reason
    membership.save()
    if membership.is_removed:
        withdraw = LotApplication.LIFECYCLE.move("withdraw_on_removal")
        LotApplication.objects.filter(
            supplier=membership.supplier,
            lot__framework=membership.framework,
            status__in=withdraw.sources,
        ).update(status=withdraw.to, reason=f"Removed from the framework: {reason}")
    audit_record(
        actor=actor,
        action=f"framework_membership.{status}",
        obj=membership,
        organisation=membership.supplier,
        detail={"from": previous, "to": status, "reason": reason},
    )
    offers_changed(
        Offer.objects.filter(
            supplier=membership.supplier, lot__framework=membership.framework
        ).values_list("pk", flat=True)
    )
    return membership


@transaction.atomic
def framework_membership_allow_reapplication(
    *, actor: User, membership: FrameworkMembership
) -> None:
    """Let a removed supplier apply to the framework again.

    Removal is final for the membership row, and a supplier whose standing is not active cannot
    apply; staff clear the removed standing (the audit log keeps it) so the supplier can apply
    afresh. It rejoins, with an active membership, only when staff approve a new application.
    """
    require_staff(actor, "let a removed supplier apply again")
    membership = FrameworkMembership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_removed:
        raise ValidationError("Only a removed supplier needs permission to apply again.")
    audit_record(
        actor=actor,
        action="framework_membership.reapplication_allowed",
        obj=membership,
        organisation=membership.supplier,
        detail={"removed_reason": membership.reason},
    )
    membership.delete()


# What a profile still needs before the supplier can apply (mirrors SupplierProfile.is_complete).
PROFILE_REQUIRED = (
    ("legal_name", "Legal name"),
    ("companies_house_number", "Companies House number"),
    ("postcode", "Postcode"),
    ("region", "Region"),
    ("size", "Staff headcount, and turnover or balance sheet total"),
    ("contact_email", "Contact email address"),
)


def profile_missing(profile: SupplierProfile) -> list[str]:
    """Labels of the details a profile still needs to be complete (all of them if unsaved)."""
    if profile.pk is None:
        return [label for _, label in PROFILE_REQUIRED]
    return [label for field, label in PROFILE_REQUIRED if not getattr(profile, field)]
