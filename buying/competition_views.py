"""Further competitions: the buyer's pages (set up, send, answer questions, score, award) and
the invited supplier's pages (read, ask, respond, see the outcome).

Buyers reach a competition only through FurtherCompetition.objects.visible_to (their own
organisation's); suppliers only through CompetitionInvitation.objects.for_supplier (their own
invitations, once sent), so another supplier's invitation or response is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import member_required, sensitive_action
from ndx.accounts.forms import apply_validation_error
from ndx.audit.models import AuditEntry
from ndx.ratelimit import rate_limited

from .award_forms import (
    AnswerForm,
    AwardForm,
    CancelCompetitionForm,
    CompetitionForm,
    QuestionForm,
    ResponseForm,
    ScoreForm,
)
from .award_views import award_message
from .models import (
    CompetitionInvitation,
    CompetitionResponse,
    FurtherCompetition,
    Shortlist,
)
from .services import awards as award_services
from .services import clarifications as clarification_services
from .services import competitions as competition_services
from .services import pooling
from .services import responses as response_services

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


# --- buyer pages ------------------------------------------------------------------------------


def _competition(request, pk: int) -> FurtherCompetition:
    return get_object_or_404(
        FurtherCompetition.objects.visible_to(request.user).select_related(
            "shortlist", "requirement", "lot__framework", "contract"
        ),
        pk=pk,
    )


def _invitations(competition: FurtherCompetition):
    return competition.invitations.select_related("supplier", "revision").prefetch_related(
        Prefetch("response", queryset=CompetitionResponse.objects.all())
    )


def _initial_from(shortlist: Shortlist) -> dict:
    requirement = shortlist.requirement
    today = timezone.localdate()
    start = today + timedelta(days=42)
    description = ""
    if requirement is not None:
        parts = [requirement.problem]
        if requirement.users_description:
            parts.append(f"Who will use it: {requirement.users_description}")
        if requirement.must_haves:
            parts.append("Must-haves:\n" + "\n".join(f"- {m}" for m in requirement.must_haves))
        description = "\n\n".join(p for p in parts if p)
    return {
        "title": (requirement.title if requirement else shortlist.name)[:150],
        "description": description,
        "start_date": start,
        "end_date": start.replace(year=start.year + 2) - timedelta(days=1),
        "weight_quality": 60,
        "weight_price": 30,
        "weight_social_value": 10,
        "deadline": today + timedelta(days=21),
        "deadline_time": "17:00",
        "quality_criteria": "How well the service meets the requirement and the must-haves, "
        "and your plan to set it up and support it.",
        "social_value_criteria": "What you will do for the local community during the "
        "contract, such as jobs, training or cutting carbon emissions.",
    }


@buyer_required
def competition_create(request, pk: int):
    shortlist = get_object_or_404(Shortlist.objects.visible_to(request.user), pk=pk)
    if not shortlist.is_frozen:
        messages.error(request, "Freeze the shortlist before running a further competition.")
        return redirect("buying:shortlist", pk=shortlist.pk)
    items = list(shortlist.items.all())
    if request.method == "POST":
        form = CompetitionForm(request.POST, items=items)
        if form.is_valid():
            try:
                competition = competition_services.competition_create(
                    actor=request.user, shortlist=shortlist, data=form.service_data()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    "Competition saved as a draft. Check it, then send the invitations.",
                )
                return redirect("buying:competition", pk=competition.pk)
    else:
        form = CompetitionForm(initial=_initial_from(shortlist), items=items)
    return render(
        request,
        "buying/awards/competition_form.html",
        {"form": form, "shortlist": shortlist, "competition": None},
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def competition_edit(request, pk: int):
    competition = _competition(request, pk)
    if not competition.is_draft:
        messages.error(request, "The invitations have been sent, so the competition cannot change.")
        return redirect("buying:competition", pk=competition.pk)
    items = list(competition.shortlist.items.all())
    if request.method == "POST":
        form = CompetitionForm(request.POST, items=items)
        if form.is_valid():
            try:
                competition_services.competition_update(
                    actor=request.user, competition=competition, data=form.service_data()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "Competition updated")
                return redirect("buying:competition", pk=competition.pk)
    else:
        form = CompetitionForm(initial=CompetitionForm.initial_for(competition), items=items)
    return render(
        request,
        "buying/awards/competition_form.html",
        {"form": form, "shortlist": competition.shortlist, "competition": competition},
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def competitions(request):
    qs = (
        FurtherCompetition.objects.visible_to(request.user)
        .filter(organisation=request.user.organisation)
        .select_related("lot__framework", "contract")
        .prefetch_related("invitations__response")
    )
    return render(request, "buying/awards/competitions.html", {"competitions": qs})


@buyer_required
def competition_detail(request, pk: int):
    competition = _competition(request, pk)
    invitations = list(_invitations(competition))
    responses = [i.response for i in invitations if hasattr(i, "response")]
    context = {
        "competition": competition,
        "invitations": invitations,
        "responses": responses,
        "sealed": not competition.past_deadline,
        "questions": competition.questions.select_related("invitation__supplier"),
        "all_scored": bool(responses) and all(r.is_scored for r in responses),
        "ranking": award_services.competition_ranking(competition),
        "audit": AuditEntry.objects.for_object(competition).select_related("actor")[:20],
    }
    return render(request, "buying/awards/competition.html", context)


@require_POST
@buyer_required
def competition_publish(request, pk: int):
    competition = _competition(request, pk)
    try:
        competition_services.competition_publish(actor=request.user, competition=competition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Invitations sent to {competition.invitations.count()} suppliers. "
            "They can ask questions and respond until the deadline.",
        )
    return redirect("buying:competition", pk=competition.pk)


@buyer_required
def competition_cancel(request, pk: int):
    competition = _competition(request, pk)
    form = CancelCompetitionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            competition_services.competition_cancel(
                actor=request.user, competition=competition, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Competition cancelled")
            return redirect("buying:competition", pk=competition.pk)
    return render(
        request,
        "buying/awards/competition_cancel.html",
        {"form": form, "competition": competition},
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def clarification_answer(request, pk: int, question_pk: int):
    competition = _competition(request, pk)
    question = get_object_or_404(competition.questions, pk=question_pk)
    if question.is_answered:
        messages.info(request, "This question has already been answered.")
        return redirect("buying:competition", pk=competition.pk)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                clarification_services.clarification_answer(
                    actor=request.user,
                    question=question,
                    answer=form.cleaned_data["answer"],
                    shared_question=form.cleaned_data["shared_question"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "Answer published to every invited supplier")
                return redirect("buying:competition", pk=competition.pk)
    else:
        form = AnswerForm(initial={"shared_question": question.question})
    return render(
        request,
        "buying/awards/clarification_answer.html",
        {"form": form, "competition": competition, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def response_score(request, pk: int, response_pk: int):
    competition = _competition(request, pk)
    response = get_object_or_404(
        CompetitionResponse.objects.filter(invitation__competition=competition).select_related(
            "invitation__supplier", "invitation__revision"
        ),
        pk=response_pk,
    )
    if not competition.past_deadline:
        messages.info(request, "Responses are sealed until the deadline.")
        return redirect("buying:competition", pk=competition.pk)
    suggested = response_services.price_score_suggestions(competition).get(response.pk)
    form_kwargs = {"competition": competition, "suggested_price": suggested}
    if request.method == "POST":
        form = ScoreForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                response_services.response_score(
                    actor=request.user,
                    response=response,
                    quality=form.cleaned_data["quality_score"],
                    price=form.cleaned_data["price_score"],
                    social_value=form.cleaned_data["social_value_score"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Scores saved for {response.invitation.supplier.name}")
                return redirect("buying:competition", pk=competition.pk)
    else:
        initial = {
            "quality_score": response.quality_score,
            "price_score": response.price_score if response.is_scored else suggested,
            "social_value_score": response.social_value_score,
        }
        form = ScoreForm(initial=initial, **form_kwargs)
    return render(
        request,
        "buying/awards/response_score.html",
        {"form": form, "competition": competition, "response": response},
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def competition_award(request, pk: int):
    return _competition_award(request, _competition(request, pk))


@sensitive_action
def _competition_award(request, competition):
    if not competition.is_open:
        messages.info(request, f"This competition is {competition.get_status_display().lower()}.")
        return redirect("buying:competition", pk=competition.pk)
    ranking = award_services.competition_ranking(competition)
    if request.method == "POST":
        form = AwardForm(request.POST, ranking=ranking)
        if form.is_valid():
            data = form.cleaned_data
            chosen = next((r for r in ranking if str(r.pk) == data["response"]), None)
            try:
                contract = pooling.competition_award_any(
                    actor=request.user,
                    competition=competition,
                    response=chosen,
                    rationale=data["rationale"],
                    kpis=data["kpis"],
                    unsuccessful_feedback=data["unsuccessful_feedback"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, award_message(contract))
                return redirect("contracts:contract", pk=contract.pk)
    else:
        form = AwardForm(
            initial={
                "response": str(ranking[0].pk) if ranking else None,
                "rationale": award_services.competition_award_rationale(competition),
            },
            ranking=ranking,
        )
    return render(
        request,
        "buying/awards/competition_award.html",
        {"form": form, "competition": competition, "ranking": ranking},
        status=400 if request.method == "POST" else 200,
    )


# --- supplier pages ---------------------------------------------------------------------------


def _invitation(request, pk: int) -> CompetitionInvitation:
    return get_object_or_404(
        CompetitionInvitation.objects.for_supplier(request.user).select_related(
            "competition__organisation", "competition__lot__framework", "revision", "offer"
        ),
        pk=pk,
    )


@supplier_required
def supplier_competitions(request):
    invitations = (
        CompetitionInvitation.objects.for_supplier(request.user)
        .select_related("competition__organisation", "revision")
        .prefetch_related("response")
        .order_by("-competition__published_at", "-id")
    )
    return render(request, "buying/awards/supplier_competitions.html", {"invitations": invitations})


def _supplier_competition_page(request, invitation, form, status=200):
    competition = invitation.competition
    answered = competition.questions.filter(answered_at__isnull=False).order_by("answered_at")
    own_waiting = invitation.questions.filter(answered_at__isnull=True)
    return render(
        request,
        "buying/awards/supplier_competition.html",
        {
            "invitation": invitation,
            "competition": competition,
            "response": getattr(invitation, "response", None),
            "answered": answered,
            "own_waiting": own_waiting,
            "form": form,
        },
        status=status,
    )


@supplier_required
def supplier_competition(request, pk: int):
    invitation = _invitation(request, pk)
    return _supplier_competition_page(request, invitation, QuestionForm())


@require_POST
@supplier_required
@rate_limited("responses")
def supplier_question(request, pk: int):
    invitation = _invitation(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            clarification_services.clarification_ask(
                actor=request.user, invitation=invitation, question=form.cleaned_data["question"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                "Question sent. The buyer will publish the answer to every invited supplier.",
            )
            return redirect("buying:supplier_competition", pk=invitation.pk)
    return _supplier_competition_page(request, invitation, form, status=400)


@supplier_required
@rate_limited("responses")
def supplier_response(request, pk: int):
    invitation = _invitation(request, pk)
    competition = invitation.competition
    existing = getattr(invitation, "response", None)
    if request.method == "POST":
        form = ResponseForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                response_services.response_submit(
                    actor=request.user,
                    invitation=invitation,
                    unit_price=form.cleaned_data["unit_price"],
                    quality_response=form.cleaned_data["quality_response"],
                    social_value_response=form.cleaned_data["social_value_response"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    "Response submitted. You can change it until the deadline.",
                )
                return redirect("buying:supplier_competition", pk=invitation.pk)
    else:
        if not competition.accepting_responses:
            messages.error(
                request,
                "The deadline has passed: responses can no longer be submitted or changed."
                if competition.is_open
                else f"This competition is {competition.get_status_display().lower()}.",
            )
            return redirect("buying:supplier_competition", pk=invitation.pk)
        initial = {}
        if existing is not None:
            initial = {
                "unit_price": existing.unit_price,
                "quality_response": existing.quality_response,
                "social_value_response": existing.social_value_response,
            }
        form = ResponseForm(initial=initial, invitation=invitation)
    return render(
        request,
        "buying/awards/supplier_response.html",
        {"form": form, "invitation": invitation, "competition": competition},
        status=400 if request.method == "POST" else 200,
    )
