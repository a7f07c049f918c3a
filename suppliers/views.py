"""Supplier pages: dashboard, profile, applications; staff review of applications and standing."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalogue.models import Framework, FrameworkMembership, Lot, Offer
from ndx.accounts.decorators import (
    member_required,
    org_admin_required,
    sensitive_action,
    staff_required,
)
from ndx.accounts.forms import apply_validation_error
from ndx.accounts.models import Organisation

from . import services
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    MembershipStatusForm,
    RejectApplicationForm,
    SupplierProfileForm,
)
from .models import LotApplication, SupplierProfile


def supplier_admin_required(func):
    """An admin of a supplier organisation (anonymous: sign in; anyone else: 403)."""

    @member_required(kind=Organisation.Kind.SUPPLIER)
    @org_admin_required
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        return func(request, *args, **kwargs)

    return wrapper


# --- supplier pages ---------------------------------------------------------------------------


@member_required(kind=Organisation.Kind.SUPPLIER)
def dashboard(request):
    organisation = request.user.organisation
    profile = services.profile_for(organisation)
    applications = LotApplication.objects.for_supplier(organisation).select_related(
        "lot__framework"
    )
    memberships = FrameworkMembership.objects.filter(supplier=organisation).select_related(
        "framework"
    )
    active_frameworks = [m.framework_id for m in memberships if m.is_active]
    approved_lots = (
        Lot.objects.filter(
            applications__supplier=organisation,
            applications__status=LotApplication.Status.APPROVED,
            framework__in=active_frameworks,
        )
        .select_related("framework")
        .distinct()
    )
    context = {
        "organisation": organisation,
        "profile": profile,
        "missing": services.profile_missing(profile),
        "applications": applications,
        "memberships": memberships,
        "approved_lots": approved_lots,
        "is_admin": request.user.is_org_admin,
    }
    return render(request, "suppliers/dashboard.html", context)


@member_required(kind=Organisation.Kind.SUPPLIER)
def profile_edit(request):
    organisation = request.user.organisation
    profile = services.profile_for(organisation)
    context = {
        "profile": profile,
        "missing": services.profile_missing(profile),
        "organisation": organisation,
    }
    if not request.user.is_org_admin:
        return render(request, "suppliers/profile.html", context)
    initial = {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
    form = SupplierProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.supplier_profile_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            size = profile.size_label if profile.size else "not worked out yet"
            messages.success(
                request,
                f"Profile saved. Your organisation's size is {size.lower()}; "
                f"SME status: {profile.sme_label.lower()}.",
            )
            return redirect("suppliers:profile_edit")
    context["form"] = form
    return render(request, "suppliers/profile_form.html", context)


@member_required(kind=Organisation.Kind.SUPPLIER)
def frameworks(request):
    organisation = request.user.organisation
    open_frameworks = Framework.objects.accepting_applications().prefetch_related("lots")
    applications = LotApplication.objects.for_supplier(organisation).filter(
        lot__framework__in=open_frameworks
    )
    latest: dict[int, LotApplication] = {}
    for application in applications.order_by("submitted_at", "id"):
        latest[application.lot_id] = application  # the newest wins
    standing = {
        m.framework_id: m
        for m in FrameworkMembership.objects.filter(supplier=organisation).exclude(
            status=FrameworkMembership.Status.ACTIVE
        )
    }
    rows = [
        {
            "framework": framework,
            "standing": standing.get(framework.pk),
            "lots": [(lot, latest.get(lot.pk)) for lot in framework.lots.all()],
        }
        for framework in open_frameworks
    ]
    return render(
        request,
        "suppliers/frameworks.html",
        {"rows": rows, "is_admin": request.user.is_org_admin},
    )


@supplier_admin_required
def apply(request, lot_pk: int):
    lot = get_object_or_404(
        Lot.objects.select_related("framework").filter(
            framework__in=Framework.objects.accepting_applications()
        ),
        pk=lot_pk,
    )
    profile = services.profile_for(request.user.organisation)
    questions = list(lot.framework.questions.all())
    form = ApplicationForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_application_submit(actor=request.user, lot=lot, answers=form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, f"Application sent for {lot.framework.name}, {lot}. We will email you."
            )
            return redirect("suppliers:dashboard")
    context = {
        "lot": lot,
        "framework": lot.framework,
        "form": form,
        "questions": questions,
        "profile_complete": profile.pk is not None and profile.is_complete,
    }
    return render(request, "suppliers/apply.html", context)


@require_POST
@supplier_admin_required
def application_withdraw(request, pk: int):
    application = get_object_or_404(
        LotApplication.objects.for_supplier(request.user.organisation).select_related(
            "lot__framework"
        ),
        pk=pk,
    )
    try:
        services.lot_application_withdraw(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Application for {application.lot} withdrawn")
    return redirect("suppliers:dashboard")


def public_profile(request, pk: int):
    profile = get_object_or_404(
        SupplierProfile.objects.select_related("organisation").filter(
            organisation__kind=Organisation.Kind.SUPPLIER
        ),
        organisation_id=pk,
    )
    organisation = profile.organisation
    frameworks_on = Framework.objects.live().filter(
        memberships__supplier=organisation,
        memberships__status=FrameworkMembership.Status.ACTIVE,
    )
    offers = (
        Offer.objects.buyable()
        .of_supplier(organisation)
        .with_content()
        .order_by("published_revision__title")
    )
    context = {
        "profile": profile,
        "organisation": organisation,
        "frameworks_on": frameworks_on,
        "offers": offers,
    }
    return render(request, "suppliers/public_profile.html", context)


# --- staff pages ------------------------------------------------------------------------------


@staff_required
def staff_applications(request):
    filter_form = ApplicationFilterForm(request.GET or None)
    applications = LotApplication.objects.select_related("supplier", "lot__framework").annotate(
        pending_first=Case(
            When(status=LotApplication.Status.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        applications = applications.filter(status=filter_form.cleaned_data["status"])
    applications = applications.order_by("pending_first", "-submitted_at", "-id")
    return render(
        request,
        "suppliers/staff_applications.html",
        {"applications": applications, "filter_form": filter_form},
    )


@staff_required
@sensitive_action
def staff_application(request, pk: int):
    application = get_object_or_404(
        LotApplication.objects.select_related(
            "supplier", "lot__framework", "submitted_by", "decided_by"
        ),
        pk=pk,
    )
    form = RejectApplicationForm(request.POST if request.POST.get("decision") == "reject" else None)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                services.lot_application_approve(actor=request.user, application=application)
                messages.success(request, f"{application.supplier} approved for {application.lot}")
                return redirect("suppliers:staff_applications")
            if decision == "reject" and form.is_valid():
                services.lot_application_reject(
                    actor=request.user,
                    application=application,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, f"Application from {application.supplier} rejected")
                return redirect("suppliers:staff_applications")
        except ValidationError as exc:
            if decision == "reject":
                apply_validation_error(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect("suppliers:staff_application", pk=application.pk)
    profile = services.profile_for(application.supplier)
    membership = FrameworkMembership.objects.filter(
        supplier=application.supplier, framework=application.lot.framework
    ).first()
    context = {
        "application": application,
        "profile": profile,
        "missing": services.profile_missing(profile),
        "membership": membership,
        "form": form,
    }
    return render(request, "suppliers/staff_application.html", context)


@staff_required
def staff_supplier_frameworks(request):
    frameworks_list = (
        Framework.objects.exclude(status=Framework.Status.DRAFT)
        .annotate(
            active=Count("memberships", filter=Q(memberships__status="active")),
            suspended=Count("memberships", filter=Q(memberships__status="suspended")),
            removed=Count("memberships", filter=Q(memberships__status="removed")),
        )
        .order_by("name")
    )
    return render(
        request, "suppliers/staff_supplier_frameworks.html", {"frameworks": frameworks_list}
    )


@staff_required
def staff_framework_suppliers(request, framework_pk: int):
    framework = get_object_or_404(Framework, pk=framework_pk)
    memberships = (
        framework.memberships.select_related("supplier__supplier_profile")
        .annotate(
            standing_order=Case(
                When(status="active", then=Value(2)),
                When(status="suspended", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .prefetch_related(
            Prefetch(
                "supplier__lot_applications",
                queryset=LotApplication.objects.approved().filter(lot__framework=framework),
                to_attr="approved_here",
            )
        )
        .order_by("standing_order", "supplier__name")
    )
    return render(
        request,
        "suppliers/staff_framework_suppliers.html",
        {"framework": framework, "memberships": memberships},
    )


@staff_required
@sensitive_action
def staff_membership(request, pk: int):
    membership = get_object_or_404(
        FrameworkMembership.objects.select_related("supplier", "framework"), pk=pk
    )
    removed = membership.is_removed
    form = MembershipStatusForm(
        request.POST if request.method == "POST" else None, current=membership.status
    )
    if request.method == "POST" and removed:
        try:
            services.framework_membership_allow_reapplication(
                actor=request.user, membership=membership
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("suppliers:staff_membership", pk=membership.pk)
        messages.success(
            request, f"{membership.supplier} can now apply to {membership.framework.name} again"
        )
        return redirect("suppliers:staff_framework_suppliers", framework_pk=membership.framework_id)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.framework_membership_set_status(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"{membership.supplier} is now {updated.get_status_display().lower()} "
                f"on {membership.framework.name}",
            )
            return redirect("suppliers:staff_membership", pk=membership.pk)
    buyable = Offer.objects.buyable().filter(
        supplier=membership.supplier, lot__framework=membership.framework
    )
    offers = Offer.objects.filter(
        supplier=membership.supplier, lot__framework=membership.framework
    ).with_content()
    context = {
        "membership": membership,
        "form": None if removed else form,
        "removed": removed,
        "offers": offers,
        "buyable_ids": set(buyable.values_list("pk", flat=True)),
    }
    return render(request, "suppliers/staff_membership.html", context)
