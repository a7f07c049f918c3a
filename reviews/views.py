"""Review pages. Each view takes its form, calls one service and redirects; the services and
querysets decide who may do and see what."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalogue.models import Offer
from ndx.accounts.decorators import member_required, sensitive_action, staff_required
from ndx.accounts.forms import apply_validation_error
from ndx.ratelimit import rate_limited

from . import services
from .forms import RejectForm, ReportForm, ResponseForm, ReviewForm
from .models import HelpfulVote, Review, ReviewReport
from .querysets import contracts_of
from .templatetags.reviews_tags import viewer_context

PAGE_SIZE = 20


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _visible_review(request, pk: int) -> Review:
    return get_object_or_404(Review.objects.visible_to(request.user).with_details(), pk=pk)


# --- buyers ----------------------------------------------------------------------------------


@member_required(kind="buyer")
@rate_limited("reviews")
def review_write(request, contract_pk: int):
    contract = get_object_or_404(
        contracts_of(request.user).select_related("offer__published_revision", "supplier"),
        pk=contract_pk,
    )
    try:
        services.review_check_can_write(actor=request.user, contract=contract)
    except ValidationError as exc:
        context = {"contract": contract, "problem": _error_text(exc)}
        return render(request, "reviews/cannot_write.html", context)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(
                actor=request.user, contract=contract, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if review.is_published:
                messages.success(request, "Thank you. Your review is published.")
            else:
                messages.success(
                    request,
                    "Thank you. Your review contains "
                    + " and ".join(review.held_for)
                    + ", so our staff will check it before it is published.",
                )
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/write.html", {"form": form, "contract": contract})


@member_required(kind="buyer")
def my_reviews(request):
    today = timezone.localdate()
    reviews = (
        Review.objects.visible_to(request.user)
        .of_organisation(request.user.organisation)
        .with_details()
    )
    to_review = (
        contracts_of(request.user)
        .filter(start_date__lte=today)
        .exclude(reviews__status__in=[Review.Status.HELD, Review.Status.PUBLISHED])
        .select_related("supplier")
        .order_by("start_date", "pk")
    )
    context = {"reviews": reviews, "to_review": to_review}
    return render(request, "reviews/my_reviews.html", context)


@require_POST
@login_required
@rate_limited("reviews")
def review_helpful(request, pk: int):
    review = _visible_review(request, pk)
    try:
        services.review_mark_helpful(actor=request.user, review=review)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Thank you. You marked this review as helpful.")
    return redirect(_back_to(request, review))


def _back_to(request, review: Review) -> str:
    """Back to the page the button was on (an offer page, say), or to the review."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return review.get_absolute_url()


# --- anyone ----------------------------------------------------------------------------------


def review_detail(request, pk: int):
    review = _visible_review(request, pk)
    user = request.user
    context = {
        "review": review,
        "voted": user.is_authenticated
        and HelpfulVote.objects.filter(review=review, user=user).exists(),
        "is_own_org": user.is_authenticated
        and user.organisation is not None
        and user.organisation.pk == review.organisation_id,
        "is_supplier": user.is_authenticated
        and user.organisation is not None
        and user.organisation.pk == review.supplier_id,
        "open_reports": review.reports.open().count() if user.is_staff else 0,
    }
    return render(request, "reviews/detail.html", context)


def offer_reviews(request, offer_pk: int):
    offer = get_object_or_404(Offer.objects.visible_to(request.user).with_content(), pk=offer_pk)
    sort = request.GET.get("sort", "newest")
    reviews = Review.objects.published().filter(offer=offer).with_details()
    if sort == "helpful":
        reviews = reviews.order_by("-helpful_count", "-published_at", "-id")
    else:
        sort = "newest"
        reviews = reviews.newest()
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "offer": offer,
        "page": page,
        "sort": sort,
        "summary": services.offer_rating_summary(offer=offer),
        "viewer": viewer_context(request, page.object_list),
    }
    return render(request, "reviews/offer_reviews.html", context)


@login_required
@rate_limited("reviews")
def review_report(request, pk: int):
    review = _visible_review(request, pk)
    if not review.is_published:
        raise PermissionDenied("You can only report a published review.")
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_report(
                actor=request.user,
                review=review,
                reason=form.cleaned_data["reason"],
                detail=form.cleaned_data["detail"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Thank you. Our staff will look at this review.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/report.html", {"form": form, "review": review})


# --- suppliers -------------------------------------------------------------------------------


@member_required(kind="supplier")
def supplier_reviews(request):
    reviews = (
        Review.objects.published().about_supplier(request.user.organisation).with_details().newest()
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "summary": services.supplier_rating_summary(supplier=request.user.organisation),
    }
    return render(request, "reviews/supplier_reviews.html", context)


@member_required(kind="supplier")
@rate_limited("reviews")
def review_respond(request, pk: int):
    review = get_object_or_404(
        Review.objects.published().about_supplier(request.user.organisation).with_details(),
        pk=pk,
    )
    if hasattr(review, "response"):
        messages.error(request, "Your organisation has already responded to this review.")
        return redirect("reviews:detail", pk=review.pk)
    form = ResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_respond(
                actor=request.user, review=review, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Your response is published under the review.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/respond.html", {"form": form, "review": review})


# --- staff -----------------------------------------------------------------------------------


@staff_required
def staff_queue(request):
    reviews = (
        Review.objects.needing_moderation()
        .with_details()
        .prefetch_related(
            Prefetch("reports", queryset=ReviewReport.objects.open(), to_attr="open_reports")
        )
        .order_by("created_at", "pk")
    )
    return render(request, "reviews/staff/queue.html", {"reviews": reviews})


def _staff_context(review: Review, form: RejectForm) -> dict:
    return {
        "review": review,
        "form": form,
        "reports": review.reports.open().select_related("reporter"),
    }


@staff_required
def staff_review(request, pk: int):
    review = get_object_or_404(Review.objects.with_details(), pk=pk)
    return render(request, "reviews/staff/review.html", _staff_context(review, RejectForm()))


@require_POST
@staff_required
@sensitive_action
def staff_publish(request, pk: int):
    review = get_object_or_404(Review.objects.all(), pk=pk)
    try:
        services.review_publish(actor=request.user, review=review)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reviews:staff_review", pk=review.pk)
    messages.success(request, f"“{review.title}” published")
    return redirect("reviews:staff_queue")


@require_POST
@staff_required
@sensitive_action
def staff_reject(request, pk: int):
    review = get_object_or_404(Review.objects.with_details(), pk=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.review_reject(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"“{review.title}” rejected. The buyer can see your reason.")
            return redirect("reviews:staff_queue")
    return render(request, "reviews/staff/review.html", _staff_context(review, form))


@require_POST
@staff_required
def staff_dismiss_reports(request, pk: int):
    review = get_object_or_404(Review.objects.all(), pk=pk)
    try:
        services.review_reports_dismiss(actor=request.user, review=review)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reviews:staff_review", pk=review.pk)
    messages.success(request, f"Reports dismissed. “{review.title}” stays published.")
    return redirect("reviews:staff_queue")
