"""Staff pages for demand pooling: clusters of similar requirements, and inviting one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from buying.models import DemandPool, Requirement
from buying.services import pooling
from ndx.accounts.decorators import staff_required

from .clusters import requirement_clusters


class PoolForm(forms.Form):
    requirements = forms.CharField(widget=forms.HiddenInput)
    lead = forms.IntegerField(
        label="Lead buyer", error_messages={"required": "Choose the lead buyer"}
    )

    def clean_requirements(self) -> list[int]:
        try:
            ids = [int(part) for part in self.cleaned_data["requirements"].split("-")]
        except ValueError:
            raise ValidationError("Choose a cluster from the list") from None
        if not 1 < len(ids) <= 100:
            raise ValidationError("Choose a cluster from the list")
        return ids


@staff_required
def clusters(request):
    context = {
        "clusters": requirement_clusters(),
        "pools": DemandPool.objects.select_related("lead", "lot").prefetch_related("members")[:50],
    }
    return render(request, "matching/pooling.html", context)


@require_POST
@staff_required
def pool_create(request):
    form = PoolForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("matching:clusters")
    requirements = list(Requirement.objects.filter(pk__in=form.cleaned_data["requirements"]))
    lead = next((r for r in requirements if r.pk == form.cleaned_data["lead"]), None)
    if lead is None:
        messages.error(request, "Choose the lead buyer from the requirements in the cluster")
        return redirect("matching:clusters")
    try:
        pool = pooling.pool_create(actor=request.user, requirements=requirements, lead=lead)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("matching:clusters")
    messages.success(
        request,
        f"{pool.members.count()} buyers invited to pool “{pool.title}”, led by {pool.lead}.",
    )
    return redirect("matching:clusters")


@require_POST
@staff_required
def pool_cancel(request, pk: int):
    pool = DemandPool.objects.filter(pk=pk).first()
    if pool is None:
        messages.error(request, "There is no such pool.")
        return redirect("matching:clusters")
    try:
        pooling.pool_cancel(actor=request.user, pool=pool)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Pool “{pool.title}” cancelled")
    return redirect("matching:clusters")
