"""A buyer's pages for a demand pool: join with your own quantity or decline; the lead starts
its further competition for the combined quantity. A buyer sees its own requirement and the
pool's totals, never another buyer's requirement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import member_required

from .models import FurtherCompetition, PoolMember
from .services import pooling

buyer_required = member_required(kind="buyer")


class JoinForm(forms.Form):
    quantity = forms.CharField(
        label="How many do you need?",
        help_text="Your own quantity: the combined quantity of all buyers decides the price.",
        max_length=20,
        error_messages={"required": "Enter how many you need"},
    )


class StartForm(forms.Form):
    competition = forms.IntegerField(error_messages={"required": "Choose a further competition"})


def _member(request, pk: int) -> PoolMember:
    return get_object_or_404(
        PoolMember.objects.select_related("pool__lot", "pool__lead", "requirement"),
        pool_id=pk,
        organisation=request.user.organisation,
    )


@buyer_required
def pools(request):
    members = PoolMember.objects.filter(organisation=request.user.organisation).select_related(
        "pool__lead", "pool__lot"
    )
    return render(request, "buying/pools/list.html", {"members": members})


def _page(request, member: PoolMember, form=None, start_form=None, status=200):
    pool = member.pool
    joined = pool.members.filter(status=PoolMember.Status.JOINED)
    context = {
        "pool": pool,
        "member": member,
        "is_lead": pool.lead_id == member.organisation_id,
        "buyers": pool.members.count(),
        "joined": joined.count(),
        "total": pooling.pool_total(pool),
        "form": form or JoinForm(initial={"quantity": member.quantity or _suggested(member)}),
        "start_form": start_form,
        "drafts": FurtherCompetition.objects.filter(
            organisation=member.organisation, lot=pool.lot, status="draft"
        ),
    }
    return render(request, "buying/pools/pool.html", context, status=status)


def _suggested(member: PoolMember):
    return member.requirement.user_count if member.requirement else None


@buyer_required
def pool(request, pk: int):
    return _page(request, _member(request, pk))


@require_POST
@buyer_required
def pool_join(request, pk: int):
    member = _member(request, pk)
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            pooling.pool_member_join(
                actor=request.user, member=member, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as exc:
            form.add_error("quantity", " ".join(exc.messages))
        else:
            messages.success(request, "You have joined the pool with your quantity.")
            return redirect("buying:pool", pk=pk)
    return _page(request, member, form=form, status=400)


@require_POST
@buyer_required
def pool_decline(request, pk: int):
    member = _member(request, pk)
    try:
        pooling.pool_member_decline(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "You have left the pool.")
    return redirect("buying:pool", pk=pk)


@require_POST
@buyer_required
def pool_start(request, pk: int):
    member = _member(request, pk)
    form = StartForm(request.POST)
    if form.is_valid():
        competition = FurtherCompetition.objects.filter(
            pk=form.cleaned_data["competition"], organisation=request.user.organisation
        ).first()
        try:
            if competition is None:
                raise ValidationError("Choose one of your draft further competitions")
            started = pooling.pool_competition_start(
                actor=request.user, pool=member.pool, competition=competition
            )
        except ValidationError as exc:
            form.add_error("competition", " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"The competition is now for the pool's combined quantity of "
                f"{started.competition.quantity:,}. Check it and send the invitations.",
            )
            return redirect("buying:competition", pk=started.competition_id)
    return _page(request, member, start_form=form, status=400)
