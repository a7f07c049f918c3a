"""Playbook pages. Each view takes its form, calls one service and redirects."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contracts.models import Contract
from ndx.accounts.decorators import member_required, staff_required
from ndx.accounts.forms import apply_validation_error

from . import services
from .forms import CaseStudyForm, DeclineForm, GuidancePageForm
from .markdown import render as render_markdown
from .models import CaseStudy, GuidancePage


def index(request):
    pages = GuidancePage.objects.all()
    case_studies = CaseStudy.objects.published().select_related("organisation")[:3]
    return render(request, "guidance/index.html", {"pages": pages, "case_studies": case_studies})


def page(request, slug: str):
    guidance = get_object_or_404(GuidancePage, slug=slug)
    rendered = render_markdown(guidance.body)
    others = GuidancePage.objects.exclude(pk=guidance.pk)
    context = {"page": guidance, "body": rendered.html, "sections": rendered.sections}
    context["others"] = others
    return render(request, "guidance/page.html", context)


def case_studies(request):
    studies = CaseStudy.objects.published().select_related(
        "organisation", "contract__offer", "contract__supplier"
    )
    return render(request, "guidance/case_studies.html", {"case_studies": studies})


def case_study(request, pk: int):
    study = get_object_or_404(
        CaseStudy.objects.published().select_related(
            "organisation", "contract__supplier", "contract__revision"
        ),
        pk=pk,
    )
    return render(request, "guidance/case_study.html", {"case_study": study})


@member_required(kind="buyer")
def case_study_offer(request, contract_pk: int):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("supplier", "revision"),
        pk=contract_pk,
    )
    try:
        services.case_study_check_can_offer(actor=request.user, contract=contract)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contracts:contract", pk=contract.pk)
    form = CaseStudyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_study_offer(actor=request.user, contract=contract, data=form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, "Thank you. Our staff will check your case study before publishing it."
            )
            return redirect("contracts:contract", pk=contract.pk)
    return render(request, "guidance/case_study_offer.html", {"form": form, "contract": contract})


# --- staff -------------------------------------------------------------------------------------


@staff_required
def staff_pages(request):
    pages = GuidancePage.objects.select_related("updated_by")
    return render(request, "guidance/staff/pages.html", {"pages": pages})


@staff_required
def staff_edit(request, slug: str):
    guidance = get_object_or_404(GuidancePage, slug=slug)
    initial = {"title": guidance.title, "summary": guidance.summary, "body": guidance.body}
    form = GuidancePageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.guidance_page_update(
                actor=request.user, page=guidance, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"“{saved.title}” saved as version {saved.version}")
            return redirect("guidance:staff_pages")
    versions = guidance.versions.select_related("created_by")[:20]
    context = {"form": form, "page": guidance, "versions": versions}
    return render(request, "guidance/staff/edit.html", context)


@staff_required
def staff_case_studies(request):
    studies = CaseStudy.objects.select_related("organisation", "contract")
    return render(request, "guidance/staff/case_studies.html", {"case_studies": studies})


@staff_required
def staff_case_study(request, pk: int):
    study = get_object_or_404(CaseStudy.objects.select_related("organisation", "contract"), pk=pk)
    context = {"case_study": study, "decline_form": DeclineForm()}
    return render(request, "guidance/staff/case_study.html", context)


@require_POST
@staff_required
def staff_case_study_publish(request, pk: int):
    study = get_object_or_404(CaseStudy, pk=pk)
    try:
        services.case_study_publish(actor=request.user, case_study=study)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("guidance:staff_case_study", pk=study.pk)
    messages.success(request, f"“{study.title}” published")
    return redirect("guidance:staff_case_studies")


@require_POST
@staff_required
def staff_case_study_decline(request, pk: int):
    study = get_object_or_404(CaseStudy.objects.select_related("organisation", "contract"), pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.case_study_decline(
                actor=request.user, case_study=study, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("guidance:staff_case_study", pk=study.pk)
        messages.success(request, f"“{study.title}” declined")
        return redirect("guidance:staff_case_studies")
    context = {"case_study": study, "decline_form": form}
    return render(request, "guidance/staff/case_study.html", context, status=400)
