"""The supplier's pages on a contract: responding to a performance report and accepting or
rejecting a proposed change. The contract is fetched through the supplier's own queryset."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ndx.accounts.decorators import member_required, sensitive_action
from ndx.accounts.forms import apply_validation_error

from . import forms as contract_forms
from .manage_views import report_page
from .models import Contract, PerformanceReport
from .services import performance, variations

supplier_required = member_required(kind="supplier")


def supplied_contract(request, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_to(request.user).for_supplier(request.user.organisation), pk=pk
    )


@supplier_required
def report(request, pk: int, report_pk: int):
    contract = supplied_contract(request, pk)
    report = get_object_or_404(PerformanceReport.objects.filter(contract=contract), pk=report_pk)
    form = contract_forms.ResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            performance.performance_report_respond(
                actor=request.user, report=report, response=form.cleaned_data["response"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Response sent to the buyer")
            return redirect("contracts:supplier_report", pk=contract.pk, report_pk=report.pk)
    return report_page(
        request,
        contract,
        report_pk,
        supplier=True,
        form=form if report.responded_at is None else None,
    )


@supplier_required
@sensitive_action
def variation(request, pk: int, variation_pk: int):
    contract = supplied_contract(request, pk)
    change = get_object_or_404(contract.variations, pk=variation_pk)
    form = contract_forms.SupplierVariationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == "accept":
                variations.contract_variation_accept(
                    actor=request.user, variation=change, comment=form.cleaned_data["comment"]
                )
            elif decision == "reject":
                variations.contract_variation_reject(
                    actor=request.user, variation=change, comment=form.cleaned_data["comment"]
                )
            else:
                raise ValidationError({"decision": "Choose whether you accept the change"})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Change {change.number} {decision}ed")
            return redirect("contracts:supplier_contract", pk=contract.pk)
    return render(
        request,
        "contracts/supplier_variation.html",
        {"contract": contract, "variation": change, "form": form},
        status=400 if request.method == "POST" else 200,
    )
