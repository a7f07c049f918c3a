"""The buyer's pages that change a contract: KPIs, performance reports, changes (variations),
extension, termination and benefits. Each fetches the contract through the buyer
organisation's queryset (anyone else gets 404), takes the form, calls one service and
redirects; the service's errors go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import member_required, sensitive_action
from ndx.accounts.forms import apply_validation_error

from . import forms as contract_forms
from .models import Contract, PerformanceReport
from .services import benefits, lifecycle, performance, variations

buyer_required = member_required(kind="buyer")


def held_contract(request, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.held_by(request.user).select_related(
            "organisation", "supplier", "offer__lot__framework"
        ),
        pk=pk,
    )


def _page(request, template: str, contract: Contract, form, action, success: str, **context):
    """Run `action(form)` on a valid POST; on a refusal show the form again with the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("contracts:contract", pk=contract.pk)
    return render(
        request,
        template,
        {"contract": contract, "form": form, **context},
        status=400 if request.method == "POST" else 200,
    )


def _data(request):
    return request.POST if request.method == "POST" else None


@buyer_required
def kpis_set(request, pk: int):
    contract = held_contract(request, pk)
    initial = {}
    for i, kpi in enumerate(contract.kpi_set.all()):
        initial.update(
            {
                f"kpi_{i}_name": kpi.name,
                f"kpi_{i}_measure": kpi.measure,
                f"kpi_{i}_target": kpi.target,
                f"kpi_{i}_frequency": kpi.frequency,
            }
        )
    form = contract_forms.KpisForm(_data(request), initial=initial)
    return _page(
        request,
        "contracts/manage/kpis.html",
        contract,
        form,
        lambda f: performance.contract_kpis_set(
            actor=request.user, contract=contract, kpis=f.kpis()
        ),
        "KPIs saved",
    )


@buyer_required
def report_file(request, pk: int):
    contract = held_contract(request, pk)
    due = performance.reports_due(contract)
    if not due:
        messages.info(request, "No performance report is due on this contract.")
        return redirect("contracts:contract", pk=contract.pk)
    period = due[0]
    form = contract_forms.PerformanceReportForm(_data(request), kpis=list(contract.kpi_set.all()))
    return _page(
        request,
        "contracts/manage/report_form.html",
        contract,
        form,
        lambda f: performance.performance_report_file(
            actor=request.user,
            contract=contract,
            period_end=period.end,
            kind=period.kind,
            results=f.results(),
            overall_rating=f.cleaned_data["overall_rating"],
            overall_explanation=f.cleaned_data["overall_rating_explanation"],
            comments=f.cleaned_data["comments"],
        ),
        f"Performance report filed for {period.label}",
        period=period,
    )


def report_page(request, contract: Contract, report_pk: int, *, supplier: bool, form=None):
    report = get_object_or_404(
        PerformanceReport.objects.filter(contract=contract).select_related("filed_by"),
        pk=report_pk,
    )
    return render(
        request,
        "contracts/report.html",
        {
            "contract": contract,
            "report": report,
            "results": report.results.select_related("kpi"),
            "supplier_view": supplier,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@buyer_required
def report_detail(request, pk: int, report_pk: int):
    return report_page(request, held_contract(request, pk), report_pk, supplier=False)


@buyer_required
@sensitive_action
def variation_propose(request, pk: int):
    contract = held_contract(request, pk)
    form = contract_forms.VariationForm(_data(request))
    return _page(
        request,
        "contracts/manage/variation_form.html",
        contract,
        form,
        lambda f: variations.contract_variation_propose(
            actor=request.user, contract=contract, **f.cleaned_data
        ),
        "Change proposed: the supplier has been asked to accept or reject it",
    )


@require_POST
@buyer_required
def variation_withdraw(request, pk: int, variation_pk: int):
    contract = held_contract(request, pk)
    variation = get_object_or_404(contract.variations, pk=variation_pk)
    try:
        variations.contract_variation_withdraw(actor=request.user, variation=variation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Change {variation.number} withdrawn")
    return redirect("contracts:contract", pk=contract.pk)


@buyer_required
@sensitive_action
def extend(request, pk: int):
    contract = held_contract(request, pk)
    form = contract_forms.ExtendForm(_data(request))
    return _page(
        request,
        "contracts/manage/extend.html",
        contract,
        form,
        lambda f: lifecycle.contract_extend(
            actor=request.user, contract=contract, new_end_date=f.cleaned_data["new_end_date"]
        ),
        "Contract extended",
    )


@buyer_required
@sensitive_action
def terminate(request, pk: int):
    contract = held_contract(request, pk)
    form = contract_forms.TerminateForm(_data(request))
    return _page(
        request,
        "contracts/manage/terminate.html",
        contract,
        form,
        lambda f: lifecycle.contract_terminate(
            actor=request.user, contract=contract, reason=f.cleaned_data["reason"]
        ),
        "Contract terminated",
    )


@buyer_required
def benefits_assess(request, pk: int):
    contract = held_contract(request, pk)
    outcomes = list(contract.outcomes.all())
    if request.method == "POST" and request.POST.get("add_outcome") is not None:
        add = contract_forms.OutcomeForm(request.POST)
        if add.is_valid():
            try:
                benefits.contract_outcome_add(
                    actor=request.user, contract=contract, text=add.cleaned_data["text"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("contracts:benefits", pk=contract.pk)
    form = contract_forms.BenefitsForm(_data(request), outcomes=outcomes)
    return _page(
        request,
        "contracts/manage/benefits.html",
        contract,
        form,
        lambda f: benefits.contract_benefits_assess(
            actor=request.user, contract=contract, assessments=f.assessments()
        ),
        "Benefits assessment saved",
        add_form=contract_forms.OutcomeForm(),
        not_assessed_form=contract_forms.NotAssessedForm(),
    )


@buyer_required
def benefits_not_assessed(request, pk: int):
    contract = held_contract(request, pk)
    form = contract_forms.NotAssessedForm(_data(request))
    return _page(
        request,
        "contracts/manage/not_assessed.html",
        contract,
        form,
        lambda f: benefits.contract_benefits_not_assessed(
            actor=request.user, contract=contract, reason=f.cleaned_data["reason"]
        ),
        "Benefits marked as not assessed",
    )


@require_POST
@buyer_required
def close(request, pk: int):
    """Close a contract as ended once its end date has passed (the beat task does it too)."""
    contract = held_contract(request, pk)
    try:
        lifecycle.contract_end(contract=contract, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Contract closed as ended")
    return redirect("contracts:contract", pk=contract.pk)
