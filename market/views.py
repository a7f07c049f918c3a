"""Market pages: thin views (take the form, call one service, redirect)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from buying.models import Requirement, SavedSearch
from ndx.accounts.decorators import member_required
from ndx.accounts.forms import apply_validation_error
from ndx.exports import csv_bytes

from . import forms
from .models import (
    DirectoryMember,
    Engagement,
    EngagementQuestion,
    EngagementResponse,
    PipelineEntry,
)
from .services import directory, engagements, follows, pipeline

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


def _own(queryset, request, pk):
    return get_object_or_404(queryset.filter(organisation=request.user.organisation), pk=pk)


# --- engagements --------------------------------------------------------------------------------


def engagement_list(request):
    form = forms.EngagementFilterForm(request.GET or None)
    items = Engagement.objects.select_related("organisation")
    if form.is_valid():
        data = form.cleaned_data
        if data["sector"]:
            items = items.filter(cpv_division=data["sector"])
        if data["region"]:
            items = items.filter(region=data["region"])
        today = timezone.localdate()
        if data["closing"] == "open":
            items = items.open_now()
        elif data["closing"] == "week":
            items = items.open_now().filter(closes_on__lte=today + timedelta(days=7))
        elif data["closing"] == "closed":
            items = items.exclude(pk__in=Engagement.objects.open_now())
    return render(request, "market/engagements.html", {"filters": form, "engagements": items[:200]})


def engagement_detail(request, pk: int):
    engagement = get_object_or_404(Engagement.objects.select_related("organisation"), pk=pk)
    user = request.user
    own = user.is_authenticated and user.organisation == engagement.organisation
    context = {
        "engagement": engagement,
        "questions": engagement.questions.filter(answered_at__isnull=False),
        "question_form": forms.QuestionForm(),
        "own": own,
        "can_respond": user.is_authenticated and user.is_supplier and engagement.is_open,
        "signed_in_member": user.is_authenticated and user.organisation is not None,
    }
    return render(request, "market/engagement.html", context)


@buyer_required
def engagement_new(request, entry_pk: int | None = None):
    entry = _own(PipelineEntry.objects, request, entry_pk) if entry_pk else None
    if request.method == "POST":
        form = forms.EngagementForm(request.POST)
        if form.is_valid():
            try:
                engagement = engagements.engagement_publish(
                    actor=request.user, data=form.cleaned_data, pipeline_entry=entry
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request, f"Published “{engagement.title}”. Suppliers who match will be told."
                )
                return redirect("market:engagement", pk=engagement.pk)
    else:
        form = forms.EngagementForm(
            initial=pipeline.engagement_initial_from(entry) if entry else None
        )
    return render(request, "market/engagement_form.html", {"form": form, "entry": entry})


@require_POST
@member_required
def engagement_ask(request, pk: int):
    engagement = get_object_or_404(Engagement, pk=pk)
    form = forms.QuestionForm(request.POST)
    form.is_valid()
    try:
        engagements.engagement_ask(
            actor=request.user,
            engagement=engagement,
            question=form.cleaned_data.get("question", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sent your question. The answer will be published here.")
    return redirect("market:engagement", pk=engagement.pk)


@supplier_required
def engagement_respond(request, pk: int):
    engagement = get_object_or_404(Engagement, pk=pk)
    if request.method == "POST":
        form = forms.ResponseForm(request.POST)
        if form.is_valid():
            try:
                engagements.engagement_respond(
                    actor=request.user, engagement=engagement, data=form.service_data()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Sent your response to “{engagement.title}”")
                return redirect("market:engagement", pk=engagement.pk)
    else:
        form = forms.ResponseForm()
    return render(request, "market/respond.html", {"form": form, "engagement": engagement})


@buyer_required
def engagement_manage(request, pk: int):
    engagement = _own(Engagement.objects, request, pk)
    context = {
        "engagement": engagement,
        "responses": engagement.responses.select_related("organisation"),
        "pending_questions": [
            (q, forms.AnswerForm(prefix=f"q{q.pk}"))
            for q in engagement.questions.filter(answered_at__isnull=True)
        ],
        "summary_form": forms.SummaryForm(),
    }
    return render(request, "market/manage.html", context)


def _act(request, engagement, action, success: str):
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("market:engagement_manage", pk=engagement.pk)
    messages.success(request, success)
    return result


@require_POST
@buyer_required
def question_answer(request, pk: int, question_pk: int):
    engagement = _own(Engagement.objects, request, pk)
    question = get_object_or_404(EngagementQuestion, engagement=engagement, pk=question_pk)
    form = forms.AnswerForm(request.POST, prefix=f"q{question.pk}")
    form.is_valid()
    _act(
        request,
        engagement,
        lambda: engagements.engagement_answer(
            actor=request.user, question=question, answer=form.cleaned_data.get("answer", "")
        ),
        "Published the answer",
    )
    return redirect("market:engagement_manage", pk=engagement.pk)


@require_POST
@buyer_required
def engagement_close(request, pk: int):
    engagement = _own(Engagement.objects, request, pk)
    _act(
        request,
        engagement,
        lambda: engagements.engagement_close(actor=request.user, engagement=engagement),
        "Closed the engagement",
    )
    return redirect("market:engagement_manage", pk=engagement.pk)


@require_POST
@buyer_required
def response_useful(request, pk: int, response_pk: int):
    engagement = _own(Engagement.objects, request, pk)
    response = get_object_or_404(EngagementResponse, engagement=engagement, pk=response_pk)
    useful = request.POST.get("useful") == "yes"
    _act(
        request,
        engagement,
        lambda: engagements.engagement_mark_useful(
            actor=request.user, response=response, useful=useful
        ),
        f"Marked {response.organisation}'s response as {'useful' if useful else 'not useful'}",
    )
    return redirect("market:engagement_manage", pk=engagement.pk)


@require_POST
@buyer_required
def engagement_conclude(request, pk: int):
    engagement = _own(Engagement.objects, request, pk)
    form = forms.SummaryForm(request.POST)
    form.is_valid()
    _act(
        request,
        engagement,
        lambda: engagements.engagement_conclude(
            actor=request.user, engagement=engagement, summary=form.cleaned_data.get("summary", "")
        ),
        "Published what you learned",
    )
    return redirect("market:engagement_manage", pk=engagement.pk)


@require_POST
@buyer_required
def engagement_convert(request, pk: int):
    engagement = _own(Engagement.objects, request, pk)
    try:
        requirement = engagements.engagement_convert(actor=request.user, engagement=engagement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("market:engagement_manage", pk=engagement.pk)
    messages.success(request, "Made a draft requirement from the engagement. Check and finish it.")
    return redirect("buying:requirement_check", pk=requirement.pk)


# --- pipeline -----------------------------------------------------------------------------------


def _pipeline_entries(request):
    form = forms.PipelineFilterForm(request.GET or None)
    entries = PipelineEntry.objects.upcoming().select_related("organisation", "lot")
    if form.is_valid():
        for field, lookup in (
            ("division", "cpv_division"),
            ("route", "route"),
            ("region", "region"),
        ):
            if form.cleaned_data[field]:
                entries = entries.filter(**{lookup: form.cleaned_data[field]})
    return form, entries


def pipeline_list(request):
    form, entries = _pipeline_entries(request)
    return render(
        request,
        "market/pipeline.html",
        {"filters": form, "entries": entries[:500], "query": request.GET.urlencode()},
    )


def pipeline_csv(request):
    _, entries = _pipeline_entries(request)
    body = csv_bytes(pipeline.pipeline_csv_rows(entries), headers=pipeline.CSV_HEADERS)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ndx-pipeline.csv"'
    return response


@buyer_required
def pipeline_add(request):
    if request.method == "POST":
        form = forms.PipelineEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = pipeline.pipeline_entry_add(actor=request.user, data=form.service_data())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Added “{entry.title}” to your forward plan")
                return redirect("market:pipeline")
    else:
        form = forms.PipelineEntryForm()
    return render(request, "market/pipeline_form.html", {"form": form})


@require_POST
@buyer_required
def pipeline_to_requirement(request, pk: int):
    entry = _own(PipelineEntry.objects, request, pk)
    try:
        requirement = pipeline.pipeline_entry_to_requirement(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("market:pipeline")
    messages.success(
        request, "Made a draft requirement from your forward plan. Check and finish it."
    )
    return redirect("buying:requirement_check", pk=requirement.pk)


@require_POST
@buyer_required
def pipeline_remove(request, pk: int):
    entry = _own(PipelineEntry.objects, request, pk)
    pipeline.pipeline_entry_remove(actor=request.user, entry=entry)
    messages.success(request, f"Removed “{entry.title}” from your forward plan")
    return redirect("market:pipeline")


# --- directory and consent ----------------------------------------------------------------------


@supplier_required
def directory_join(request):
    member = DirectoryMember.objects.filter(organisation=request.user.organisation).first()
    if request.method == "POST":
        form = forms.DirectoryForm(request.POST)
        if form.is_valid():
            try:
                member = directory.directory_join(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    "Saved your directory entry"
                    + (
                        ". We will email you about matching opportunities."
                        if member.consents
                        else "."
                    ),
                )
                return redirect("market:alerts")
    else:
        initial = None
        if member is not None:
            initial = {
                f: getattr(member, f)
                for f in (
                    "description",
                    "cpv_divisions",
                    "regions",
                    "size",
                    "is_vcse",
                    "consent_sectors",
                    "frequency",
                )
            }
            initial["consent_contact"] = member.consents
        form = forms.DirectoryForm(initial=initial)
    return render(request, "market/directory_join.html", {"form": form, "member": member})


@login_required
def directory_search(request):
    if not (request.user.is_staff or request.user.is_buyer):
        raise PermissionDenied(
            "Only platform staff and buyer organisations can search the directory."
        )
    form = forms.DirectorySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    members = directory.directory_search(
        actor=request.user,
        query=data.get("q", ""),
        division=data.get("division", ""),
        region=data.get("region", ""),
    )
    return render(request, "market/directory.html", {"filters": form, "members": members[:200]})


def withdraw(request, token: str):
    """From the link in any email: no sign-in. GET asks; POST withdraws at once."""
    try:
        member = directory.member_from_token(token)
    except directory.TokenRefused as refused:
        return render(
            request, "market/withdraw_refused.html", {"reason": refused.reason}, status=400
        )
    if request.method == "POST":
        directory.directory_withdraw(member=member)
        return render(request, "market/withdrawn.html", {"member": member})
    return render(request, "market/withdraw.html", {"member": member, "token": token})


@supplier_required
def alerts(request):
    organisation = request.user.organisation
    member = DirectoryMember.objects.filter(organisation=organisation).first()
    items = []
    if member is not None:
        items = member.alerts.filter(cancelled_at__isnull=True).select_related("source")[:100]
    return render(request, "market/alerts.html", {"member": member, "alerts": items})


# --- buyers' follows and privacy ----------------------------------------------------------------


@require_POST
@buyer_required
def search_follow(request, pk: int):
    saved = _own(SavedSearch.objects, request, pk)
    follow = request.POST.get("follow") != "no"
    follows.search_follow(actor=request.user, saved_search=saved, follow=follow)
    messages.success(
        request,
        f"You will get a daily email of new or changed offers for “{saved.name}”"
        if follow
        else f"You no longer follow “{saved.name}”",
    )
    return redirect("buying:saved_search", pk=saved.pk)


@buyer_required
def requirement_privacy(request, pk: int):
    requirement = _own(Requirement.objects, request, pk)
    if request.method == "POST":
        private = request.POST.get("private") == "yes"
        try:
            follows.requirement_privacy_set(
                actor=request.user, requirement=requirement, private=private
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                "Suppliers will not be told about this requirement"
                if private
                else "Matching suppliers in the directory will be told about this requirement",
            )
        return redirect("market:requirement_privacy", pk=requirement.pk)
    private = hasattr(requirement, "market_privacy")
    return render(
        request, "market/requirement_privacy.html", {"requirement": requirement, "private": private}
    )
