"""Direct awards (contract registers and pages are in contracts.views).

Each page fetches through an organisation-scoped queryset (another organisation gets 404), takes
the form, calls one service and redirects.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from catalogue.compare import estimate_inputs
from catalogue.models import Offer
from catalogue.pricing import estimate_for_revision
from catalogue.templatetags.catalogue_tags import money
from contracts.models import Contract
from ndx.accounts.decorators import member_required, sensitive_action
from ndx.accounts.forms import apply_validation_error

from .award_forms import DirectAwardForm
from .models import Requirement, Shortlist, ShortlistItem
from .services import awards as award_services

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


def award_message(contract: Contract) -> str:
    text = f"Contract {contract.reference} awarded to {contract.supplier.name}"
    saving = contract.saving
    if saving:
        text += f". Saving against the list price: {money(saving)}"
    return text


@sensitive_action
def _direct_award(request, *, item: ShortlistItem | None = None, offer: Offer | None = None):
    terms = award_services.direct_award_terms(shortlist_item=item, offer=offer)
    revision = terms["revision"]
    requirements = None
    if item is None:
        requirements = Requirement.objects.visible_to(request.user).filter(
            organisation=request.user.organisation, status=Requirement.Status.SUBMITTED
        )
    form_kwargs = {
        "requirements": requirements,
        "national_price": terms["national_price"],
        "unit_label": revision.unit_label if revision else "",
        "pricing_model": revision.pricing_model if revision else "per_unit",
    }
    estimate = None
    if request.method == "POST":
        form = DirectAwardForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            requirement = None
            if data.get("requirement"):
                requirement = requirements.filter(pk=data["requirement"]).first()
            if "calculate" in request.POST:
                # The "Calculate" button: show the sum, award nothing (works without JavaScript).
                try:
                    estimate = award_services.direct_award_estimate(
                        terms=terms,
                        units=data.get("units"),
                        quantity=data["quantity"],
                        unit_price=data["unit_price"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        requirement=requirement,
                    )
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                return _render(request, form, terms, item, offer, estimate)
            try:
                contract = award_services.direct_award_create(
                    actor=request.user,
                    shortlist_item=item,
                    offer=offer,
                    requirement=requirement,
                    justification=data["justification"],
                    quantity=data["quantity"],
                    unit_price=data["unit_price"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    kpis=data["kpis"],
                    units=data.get("units"),
                    max_extension_months=data["max_extension_months"],
                    baseline_unit_price=data["baseline_unit_price"],
                    outcomes=data["outcomes"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, award_message(contract))
                return redirect("contracts:contract", pk=contract.pk)
    else:
        start = timezone.localdate() + timedelta(days=14)
        initial = {
            "unit_price": terms["national_price"],
            "start_date": start,
            "end_date": start.replace(year=start.year + 1) - timedelta(days=1),
        }
        # From the comparison: the quantity and term already typed, as the award quantity.
        quantity, months, errors = estimate_inputs(request.GET)
        requirement = _requirement_asked(request)
        if requirement is not None and not (quantity or months):
            # The requirement's answers, given once: its users and contract length.
            initial["requirement"] = str(requirement.pk)
            quantity, months = requirement.user_count, requirement.contract_months
        if quantity and months and not errors and revision is not None:
            asked = estimate_for_revision(revision, quantity=quantity, months=months)
            if asked is not None:
                initial["quantity"] = f"{asked.award_quantity:f}"
        form = DirectAwardForm(initial=initial, **form_kwargs)
    return _render(request, form, terms, item, offer, estimate)


def _render(request, form, terms, item, offer, estimate):
    revision = terms["revision"]
    if item is not None:
        back = (reverse("buying:shortlist", args=[item.shortlist_id]), "Back to the shortlist")
    else:
        back = (reverse("catalogue:offer_detail", args=[offer.pk]), "Back to the offer")
    return render(
        request,
        "buying/awards/direct_award.html",
        {
            "form": form,
            "terms": terms,
            "revision": revision,
            "item": item,
            "back_url": back[0],
            "back_text": back[1],
            "estimate": estimate,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _requirement_asked(request) -> Requirement | None:
    """The buyer's own requirement named by ?requirement= (None if absent or not theirs)."""
    raw = request.GET.get("requirement", "")
    if not raw.isdigit():
        return None
    return Requirement.objects.visible_to(request.user).filter(pk=int(raw)).first()


@buyer_required
def direct_award_item(request, pk: int, item_pk: int):
    shortlist = get_object_or_404(Shortlist.objects.visible_to(request.user), pk=pk)
    item = get_object_or_404(
        shortlist.items.select_related("offer__lot__framework", "offer__supplier", "revision"),
        pk=item_pk,
    )
    if not shortlist.is_frozen:
        messages.error(request, "Freeze the shortlist before awarding from it.")
        return redirect("buying:shortlist", pk=shortlist.pk)
    return _direct_award(request, item=item)


@buyer_required
def direct_award_offer(request, offer_pk: int):
    offer = get_object_or_404(Offer.objects.buyable().with_content(), pk=offer_pk)
    return _direct_award(request, offer=offer)
