"""Catalogue views: staff pages for frameworks, lots and declaration questions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import sensitive_action, staff_required
from ndx.accounts.forms import apply_validation_error
from ndx.audit.models import AuditEntry
from ndx.audit.sentences import action_phrase

from ..forms.frameworks import FrameworkForm, LotForm, QuestionForm
from ..models import DeclarationQuestion, Framework, Lot
from ..services import frameworks as services

# What each status-changing button does: service, and the message shown when it worked.
ACTIONS = {
    "open": (services.framework_open_applications, "{name} is open for applications"),
    "request_live": (
        services.framework_request_live,
        "You have asked for {name} to go live. A second member of staff must now approve it.",
    ),
    "approve_live": (services.framework_approve_live, "{name} is live"),
    "close": (services.framework_close, "{name} is closed"),
}


def _framework(pk: int) -> Framework:
    return get_object_or_404(
        Framework.objects.select_related("created_by", "live_requested_by", "approved_by"), pk=pk
    )


@staff_required
def framework_list(request):
    frameworks = Framework.objects.annotate(lot_count=Count("lots")).order_by("name")
    return render(request, "catalogue/staff/framework_list.html", {"frameworks": frameworks})


@staff_required
def framework_create(request):
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{framework.name} created. Add its lots next.")
            return redirect("catalogue:staff_framework_detail", pk=framework.pk)
    return render(request, "catalogue/staff/framework_form.html", {"form": form})


@staff_required
def framework_edit(request, pk: int):
    framework = _framework(pk)
    form = FrameworkForm(request.POST or None, initial=FrameworkForm.initial_for(framework))
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(actor=request.user, framework=framework, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Framework details saved")
            return redirect("catalogue:staff_framework_detail", pk=framework.pk)
    return render(
        request, "catalogue/staff/framework_form.html", {"form": form, "framework": framework}
    )


def _audit_rows(framework: Framework) -> list[dict]:
    lot_ids = [str(pk) for pk in framework.lots.values_list("pk", flat=True)]
    entries = (
        AuditEntry.objects.for_object(framework)
        | AuditEntry.objects.filter(object_type="catalogue.lot", object_id__in=lot_ids)
    ).select_related("actor")[:100]
    rows = []
    for entry in entries:
        detail = entry.detail or {}
        if "question" in detail:
            note = detail["question"]
        elif detail.get("changed"):
            note = "Changed: " + ", ".join(
                str(FrameworkForm.base_fields[f].label) if f in FrameworkForm.base_fields else f
                for f in detail["changed"]
            )
        elif entry.object_type == "catalogue.lot":
            note = entry.object_repr
        else:
            note = ""
        rows.append(
            {
                "when": entry.created_at,
                "who": entry.actor or "System",
                "what": action_phrase(entry.action),
                "note": note,
            }
        )
    return rows


@staff_required
def framework_detail(request, pk: int):
    framework = _framework(pk)
    user = request.user
    in_progress = framework.can_go_live
    context = {
        "framework": framework,
        "lots": framework.lots.all(),
        "questions": framework.questions.all(),
        "audit_rows": _audit_rows(framework),
        "can_edit": not framework.is_finished,
        "can_open": framework.can_open,
        "can_request_live": in_progress and framework.live_requested_at is None,
        "waiting_for_approval": in_progress and framework.live_requested_at is not None,
        "user_may_approve": user.pk
        not in (framework.created_by_id, framework.live_requested_by_id),
        "can_close": framework.can_close,
    }
    return render(request, "catalogue/staff/framework_detail.html", context)


@require_POST
@staff_required
def framework_action(request, pk: int, action: str):
    if action == "approve_live":  # the second person's approval: confirm it is really them
        return _framework_approve_live(request, pk=pk, action=action)
    return _framework_action(request, pk=pk, action=action)


@sensitive_action
def _framework_approve_live(request, *, pk: int, action: str):
    return _framework_action(request, pk=pk, action=action)


def _framework_action(request, *, pk: int, action: str):
    framework = _framework(pk)
    service, success = ACTIONS[action]
    try:
        framework = service(actor=request.user, framework=framework)
    except (ValidationError, PermissionDenied) as exc:
        problem = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        messages.error(request, " ".join(problem))
    else:
        messages.success(request, success.format(name=framework.name))
    return redirect("catalogue:staff_framework_detail", pk=framework.pk)


@staff_required
def lot_create(request, pk: int):
    framework = _framework(pk)
    form = LotForm(request.POST or None, initial={"award_route": "direct"})
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_create(
                actor=request.user, framework=framework, **form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Lot {lot.number}: {lot.name} added")
            return redirect("catalogue:staff_framework_detail", pk=framework.pk)
    return render(request, "catalogue/staff/lot_form.html", {"form": form, "framework": framework})


@staff_required
def lot_edit(request, pk: int, lot_pk: int):
    framework = _framework(pk)
    lot = get_object_or_404(Lot, pk=lot_pk, framework=framework)
    form = LotForm(request.POST or None, initial=LotForm.initial_for(lot))
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_update(actor=request.user, lot=lot, **form.service_data())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Lot {lot.number}: {lot.name} saved")
            return redirect("catalogue:staff_framework_detail", pk=framework.pk)
    return render(
        request,
        "catalogue/staff/lot_form.html",
        {"form": form, "framework": framework, "lot": lot},
    )


@staff_required
def question_list(request, pk: int):
    framework = _framework(pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(actor=request.user, framework=framework, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Declaration question added")
            return redirect("catalogue:staff_questions", pk=framework.pk)
    return render(
        request,
        "catalogue/staff/question_list.html",
        {"form": form, "framework": framework, "questions": framework.questions.all()},
    )


@require_POST
@staff_required
def question_remove(request, pk: int, q_pk: int):
    framework = _framework(pk)
    question = get_object_or_404(DeclarationQuestion, pk=q_pk, framework=framework)
    try:
        services.question_remove(actor=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Question removed: {question.text}")
    next_page = request.POST.get("next")
    if next_page == "detail":
        return redirect("catalogue:staff_framework_detail", pk=framework.pk)
    return redirect("catalogue:staff_questions", pk=framework.pk)
