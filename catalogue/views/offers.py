"""Catalogue views: offers.

Suppliers edit their offers (every change is a revision that staff approve), staff review
submissions and can suspend offers, and anyone may see a buyable offer's public page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import member_required, sensitive_action, staff_required
from ndx.accounts.forms import apply_validation_error

from ..forms.offers import DocumentForm, LotChoiceForm, OfferForm, ReasonForm, WithdrawForm
from ..models import Offer, OfferDocument, OfferRevision
from ..services import offers as services
from ..services.content import revision_diff

supplier_required = member_required(kind="supplier")


def _data(request):
    """The form data of a POST (even an empty one), or None to show an unbound form."""
    return request.POST if request.method == "POST" else None


def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _own_offer(request, pk: int) -> Offer:
    """One of the signed-in supplier's offers; another organisation's offer is a 404."""
    offers = Offer.objects.of_supplier(request.user.organisation).with_content()
    return get_object_or_404(offers, pk=pk)


def supplier_actions(offer: Offer) -> set[str]:
    """Which buttons to offer the supplier. The services enforce the same rules."""
    working = offer.working_revision
    suspended = offer.is_suspended
    actions: set[str] = set()
    if not suspended and offer.current is not None and (working is None or working.is_editable):
        actions |= {"edit", "documents"}
    if not suspended and working is not None and working.is_editable:
        actions.add("submit")
    if working is not None and working.is_waiting_for_approval:
        actions.add("recall")
    if offer.can_withdraw:
        actions.add("withdraw")
    if (
        offer.published_revision_id is None
        and offer.first_published_at is None
        and (working is None or not working.is_waiting_for_approval)
    ):
        actions.add("delete")
    return actions


def _not_editable_message(offer: Offer) -> str:
    if offer.is_suspended:
        return "This offer is suspended and cannot be changed. Contact the NDX team."
    return "This offer is waiting for approval. Recall the submission to change it."


# --- supplier pages --------------------------------------------------------------------------


@supplier_required
def supplier_offers(request):
    offers = Offer.objects.of_supplier(request.user.organisation).with_content()
    return render(request, "catalogue/offers/supplier_list.html", {"offers": offers})


@supplier_required
def supplier_offer_create(request):
    lots = services.approved_lots_for(request.user.organisation)
    if not lots.exists():
        return render(request, "catalogue/offers/no_lots.html")
    # The lot question is a GET form; "chosen" tells an empty answer from a first visit.
    answered = "lot" in request.GET or "chosen" in request.GET
    lot_form = LotChoiceForm(request.GET if answered else None, lots=lots)
    if lot_form.is_bound and lot_form.is_valid():
        lot = lot_form.cleaned_data["lot"]
    elif not lot_form.is_bound and lots.count() == 1:
        lot = lots.select_related("framework").get()
    else:
        return render(request, "catalogue/offers/choose_lot.html", {"form": lot_form})

    form = OfferForm(_data(request), lot=lot)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(actor=request.user, lot=lot, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                "Offer saved as a draft. Add documents, then submit it for approval.",
            )
            return redirect("catalogue:supplier_offer", pk=offer.pk)
    return render(
        request,
        "catalogue/offers/form.html",
        {"form": form, "lot": lot, "offer": None, "choose_lot": lots.count() > 1},
    )


@supplier_required
def supplier_offer(request, pk: int):
    offer = _own_offer(request, pk)
    context = {
        "offer": offer,
        "actions": supplier_actions(offer),
        "working": offer.working_revision,
        "published": offer.published_revision,
    }
    return render(request, "catalogue/offers/supplier_detail.html", context)


@supplier_required
def supplier_offer_edit(request, pk: int):
    offer = _own_offer(request, pk)
    if "edit" not in supplier_actions(offer):
        messages.error(request, _not_editable_message(offer))
        return redirect("catalogue:supplier_offer", pk=offer.pk)
    revision = offer.working_revision or offer.published_revision
    form = OfferForm(_data(request), lot=offer.lot, revision=revision)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(actor=request.user, offer=offer, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if offer.published_revision_id:
                text = "Changes saved. The published version stays live until these are approved."
            else:
                text = "Changes saved."
            messages.success(request, text)
            return redirect("catalogue:supplier_offer", pk=offer.pk)
    return render(
        request,
        "catalogue/offers/form.html",
        {"form": form, "lot": offer.lot, "offer": offer, "revision": revision},
    )


@require_POST
@supplier_required
def supplier_offer_submit(request, pk: int):
    offer = _own_offer(request, pk)
    try:
        revision = services.offer_submit(actor=request.user, offer=offer)
    except ValidationError as exc:
        revision = offer.working_revision
        if not hasattr(exc, "error_dict") or revision is None:
            messages.error(request, _error_text(exc))
            return redirect("catalogue:supplier_offer", pk=offer.pk)
        # Show what is missing on the edit form, linked from the error summary.
        data = OfferForm.initial_from(revision, offer.lot)
        form = OfferForm(data, lot=offer.lot)
        form.is_valid()
        apply_validation_error(form, exc)
        return render(
            request,
            "catalogue/offers/form.html",
            {
                "form": form,
                "lot": offer.lot,
                "offer": offer,
                "revision": revision,
                "submit_failed": True,
            },
        )
    messages.success(
        request,
        f"Version {revision.number} submitted. The NDX team will review it and let you know.",
    )
    return redirect("catalogue:supplier_offer", pk=offer.pk)


@require_POST
@supplier_required
def supplier_offer_recall(request, pk: int):
    offer = _own_offer(request, pk)
    try:
        services.offer_recall(actor=request.user, offer=offer)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Submission recalled. You can change the offer again.")
    return redirect("catalogue:supplier_offer", pk=offer.pk)


@supplier_required
def supplier_offer_withdraw(request, pk: int):
    """GET asks for confirmation (and an optional reason); POST withdraws."""
    offer = _own_offer(request, pk)
    if request.method == "GET" and "withdraw" not in supplier_actions(offer):
        messages.error(request, "Only a published offer can be withdrawn.")
        return redirect("catalogue:supplier_offer", pk=offer.pk)
    form = WithdrawForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_withdraw(
                actor=request.user, offer=offer, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Offer withdrawn. Buyers can no longer see it.")
        return redirect("catalogue:supplier_offer", pk=offer.pk)
    return render(request, "catalogue/offers/confirm_withdraw.html", {"offer": offer, "form": form})


@supplier_required
def supplier_offer_delete(request, pk: int):
    """GET asks for confirmation; POST deletes a never-published offer."""
    offer = _own_offer(request, pk)
    if request.method == "GET" and "delete" not in supplier_actions(offer):
        messages.error(request, "A published offer cannot be deleted. Withdraw it instead.")
        return redirect("catalogue:supplier_offer", pk=offer.pk)
    if request.method == "POST":
        title = str(offer)
        try:
            services.offer_delete_draft(actor=request.user, offer=offer)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("catalogue:supplier_offer", pk=offer.pk)
        messages.success(request, f"{title} deleted")
        return redirect("catalogue:supplier_offers")
    return render(request, "catalogue/offers/confirm_delete.html", {"offer": offer})


@supplier_required
def supplier_offer_documents(request, pk: int):
    offer = _own_offer(request, pk)
    form = DocumentForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.offer_document_add(
                actor=request.user,
                offer=offer,
                title=form.cleaned_data["title"],
                name=upload.name,
                # One byte more than allowed is enough to tell that a file is too big.
                content=upload.read(OfferDocument.MAX_BYTES + 1),
                content_type=upload.content_type or "",
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['title']} added")
            return redirect("catalogue:supplier_offer_documents", pk=offer.pk)
    revision = offer.working_revision or offer.published_revision
    context = {
        "offer": offer,
        "form": form,
        "revision": revision,
        "documents": revision.documents.all() if revision else [],
        "actions": supplier_actions(offer),
        "max_mb": OfferDocument.MAX_BYTES // (1024 * 1024),
    }
    return render(request, "catalogue/offers/documents.html", context)


@require_POST
@supplier_required
def supplier_offer_document_remove(request, pk: int, doc_pk: int):
    offer = _own_offer(request, pk)
    document = get_object_or_404(OfferDocument, pk=doc_pk, revision__offer=offer)
    try:
        services.offer_document_remove(actor=request.user, document=document)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{document.title} removed")
    return redirect("catalogue:supplier_offer_documents", pk=offer.pk)


# --- staff pages -----------------------------------------------------------------------------


def _reject_form(data=None) -> ReasonForm:
    return ReasonForm(
        data,
        label="Reason for rejecting",
        hint="The supplier sees this. Say what they need to change.",
        required_message="Enter the reason for rejecting this offer",
    )


def _suspend_form(data=None) -> ReasonForm:
    return ReasonForm(
        data,
        label="Reason for suspending",
        hint="The supplier sees this.",
        required_message="Enter the reason for suspending this offer",
    )


def _diff_base(revision: OfferRevision) -> OfferRevision | None:
    """The version revision_diff compares `revision` with, to name it on the page."""
    base = revision.offer.published_revision
    if base is not None and base.pk == revision.pk:
        base = (
            revision.offer.revisions.published_versions()
            .filter(number__lt=revision.number)
            .order_by("-number")
            .first()
        )
    return base


@staff_required
def staff_offer_queue(request):
    revisions = (
        OfferRevision.objects.awaiting_review()
        .select_related("offer__supplier", "offer__lot__framework")
        .order_by("submitted_at", "pk")
    )
    return render(request, "catalogue/staff/offer_queue.html", {"revisions": revisions})


@staff_required
@sensitive_action
def staff_offer_review(request, revision_pk: int):
    revision = get_object_or_404(
        OfferRevision.objects.select_related(
            "offer__supplier__supplier_profile",
            "offer__lot__framework",
            "offer__published_revision",
        ),
        pk=revision_pk,
    )
    offer = revision.offer
    action = request.POST.get("action") if request.method == "POST" else None
    form = _reject_form(request.POST if action == "reject" else None)
    if action == "approve":
        try:
            services.offer_approve(actor=request.user, revision=revision)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("catalogue:staff_offer_review", revision_pk=revision.pk)
        messages.success(request, f"{revision} approved and published")
        return redirect("catalogue:staff_offer_queue")
    if action == "reject" and form.is_valid():
        try:
            services.offer_reject(
                actor=request.user, revision=revision, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{revision} rejected. The supplier can see your reason.")
            return redirect("catalogue:staff_offer_queue")
    base = _diff_base(revision)
    context = {
        "revision": revision,
        "offer": offer,
        "form": form,
        "diff": revision_diff(revision),
        "base": base,
        "is_new": base is None,
        "awaiting": revision.is_waiting_for_approval and offer.working_revision_id == revision.pk,
        "profile": getattr(offer.supplier, "supplier_profile", None),
        "documents": revision.documents.all(),
    }
    return render(request, "catalogue/staff/review.html", context)


def _staff_offer_context(offer: Offer, form: ReasonForm) -> dict:
    return {
        "offer": offer,
        "form": form,
        "revisions": offer.revisions.order_by("-number"),
        "profile": getattr(offer.supplier, "supplier_profile", None),
        "buyable": Offer.objects.buyable().filter(pk=offer.pk).exists(),
    }


@staff_required
def staff_offer(request, pk: int):
    offer = get_object_or_404(Offer.objects.visible_to(request.user).with_content(), pk=pk)
    return render(
        request, "catalogue/staff/offer.html", _staff_offer_context(offer, _suspend_form())
    )


@require_POST
@staff_required
def staff_offer_suspend(request, pk: int):
    offer = get_object_or_404(Offer.objects.visible_to(request.user).with_content(), pk=pk)
    form = _suspend_form(request.POST)
    if form.is_valid():
        try:
            services.offer_suspend(
                actor=request.user, offer=offer, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{offer} suspended. Buyers can no longer see it.")
            return redirect("catalogue:staff_offer", pk=offer.pk)
    return render(request, "catalogue/staff/offer.html", _staff_offer_context(offer, form))


@require_POST
@staff_required
def staff_offer_reinstate(request, pk: int):
    offer = get_object_or_404(Offer.objects.visible_to(request.user), pk=pk)
    try:
        services.offer_reinstate(actor=request.user, offer=offer)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{offer} reinstated")
    return redirect("catalogue:staff_offer", pk=offer.pk)


# --- public pages ----------------------------------------------------------------------------


def _is_own(user, offer: Offer) -> bool:
    if not user.is_authenticated:
        return False
    organisation = user.organisation
    return organisation is not None and organisation.pk == offer.supplier_id


def offer_detail(request, pk: int):
    offer = get_object_or_404(Offer.objects.visible_to(request.user).with_content(), pk=pk)
    revision = offer.published_revision or offer.working_revision
    if revision is None:
        raise Http404("This offer has no content yet.")
    context = {
        "offer": offer,
        "revision": revision,
        "framework": offer.lot.framework,
        "profile": getattr(offer.supplier, "supplier_profile", None),
        "documents": revision.documents.all(),
        "buyable": Offer.objects.buyable().filter(pk=offer.pk).exists(),
        "is_own": _is_own(request.user, offer),
    }
    return render(request, "catalogue/offers/detail.html", context)


def offer_document(request, pk: int, doc_pk: int):
    """A document of a revision the user may see: the published one, or any for the owner."""
    offer = get_object_or_404(Offer.objects.visible_to(request.user), pk=pk)
    documents = OfferDocument.objects.filter(revision__offer=offer)
    if not (request.user.is_staff or _is_own(request.user, offer)):
        documents = documents.filter(revision_id=offer.published_revision_id)
    document = get_object_or_404(documents, pk=doc_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(handle, content_type="application/pdf", filename=document.original_name)
