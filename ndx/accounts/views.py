import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from . import leaving, services, sign_on
from .decorators import member_required, org_admin_required, sensitive_action, staff_required
from .forms import (
    ApprovedDomainForm,
    InvitationForm,
    InvitedSignupForm,
    RoleForm,
    SignOnForm,
    SuspendForm,
    apply_validation_error,
)
from .models import ApprovedDomain, Invitation, Membership, Organisation, OrganisationSignOn, User
from .personal_data import personal_data_export


def admin_login(request, extra_context=None):
    """The Django admin's own sign-in form is never shown: everyone signs in through allauth,
    with its two-factor step and its rate limits. Staff who are signed in (and, by the staff
    middleware, passed two-factor in this session) go on to the admin."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated and request.user.is_staff and request.user.is_active:
        return redirect(next_url)
    if request.user.is_authenticated:
        messages.info(
            request,
            f"You are signed in as {request.user.email}, who is not platform staff. "
            "Sign in with a staff account to use the administration pages.",
        )
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


@login_required
def dashboard(request):
    return render(request, "accounts/dashboard.html", {"organisation": request.user.organisation})


@member_required
def organisation_detail(request):
    organisation = request.user.organisation
    context = {
        "organisation": organisation,
        "memberships": organisation.memberships.select_related("user"),
        "invitations": Invitation.objects.pending().for_organisation(organisation),
        "is_admin": request.user.is_org_admin,
        "can_leave": not leaving.is_last_admin(request.user.membership_or_none),
    }
    return render(request, "accounts/organisation.html", context)


@org_admin_required
def member_remove(request, pk: int):
    """Confirm, then remove a member. Removing asks for the password again if the admin's
    sign-in is not recent (allauth's reauthentication)."""
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=request.user.organisation,
    )
    return _member_remove(request, membership)


@sensitive_action
def _member_remove(request, membership: Membership):
    problem = None
    if membership.user_id == request.user.pk:
        problem = "You cannot remove yourself. Use ‘Leave this organisation’ instead."
    elif leaving.is_last_admin(membership):
        problem = leaving.LAST_ADMIN_REMOVE.format(
            name=membership.user, organisation=membership.organisation
        )
    if request.method == "POST" and problem is None:
        try:
            leaving.member_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, f"{membership.user.email} has been removed")
            return redirect("accounts:organisation")
    return render(
        request, "accounts/member_remove.html", {"membership": membership, "problem": problem}
    )


@member_required
def member_leave(request):
    membership = request.user.membership
    problem = None
    if leaving.is_last_admin(membership):
        problem = leaving.LAST_ADMIN_LEAVE.format(organisation=membership.organisation)
    if request.method == "POST" and problem is None:
        try:
            leaving.member_leave(actor=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, f"You have left {membership.organisation}")
            return redirect("accounts:dashboard")
    return render(request, "accounts/leave.html", {"membership": membership, "problem": problem})


@login_required
def personal_data_download(request):
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="your-ndx-data.json"'
    return response


@login_required
@sensitive_action
def account_close(request):
    membership = request.user.membership_or_none
    problem = None
    if leaving.is_last_admin(membership):
        problem = leaving.LAST_ADMIN_CLOSE.format(organisation=membership.organisation)
    if request.method == "POST" and problem is None:
        try:
            leaving.account_close(actor=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            logout(request)
            messages.success(request, "Your account is closed")
            return redirect("home")
    return render(request, "accounts/close.html", {"membership": membership, "problem": problem})


@org_admin_required
def invitation_create(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}")
            return redirect("accounts:organisation")
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
@org_admin_required
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, organisation=request.user.organisation)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation for {invitation.email} cancelled")
    return redirect("accounts:organisation")


@org_admin_required
def membership_role(request, pk: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=request.user.organisation
    )
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}")
            return redirect("accounts:organisation")
    return render(request, "accounts/role.html", {"form": form, "membership": membership})


def invitation_landing(request, token: str):
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation", "invited_by"), token=token
    )
    signup_form = None
    problem = None
    if not invitation.is_usable:
        problem = (
            "This invitation has already been used."
            if invitation.status == Invitation.Status.ACCEPTED
            else "This invitation has been cancelled or has expired. Ask for a new one."
        )
    elif request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                problem = " ".join(exc.messages)
            else:
                messages.success(request, f"You have joined {invitation.organisation}")
                return redirect("accounts:organisation")
    else:
        signup_form = InvitedSignupForm(request.POST or None)
        if request.method == "POST" and signup_form.is_valid():
            try:
                user = services.invitation_accept_new_user(
                    invitation=invitation,
                    full_name=signup_form.cleaned_data["full_name"],
                    password=signup_form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                apply_validation_error(signup_form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome. You have joined {invitation.organisation}")
                return redirect("accounts:dashboard")
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "form": signup_form, "problem": problem},
    )


@staff_required
def domain_list(request):
    form = ApprovedDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.approved_domain_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{entry.domain} added to approved domains")
            return redirect("accounts:domains")
    domains = ApprovedDomain.objects.select_related("organisation")
    return render(request, "accounts/domains.html", {"form": form, "domains": domains})


@require_POST
@staff_required
def domain_remove(request, pk: int):
    entry = get_object_or_404(ApprovedDomain, pk=pk)
    services.approved_domain_remove(actor=request.user, entry=entry)
    messages.success(request, f"{entry.domain} removed from approved domains")
    return redirect("accounts:domains")


@staff_required
def staff_accounts(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]  # PostgreSQL text has no NUL
    users = User.objects.select_related("membership__organisation").order_by("email")
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    suspended = User.objects.filter(suspended_at__isnull=False, closed_at__isnull=True)
    return render(
        request,
        "accounts/staff_accounts.html",
        {"query": query, "users": users[:50] if query else [], "suspended": suspended},
    )


@staff_required
def staff_account(request, pk: int):
    account = get_object_or_404(User.objects.select_related("membership__organisation"), pk=pk)
    form = SuspendForm(request.POST if request.POST.get("action") == "suspend" else None)
    problem = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reinstate":
                leaving.account_reinstate(actor=request.user, user=account)
                messages.success(request, f"{account.email} is reinstated and can sign in again")
                return redirect("accounts:staff_account", pk=account.pk)
            if form.is_valid():
                leaving.account_suspend(
                    actor=request.user, user=account, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"{account.email} is suspended and signed out")
                return redirect("accounts:staff_account", pk=account.pk)
        except ValidationError as exc:
            if form.is_bound:
                apply_validation_error(form, exc)
            else:
                problem = " ".join(exc.messages)
    return render(
        request,
        "accounts/staff_account.html",
        {"account": account, "form": form, "problem": problem},
    )


@staff_required
def staff_sign_on_list(request):
    organisations = Organisation.objects.filter(kind=Organisation.Kind.BUYER).select_related(
        "sign_on__social_app"
    )
    return render(request, "accounts/staff_sign_on_list.html", {"organisations": organisations})


@staff_required
def staff_sign_on(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk, kind=Organisation.Kind.BUYER)
    current = (
        OrganisationSignOn.objects.filter(organisation=organisation)
        .select_related("social_app")
        .first()
    )
    if request.method == "POST" and request.POST.get("action") == "remove" and current:
        sign_on.organisation_sign_on_remove(actor=request.user, sign_on=current)
        messages.success(request, f"Single sign-on for {organisation} removed")
        return redirect("accounts:staff_sign_on_list")
    initial = (
        {"issuer": current.issuer, "client_id": current.social_app.client_id} if current else {}
    )
    form = SignOnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sign_on.organisation_sign_on_configure(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Single sign-on for {organisation} saved")
            return redirect("accounts:staff_sign_on_list")
    domains = ApprovedDomain.objects.filter(organisation=organisation)
    callback = request.build_absolute_uri(
        reverse(
            "openid_connect_callback", kwargs={"provider_id": sign_on.provider_id_for(organisation)}
        )
    )
    return render(
        request,
        "accounts/staff_sign_on.html",
        {
            "organisation": organisation,
            "current": current,
            "form": form,
            "domains": domains,
            "callback": callback,
        },
    )
